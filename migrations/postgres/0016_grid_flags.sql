-- Grids keep the flag the partition gave them (an oversized building, a small enclave, building
-- sizes no plan can balance), so every view counts the share within the tolerance as the
-- partitioner does, flagged grids apart.
ALTER TABLE grids ADD COLUMN flag TEXT NOT NULL DEFAULT 'normal';

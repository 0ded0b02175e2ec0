-- A worker token belongs to one worker: it acts only on that worker's position and on
-- incidents assigned to it or open in its grids.
ALTER TABLE tokens ADD COLUMN worker_id TEXT;

-- The incidents' closed loop: deadlines, closing time, every step with who, and
-- idempotency keys so a report submitted twice is recorded once.
ALTER TABLE incidents ADD COLUMN deadline_at TIMESTAMPTZ;
ALTER TABLE incidents ADD COLUMN closed_at TIMESTAMPTZ;
CREATE INDEX incidents_status ON incidents (status);

CREATE TABLE incident_events (
  fid BIGSERIAL PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  actor TEXT NOT NULL,
  worker TEXT,
  note TEXT
);
CREATE INDEX incident_events_incident ON incident_events (incident_id);

CREATE TABLE incident_keys (
  key TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL
);

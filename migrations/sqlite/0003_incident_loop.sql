-- The incidents' closed loop: deadlines, closing time, every step with who, and
-- idempotency keys so a report submitted twice is recorded once.
ALTER TABLE incidents ADD COLUMN deadline_at TEXT;
ALTER TABLE incidents ADD COLUMN closed_at TEXT;
CREATE INDEX incidents_status ON incidents (status);

CREATE TABLE incident_events (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id TEXT NOT NULL,
  action TEXT NOT NULL,
  status TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  worker TEXT,
  note TEXT
);
CREATE INDEX incident_events_incident ON incident_events (incident_id);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('incident_events', 'attributes', 'incident_events', 'Every step of every incident: action, status, time, who');

CREATE TABLE incident_keys (
  key TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL
);

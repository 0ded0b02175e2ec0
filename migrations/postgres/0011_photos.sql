-- Photos of incident reports and steps (internal only): keyed by the SHA-256 of their bytes,
-- stored without metadata, with a thumbnail. A step names its photos; incident_photos says
-- which incidents show a photo (who may see it).
CREATE TABLE photos (
  id TEXT PRIMARY KEY,
  format TEXT NOT NULL,
  width_px BIGINT NOT NULL,
  height_px BIGINT NOT NULL,
  bytes BYTEA NOT NULL,
  thumbnail BYTEA NOT NULL,
  uploaded_at TIMESTAMPTZ NOT NULL,
  uploaded_by TEXT NOT NULL
);
CREATE TABLE incident_photos (
  incident_id TEXT NOT NULL,
  photo_id TEXT NOT NULL REFERENCES photos (id),
  PRIMARY KEY (incident_id, photo_id)
);
CREATE INDEX incident_photos_photo ON incident_photos (photo_id);
ALTER TABLE incident_events ADD COLUMN photos TEXT;

-- Residents' reports (随手拍): the SHA-256 of each report's tracking code (never the code
-- itself) beside its incident, and the resident's satisfaction rating once it is closed.
CREATE TABLE public_reports (
  code_sha256 TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL UNIQUE,
  rating TEXT,
  rating_comment TEXT,
  rated_at TEXT
);

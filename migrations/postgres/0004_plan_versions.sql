-- Plan versions: every committed change of grids or community boundaries, a snapshot of
-- the communities it touched (JSON with GeoJSON geometries), and the version each
-- community was last changed in (optimistic concurrency).
CREATE TABLE plan_versions (
  version BIGINT PRIMARY KEY,
  author TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  summary TEXT NOT NULL,
  operation TEXT NOT NULL,
  communities TEXT NOT NULL
);
CREATE TABLE plan_communities (
  version BIGINT NOT NULL,
  code TEXT NOT NULL,
  retired INTEGER NOT NULL DEFAULT 0,
  data TEXT NOT NULL,
  PRIMARY KEY (code, version)
);
CREATE TABLE plan_grids (
  version BIGINT NOT NULL,
  community_code TEXT NOT NULL,
  code TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX plan_grids_version ON plan_grids (community_code, version);
CREATE TABLE community_versions (
  code TEXT PRIMARY KEY,
  version BIGINT NOT NULL
);

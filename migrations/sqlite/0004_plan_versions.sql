-- Plan versions: every committed change of grids or community boundaries, a snapshot of
-- the communities it touched (JSON with GeoJSON geometries), and the version each
-- community was last changed in (optimistic concurrency).
CREATE TABLE plan_versions (
  version INTEGER PRIMARY KEY,
  author TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  summary TEXT NOT NULL,
  operation TEXT NOT NULL,
  communities TEXT NOT NULL
);
CREATE TABLE plan_communities (
  version INTEGER NOT NULL,
  code TEXT NOT NULL,
  retired INTEGER NOT NULL DEFAULT 0,
  data TEXT NOT NULL,
  PRIMARY KEY (code, version)
);
CREATE TABLE plan_grids (
  version INTEGER NOT NULL,
  community_code TEXT NOT NULL,
  code TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX plan_grids_version ON plan_grids (community_code, version);
CREATE TABLE community_versions (
  code TEXT PRIMARY KEY,
  version INTEGER NOT NULL
);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('plan_versions', 'attributes', 'plan_versions', 'Plan versions: author, time, summary, operation'),
  ('plan_communities', 'attributes', 'plan_communities', 'Community boundaries as each plan version left them (GeoJSON)'),
  ('plan_grids', 'attributes', 'plan_grids', 'Grids and their buildings as each plan version left them (GeoJSON)');

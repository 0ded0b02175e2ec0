-- Every partition run with its parameters and metrics (a GeoPackage attributes table).
CREATE TABLE partition_runs (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  options TEXT NOT NULL,
  metrics TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('partition_runs', 'attributes', 'partition_runs', 'Partition runs: scope, parameters and quality metrics');
CREATE INDEX buildings_grid ON buildings (grid_code);
CREATE INDEX grids_community ON grids (community_code);

-- Every partition run with its parameters and metrics.
CREATE TABLE partition_runs (
  fid BIGSERIAL PRIMARY KEY,
  scope TEXT NOT NULL,
  options TEXT NOT NULL,
  metrics TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX buildings_grid ON buildings (grid_code);
CREATE INDEX grids_community ON grids (community_code);

-- Patrols (巡查): a grid worker's walk, its track's fixes, and once stopped what it passed.
-- One patrol at a time per worker.
CREATE TABLE patrols (
  id TEXT PRIMARY KEY,
  worker_id TEXT NOT NULL,
  started_at TIMESTAMPTZ NOT NULL,
  stopped_at TIMESTAMPTZ,
  length_m DOUBLE PRECISION,
  grids TEXT,
  buildings TEXT
);
CREATE UNIQUE INDEX patrols_one_open ON patrols (worker_id) WHERE stopped_at IS NULL;
CREATE INDEX patrols_worker ON patrols (worker_id, started_at);
CREATE TABLE patrol_points (
  patrol_id TEXT NOT NULL REFERENCES patrols (id),
  at TIMESTAMPTZ NOT NULL,
  lon DOUBLE PRECISION NOT NULL,
  lat DOUBLE PRECISION NOT NULL
);
CREATE INDEX patrol_points_patrol ON patrol_points (patrol_id, at);

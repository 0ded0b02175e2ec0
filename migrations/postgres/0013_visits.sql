-- Visits (走访): a grid worker's call on a building or household, with a note and photos.
CREATE TABLE visits (
  id TEXT PRIMARY KEY,
  worker_id TEXT NOT NULL,
  building_id TEXT NOT NULL,
  grid_code TEXT,
  household TEXT,
  note TEXT NOT NULL,
  photos TEXT,
  visited_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX visits_worker ON visits (worker_id, visited_at);
CREATE INDEX visits_building ON visits (building_id, visited_at);

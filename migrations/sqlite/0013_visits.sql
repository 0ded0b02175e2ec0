-- Visits (走访): a grid worker's call on a building or household, with a note and photos.
CREATE TABLE visits (
  id TEXT PRIMARY KEY,
  worker_id TEXT NOT NULL,
  building_id TEXT NOT NULL,
  grid_code TEXT,
  household TEXT,
  note TEXT NOT NULL,
  photos TEXT,
  visited_at TEXT NOT NULL
);
CREATE INDEX visits_worker ON visits (worker_id, visited_at);
CREATE INDEX visits_building ON visits (building_id, visited_at);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('visits', 'attributes', 'visits', 'Grid workers'' visits to buildings and households (internal)');

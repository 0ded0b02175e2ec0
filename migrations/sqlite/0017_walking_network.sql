-- The walking network: which ways people walk, bridges and tunnels, compound walls and gates.
ALTER TABLE roads ADD COLUMN foot TEXT NOT NULL DEFAULT 'yes';
ALTER TABLE roads ADD COLUMN level TEXT NOT NULL DEFAULT 'ground';
UPDATE roads SET foot = 'no' WHERE class IN ('motorway', 'trunk', 'rail', 'river');

CREATE TABLE walls (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom LINESTRING,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);
CREATE INDEX walls_bbox ON walls (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX walls_bbox_max ON walls (bbox_maxx);

CREATE TABLE gates (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom POINT,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);
CREATE INDEX gates_bbox ON gates (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX gates_bbox_max ON gates (bbox_maxx);

INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
  ('walls', 'features', 'walls', 'Compound walls and fences (walking crosses them only at gates)', 4326),
  ('gates', 'features', 'gates', 'Gates and entrances through compound walls', 4326);
INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES
  ('walls', 'geom', 'LINESTRING', 4326, 0, 0),
  ('gates', 'geom', 'POINT', 4326, 0, 0);

-- Land cover for the basemap: water, parks, woods, farmland and land use areas.
CREATE TABLE land_areas (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  id TEXT NOT NULL UNIQUE,
  class TEXT NOT NULL,
  name TEXT,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);
CREATE INDEX land_areas_bbox ON land_areas (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX land_areas_bbox_max ON land_areas (bbox_maxx);

INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
  ('land_areas', 'features', 'land_areas', 'Water, parks, woods and land use (basemap)', 4326);
INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES
  ('land_areas', 'geom', 'MULTIPOLYGON', 4326, 0, 0);

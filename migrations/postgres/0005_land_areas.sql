-- Land cover for the basemap: water, parks, woods, farmland and land use areas.
CREATE TABLE land_areas (
  id TEXT PRIMARY KEY,
  class TEXT NOT NULL,
  name TEXT,
  geom geometry(MultiPolygon, 4326)
);
CREATE INDEX land_areas_geom ON land_areas USING GIST (geom);

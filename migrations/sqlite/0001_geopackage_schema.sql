-- GeoPackage 1.3 core tables (OGC 12-128r18) and gridmap's feature layers.
-- Every feature table has an INTEGER PRIMARY KEY `fid`, a geometry column `geom` holding
-- GeoPackage binary geometries in EPSG:4326, and `bbox_*` columns indexed for box filters.

CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);

INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326,
   'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
   'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');

CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);

CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);

CREATE TABLE districts (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);

CREATE TABLE streets (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  district_code TEXT NOT NULL,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);

CREATE TABLE communities (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  street_code TEXT NOT NULL,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);

CREATE TABLE grids (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  code TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('base', 'dedicated')),
  community_code TEXT NOT NULL,
  households INTEGER NOT NULL CHECK (households >= 0),
  residents INTEGER NOT NULL CHECK (residents >= 0),
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);

CREATE TABLE buildings (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  households INTEGER NOT NULL CHECK (households BETWEEN 0 AND 100000),
  residents INTEGER NOT NULL CHECK (residents >= 0),
  floors INTEGER,
  name TEXT,
  address TEXT,
  building_head TEXT,
  community_code TEXT,
  grid_code TEXT,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);
CREATE INDEX buildings_community ON buildings (community_code);
CREATE INDEX buildings_address ON buildings (address);

CREATE TABLE roads (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom LINESTRING,
  id TEXT NOT NULL UNIQUE,
  class TEXT NOT NULL,
  name TEXT,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);

CREATE TABLE stations (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom POINT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  services TEXT NOT NULL DEFAULT '[]',
  opening_hours TEXT,
  address TEXT,
  community_code TEXT,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);

CREATE TABLE workers (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom POINT,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  phone TEXT,
  role TEXT NOT NULL,
  grids TEXT NOT NULL DEFAULT '[]',
  duty TEXT NOT NULL,
  position_at TEXT,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);

CREATE TABLE incidents (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom POINT,
  id TEXT NOT NULL UNIQUE,
  category TEXT NOT NULL,
  description TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  reported_at TEXT NOT NULL,
  grid_code TEXT,
  assignee TEXT,
  bbox_minx REAL, bbox_miny REAL, bbox_maxx REAL, bbox_maxy REAL
);

CREATE INDEX districts_bbox ON districts (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX streets_bbox ON streets (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX communities_bbox ON communities (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX grids_bbox ON grids (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX buildings_bbox ON buildings (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX roads_bbox ON roads (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX stations_bbox ON stations (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX workers_bbox ON workers (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX incidents_bbox ON incidents (bbox_minx, bbox_maxx, bbox_miny, bbox_maxy);
CREATE INDEX districts_bbox_max ON districts (bbox_maxx);
CREATE INDEX streets_bbox_max ON streets (bbox_maxx);
CREATE INDEX communities_bbox_max ON communities (bbox_maxx);
CREATE INDEX grids_bbox_max ON grids (bbox_maxx);
CREATE INDEX buildings_bbox_max ON buildings (bbox_maxx);
CREATE INDEX roads_bbox_max ON roads (bbox_maxx);
CREATE INDEX stations_bbox_max ON stations (bbox_maxx);
CREATE INDEX workers_bbox_max ON workers (bbox_maxx);
CREATE INDEX incidents_bbox_max ON incidents (bbox_maxx);

INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
  ('districts', 'features', 'districts', 'Districts (区/县), GB/T 2260 codes', 4326),
  ('streets', 'features', 'streets', 'Streets (街道/乡镇), 9-digit codes', 4326),
  ('communities', 'features', 'communities', 'Communities (社区/村), 12-digit codes', 4326),
  ('grids', 'features', 'grids', 'Base and dedicated grids (网格), 15-digit codes', 4326),
  ('buildings', 'features', 'buildings', 'Buildings with households and residents', 4326),
  ('roads', 'features', 'roads', 'Roads, rail and rivers', 4326),
  ('stations', 'features', 'stations', 'Party-mass service centres/stations, red outposts, rider rest stations', 4326),
  ('workers', 'features', 'workers', 'Grid workers and their last positions (personal data)', 4326),
  ('incidents', 'features', 'incidents', 'Incidents', 4326);

INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES
  ('districts', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
  ('streets', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
  ('communities', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
  ('grids', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
  ('buildings', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
  ('roads', 'geom', 'LINESTRING', 4326, 0, 0),
  ('stations', 'geom', 'POINT', 4326, 0, 0),
  ('workers', 'geom', 'POINT', 4326, 0, 0),
  ('incidents', 'geom', 'POINT', 4326, 0, 0);

-- Access tokens: only the SHA-256 hash of each token is stored. Not a GeoPackage layer.
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);

-- Store metadata, registered as an attributes table (so GIS tools list only our layers).
CREATE TABLE gridmap_metadata (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL UNIQUE,
  value TEXT NOT NULL
);
INSERT INTO gridmap_metadata (key, value) VALUES ('schema', 'gridmap 1'), ('crs', 'EPSG:4326 (WGS84/CGCS2000 lon/lat)');
INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('gridmap_metadata', 'attributes', 'gridmap_metadata', 'gridmap store metadata');

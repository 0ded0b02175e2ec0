-- gridmap schema for PostgreSQL + PostGIS: the same layers as the GeoPackage store.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE districts (
  code TEXT PRIMARY KEY CHECK (code ~ '^[0-9]{6}$'),
  name TEXT NOT NULL,
  geom geometry(MultiPolygon, 4326)
);

CREATE TABLE streets (
  code TEXT PRIMARY KEY CHECK (code ~ '^[0-9]{9}$'),
  name TEXT NOT NULL,
  district_code TEXT NOT NULL,
  geom geometry(MultiPolygon, 4326)
);

CREATE TABLE communities (
  code TEXT PRIMARY KEY CHECK (code ~ '^[0-9]{12}$'),
  name TEXT NOT NULL,
  street_code TEXT NOT NULL,
  geom geometry(MultiPolygon, 4326)
);

CREATE TABLE grids (
  code TEXT PRIMARY KEY CHECK (code ~ '^[0-9]{15}$'),
  kind TEXT NOT NULL CHECK (kind IN ('base', 'dedicated')),
  community_code TEXT NOT NULL,
  households BIGINT NOT NULL CHECK (households >= 0),
  residents BIGINT NOT NULL CHECK (residents >= 0),
  geom geometry(MultiPolygon, 4326)
);

CREATE TABLE buildings (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  households BIGINT NOT NULL CHECK (households BETWEEN 0 AND 100000),
  residents BIGINT NOT NULL CHECK (residents >= 0),
  floors BIGINT,
  name TEXT,
  address TEXT,
  building_head TEXT,
  community_code TEXT,
  grid_code TEXT,
  geom geometry(MultiPolygon, 4326)
);
CREATE INDEX buildings_community ON buildings (community_code);
CREATE INDEX buildings_address ON buildings (address);

CREATE TABLE roads (
  id TEXT PRIMARY KEY,
  class TEXT NOT NULL,
  name TEXT,
  geom geometry(LineString, 4326)
);

CREATE TABLE stations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  services TEXT NOT NULL DEFAULT '[]',
  opening_hours TEXT,
  address TEXT,
  community_code TEXT,
  geom geometry(Point, 4326)
);

CREATE TABLE workers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  phone TEXT,
  role TEXT NOT NULL,
  grids TEXT NOT NULL DEFAULT '[]',
  duty TEXT NOT NULL,
  position_at TIMESTAMPTZ,
  geom geometry(Point, 4326)
);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  category TEXT NOT NULL,
  description TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL,
  reported_at TIMESTAMPTZ NOT NULL,
  grid_code TEXT,
  assignee TEXT,
  geom geometry(Point, 4326)
);

CREATE INDEX districts_geom ON districts USING GIST (geom);
CREATE INDEX streets_geom ON streets USING GIST (geom);
CREATE INDEX communities_geom ON communities USING GIST (geom);
CREATE INDEX grids_geom ON grids USING GIST (geom);
CREATE INDEX buildings_geom ON buildings USING GIST (geom);
CREATE INDEX roads_geom ON roads USING GIST (geom);
CREATE INDEX stations_geom ON stations USING GIST (geom);
CREATE INDEX workers_geom ON workers USING GIST (geom);
CREATE INDEX incidents_geom ON incidents USING GIST (geom);

-- Access tokens: only the SHA-256 hash of each token is stored.
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

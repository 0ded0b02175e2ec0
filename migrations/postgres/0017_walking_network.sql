-- The walking network: which ways people walk, bridges and tunnels, compound walls and gates.
ALTER TABLE roads ADD COLUMN foot TEXT NOT NULL DEFAULT 'yes';
ALTER TABLE roads ADD COLUMN level TEXT NOT NULL DEFAULT 'ground';
UPDATE roads SET foot = 'no' WHERE class IN ('motorway', 'trunk', 'rail', 'river');

CREATE TABLE walls (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  geom geometry(LineString, 4326)
);
CREATE INDEX walls_geom ON walls USING GIST (geom);

CREATE TABLE gates (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  geom geometry(Point, 4326)
);
CREATE INDEX gates_geom ON gates USING GIST (geom);

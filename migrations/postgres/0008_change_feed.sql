-- The GeoPackage's change feed (its 0008) has no PostGIS twin: PostGIS announces changes
-- with NOTIFY. This keeps both migration folders numbered alike.
SELECT 1;

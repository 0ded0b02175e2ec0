-- Changes committed by one process, read by a `serve` on the same file within a second
-- (PostGIS announces them with NOTIFY instead). Rows older than ten minutes are pruned by
-- the reader.
CREATE TABLE gridmap_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    payload TEXT NOT NULL,
    written_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Workers belong to a community (所属社区) and can retire (kept for the record); every
-- import, addition, edit and retirement is recorded with who made it and when.
ALTER TABLE workers ADD COLUMN community_code TEXT;
ALTER TABLE workers ADD COLUMN retired_at TEXT;
CREATE TABLE worker_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    worker_id TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT,
    after TEXT NOT NULL
);
CREATE INDEX worker_changes_worker ON worker_changes (worker_id, seq);

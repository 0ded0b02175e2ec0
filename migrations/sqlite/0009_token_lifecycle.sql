-- Tokens can be listed (when each was last used) and revoked (kept, refused from then on).
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE tokens ADD COLUMN revoked_at TEXT;

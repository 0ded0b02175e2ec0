-- Tokens can be listed (when each was last used) and revoked (kept, refused from then on).
ALTER TABLE tokens ADD COLUMN last_used_at TIMESTAMPTZ, ADD COLUMN revoked_at TIMESTAMPTZ;

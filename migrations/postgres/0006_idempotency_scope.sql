-- Idempotency keys are scoped to their caller (the key column holds "<scope>:<key>") and
-- bound to the request they came with: the same key with another request is refused.
ALTER TABLE incident_keys ADD COLUMN request_sha256 TEXT NOT NULL DEFAULT '';

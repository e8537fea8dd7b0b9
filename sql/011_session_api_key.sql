-- The API key each session was signed in through (API.md, "Existing CRM.COM apps"): a
-- bearer alone stands for that key, and revoking the key revokes its sessions, so their
-- access and refresh tokens stop at once. NULL for sessions from before this migration
-- (those still need their api_key header). No foreign key: the portal's per-run key is
-- not stored, and a revoked key keeps its row.
ALTER TABLE sessions ADD COLUMN api_key_id TEXT;
CREATE INDEX sessions_api_key ON sessions (api_key_id) WHERE api_key_id IS NOT NULL;

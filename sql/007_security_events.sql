-- Security events: sign-ins, failed codes and passwords, lock-outs, refresh-token reuse,
-- revoked sessions, password changes, deletions, key rotations and API keys; each written
-- in the transaction of what it describes. detail is a JSON object that never holds a
-- code, password, token or key. No foreign keys: the trail outlives the contacts it names
-- (a deleted contact keeps its events with the contact id only).
CREATE TABLE security_events (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    contact_id  TEXT,
    ip_address  TEXT,
    user_agent  TEXT,
    request_id  TEXT,
    detail      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);
-- The listing is newest first, optionally by contact and by type.
CREATE INDEX security_events_created ON security_events (created_at);
CREATE INDEX security_events_contact ON security_events (contact_id, created_at);
CREATE INDEX security_events_type ON security_events (type, created_at);

-- The periodic purge looks for expired codes by expiry.
CREATE INDEX one_time_codes_expires ON one_time_codes (expires_at);

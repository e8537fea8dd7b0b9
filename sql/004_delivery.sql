-- Message delivery: every attempt to send an outbox message is recorded, so the back
-- office can see why a message was retried or abandoned. The detail never holds the
-- message text.

CREATE TABLE message_attempts (
    message_id TEXT NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempt    INTEGER NOT NULL,  -- 1 for the first try
    at         INTEGER NOT NULL,  -- Unix epoch seconds
    outcome    TEXT NOT NULL CHECK (outcome IN ('DELIVERED', 'KEPT', 'RETRY', 'FAILED', 'SKIPPED')),
    detail     TEXT,
    PRIMARY KEY (message_id, attempt)
);

-- The back office lists messages newest first, by contact and by status.
CREATE INDEX outbox_created ON outbox (created_at);
CREATE INDEX outbox_contact_created ON outbox (contact_id, created_at);
CREATE INDEX outbox_status_created ON outbox (status, created_at);

-- Emailed link tokens (issue 9): password reset and email verification. token_hash is
-- the SHA-256 of the 256-bit random token; the token itself is only in the email. A row
-- without contact_id is a decoy for an address nobody has: it counts toward the
-- per-destination limits exactly like a real token, so that known and unknown addresses
-- answer alike. `claimant` marks a verification link sent to whoever set the identity up
-- (the sign-up email), which the pre-hijacking rule lets keep what it set up.
CREATE TABLE email_link_tokens (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL UNIQUE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('RESET_PASSWORD', 'VERIFY_EMAIL')),
    destination TEXT NOT NULL,  -- the lower-cased email
    contact_id  TEXT REFERENCES contacts (id) ON DELETE CASCADE,
    identity_id TEXT REFERENCES identities (id) ON DELETE CASCADE,
    claimant    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    replaced_at INTEGER  -- a newer token for the same destination and purpose was issued
);
CREATE INDEX email_link_tokens_destination ON email_link_tokens (destination, purpose, created_at);
CREATE INDEX email_link_tokens_contact ON email_link_tokens (contact_id);
CREATE INDEX email_link_tokens_identity ON email_link_tokens (identity_id);
CREATE INDEX email_link_tokens_expires ON email_link_tokens (expires_at);

-- contactd schema, version 1: contacts, identities, one-time codes, sessions and their
-- refresh tokens, API keys, the message outbox and server settings.
-- Times are Unix epoch seconds. Secrets are stored only as hashes.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE contacts (
    id                 TEXT PRIMARY KEY,
    code               TEXT UNIQUE,
    contact_type       TEXT NOT NULL DEFAULT 'PERSON' CHECK (contact_type IN ('PERSON', 'COMPANY')),
    title              TEXT,
    first_name         TEXT,
    middle_name        TEXT,
    last_name          TEXT,
    company_name       TEXT,
    avatar             TEXT,
    email              TEXT,            -- recorded email, as given (trimmed)
    email_normalized   TEXT,            -- lower-cased, for look-ups
    phone              TEXT,            -- recorded primary phone, E.164
    language_code      TEXT,
    sms_opt_out        INTEGER NOT NULL DEFAULT 0,
    email_opt_out      INTEGER NOT NULL DEFAULT 0,
    service_acceptance INTEGER NOT NULL DEFAULT 0,
    is_verified        INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX contacts_email_normalized ON contacts (email_normalized);
CREATE INDEX contacts_phone ON contacts (phone);

-- A way to sign in. value is the normalized key: lower-cased email, E.164 phone or
-- Facebook user id.
CREATE TABLE identities (
    id            TEXT PRIMARY KEY,
    contact_id    TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    provider      TEXT NOT NULL CHECK (provider IN ('PHONE', 'EMAIL', 'FACEBOOK')),
    value         TEXT NOT NULL,
    display_value TEXT NOT NULL,
    is_verified   INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    UNIQUE (provider, value)
);
CREATE INDEX identities_contact ON identities (contact_id);

-- One issued code. code_hmac = HMAC-SHA-256(server key, id | destination | purpose | code).
CREATE TABLE one_time_codes (
    id          TEXT PRIMARY KEY,       -- the auth_otp handed to the client
    channel     TEXT NOT NULL CHECK (channel IN ('SMS', 'EMAIL')),
    destination TEXT NOT NULL,          -- normalized email or E.164 phone
    purpose     TEXT NOT NULL,
    contact_id  TEXT REFERENCES contacts (id) ON DELETE CASCADE,
    identity_id TEXT REFERENCES identities (id) ON DELETE CASCADE,
    code_hmac   TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    cancelled   INTEGER NOT NULL DEFAULT 0  -- its message could not be delivered
);
CREATE INDEX one_time_codes_destination ON one_time_codes (destination, created_at);
CREATE INDEX one_time_codes_contact ON one_time_codes (contact_id);

CREATE TABLE sessions (
    id                  TEXT PRIMARY KEY,  -- the JWT's sid
    contact_id          TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    auth_method         TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    last_used_at        INTEGER NOT NULL,
    absolute_expires_at INTEGER NOT NULL,
    revoked_at          INTEGER,
    user_agent          TEXT,
    ip_address          TEXT
);
CREATE INDEX sessions_contact ON sessions (contact_id);

-- token_hash = SHA-256 of the 256-bit random token.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- key_hash = SHA-256 of the key; prefix is its first characters, to tell keys apart.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    key_type   TEXT NOT NULL CHECK (key_type IN ('public', 'secret')),
    key_hash   TEXT NOT NULL UNIQUE,
    prefix     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Messages to send, written in the same transaction as the code they carry.
-- body is erased once the message is sent or abandoned (it holds the code).
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    channel         TEXT NOT NULL CHECK (channel IN ('SMS', 'EMAIL')),
    recipient       TEXT NOT NULL,
    kind            TEXT NOT NULL,
    subject         TEXT,
    body            TEXT,
    html_body       TEXT,
    contact_id      TEXT REFERENCES contacts (id) ON DELETE SET NULL,
    otp_id          TEXT REFERENCES one_time_codes (id) ON DELETE SET NULL,
    status          TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'ABANDONED', 'DEVELOPMENT')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_contact ON outbox (contact_id);

-- Organisations (B2B) that contacts sign up to.
CREATE TABLE organisations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    org_type   TEXT NOT NULL CHECK (org_type IN ('BUSINESS', 'MERCHANT', 'VENUE', 'SERVICE_OWNER')),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE contact_organisations (
    contact_id      TEXT NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    joined_at       INTEGER NOT NULL,
    PRIMARY KEY (contact_id, organisation_id)
);
CREATE INDEX contact_organisations_organisation ON contact_organisations (organisation_id);

-- Passwords and password sign-in.
--
-- identities.password_hash: an argon2id PHC string ("$argon2id$v=19$m=19456,t=2,p=1$..."),
-- only on EMAIL identities; never the password itself.
-- identities.requires_verification: 1 for an identity a signed-in contact added to its
-- contact; it signs in only once a code sent to it was validated (is_verified).
ALTER TABLE identities ADD COLUMN password_hash TEXT;
ALTER TABLE identities ADD COLUMN requires_verification INTEGER NOT NULL DEFAULT 0;

-- One failed (or in-flight) password check for a sign-in name, for per-account backoff.
-- key_hash is the hex SHA-256 of "EMAIL:" + the lower-cased email, so names that
-- belong to nobody are counted alike and nobody's typing is kept in clear. Rows older
-- than an hour are pruned.
CREATE TABLE sign_in_failures (
    id        TEXT PRIMARY KEY,
    key_hash  TEXT NOT NULL,
    failed_at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key_hash, failed_at);
CREATE INDEX sign_in_failures_time ON sign_in_failures (failed_at);

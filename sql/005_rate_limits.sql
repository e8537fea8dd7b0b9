-- Rate-limiter state (issue 8). Kept in the database, not in memory, so that limits hold
-- after a restart and are shared by every contactd process on the same database.
-- Keys never hold a phone number or email in clear (domain/otp_service.cpp hashes them);
-- client addresses appear as they do in sessions.ip_address.

-- A token bucket per key (per-address limits, domain/request_limiter.h), kept as GCRA's
-- "theoretical arrival time": full_at is the moment the bucket is full again. A row whose
-- full_at has passed is a full bucket, the same as no row, and may be deleted.
CREATE TABLE limiter_buckets (
    key     TEXT PRIMARY KEY,
    full_at REAL NOT NULL
) WITHOUT ROWID;

-- A count per key and fixed window; the key names the window (such as the UTC day), so a
-- new window starts a new row. Deleted once expires_at (the window's end) has passed.
CREATE TABLE limiter_counters (
    key        TEXT PRIMARY KEY,
    count      INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX limiter_counters_expires ON limiter_counters (expires_at);

"""Upgrades: a database made by the first release's schema (migrations 001..004, the
first wave, 2026-11-28), with rows in every table, is migrated by today's binary
(`contactd migrate`), and every row is still there with every value; then
`contactd serve` runs on it and serves the old rows with the old API key.

Migrations are forward-only: the first wave's files must be byte for byte what they were
(their SHA-256 is pinned here), or old databases would not be what this test builds.

usage: upgrade_test.py CONTACTD_BINARY SOURCE_DIR
"""
import hashlib
import os
import sqlite3
import subprocess
import sys

from contactd_process import Contactd, check, request, temp_dir

FIRST_WAVE = {
    "001_initial.sql": "9e7f27e84a13980cea8c7eab089c67407db8cc06ad4dde9d151eb3ce34a23945",
    "002_passwords.sql": "0c4232bf6087e054bf8bc24964e2e8e48fd9f5f1cf4b904c92b94164ce23e255",
    "003_backoffice.sql": "1d96d59370dc5b752461da184b7680f20fd922744a09d29f1c2e326a6e03848e",
    "004_delivery.sql": "3b6763cf0323c37ecb062a45ea9780c06588a8c7e4076a00e06c337536920131",
}
SECRET_KEY = "sk_upgrade_test_0123456789abcdefghijklmnop"
N = 40
NOW = 1764330000  # 2025-11-28: rows as old as the first release


def old_database(path, source):
    db = sqlite3.connect(path)
    db.execute("PRAGMA foreign_keys = ON")
    # The first release's migrator, as it was: schema_migrations by file name.
    db.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
               " name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL DEFAULT (unixepoch()))")
    for name, digest in sorted(FIRST_WAVE.items()):
        with open(os.path.join(source, "sql", name), "rb") as f:
            text = f.read()
        check(hashlib.sha256(text).hexdigest() == digest,
              "sql/%s changed since the first release: migrations are forward-only" % name)
        db.executescript(text.decode())
        db.execute("INSERT INTO schema_migrations (name) VALUES (?)", (name,))
    q = db.execute
    q("INSERT INTO settings VALUES ('upgrade-marker', 'kept')")
    q("INSERT INTO api_keys VALUES ('key-1', 'old secret', 'secret', ?, ?, ?, NULL)",
      (hashlib.sha256(SECRET_KEY.encode()).hexdigest(), SECRET_KEY[:10], NOW))
    q("INSERT INTO organisations VALUES ('org-1', 'DropHop', 'BUSINESS', ?, ?)", (NOW, NOW))
    for i in range(N):
        cid = "old-contact-%02d" % i
        q("INSERT INTO contacts (id, code, contact_type, title, first_name, middle_name,"
          " last_name, company_name, avatar, email, email_normalized, phone, language_code,"
          " sms_opt_out, email_opt_out, service_acceptance, is_verified, created_at, updated_at)"
          " VALUES (?, ?, 'PERSON', 'Mr', 'Old', 'M', ?, NULL, NULL, ?, ?, ?, 'en', 0, 1, 1, 1,"
          " ?, ?)",
          (cid, "CODE%02d" % i, "Contact %d" % i, "Old%d@Example.com" % i,
           "old%d@example.com" % i, "+3579947%04d" % i, NOW + i, NOW + i))
        q("INSERT INTO identities (id, contact_id, provider, value, display_value, is_verified,"
          " created_at, password_hash, requires_verification) VALUES (?, ?, 'EMAIL', ?, ?, 1, ?,"
          " NULL, 0)", ("ident-%02d" % i, cid, "old%d@example.com" % i, "Old%d@Example.com" % i,
                        NOW))
        q("INSERT INTO one_time_codes VALUES (?, 'EMAIL', ?, 'SIGN_IN', ?, ?, 'hmac', 1, ?, ?,"
          " ?, 0)", ("otp-%02d" % i, "old%d@example.com" % i, cid, "ident-%02d" % i, NOW,
                     NOW + 300, NOW + 10))
        q("INSERT INTO sessions VALUES (?, ?, 'OTP', ?, ?, ?, NULL, 'curl/7', '192.0.2.1')",
          ("sess-%02d" % i, cid, NOW, NOW, NOW + 90 * 86400))
        q("INSERT INTO refresh_tokens VALUES (?, ?, ?, ?, NULL)",
          ("rt-hash-%02d" % i, "sess-%02d" % i, NOW, NOW + 30 * 86400))
        q("INSERT INTO outbox (id, channel, recipient, kind, subject, body, html_body, contact_id,"
          " otp_id, status, attempts, next_attempt_at, last_error, created_at, sent_at) VALUES"
          " (?, 'EMAIL', ?, 'SIGN_IN_CODE', 'Your code', NULL, NULL, ?, ?, 'SENT', 1, ?, NULL,"
          " ?, ?)", ("msg-%02d" % i, "old%d@example.com" % i, cid, "otp-%02d" % i, NOW, NOW,
                     NOW + 1))
        q("INSERT INTO message_attempts VALUES (?, 1, ?, 'DELIVERED', NULL)", ("msg-%02d" % i,
                                                                                NOW + 1))
        q("INSERT INTO contact_organisations VALUES (?, 'org-1', ?)", (cid, NOW))
        q("INSERT INTO contact_phones VALUES (?, 0, 'MOBILE', ?, 1)", (cid, "+3579947%04d" % i))
        q("INSERT INTO contact_custom_fields VALUES (?, 'loyalty', ?, 0)", (cid, "gold-%d" % i))
        q("INSERT INTO audit_log VALUES (?, 'key-1', 'CONTACT_CREATE', 'CONTACT', ?, '{}', ?)",
          ("audit-%02d" % i, cid, NOW))
        q("INSERT INTO sign_in_failures VALUES (?, 'keyhash', ?)", ("fail-%02d" % i, NOW))
    db.commit()
    return db


def snapshot(db):
    """Every old table's rows, by the first release's columns."""
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name != 'schema_migrations' ORDER BY name")]
    out = {}
    for table in tables:
        columns = [r[1] for r in db.execute("PRAGMA table_info(%s)" % table)]
        rows = db.execute("SELECT %s FROM %s" % (", ".join(columns), table)).fetchall()
        out[table] = (columns, sorted(rows, key=repr))
    return out


def main(binary, source):
    directory = temp_dir()
    path = os.path.join(directory, "old.db")
    db = old_database(path, source)
    before = snapshot(db)
    db.close()
    check(all(len(rows) > 0 for _, rows in before.values()), "a first-wave table left empty")

    result = subprocess.run([binary, "migrate", "--db", path], capture_output=True, timeout=60)
    check(result.returncode == 0, "migrate failed: %s" % result.stderr.decode())

    db = sqlite3.connect(path)
    applied = [r[0] for r in db.execute("SELECT name FROM schema_migrations ORDER BY name")]
    present = sorted(f for f in os.listdir(os.path.join(source, "sql")) if f.endswith(".sql"))
    check(applied == present, "migrations applied %s, files %s" % (applied, present))
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check")
    check(db.execute("PRAGMA foreign_key_check").fetchall() == [], "foreign_key_check")
    for table, (columns, rows) in before.items():
        now = db.execute("SELECT %s FROM %s" % (", ".join(columns), table)).fetchall()
        check(sorted(now, key=repr) == rows, "rows of %s changed by the upgrade" % table)
    db.close()

    # Today's server serves the old data with the old key.
    server = Contactd(binary, path)
    try:
        status, _, body = request("GET", server.url("/backoffice/v1/contacts/old-contact-07"),
                                  headers={"api_key": SECRET_KEY})
        check(status == 200 and body["id"] == "old-contact-07" and
              body["last_name"] == "Contact 7", "old contact served: %s %s" % (status, body))
        status, _, body = request("GET", server.url("/backoffice/v1/contacts?size=100"),
                                  headers={"api_key": SECRET_KEY})
        check(status == 200 and body["paging"]["total"] == N, "listing: %s %s" % (status, body))
    finally:
        server.stop()
    print("ok: %d tables, %d rows kept" % (len(before), sum(len(r) for _, r in before.values())))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

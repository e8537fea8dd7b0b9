"""contactd backup of a live database: 4 writers keep creating contacts through the
back-office API while `contactd backup` runs; the copy holds every write acknowledged
before the backup started, passes PRAGMA integrity_check, has mode 0600, and
`contactd serve --db COPY` serves it.

usage: backup_test.py CONTACTD_BINARY
"""
import os
import sqlite3
import stat
import subprocess
import sys
import threading
import time

from contactd_process import Contactd, check, request, temp_dir


def main(binary):
    directory = temp_dir()
    db = os.path.join(directory, "contactd.db")
    server = Contactd(binary, db)
    acknowledged = []  # (time acknowledged, contact id)
    lock = threading.Lock()
    stop = threading.Event()
    errors = []

    def writer(n):
        i = 0
        while not stop.is_set():
            contact_id = "w%d-%d" % (n, i)
            i += 1
            status, _, body = request("POST", server.url("/backoffice/v1/contacts"),
                                      {"id": contact_id, "first_name": "Writer",
                                       "last_name": str(n), "contact_type": "PERSON"},
                                      {"api_key": server.secret_key})
            if status != 201:
                errors.append("%s %s" % (status, body))
                return
            with lock:
                acknowledged.append((time.monotonic(), contact_id))

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for w in writers:
        w.start()
    try:
        time.sleep(1.5)  # enough rows that the backup runs while they keep coming
        out = os.path.join(directory, "backups", "copy.db")
        os.makedirs(os.path.dirname(out))
        started = time.monotonic()
        result = subprocess.run([binary, "backup", "--db", db, out], capture_output=True,
                                timeout=60)
        check(result.returncode == 0, "backup failed: %s" % result.stderr.decode())
        time.sleep(0.5)  # writers go on after the backup too
    finally:
        stop.set()
        for w in writers:
            w.join()
        server.stop()
    check(not errors, "a writer failed: %s" % errors[:3])
    before = [cid for (t, cid) in acknowledged if t < started]
    after = [cid for (t, cid) in acknowledged if t > started]
    check(len(before) >= 20, "only %d writes before the backup" % len(before))
    check(len(after) > 0, "no write ran while the backup did")

    mode = stat.S_IMODE(os.stat(out).st_mode)
    check(mode == 0o600, "backup mode %o" % mode)
    leftovers = [f for f in os.listdir(os.path.dirname(out)) if f != "copy.db"]
    check(not leftovers, "temporary files left: %s" % leftovers)

    copy = sqlite3.connect(out)
    check(copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "integrity_check")
    ids = {row[0] for row in copy.execute("SELECT id FROM contacts")}
    copy.close()
    missing = [cid for cid in before if cid not in ids]
    check(not missing, "%d acknowledged writes missing from the backup, e.g. %s" %
          (len(missing), missing[:3]))

    # The copy is a database contactd serves: the same keys, the same contacts.
    restored = Contactd(binary, out)
    try:
        status, _, body = request("GET", restored.url("/healthz"))
        check(status == 200, "/healthz on the copy: %s" % status)
        status, _, body = request("GET", restored.url("/backoffice/v1/contacts/" + before[-1]),
                                  headers={"api_key": server.secret_key})
        check(status == 200 and body["id"] == before[-1], "contact from the copy: %s %s" %
              (status, body))
    finally:
        restored.stop()

    # A file copy is not a backup: a missing database is an error, never an empty copy.
    result = subprocess.run([binary, "backup", "--db", os.path.join(directory, "none.db"),
                             os.path.join(directory, "x.db")], capture_output=True)
    check(result.returncode != 0 and not os.path.exists(os.path.join(directory, "x.db")),
          "backup of a missing database")
    print("ok: %d writes before the backup, %d after" % (len(before), len(after)))


if __name__ == "__main__":
    main(sys.argv[1])

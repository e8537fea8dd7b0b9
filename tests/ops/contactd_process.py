"""Runs the real contactd binary for the operations tests (tests/ops/*_test.py).

Each test gets a temporary folder, a contactd on a free loopback port (port 0: the
server prints the one it bound), the API keys it creates on first start, and small
JSON-over-HTTP helpers. Only the standard library: the tests run on Debian's python3.
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

PASSWORD = "Correct-Horse-Battery-9"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Contactd:
    """contactd serve on `db`, with `env` added to a clean CONTACTD_* environment."""

    def __init__(self, binary, db, env=None, listen="127.0.0.1:0"):
        self.binary = binary
        self.db = db
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CONTACTD_")}
        environment.update({"CONTACTD_PURGE_INTERVAL": "0"})
        environment.update(env or {})
        self.stderr_path = db + ".stderr.log"
        self.stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            [binary, "serve", "--db", db, "--listen", listen],
            stdout=subprocess.PIPE, stderr=self.stderr, env=environment)
        self.public_key = None
        self.secret_key = None
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                break
            m = re.search(r"public \(self-service\): (\S+)", line)
            if m:
                self.public_key = m.group(1)
            m = re.search(r"secret \(back office\): +(\S+)", line)
            if m:
                self.secret_key = m.group(1)
            m = re.search(r"contactd listening on http://[^ ]*:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                break
        check(self.port, "contactd did not start: " + self.log())
        # Keep draining stdout so that the server never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def log(self):
        self.stderr.flush()
        with open(self.stderr_path, "rb") as f:
            return f.read().decode(errors="replace")

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def stop(self, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        return self.proc.returncode


def request(method, url, body=None, headers=None, context=None, timeout=10, source=None):
    """(status, headers, parsed JSON or text) of one request; never raises on a status.
    `source`: the local address to connect from (any of 127/8 reaches a loopback server)."""
    import http.client
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    source_address = (source, 0) if source else None
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=context,
                                           timeout=timeout, source_address=source_address)
    else:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout,
                                          source_address=source_address)
    all_headers = dict(headers or {})
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    path = parts.path + ("?" + parts.query if parts.query else "")
    try:
        conn.request(method, path, body=data, headers=all_headers)
        res = conn.getresponse()
        status, res_headers, raw = res.status, res.headers, res.read()
    finally:
        conn.close()
    text = raw.decode(errors="replace")
    try:
        return status, res_headers, json.loads(text) if text else None
    except ValueError:
        return status, res_headers, text


def sign_in_flow(base, public_key, email, context=None, source=None):
    """Register by email and password, authenticate, read the contact, refresh, sign out.
    Returns the contact id. `base` is the scheme, host and port."""
    call = (lambda m, p, b=None, h=None: request(m, base + p, b, h, context, source=source))
    key = {"api_key": public_key}
    status, _, body = call("POST", "/self-service/v1/contacts/register", {
        "first_name": "Andy", "last_name": "Steward", "service_acceptance": True,
        "identity": {"provider": "EMAIL", "email": email, "password": PASSWORD}}, key)
    check(status == 201, "register: %s %s" % (status, body))
    contact_id = body["contact"]["id"]
    status, _, body = call("POST", "/self-service/v1/contacts/authenticate",
                           {"provider": "EMAIL", "username": email, "password": PASSWORD}, key)
    check(status == 200 and body.get("access_token"), "authenticate: %s %s" % (status, body))
    bearer = dict(key, Authorization="Bearer " + body["access_token"])
    status, _, me = call("GET", "/self-service/v1/contacts/" + contact_id, None, bearer)
    check(status == 200 and me["id"] == contact_id, "read contact: %s %s" % (status, me))
    status, _, refreshed = call("POST", "/self-service/v1/contacts/refresh", {},
                                dict(key, refresh_token=body["refresh_token"]))
    check(status == 200 and refreshed.get("access_token"), "refresh: %s %s" % (status, refreshed))
    bearer = dict(key, Authorization="Bearer " + refreshed["access_token"])
    status, _, _ = call("POST", "/self-service/v1/contacts/%s/sign_out" % contact_id, {}, bearer)
    check(status == 204, "sign out: %s" % status)
    return contact_id


def temp_dir():
    return tempfile.mkdtemp(prefix="contactd-ops-")

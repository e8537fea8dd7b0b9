"""/metrics read by Prometheus' own text parser (python3-prometheus-client): the
contract's series, labelled by route template, and counters that move after requests.
Also /readyz: 200 while serving, 503 once SIGTERM arrives (CONTACTD_SHUTDOWN_DELAY),
then the process exits 0 within the contract's 5 s.

usage: metrics_test.py CONTACTD_BINARY
"""
import os
import signal
import sys
import time

from prometheus_client.parser import text_string_to_metric_families

from contactd_process import Contactd, check, request, sign_in_flow, temp_dir


def scrape(server):
    status, headers, text = request("GET", server.url("/metrics"))
    check(status == 200, "/metrics from loopback: %s" % status)
    check(headers["Content-Type"].startswith("text/plain; version=0.0.4"),
          "content type " + headers["Content-Type"])
    samples = {}
    families = {}
    for family in text_string_to_metric_families(text):
        families[family.name] = family.type
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return families, samples


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def metrics_move(binary):
    directory = temp_dir()
    server = Contactd(binary, os.path.join(directory, "contactd.db"))
    try:
        families, before = scrape(server)
        # The parser strips _total from counter family names.
        for name, kind in [("contactd_http_requests", "counter"),
                           ("contactd_http_request_duration_seconds", "histogram"),
                           ("contactd_sign_ins", "counter"),
                           ("contactd_messages_sent", "counter"),
                           ("contactd_messages_failed", "counter"),
                           ("contactd_outbox_pending", "gauge")]:
            check(families.get(name) == kind, "family %s is %s" % (name, families.get(name)))

        base = "http://127.0.0.1:%d" % server.port
        contact_id = sign_in_flow(base, server.public_key, "metrics@example.com")
        status, _, _ = request("POST", base + "/self-service/v1/contacts/authenticate",
                               {"provider": "EMAIL", "username": "metrics@example.com",
                                "password": "Wrong-password-123"},
                               {"api_key": server.public_key})
        check(status == 401, "wrong password: %s" % status)
        # The registration emailed a code to verify the address (development delivery).
        request("GET", base + "/no/such/path/" + contact_id)
        # A token in a query string never reaches the log: lines name the route template.
        request("GET", base + "/self-service/v1/contacts/verify_email?token=Tok3nMustNotBeLogged",
                headers={"api_key": server.public_key})

        deadline = time.time() + 10
        while True:
            _, after = scrape(server)
            if value(after, "contactd_messages_sent_total", channel="EMAIL") >= 1 or \
                    time.time() > deadline:
                break
            time.sleep(0.2)

        route = "/self-service/{version}/contacts/{id}"
        check(value(after, "contactd_http_requests_total", route=route, method="GET",
                    status="200") == value(before, "contactd_http_requests_total", route=route,
                                           method="GET", status="200") + 1,
              "GET %s 200 counted once" % route)
        check(value(after, "contactd_http_requests_total",
                    route="/self-service/{version}/contacts/register", method="POST", status="201") == 1,
              "register counted")
        check(value(after, "contactd_http_requests_total", route="unmatched", method="GET",
                    status="404") == 1, "unknown path counted as unmatched")
        check(value(after, "contactd_http_request_duration_seconds_count", route=route) >= 1,
              "latency histogram of " + route)
        check(value(after, "contactd_http_request_duration_seconds_bucket", route=route,
                    le="+Inf") == value(after, "contactd_http_request_duration_seconds_count",
                                        route=route), "+Inf bucket equals count")
        check(value(after, "contactd_sign_ins_total", method="PASSWORD", outcome="success") >= 2,
              "password sign-ins (register and authenticate) counted")
        check(value(after, "contactd_sign_ins_total", method="PASSWORD", outcome="failure") == 1,
              "the wrong password counted")
        check(value(after, "contactd_messages_sent_total", channel="EMAIL") >= 1,
              "the registration's email counted as sent")
        check(("contactd_outbox_pending", ()) in after, "outbox depth present")
        # No raw path, and so no id, ever becomes a label.
        for (name, labels) in after:
            for k, v in labels:
                check(contact_id not in v, "a contact id in a label: %s %s" % (name, labels))
        # The access log: one line per request with id, method, route, status, duration.
        log = server.log()
        check("access" in log and "route=/self-service/{version}/contacts/{id}" in log and
              "status=200" in log and "duration_ms=" in log, "access lines:\n" + log[-2000:])
        check("Wrong-password" not in log and "Correct-Horse" not in log, "a password in the log")
        check("Tok3nMustNotBeLogged" not in log and "verify_email?" not in log,
              "a query string in the log")
        check("/no/such/path" not in log, "a raw path in the log")
    finally:
        server.stop()


def readyz_during_shutdown(binary):
    directory = temp_dir()
    server = Contactd(binary, os.path.join(directory, "contactd.db"),
                      {"CONTACTD_SHUTDOWN_DELAY": "1500", "CONTACTD_LOG_FORMAT": "json"})
    status, _, body = request("GET", server.url("/readyz"))
    check(status == 200 and body == {"status": "ready"}, "/readyz while serving: %s %s" %
          (status, body))
    started = time.time()
    server.proc.send_signal(signal.SIGTERM)
    seen_503 = False
    while time.time() - started < 1.2:
        try:
            status, _, body = request("GET", server.url("/readyz"), timeout=2)
        except OSError:
            break
        if status == 503:
            seen_503 = True
            check(body["error"].startswith("CRM.EXCEPTIONS."), "CRM-shaped 503: %s" % body)
            status, _, _ = request("GET", server.url("/healthz"))
            check(status == 200, "/healthz stays the liveness check while draining")
            break
        time.sleep(0.05)
    check(seen_503, "/readyz answered 503 after SIGTERM")
    try:
        server.proc.wait(5)
    except Exception:
        fail("contactd did not exit within 5 s of SIGTERM")
    check(server.proc.returncode == 0, "exit status %s" % server.proc.returncode)
    check(time.time() - started < 5, "exited within 5 s")
    # CONTACTD_LOG_FORMAT=json: every line on standard error is one JSON object.
    import json
    for line in server.log().splitlines():
        try:
            json.loads(line)
        except ValueError:
            fail("not a JSON log line: " + line)


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    binary = sys.argv[1]
    {"metrics": metrics_move, "readyz": readyz_during_shutdown}[sys.argv[2]](binary)
    print("ok")

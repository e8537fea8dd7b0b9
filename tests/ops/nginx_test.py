"""nginx (Debian's) with the repository's packaging/nginx/contactd.conf in front of
contactd, over HTTPS with a self-signed certificate made here with openssl: the whole
sign-in flow works through it; contactd, trusting only the proxy, sees the client's
address (sessions, per-address limits), not the proxy's; nginx's limits hold.

The client connects from 127.0.0.2 and 127.0.0.3 (all of 127/8 is loopback), nginx
reaches contactd from 127.0.0.1: three addresses, so the test can tell them apart.

usage: nginx_test.py CONTACTD_BINARY NGINX SOURCE_DIR
"""
import os
import re
import socket
import ssl
import subprocess
import sys
import time

from contactd_process import Contactd, check, request, sign_in_flow, temp_dir


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_for_test(shipped, https_port, upstream_port, cert, key):
    """The shipped site with only addresses, ports and certificate paths changed."""
    text = re.sub(r"server \{\s*listen 80;.*?\n\}\n", "", shipped, count=1, flags=re.S)
    check("listen 80" not in text, "the port-80 redirect block was not found")
    text = text.replace("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % https_port)
    text = text.replace("listen [::]:443 ssl http2;", "")
    text = text.replace("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % upstream_port)
    text = text.replace("/etc/ssl/certs/contactd.pem", cert)
    text = text.replace("/etc/ssl/private/contactd.key", key)
    # nginx reaches contactd from 127.0.0.1 (the trusted proxy), whatever the client's.
    text = text.replace("proxy_pass http://contactd;",
                        "proxy_pass http://contactd;\n        proxy_bind 127.0.0.1;")
    return text


def main(binary, nginx, source):
    directory = temp_dir()
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)

    server = Contactd(binary, os.path.join(directory, "contactd.db"), {
        "CONTACTD_TRUSTED_PROXIES": "127.0.0.1/32",
        "CONTACTD_RATE_LIMIT_SEND_BURST": "3",
        "CONTACTD_RATE_LIMIT_SEND_PER_HOUR": "1"})
    https_port = free_port()
    with open(os.path.join(source, "packaging", "nginx", "contactd.conf")) as f:
        site = site_for_test(f.read(), https_port, server.port, cert, key)
    prefix = os.path.join(directory, "nginx")
    os.makedirs(os.path.join(prefix, "logs"))
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(("user root;\n" if os.geteuid() == 0 else "") + """
worker_processes 1;
pid %(p)s/nginx.pid;
error_log %(p)s/logs/error.log info;
events { worker_connections 64; }
http {
    access_log %(p)s/logs/access.log;
    client_body_temp_path %(p)s/body;
    proxy_temp_path %(p)s/proxy;
    fastcgi_temp_path %(p)s/fastcgi;
    uwsgi_temp_path %(p)s/uwsgi;
    scgi_temp_path %(p)s/scgi;
    %(site)s
}
""" % {"p": prefix, "site": site})
    proxy = subprocess.Popen([nginx, "-p", prefix, "-c", conf, "-g", "daemon off;"],
                             stderr=subprocess.PIPE)
    context = ssl.create_default_context(cafile=cert)
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", https_port), 1).close()
                break
            except OSError:
                check(proxy.poll() is None and time.time() < deadline,
                      "nginx did not start: %s" % proxy.stderr.read().decode())
                time.sleep(0.1)

        base = "https://127.0.0.1:%d" % https_port

        def call(method, path, body=None, headers=None, source_ip="127.0.0.2"):
            status, _, parsed = request(method, base + path, body, headers, context,
                                        source=source_ip)
            return status, parsed

        # The whole sign-in flow over HTTPS through the proxy (the certificate verified).
        contact_id = sign_in_flow(base, server.public_key, "proxied@example.com", context,
                                  source="127.0.0.2")

        # contactd saw the client's address, not the proxy's.
        status, body = call("POST", "/self-service/v1/contacts/authenticate",
                            {"provider": "EMAIL", "username": "proxied@example.com",
                             "password": "Correct-Horse-Battery-9"},
                            {"api_key": server.public_key})
        check(status == 200, "authenticate through nginx: %s %s" % (status, body))
        status, sessions = call("GET", "/self-service/v1/contacts/%s/sessions" % contact_id,
                                headers={"api_key": server.public_key,
                                         "Authorization": "Bearer " + body["access_token"]})
        check(status == 200, "sessions: %s %s" % (status, sessions))
        addresses = {s["ip_address"] for s in sessions["content"]}
        check(addresses == {"127.0.0.2"}, "sessions record %s, not the client's" % addresses)

        # Per-address limits count the client (127.0.0.4 here), not nginx: a forged
        # X-Forwarded-For is replaced by nginx, so the client cannot pick its address.
        sent = 0
        for i in range(3):
            status, body = call("POST", "/self-service/v1/contacts/request-otp",
                                {"send_method": "EMAIL", "credentials": [
                                    {"name": "EMAIL", "value": "limit%d@example.com" % i}]},
                                {"api_key": server.public_key,
                                 "X-Forwarded-For": "198.51.100.%d" % i}, source_ip="127.0.0.4")
            sent += status == 200
        check(sent == 3, "the send budget's first 3 requests")
        status, body = call("POST", "/self-service/v1/contacts/request-otp",
                            {"send_method": "EMAIL",
                             "credentials": [{"name": "EMAIL", "value": "limit9@example.com"}]},
                            {"api_key": server.public_key, "X-Forwarded-For": "203.0.113.9"},
                            source_ip="127.0.0.4")
        check(status == 429, "127.0.0.4 over its budget (a forged header changes nothing): %s %s"
              % (status, body))
        # Another client through the same proxy has its own budget.
        status, body = call("POST", "/self-service/v1/contacts/request-otp",
                            {"send_method": "EMAIL",
                             "credentials": [{"name": "EMAIL", "value": "other@example.com"}]},
                            {"api_key": server.public_key}, source_ip="127.0.0.3")
        check(status == 200, "127.0.0.3 limited by 127.0.0.4's budget: %s %s" % (status, body))

        # nginx's own limits: a body over 64 KiB stops at the proxy; /metrics is not public.
        status, _ = call("POST", "/self-service/v1/contacts/register", b"{" + b" " * 70000 + b"}",
                         {"api_key": server.public_key})
        check(status == 413, "an oversized body through nginx: %s" % status)
        status, _ = call("GET", "/metrics")
        check(status == 404, "/metrics through nginx: %s" % status)
        status, _ = call("GET", "/healthz", headers={"X-Forwarded-For": "127.0.0.1"})
        check(status == 200, "/healthz through nginx: %s" % status)
    finally:
        proxy.terminate()
        proxy.wait(10)
        server.stop()
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])

#!/usr/bin/env python3
"""contactd's benchmark (`make bench`).

Starts contactd on a fresh database in a temporary directory, seeds contacts through the
back-office API (wrk, concurrently: every row goes through the same rules as production
writes), then drives each scenario with wrk and the Lua scripts in bench/lua at each
connection count, and prints one table: req/s, p50, p99, share of the ceiling (GET
/healthz at the same connection count, same run), non-2xx answers, the server's peak RSS
during the scenario. The table is also written as JSON (--json).

Codes for validate-otp come from the outbox (development delivery keeps the message text):
each pending code is validated once, and each wrk thread gets its own share.

  bench/run.py build-release/contactd [--contacts 1000000] [--duration 10] [--json out.json]
  bench/run.py build/contactd --tiny     # a few seconds: what CTest runs so this cannot rot
"""
import argparse
import concurrent.futures
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "lua")
PASSWORD = "Bench-horse-battery-2026!"
# Password contacts the sign-in scenarios spread over: a try is counted before it is
# checked and five in flight on one account look like a burst of guesses (429), so that
# even 256 connections keep at most four tries on any one account.
PASSWORD_USERS = 64


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, workdir, env_extra):
        self.binary = binary
        self.dir = workdir
        self.db = os.path.join(workdir, "bench.db")
        self.port = free_port()
        self.public_key = self.cli("apikey", "create", "--type", "public", "--name", "bench")
        self.secret_key = self.cli("apikey", "create", "--type", "secret", "--name", "bench-bo")
        env = dict(os.environ)
        env.update({
            "CONTACTD_RATE_LIMITS": "off",
            "CONTACTD_OTP_RESEND_INTERVAL": "0",
            "CONTACTD_OTP_MAX_PER_HOUR": "100",
            "CONTACTD_OTP_MAX_PER_DAY": "1000",
            "CONTACTD_OTP_TTL": "3600",
            "CONTACTD_SMS_DAILY_LIMIT": "10000000",
            "CONTACTD_SMS_DAILY_LIMIT_PER_COUNTRY": "10000000",
        })
        env.update(env_extra)
        self.log = open(os.path.join(workdir, "server.log"), "wb")
        self.proc = subprocess.Popen(
            [binary, "serve", "--listen", f"127.0.0.1:{self.port}", "--db", self.db],
            stdout=self.log, stderr=subprocess.STDOUT, env=env)
        for _ in range(100):
            try:
                if self.call("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("contactd did not start; see " + self.log.name)

    def cli(self, *args):
        out = subprocess.run([self.binary, *args, "--db", self.db], check=True,
                             capture_output=True, text=True)
        return out.stdout.strip().split()[-1]

    def call(self, method, path, body=None, key=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if key:
            h["api_key"] = key
        data = None
        if body is not None:
            data = json.dumps(body)
            h["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        payload = r.read()
        conn.close()
        return r.status, (json.loads(payload) if payload else None)

    def status(self, field):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])  # kB
        return 0

    def reset_peak(self):
        # Writing 5 to clear_refs resets VmHWM (Linux >= 4.0), so each scenario has its peak.
        try:
            with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()

    def query(self, sql, params=()):
        con = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def wait_outbox_drained(self, timeout=120):
        # The dispatcher delivers (here: keeps) what register and request-otp queued; let it
        # finish before the next scenario so that its writes are not measured there.
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.query("SELECT count(*) FROM outbox WHERE status = 'PENDING'")[0][0] == 0:
                return
            time.sleep(0.2)

    def pending_codes(self):
        rows = self.query(
            "SELECT o.otp_id, o.body FROM outbox o JOIN one_time_codes c ON c.id = o.otp_id"
            " WHERE c.used_at IS NULL AND c.cancelled = 0 AND c.expires_at > ?"
            " ORDER BY o.created_at, o.rowid", (int(time.time()) + 60,))
        out = []
        for otp_id, body in rows:
            m = re.search(r"\b(\d{6})\b", body or "")
            if m:
                out.append((otp_id, m.group(1)))
        return out


def wrk(server, script, path, connections, threads, duration, env_extra, timeout="10s",
        until=None):
    """Runs wrk; returns its BENCHJSON result. `until`, when given, is polled twice a second
    and ends the run (SIGINT: wrk still reports) once it returns True."""
    env = dict(os.environ)
    env.update({"BENCH_LUA": LUA, "BENCH_THREADS": str(threads)})
    env.update(env_extra)
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}",
           "-s", os.path.join(LUA, script), f"http://127.0.0.1:{server.port}{path}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    if until:
        while proc.poll() is None:
            time.sleep(0.5)
            if until():
                proc.send_signal(signal.SIGINT)
                break
    stdout, stderr = proc.communicate()
    for line in stdout.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON "):])
    raise RuntimeError("wrk gave no result: " + stdout + stderr)


def write_pool(workdir, name, items, threads):
    base = os.path.join(workdir, name)
    for t in range(threads):
        with open(f"{base}-{t}.txt", "w") as f:
            for item in items[t::threads]:
                f.write(item + "\n")
    return base


def seeded(server, contacts):
    """True once `contacts` exist, or once their number stopped growing for 2 s."""
    seen = [-1, time.time()]

    def check():
        have = server.query("SELECT count(*) FROM contacts")[0][0]
        if have != seen[0]:
            seen[0], seen[1] = have, time.time()
        return have >= contacts or time.time() - seen[1] > 2
    return check


def seed(server, contacts, threads):
    started = time.time()
    wrk(server, "seed.lua", "/", min(64, max(threads, contacts)), threads, 3600,
        {"BENCH_KEY": server.secret_key, "BENCH_CONTACTS": str(contacts)},
        until=seeded(server, contacts))
    have = server.query("SELECT count(*) FROM contacts")[0][0]
    if have < contacts:  # a thread that met errors: fill the gaps one by one
        codes = {r[0] for r in server.query("SELECT code FROM contacts")}
        for i in range(contacts):
            if f"C{i:07d}" not in codes:
                server.call("POST", "/backoffice/v1/contacts",
                            {"code": f"C{i:07d}", "contact_type": "PERSON", "first_name": "Seed",
                             "last_name": f"L{i:07d}", "email_address": f"seed{i:07d}@bench.example"},
                            key=server.secret_key)
    def register_password_user(i):
        server.call("POST", "/self-service/v1/contacts/register",
                    {"first_name": "Pass", "last_name": "Word",
                     "identity": {"provider": "EMAIL", "email": f"pw{i}@bench.example",
                                  "password": PASSWORD}}, key=server.public_key)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(register_password_user, range(PASSWORD_USERS)))
    return time.time() - started


def sign_in(server, pairs, workers=16):
    """Validates these codes; returns (access_token, refresh_token) pairs."""
    def one(pair):
        status, body = server.call("POST", "/self-service/v1/contacts/validate-otp",
                                   {"auth_otp": pair[0], "code": pair[1]}, key=server.public_key)
        return (body["access_token"], body["refresh_token"]) if status == 200 else None
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return [r for r in pool.map(one, pairs) if r]


TOP_UPS = itertools.count()


def codes_for(server, needed, threads):
    """At least `needed` pending codes: tops up by registering (not measured) when short.
    Each top-up registers numbers of its own: a number registered before gets no code."""
    codes = server.pending_codes()
    tries = 0
    while len(codes) < needed and tries < 5:
        short = needed - len(codes)
        # At 1,500 a second or more, and at most 20 s: a wrk thread's numbers then stay
        # within the 40,000 its top-up has (about 1,750 a second per thread).
        wrk(server, "register.lua", "/", 64, threads, max(2, min(20, short // 1500 + 1)),
            {"BENCH_KEY": server.public_key, "BENCH_OFFSET": str(600000 + next(TOP_UPS) * 40000)})
        server.wait_outbox_drained()
        codes = server.pending_codes()
        tries += 1
    if len(codes) < needed:
        sys.exit(f"could not issue {needed} codes to validate (have {len(codes)})")
    return codes


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("binary")
    p.add_argument("--contacts", type=int, default=10000)
    p.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    p.add_argument("--connections", default="32,256")
    p.add_argument("--threads", type=int, default=2, help="wrk threads")
    p.add_argument("--json", default="bench-results.json")
    p.add_argument("--only", default="", help="comma-separated scenario names")
    p.add_argument("--tiny", action="store_true", help="seconds, few contacts (the CTest run)")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = p.parse_args()
    if args.tiny:
        args.contacts, args.duration, args.connections = 200, 1, "4,16"
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make deps installs it)")
    connections = [int(c) for c in args.connections.split(",")]
    only = set(filter(None, args.only.split(",")))
    T = args.threads
    D = args.duration

    workdir = tempfile.mkdtemp(prefix="contactd-bench-")
    server = Server(os.path.abspath(args.binary), workdir, {})
    rows = []
    info = {"start_rss_kb": server.status("VmRSS")}
    try:
        info["seed_seconds"] = round(seed(server, args.contacts, T), 1)
        server.wait_outbox_drained()
        info["seeded_rss_kb"] = server.status("VmRSS")
        info["contacts"] = server.query("SELECT count(*) FROM contacts")[0][0]

        def run(name, c, script, path, env, duration=D):
            if only and name not in only and name != "healthz":
                return None
            server.reset_peak()
            r = wrk(server, script, path, c, T, duration, env)
            r.update({"scenario": name, "connections": c,
                      "rps": r["requests"] / (r["duration_us"] / 1e6),
                      "peak_rss_kb": server.status("VmHWM")})
            rows.append(r)
            print(f"  {name:<28} c={c:<4} {r['rps']:>9.0f} req/s  p50 {r['p50_us']/1000:6.2f} ms"
                  f"  p99 {r['p99_us']/1000:7.2f} ms  non-2xx {r['non2xx']}"
                  f"{'  (pool ran dry)' if r['exhausted'] else ''}", flush=True)
            return r

        pub = {"BENCH_KEY": server.public_key}
        sec = {"BENCH_KEY": server.secret_key, "BENCH_CONTACTS": str(args.contacts)}
        for ci, c in enumerate(connections):
            print(f"== {c} connections ({os.getloadavg()[0]:.2f} load)", flush=True)
            run("healthz", c, "healthz.lua", "/healthz", {})
            # Sessions for `me` and refresh come from codes like any client's.
            need_sessions = T + (c // T + 8) * T
            sessions = sign_in(server, codes_for(server, need_sessions, T)[:need_sessions])
            access = write_pool(workdir, f"me-{c}", [s[0] for s in sessions[:T]], T)
            refresh = write_pool(workdir, f"refresh-{c}", [s[1] for s in sessions[T:]], T)
            run("me", c, "me.lua", "/", dict(pub, BENCH_POOL=access))
            run("backoffice_list", c, "bo_list.lua", "/", sec)
            run("backoffice_by_code", c, "bo_code.lua", "/", sec)
            run("password_sign_in", c, "password.lua", "/",
                dict(pub, BENCH_PASSWORD=PASSWORD, BENCH_PASSWORD_USERS=str(PASSWORD_USERS)))
            run("register_phone", c, "register.lua", "/", dict(pub, BENCH_OFFSET=str(ci * 300000)))
            server.wait_outbox_drained()
            run("request_otp", c, "request_otp.lua", "/",
                dict(pub, BENCH_CONTACTS=str(info["contacts"]),
                     BENCH_OFFSET=str(ci * info["contacts"] // max(1, len(connections)))))
            server.wait_outbox_drained()
            if not only or "validate_otp" in only:
                # Enough for 10,000 a second (topped up by registering, not measured): the
                # codes the two scenarios above left ran dry at 7,000 a second.
                codes = codes_for(server, 0 if args.tiny else 10000 * D, T)
                pool = write_pool(workdir, f"otp-{c}", [f"{a} {b}" for a, b in codes], T)
                run("validate_otp", c, "validate_otp.lua", "/", dict(pub, BENCH_POOL=pool))
            run("refresh", c, "refresh.lua", "/", dict(pub, BENCH_POOL=refresh))

        if not only or "me_during_password" in only:
            # GET me while password sign-ins keep the hashing pool busy: two wrk at once.
            c = connections[0]
            sessions = sign_in(server, codes_for(server, 1, 1)[:1])
            access = write_pool(workdir, "me-mixed", [sessions[0][0]], 1)
            with concurrent.futures.ThreadPoolExecutor(2) as ex:
                server.reset_peak()
                fp = ex.submit(wrk, server, "password.lua", "/", c, 1, D,
                               dict(pub, BENCH_PASSWORD=PASSWORD, BENCH_PASSWORD_USERS=str(PASSWORD_USERS),
                                    BENCH_THREADS="1"))
                fm = ex.submit(wrk, server, "me.lua", "/", c, 1, D,
                               dict(pub, BENCH_POOL=access, BENCH_THREADS="1"))
                for name, f in (("password_while_me", fp), ("me_while_password", fm)):
                    r = f.result()
                    r.update({"scenario": name, "connections": c,
                              "rps": r["requests"] / (r["duration_us"] / 1e6),
                              "peak_rss_kb": server.status("VmHWM")})
                    rows.append(r)
                    print(f"  {name:<28} c={c:<4} {r['rps']:>9.0f} req/s  p99 "
                          f"{r['p99_us']/1000:7.2f} ms", flush=True)

        if not only or "paced_256" in only:
            rows.append(paced(server, 256 if not args.tiny else 16, 10))
        info["final_rss_kb"] = server.status("VmRSS")
        # Idle: once no request came for a while the server gives caches and free heap
        # back (app: the trim task, every 5 s); the RSS after that quiet spell.
        time.sleep(3 if args.tiny else 12)
        info["idle_rss_kb"] = server.status("VmRSS")
        info["idle_anon_kb"] = server.status("RssAnon")
    finally:
        server.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print("kept", workdir)

    ceiling = {r["connections"]: r["rps"] for r in rows if r["scenario"] == "healthz"}
    for r in rows:
        if r.get("rps") and r["connections"] in ceiling:
            r["share_of_ceiling"] = r["rps"] / ceiling[r["connections"]]
    print_table(rows, info)
    result = {"machine": machine(), "load_before": os.getloadavg(), "info": info, "rows": rows,
              "contacts": args.contacts, "duration_s": D, "wrk_threads": T}
    with open(args.json, "w") as f:
        json.dump(result, f, indent=2)
    print("written", args.json)
    # Password scenarios may finish no hash within a tiny run on a busy machine.
    bad = [r for r in rows if r["requests"] == 0 and "password" not in r["scenario"]]
    if bad:
        sys.exit("scenarios without a single answer: " + ", ".join(r["scenario"] for r in bad))


def paced(server, connections, per_connection, gap=0.1):
    """`connections` keep-alive connections, each sending `per_connection` GET /healthz and
    GET me paced `gap` s apart: the slowest answer says whether any connection waits."""
    import asyncio
    status, body = server.call("POST", "/self-service/v1/contacts/validate-otp",
                               dict(zip(("auth_otp", "code"), codes_for(server, 1, 1)[0])),
                               key=server.public_key)
    token = body["access_token"]
    request = (f"GET /self-service/v1/contacts/me HTTP/1.1\r\nHost: bench\r\n"
               f"api_key: {server.public_key}\r\nAuthorization: Bearer {token}\r\n\r\n").encode()
    latencies, failures = [], [0]

    async def client():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        except OSError:
            failures[0] += per_connection
            return
        for _ in range(per_connection):
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if not head.startswith(b"HTTP/1.1 200"):
                failures[0] += 1
            await asyncio.sleep(gap)
        writer.close()

    async def everyone():
        await asyncio.gather(*(client() for _ in range(connections)))

    server.reset_peak()
    asyncio.run(everyone())
    latencies.sort()
    r = {"scenario": "paced_256", "connections": connections, "requests": len(latencies),
         "p50_us": int(latencies[len(latencies) // 2] * 1e6),
         "p99_us": int(latencies[int(len(latencies) * 0.99) - 1] * 1e6),
         "max_us": int(latencies[-1] * 1e6), "non2xx": failures[0], "rps": None,
         "peak_rss_kb": server.status("VmHWM"), "exhausted": 0}
    print(f"  paced_256 c={connections}: slowest {r['max_us']/1000:.1f} ms, failures {failures[0]}")
    return r


def machine():
    out = {}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for line in lscpu.splitlines():
            k, _, v = line.partition(":")
            if k.strip() in ("Model name", "CPU(s)", "Thread(s) per core"):
                out[k.strip()] = v.strip()
    except OSError:
        pass
    out["kernel"] = os.uname().release
    with open("/proc/meminfo") as f:
        out["MemTotal"] = f.readline().split(":")[1].strip()
    return out


def print_table(rows, info):
    print()
    print(f"contacts {info.get('contacts')}, seeded in {info.get('seed_seconds')} s; "
          f"load {os.getloadavg()[0]:.2f}")
    mb = lambda key: f"{info.get(key, 0)/1024:.1f} MB"
    print(f"RSS: at start {mb('start_rss_kb')}, seeded {mb('seeded_rss_kb')}, after the last "
          f"scenario {mb('final_rss_kb')}, idle after it {mb('idle_rss_kb')} "
          f"(anonymous {mb('idle_anon_kb')}; the rest is shared library code)")
    print(f"| {'scenario':<26} | {'conns':>5} | {'req/s':>9} | {'p50 ms':>7} | {'p99 ms':>8} "
          f"| {'max ms':>8} | {'ceiling':>7} | {'non-2xx':>7} | {'peak RSS MB':>11} |")
    print(f"|{'-'*28}|{'-'*7}:|{'-'*10}:|{'-'*8}:|{'-'*9}:|{'-'*9}:|{'-'*8}:|{'-'*8}:|{'-'*12}:|")
    for r in rows:
        rps = f"{r['rps']:.0f}" if r.get("rps") else "-"
        share = f"{r['share_of_ceiling']*100:.0f}%" if r.get("share_of_ceiling") else "-"
        dry = " (dry)" if r.get("exhausted") else ""
        print(f"| {r['scenario'] + dry:<26} | {r['connections']:>5} | {rps:>9} "
              f"| {r['p50_us']/1000:>7.2f} | {r['p99_us']/1000:>8.2f} | {r['max_us']/1000:>8.1f} "
              f"| {share:>7} | {r['non2xx']:>7} | {r['peak_rss_kb']/1024:>11.1f} |")


if __name__ == "__main__":
    main()

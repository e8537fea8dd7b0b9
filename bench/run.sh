#!/usr/bin/env bash
# Benchmark: starts contactd on a throw-away database, signs a contact in, then drives
# it with wrk (keep-alive connections from another process on loopback) and reports
# throughput, latency and the server's peak memory. Usage: bench/run.sh path/to/contactd
set -euo pipefail
BIN=${1:-build/contactd}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
PORT=${PORT:-18999}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }

dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
db="$dir/bench.db"
key=$("$BIN" apikey create --type public --name bench --db "$db")
CONTACTD_RATE_LIMITS=off "$BIN" serve --listen 127.0.0.1:$PORT --db "$db" >"$dir/server.log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/healthz >/dev/null && break; sleep 0.1; done

base=http://127.0.0.1:$PORT/self-service/v1
json() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
auth_otp=$(curl -sf -X POST $base/contacts/register -H "api_key: $key" -H 'Content-Type: application/json' \
  -d '{"first_name":"Bench","last_name":"Mark","identity":{"provider":"EMAIL","email":"bench@example.com"}}' | json auth_otp)
sleep 1  # the dispatcher moves the message to the development inbox
code=$(grep -o 'code is [0-9]\{6\}' "$dir/server.log" | tail -1 | awk '{print $3}')
token=$(curl -sf -X POST $base/contacts/validate-otp -H "api_key: $key" -H 'Content-Type: application/json' \
  -d "{\"auth_otp\":\"$auth_otp\",\"code\":\"$code\"}" | json access_token)

cat >"$dir/me.lua" <<LUA
wrk.headers["api_key"] = "$key"
wrk.headers["Authorization"] = "Bearer $token"
LUA

echo "== GET /healthz ($CONNECTIONS connections, $DURATION)"
wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency http://127.0.0.1:$PORT/healthz | grep -E 'Requests/sec|Latency|50%|99%'
echo "== GET /self-service/v1/contacts/me (JWT check + session lookup + profile read)"
wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency -s "$dir/me.lua" $base/contacts/me | grep -E 'Requests/sec|Latency|50%|99%|Non-2xx'
echo "== server memory"
grep -E 'VmHWM|VmRSS|Threads' /proc/$pid/status

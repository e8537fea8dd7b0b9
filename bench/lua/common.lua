-- Shared by every bench script: thread numbering, per-thread pools read from files, and a
-- done() that prints one machine-readable line (BENCHJSON {...}) for bench/run.py.
local M = {}

local threads = {}
local next_tid = 0

function setup(thread)
    thread:set("tid", next_tid)
    thread:set("nthreads", tonumber(os.getenv("BENCH_THREADS") or "2"))
    next_tid = next_tid + 1
    table.insert(threads, thread)
end

-- Lines of this thread's pool file (BENCH_POOL-<tid>.txt), or an empty table.
function M.read_pool()
    local base = os.getenv("BENCH_POOL")
    local out = {}
    if not base then return out end
    local f = io.open(base .. "-" .. tid .. ".txt", "r")
    if not f then return out end
    for line in f:lines() do
        if #line > 0 then table.insert(out, line) end
    end
    f:close()
    return out
end

-- Headers every script sends: the API key the harness passes in BENCH_KEY.
function M.headers(extra)
    local h = {}
    local key = os.getenv("BENCH_KEY")
    if key and #key > 0 then h["api_key"] = key end
    for k, v in pairs(extra or {}) do h[k] = v end
    return h
end

-- Called when a pool runs dry: the thread stops after the requests in flight.
function M.exhausted()
    exhausted = (exhausted or 0) + 1
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
end

function done(summary, latency, requests)
    local e = summary.errors
    local dry = 0
    for _, t in ipairs(threads) do dry = dry + (t:get("exhausted") or 0) end
    io.write(string.format(
        'BENCHJSON {"requests":%d,"duration_us":%d,"non2xx":%d,"connect_errors":%d,' ..
        '"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,' ..
        '"p99_us":%d,"max_us":%d,"mean_us":%.1f,"exhausted":%d}\n',
        summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        latency.mean, dry))
end

return M

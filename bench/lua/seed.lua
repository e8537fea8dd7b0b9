-- Seeding (not measured): POST /backoffice/v1/contacts for contacts BENCH_FROM..BENCH_CONTACTS-1,
-- each thread its own stride. Once a thread has created its share it stops.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local headers, n, from, total, mine, answered
function init(args)
    headers = common.headers({["Content-Type"] = "application/json"})
    from = tonumber(os.getenv("BENCH_FROM") or "0")
    total = tonumber(os.getenv("BENCH_CONTACTS"))
    n, answered = 0, 0
    mine = 0
    for i = from + tid, total - 1, nthreads do mine = mine + 1 end
end
function request()
    local i = from + tid + n * nthreads
    n = n + 1
    if i >= total then return wrk.format("GET", "/healthz") end
    local body = string.format(
        '{"code":"C%07d","contact_type":"PERSON","first_name":"Seed","last_name":"L%07d",' ..
        '"email_address":"seed%07d@bench.example"}', i, i, i)
    return wrk.format("POST", "/backoffice/v1/contacts", headers, body)
end
function response(status, hdrs, body)
    answered = answered + 1
    if answered >= mine then wrk.thread:stop() end
end

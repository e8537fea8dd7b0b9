-- POST request-otp by email for seeded contacts (their recorded email); each thread walks
-- its own stride of the contacts, from BENCH_OFFSET, so no destination repeats quickly.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local headers, n, contacts, offset
function init(args)
    headers = common.headers({["Content-Type"] = "application/json"})
    contacts = tonumber(os.getenv("BENCH_CONTACTS"))
    offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
    n = 0
end
function request()
    local i = (offset + tid + n * nthreads) % contacts
    n = n + 1
    local body = string.format(
        '{"send_method":"EMAIL","credentials":[{"name":"EMAIL","value":"seed%07d@bench.example"}]}', i)
    return wrk.format("POST", "/self-service/v1/contacts/request-otp", headers, body)
end

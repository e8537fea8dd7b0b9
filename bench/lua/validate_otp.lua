-- POST validate-otp: every pending code is validated once. The harness reads the codes
-- from the outbox (development delivery) and gives each thread its own file of
-- "auth_otp code" lines, so no two threads share a code.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local headers, pool, n
function init(args)
    headers = common.headers({["Content-Type"] = "application/json"})
    pool = common.read_pool()
    n = 0
end
function request()
    n = n + 1
    local line = pool[n]
    if not line then return common.exhausted() end
    local otp, code = line:match("^(%S+) (%d+)$")
    return wrk.format("POST", "/self-service/v1/contacts/validate-otp", headers,
                      string.format('{"auth_otp":"%s","code":"%s"}', otp, code))
end

-- POST register by phone (a code is issued, an outbox row written): numbers unique per
-- thread (its own mobile prefix) and per run (BENCH_OFFSET).
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local headers, n, offset
local prefixes = {"99", "97", "96", "95", "94"}
function init(args)
    headers = common.headers({["Content-Type"] = "application/json"})
    offset = tonumber(os.getenv("BENCH_OFFSET") or "0")
    n = 0
end
function request()
    local number = string.format("%s%06d", prefixes[(tid % #prefixes) + 1], (offset + n) % 1000000)
    n = n + 1
    local body = string.format(
        '{"first_name":"Reg","last_name":"Bench","identity":{"provider":"PHONE","phone_number":"%s","country_code":"CYP"}}',
        number)
    return wrk.format("POST", "/self-service/v1/contacts/register", headers, body)
end

-- GET /backoffice/v1/contacts filtered: a search_value prefix matching ten seeded contacts
-- (last names are L + 7 digits), whatever the number of contacts.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local headers, groups
function init(args)
    headers = common.headers()
    groups = math.max(1, math.floor(tonumber(os.getenv("BENCH_CONTACTS")) / 10))
    math.randomseed(tid * 7919 + os.time())
end
function request()
    local g = math.random(0, groups - 1)
    return wrk.format("GET", string.format("/backoffice/v1/contacts?search_value=l%06d&size=20", g),
                      headers)
end

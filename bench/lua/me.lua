-- GET /self-service/v1/contacts/me with a bearer: each thread signs in as its own contact
-- (the first line of its pool: an access token).
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local req
function init(args)
    local pool = common.read_pool()
    req = wrk.format("GET", "/self-service/v1/contacts/me",
                     common.headers({["Authorization"] = "Bearer " .. pool[1]}))
end
function request() return req end

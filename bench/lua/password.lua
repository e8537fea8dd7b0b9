-- POST authenticate with email and password, over the harness's password contacts.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local reqs, n
function init(args)
    local headers = common.headers({["Content-Type"] = "application/json"})
    local users = tonumber(os.getenv("BENCH_PASSWORD_USERS") or "4")
    local password = os.getenv("BENCH_PASSWORD")
    reqs = {}
    for i = 0, users - 1 do
        reqs[i + 1] = wrk.format("POST", "/self-service/v1/contacts/authenticate", headers,
            string.format('{"provider":"EMAIL","username":"pw%d@bench.example","password":"%s"}',
                          i, password))
    end
    n = tid
end
function request()
    n = n + 1
    return reqs[(n % #reqs) + 1]
end

-- GET /backoffice/v1/contacts/{code}: lookup by the contact's code.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local headers, contacts
function init(args)
    headers = common.headers()
    contacts = tonumber(os.getenv("BENCH_CONTACTS"))
    math.randomseed(tid * 104729 + os.time())
end
function request()
    return wrk.format("GET", string.format("/backoffice/v1/contacts/C%07d",
                                           math.random(0, contacts - 1)), headers)
end

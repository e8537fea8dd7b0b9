-- GET /healthz: the HTTP ceiling (no storage work).
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local req
function init(args) req = wrk.format("GET", "/healthz") end
function request() return req end

-- POST refresh: each refresh token is spent once and its successor (from the answer) goes
-- back into this thread's queue. The pool holds more tokens than the thread has connections.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local common = require("common")
local headers, queue, head, tail
function init(args)
    headers = common.headers({["Content-Type"] = "application/json"})
    queue = common.read_pool()
    head, tail = 1, #queue
end
function request()
    if head > tail then return common.exhausted() end
    local token = queue[head]
    queue[head] = nil
    head = head + 1
    return wrk.format("POST", "/self-service/v1/contacts/refresh", headers,
                      string.format('{"refresh_token":"%s"}', token))
end
function response(status, hdrs, body)
    local token = body and body:match('"refresh_token":"([^"]+)"')
    if token then
        tail = tail + 1
        queue[tail] = token
    end
end

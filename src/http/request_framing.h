#pragma once
// Request framing, decided before cpp-httplib sees a byte of the request.
//
// cpp-httplib 0.11.4 reads a request straight off the socket in the worker that owns the
// connection, so a slow or hostile client decides how long that worker is held and what
// the next request on the connection is: a refused request's unread body was parsed as
// the next request (smuggling), a header trickled one byte every 2 s was never cut off,
// and header fields had no count or total size limit. contactd's connection loop
// (http/connection_loop.h) therefore receives every request whole first and frames it
// here: this function finds the head, checks it, and rewrites it into the only form the
// router is given.
//
// parse_request_head() is pure: it looks only at `received` (the bytes of a connection
// not yet handed over, starting at a request) and never throws.
#include <cstddef>
#include <string>
#include <string_view>

namespace contactd::http {

struct FramingLimits {
    std::size_t max_head_bytes = 16 * 1024;  // request line, fields and the blank line
    std::size_t max_fields = 100;
    std::size_t max_body_bytes = 64 * 1024;
    std::size_t max_path_length = 2048;  // longer paths could overflow std::regex's stack
    std::size_t max_target_length = 8192;
};

struct RequestHead {
    std::size_t head_bytes = 0;  // bytes of `received` up to and including the blank line
    std::size_t body_bytes = 0;  // Content-Length: these bytes follow the head
    bool keep_body = false;      // false: the body is read and dropped (GET, DELETE, ...)
    bool expect_continue = false;
    std::string method;
    std::string path;  // the target before any '?', as sent
    // The client's X-Request-Id when it is acceptable (at most 64 of [A-Za-z0-9._-]).
    std::string client_request_id;
    // The request line and kept fields, each ending in CRLF, without the blank line:
    // Range only where honoured, no Expect, no client X-Request-Id or REMOTE_ADDR-style
    // fields, Content-Length only for a kept body (0 added to a POST/PUT/PATCH without).
    std::string head_for_router;
};

struct FramingResult {
    enum class Outcome { Incomplete, Complete, Refused };
    Outcome outcome = Outcome::Incomplete;
    RequestHead head;     // when Complete
    int status = 0;       // when Refused: 400, 411, 413, 414, 415, 417, 431
    std::string message;  // when Refused: for the error body
};

FramingResult parse_request_head(std::string_view received, const FramingLimits& limits);

// True when `id` may be kept as a request id.
bool acceptable_request_id(std::string_view id);

}  // namespace contactd::http

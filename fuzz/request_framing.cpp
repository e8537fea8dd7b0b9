// Fuzz target: a connection's bytes through request framing (http::parse_request_head)
// and, for each request it frames, through cpp-httplib's request parsing and routing
// (Server::process_request over the same in-memory stream the server uses). Checks,
// besides "no crash, no sanitizer report":
//   - a framed head lies within the bytes received, its body right after it;
//   - the head handed to the router is itself well framed, and frames to the same
//     method, path and body length (what the router reads is what framing decided);
//   - a refusal always has a 4xx status.
#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/request_framing.h"
#include "http/request_stream.h"

namespace {

using contactd::http::FramingLimits;
using contactd::http::FramingResult;
using contactd::http::parse_request_head;

void require(bool condition) {
    if (!condition) std::abort();
}

class Router : public httplib::Server {
  public:
    Router() {
        const auto echo = [](const httplib::Request& req, httplib::Response& res) {
            res.set_content(req.body, "application/json");
        };
        Get("/healthz", echo);
        Get(R"(/self-service/v1/contacts/([A-Za-z0-9_-]{1,36}))", echo);
        Post(R"(/self-service/v1/contacts/(register|refresh|validate-otp))", echo);
        Put(R"(/backoffice/v1/contacts/([A-Za-z0-9_-]{1,36}))", echo);
        Delete(R"(/backoffice/v1/contacts/([A-Za-z0-9_-]{1,36}))", echo);
    }
    using httplib::Server::process_request;
};

Router& router() {
    static Router instance;
    return instance;
}

void route(const contactd::http::RequestHead& head, std::string_view body) {
    contactd::http::ReceivedRequest request;
    request.bytes = head.head_for_router + "X-Request-Id: fuzz-1\r\n\r\n";
    if (head.keep_body) request.bytes.append(body);
    request.peer_ip = "127.0.0.1";
    request.local_ip = "127.0.0.1";
    // No socket: the answer is collected, never flushed.
    contactd::http::RequestStream stream(request, std::chrono::milliseconds(0));
    bool closed = false;
    router().process_request(stream, false, closed, {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FramingLimits limits;
    limits.max_head_bytes = 2048;  // small limits reach their edges more often
    limits.max_body_bytes = 512;
    limits.max_fields = 16;
    std::string_view received(reinterpret_cast<const char*>(data), size);
    for (int requests = 0; requests < 8 && !received.empty(); ++requests) {
        const auto framed = parse_request_head(received, limits);
        if (framed.outcome == FramingResult::Outcome::Refused) {
            require(framed.status >= 400 && framed.status < 500);
            return 0;
        }
        if (framed.outcome == FramingResult::Outcome::Incomplete) return 0;
        const auto& head = framed.head;
        require(head.head_bytes <= received.size());
        require(head.head_for_router.size() >= 2 &&
                head.head_for_router.substr(head.head_for_router.size() - 2) == "\r\n");
        // The rewrite may add one field (Content-Length: 0 on a POST that had none).
        FramingLimits rewritten = limits;
        rewritten.max_fields += 1;
        const auto again = parse_request_head(head.head_for_router + "\r\n", rewritten);
        require(again.outcome == FramingResult::Outcome::Complete);
        require(again.head.method == head.method && again.head.path == head.path);
        require(again.head.body_bytes == (head.keep_body ? head.body_bytes : 0));
        if (received.size() < head.head_bytes + head.body_bytes) return 0;
        route(head, received.substr(head.head_bytes, head.body_bytes));
        received.remove_prefix(head.head_bytes + head.body_bytes);
    }
    return 0;
}

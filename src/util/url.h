#pragma once
// Small URL helpers for outgoing HTTP calls.
#include <string>
#include <string_view>

namespace contactd {

struct SplitUrl {
    std::string origin;  // "scheme://host[:port]", as cpp-httplib's Client takes it
    std::string path;    // "/..." without a trailing slash; "" for the root
};

// "http://127.0.0.1:9000/graph/" -> {"http://127.0.0.1:9000", "/graph"}.
SplitUrl split_url(std::string_view url);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent_encode(std::string_view text);

}  // namespace contactd

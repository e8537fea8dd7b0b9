#pragma once
// Who is asking, as far as a request tells: the client's address (http::ClientAddressResolver),
// its User-Agent and the request's id (the X-Request-Id header). Empty for work that no
// request asked for (the command line, the periodic purge). Recorded on sessions and
// security events; never a secret. api_key_id is the id (never the key) of the live
// api_key the request presented: a session started by the request records it as the key
// it was signed in through.
#include <optional>
#include <string>

namespace contactd::domain {

struct ClientInfo {
    std::optional<std::string> user_agent;
    std::optional<std::string> ip_address;
    std::optional<std::string> request_id;
    std::optional<std::string> api_key_id;
};

}  // namespace contactd::domain

#pragma once
// Who is asking, as far as a request tells: the client's address (http::ClientAddressResolver),
// its User-Agent and the request's id (the X-Request-Id header). Empty for work that no
// request asked for (the command line, the periodic purge). Recorded on sessions and
// security events; never a secret.
#include <optional>
#include <string>

namespace contactd::domain {

struct ClientInfo {
    std::optional<std::string> user_agent;
    std::optional<std::string> ip_address;
    std::optional<std::string> request_id;
};

}  // namespace contactd::domain

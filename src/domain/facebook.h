#pragma once
// What the domain needs from Facebook: who a user access token belongs to. The Graph
// API client implementing it lives in src/integrations; tests substitute a local server.
#include <optional>
#include <string>

namespace contactd::domain {

struct FacebookProfile {
    std::string user_id;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    std::optional<std::string> email;
};

class FacebookVerifier {
  public:
    virtual ~FacebookVerifier() = default;
    // Checks that `user_access_token` is valid and was issued to this app, then reads
    // the user's profile. Throws Error(NotAuthenticated) for a bad token and
    // Error(Unavailable) when Facebook cannot be reached or is not configured.
    virtual FacebookProfile verify(const std::string& user_access_token) const = 0;
    // For the portal's login flow: exchanges an OAuth code for a user access token.
    virtual std::string exchange_code(const std::string& code,
                                      const std::string& redirect_uri) const = 0;
};

}  // namespace contactd::domain

#pragma once
// The Facebook Graph API client: debug_token to check a user token was issued to this
// app, /me (with appsecret_proof) for the profile, /oauth/access_token for the portal's
// code flow. Base URL configurable (CONTACTD_FACEBOOK_GRAPH_URL), so plain http:// works
// for tests. Thread-safe: a new connection per call.
#include <string>

#include "domain/facebook.h"

namespace contactd::integrations {

class FacebookGraph final : public domain::FacebookVerifier {
  public:
    // An empty app id or secret makes every call fail with Error(Unavailable).
    FacebookGraph(std::string base_url, std::string app_id, std::string app_secret);

    domain::FacebookProfile verify(const std::string& user_access_token) const override;
    std::string exchange_code(const std::string& code,
                              const std::string& redirect_uri) const override;

  private:
    std::string get_json_text(const std::string& path_and_query) const;

    std::string base_url_;
    std::string app_id_;
    std::string app_secret_;
};

}  // namespace contactd::integrations

#include "http/api_auth.h"

#include "util/error.h"
#include "util/strings.h"

namespace contactd::http {

storage::ApiKeyRecord require_api_key(const httplib::Request& req, domain::ApiKeyService& keys,
                                      ApiScope scope) {
    const auto presented = req.get_header_value("api_key");
    if (presented.empty()) throw not_authenticated("The api_key header is required");
    auto key = keys.find(presented);
    if (!key) throw not_authenticated("The api_key is not valid");
    if (scope == ApiScope::BackOffice && key->key_type != "secret") {
        throw forbidden("The back-office API needs a secret api_key");
    }
    return *key;
}

std::string optional_bearer_token(const httplib::Request& req) {
    const auto header = req.get_header_value("Authorization");
    if (!starts_with_ci(header, "Bearer ")) return {};
    return trim(header.substr(7));
}

std::string bearer_token(const httplib::Request& req) {
    auto token = optional_bearer_token(req);
    if (token.empty()) throw not_authenticated("Authorization: Bearer <access_token> is required");
    return token;
}

}  // namespace contactd::http

#include "http/api_auth.h"

#include "util/error.h"
#include "util/strings.h"

namespace contactd::http {

std::optional<storage::ApiKeyRecord> optional_api_key(const httplib::Request& req,
                                                      domain::ApiKeyService& keys, ApiScope scope) {
    if (!req.has_header("api_key")) return std::nullopt;
    return require_api_key(req, keys, scope);
}

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

domain::Bearer require_signed_in(const httplib::Request& req, domain::ApiKeyService& keys,
                                 const TokenVerifier& verify) {
    if (req.has_header("api_key")) {
        require_api_key(req, keys, ApiScope::SelfService);
        return verify(bearer_token(req));
    }
    const auto token = optional_bearer_token(req);
    // Neither a key nor a bearer: the answer every call without its key has had.
    if (token.empty()) throw not_authenticated("The api_key header is required");
    auto bearer = verify(token);
    if (!bearer.api_key_id)
        throw not_authenticated("The api_key header is required for this session");
    return bearer;
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

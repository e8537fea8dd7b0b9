#pragma once
// The `api_key` header and bearer tokens.
#include <httplib.h>

#include <string>

#include "domain/api_key_service.h"

namespace contactd::http {

enum class ApiScope { SelfService, BackOffice };

// Throws Error(NotAuthenticated) for a missing or unknown key, and Error(Forbidden) for
// a public key on the back-office API. Secret keys work on both APIs.
storage::ApiKeyRecord require_api_key(const httplib::Request& req, domain::ApiKeyService& keys,
                                      ApiScope scope);

// The token of "Authorization: Bearer <token>"; throws Error(NotAuthenticated).
std::string bearer_token(const httplib::Request& req);
// As bearer_token, but empty when there is no bearer header.
std::string optional_bearer_token(const httplib::Request& req);

}  // namespace contactd::http

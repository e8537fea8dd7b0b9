#pragma once
// Who a request speaks for: the `api_key` header and bearer tokens. Every route asks
// here, so that the rules hold for every version of every API alike.
//
// - require_api_key: calls that are not for a signed-in contact (register, codes,
//   authenticate) and the whole back office, on every version: the key is required,
//   and a bearer never stands in for it.
// - require_signed_in: calls made for a signed-in contact. The bearer may come alone
//   (API.md, "Existing CRM.COM apps": CRM.COM v2 clients send no api_key on them); the
//   access token then stands for the key its session was signed in through. With an
//   api_key as well, the key is checked as require_api_key checks it, and any live key
//   is accepted, not only the issuing one (a server may call with its secret key for a
//   contact who signed in through an app's public key). Either way the issuing key is
//   live: revoking a key revokes the sessions signed in through it (ApiKeyService).
// - optional_api_key: refresh, which needs only the refresh token, but refuses a bad key
//   when one is sent.
// Errors: Error(NotAuthenticated) for a missing or unknown key, a missing, tampered or
// revoked token (Error(ExpiredToken) for an expired one); Error(Forbidden) for a public
// key on the back office. Thread-safe (no state).
#include <httplib.h>

#include <functional>
#include <optional>
#include <string>

#include "domain/api_key_service.h"
#include "domain/session_service.h"

namespace contactd::http {

enum class ApiScope { SelfService, BackOffice };

// Throws Error(NotAuthenticated) for a missing or unknown key, and Error(Forbidden) for
// a public key on the back-office API. Secret keys work on both APIs.
storage::ApiKeyRecord require_api_key(const httplib::Request& req, domain::ApiKeyService& keys,
                                      ApiScope scope);
// As require_api_key, but nullopt when no api_key header is sent.
std::optional<storage::ApiKeyRecord> optional_api_key(const httplib::Request& req,
                                                      domain::ApiKeyService& keys, ApiScope scope);

// Verifies an access token (domain::ProfileService::authenticate).
using TokenVerifier = std::function<domain::Bearer(const std::string& access_token)>;

// A call for a signed-in contact on the Self-Service API, with its bearer and with or
// without api_key (see above). A bearer alone whose session recorded no key (signed in
// before contactd recorded keys) is Error(NotAuthenticated): send the api_key.
domain::Bearer require_signed_in(const httplib::Request& req, domain::ApiKeyService& keys,
                                 const TokenVerifier& verify);

// The token of "Authorization: Bearer <token>"; throws Error(NotAuthenticated).
std::string bearer_token(const httplib::Request& req);
// As bearer_token, but empty when there is no bearer header.
std::string optional_bearer_token(const httplib::Request& req);

}  // namespace contactd::http

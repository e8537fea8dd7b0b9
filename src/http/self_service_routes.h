#pragma once
#include "domain/api_key_service.h"
#include "domain/auth_service.h"
#include "domain/credential_service.h"
#include "domain/facebook_sign_in.h"
#include "domain/profile_service.h"
#include "http/client_address.h"
#include "http/server.h"
#include "util/rate_limiter.h"

namespace contactd::http {

struct SelfServiceDeps {
    domain::AuthService& auth;
    domain::ProfileService& profiles;
    domain::ApiKeyService& api_keys;
    const ClientAddressResolver& addresses;
    RateLimiter* limiter;  // per client address on sign-in endpoints; null when off
    domain::CredentialService* credentials = nullptr;  // passwords and added identities
    domain::FacebookSignIn* facebook = nullptr;
};

// Registers every /self-service/v1 route.
void add_self_service_routes(HttpServer& server, const SelfServiceDeps& deps);

}  // namespace contactd::http

#pragma once
#include "domain/account_recovery.h"
#include "domain/account_service.h"
#include "domain/api_key_service.h"
#include "domain/auth_service.h"
#include "domain/credential_service.h"
#include "domain/facebook_sign_in.h"
#include "domain/password_sign_in.h"
#include "domain/profile_service.h"
#include "domain/request_limiter.h"
#include "http/client_address.h"
#include "http/server.h"

namespace contactd::http {

struct SelfServiceDeps {
    domain::AuthService& auth;
    domain::ProfileService& profiles;
    domain::ApiKeyService& api_keys;
    const ClientAddressResolver& addresses;
    // Per client address on every endpoint that sends a message or checks a secret; null
    // when CONTACTD_RATE_LIMITS is off.
    domain::RequestLimiter* limiter;
    domain::CredentialService* credentials = nullptr;  // password sign-ups, added identities
    domain::PasswordSignIn* passwords = nullptr;       // password sign-in
    domain::FacebookSignIn* facebook = nullptr;
    domain::AccountService* accounts = nullptr;   // guests and self-deletion
    domain::AccountRecovery* recovery = nullptr;  // password reset and email verification
};

// Registers every Self-Service route, under each of its versions (/self-service/v1 and
// /self-service/v2: http/api_versions.h).
void add_self_service_routes(HttpServer& server, const SelfServiceDeps& deps);

}  // namespace contactd::http

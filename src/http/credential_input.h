#pragma once
// Decoding the bodies of password sign-in and of adding identities, in the forms CRM.COM
// clients send them.
#include "domain/credential_service.h"
#include "http/json_io.h"

namespace contactd::http {

// POST /contacts/authenticate: {"provider": "EMAIL", "username", "password"} (no
// provider is EMAIL; "email" may stand for "username"), {"provider": "PHONE",
// "phone_number", "country_code"}, {"provider": "FACEBOOK", "token"}.
domain::IdentityInput parse_authentication(const Json& body);

// POST /contacts/{id}/identities: the identity object itself (or wrapped in "identity"
// or v2's "identification"); POST /contacts/{id}/credentials: {"username", "password"}.
// No provider is EMAIL. "current_password" (or "old_password") proves a password change.
// "validation_required" is ignored.
domain::IdentityAddition parse_identity_addition(const Json& body);

}  // namespace contactd::http

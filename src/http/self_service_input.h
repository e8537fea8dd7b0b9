#pragma once
// Decoding Self-Service request bodies into domain inputs, in every form CRM.COM
// clients send: `identity` objects, v2 `identification` objects and v1 flat bodies.
#include <optional>
#include <string>
#include <variant>

#include "domain/auth_service.h"
#include "http/json_io.h"

namespace contactd::http {

domain::IdentityInput parse_identity(const Json& identity);
domain::RegistrationInput parse_registration(const Json& body);

// request-otp (and authenticate without password): the credential to send a code to.
domain::Destination parse_code_destination(const Json& body);

// validate-otp: either an auth_otp or the credentials the code went to.
struct CodeSubmission {
    std::variant<std::string, domain::Destination> target;
    std::string code;
};
CodeSubmission parse_code_submission(const Json& body);

}  // namespace contactd::http

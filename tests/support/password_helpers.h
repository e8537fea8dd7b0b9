#pragma once
// Helpers for HTTP tests of passwords and identities (issue 3).
#include <httplib.h>

#include <string>
#include <vector>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

namespace contactd::test {

// POST /contacts/register {"first_name", "last_name", "identity": {EMAIL, email, password}}.
httplib::Result register_with_password(TestServer& server, const std::string& email,
                                       const std::string& password);

// Registers with a password and REQUIREs the 201 session response.
SignedInContact sign_up_with_password(TestServer& server, const std::string& email,
                                      const std::string& password);

// POST /contacts/authenticate {"provider": "EMAIL", "username", "password"}.
httplib::Result authenticate(TestServer& server, const std::string& username,
                             const std::string& password);

// POST /contacts/{contact_id}/identities with `body`, as `access_token`.
httplib::Result add_identity(TestServer& server, const std::string& contact_id, const Json& body,
                             const std::string& access_token);

// request-otp to an email, then validate-otp with the code sent: a session by code.
SignedInContact sign_in_by_email_code(TestServer& server, const std::string& email);

// Development-outbox messages to `recipient` (newest first), as kinds ("SIGN_IN_CODE", ...).
std::vector<std::string> message_kinds_to(TestServer& server, const std::string& recipient);

// The UTF-8 text of the first `count` code points of `code_points`.
std::string join_code_points(const std::vector<std::string>& code_points, std::size_t count);

}  // namespace contactd::test

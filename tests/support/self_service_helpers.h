#pragma once
// Helpers for HTTP tests of the Self-Service API: the sign-up flows, the CRM.COM error
// shape, and raw HTTP for framing tests that a well-behaved client cannot express.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <string>

#include "support/test_server.h"

namespace contactd::test {

inline const std::string kSelfService = "/self-service/v1";

// A signed-in contact, as the session response describes it.
struct SignedInContact {
    std::string contact_id;
    std::string access_token;
    std::string refresh_token;
    Json body;  // the whole session response
};

// Checks (doctest CHECKs) that `result` is an error in the CRM.COM shape with `status`:
// {"status": status, "error": "CRM.EXCEPTIONS.…", "message": "…", "parameters": [strings]}
// and a JSON content type. Returns the body ({} if it is not JSON).
Json check_error(const httplib::Result& result, int status);

// Registers by phone (national number and alpha-3 country), reads the code from the
// development outbox and validates it. REQUIREs every step to succeed.
SignedInContact sign_up_by_phone(TestServer& server, const std::string& national_number,
                                 const std::string& country = "CYP");
// The same with an email identity.
SignedInContact sign_up_by_email(TestServer& server, const std::string& email);

// POST /contacts/register with a PHONE identity; returns the response.
httplib::Result register_phone(TestServer& server, const std::string& national_number,
                               const std::string& country = "CYP");
httplib::Result register_email(TestServer& server, const std::string& email);

// POST /contacts/validate-otp {"auth_otp", "code"}.
httplib::Result validate_otp(TestServer& server, const std::string& auth_otp,
                             const std::string& code);

// A code of six digits that differs from `code`.
std::string other_code(const std::string& code);

// Sends `bytes` on a new TCP connection to 127.0.0.1:port, half-closes nothing, and
// reads until the server closes or `timeout_ms` passes. Returns what was read.
std::string raw_http(int port, const std::string& bytes, int timeout_ms = 3000);
// A connected TCP socket to 127.0.0.1:`port` (fails the test if it cannot connect).
int connect_to(int port);
// The status code of the first response in `raw` (0 if none).
int raw_status(const std::string& raw);
// The body of the first response in `raw` (what follows the blank line).
std::string raw_body(const std::string& raw);

// Every row of every table of the SQLite database at `path`, as text, one line per
// row ("table|col=value|…"), read through a separate read-only connection.
std::string dump_database(const std::string& path);

}  // namespace contactd::test

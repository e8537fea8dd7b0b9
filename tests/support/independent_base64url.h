#pragma once
// base64url (RFC 4648 section 5, unpadded) through OpenSSL's base64, independent of the
// code under test, for tests that take tokens apart or build their own.
#include <string>

namespace contactd::test {

std::string b64url(const std::string& bytes);
std::string b64url_decode(std::string text);

}  // namespace contactd::test

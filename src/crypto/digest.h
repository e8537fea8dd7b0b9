#pragma once
// SHA-256 and HMAC-SHA-256 through OpenSSL, and a constant-time comparison.
#include <string>
#include <string_view>

namespace contactd::crypto {

std::string sha256(std::string_view data);                             // 32 raw bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // 32 raw bytes
// Equal-length inputs are compared in time independent of their contents.
bool constant_time_equals(std::string_view a, std::string_view b);

}  // namespace contactd::crypto

#pragma once
// Randomness from OpenSSL's CSPRNG. Every function throws std::runtime_error if the
// generator fails (never falls back to a weaker source).
#include <cstddef>
#include <string>

namespace contactd::crypto {

std::string random_bytes(std::size_t count);
// `bytes` random bytes, base64url without padding (256 bits -> 43 characters).
std::string random_token(std::size_t bytes = 32);
// `digits` decimal digits, each uniform (rejection sampling, no modulo bias).
std::string random_digits(std::size_t digits);
// A random (version 4) UUID in canonical lowercase form.
std::string uuid_v4();

}  // namespace contactd::crypto

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
// A time-ordered (version 7, RFC 9562) UUID in canonical lowercase form: 48 bits of Unix
// milliseconds, 12 of sub-millisecond time, 62 random. Ids made one after another sort one
// after another, so inserting rows keyed by them appends to an index's last page instead of
// dirtying a random page of it per row; 74 random bits keep them unguessable.
std::string uuid_v7();

}  // namespace contactd::crypto

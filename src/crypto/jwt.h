#pragma once
// HS256 JSON Web Tokens (RFC 7519) for contactd's access tokens, with key rotation.
//
// The codec holds one signing key and any number of earlier keys that still verify;
// every token names its key in the `kid` header (a digest of the key, see kid_of()).
//
// verify() is strict, and checks in this order, before trusting anything in the token:
// three base64url parts; a header that is a JSON object without duplicate keys; `alg`
// exactly "HS256" (so never "none", and no key confusion); `typ` exactly "JWT"; no `crit`
// at all (we understand no extension); a `kid` the codec holds. Then the signature, in
// constant time, with that key. Then the payload: a JSON object without duplicate keys
// (so `{"exp":1,...,"exp":<later>}` cannot be read either way), its claims of the right
// types; iss, aud, nbf, an `iat` not in the future; and last `exp`, with no leeway, so
// that Expired means "valid in every other respect". Thread-safe: the codec is immutable.
#include <tl/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::crypto {

struct JwtClaims {
    std::string subject;          // sub: the contact id
    std::string session_id;       // sid
    std::string token_id;         // jti
    std::int64_t issued_at = 0;   // iat, seconds
    std::int64_t expires_at = 0;  // exp, seconds
};

enum class JwtFailure {
    Malformed,       // not three base64url parts, not JSON objects, claims missing or mistyped
    DuplicateKey,    // a header or payload names one member twice
    WrongAlgorithm,  // alg is not HS256
    WrongType,       // typ is absent or not "JWT"
    CriticalHeader,  // a crit header is present
    UnknownKey,      // kid absent, or not a key this codec holds
    BadSignature,
    IssuedInFuture,  // iat > now
    NotYetValid,     // nbf > now
    WrongIssuer,
    WrongAudience,
    Expired  // now >= exp, and nothing else is wrong
};

class JwtCodec {
  public:
    // `signing_key` signs and verifies; `previous_keys` only verify (rotation). Every key
    // is raw HMAC key bytes, at least 32 of them (std::invalid_argument otherwise).
    JwtCodec(std::string signing_key, std::string issuer, std::string audience,
             const std::vector<std::string>& previous_keys = {});

    std::string sign(const JwtClaims& claims) const;
    tl::expected<JwtClaims, JwtFailure> verify(std::string_view token, std::int64_t now) const;

    // The kid of the signing key.
    const std::string& kid() const { return keys_.front().kid; }
    // Every kid that verifies, the signing key's first.
    std::vector<std::string> kids() const;

    // The kid a key is known by: the first 16 hex digits of its SHA-256.
    static std::string kid_of(std::string_view key);

  private:
    struct Key {
        std::string kid;
        std::string secret;
    };
    const Key* find(std::string_view kid) const;

    std::vector<Key> keys_;  // [0] signs
    std::string issuer_;
    std::string audience_;
};

}  // namespace contactd::crypto

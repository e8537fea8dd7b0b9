#pragma once
// HS256 JSON Web Tokens (RFC 7519) for contactd's access tokens.
//
// verify() pins the algorithm: a header whose "alg" is anything but "HS256" (including
// "none") is rejected before any signature work. It checks the signature in constant
// time, then exp (no leeway), nbf, iss and aud. Thread-safe: the codec is immutable.
#include <tl/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace contactd::crypto {

struct JwtClaims {
    std::string subject;          // sub: the contact id
    std::string session_id;       // sid
    std::string token_id;         // jti
    std::int64_t issued_at = 0;   // iat, seconds
    std::int64_t expires_at = 0;  // exp, seconds
};

enum class JwtFailure {
    Malformed,
    WrongAlgorithm,
    BadSignature,
    Expired,
    NotYetValid,
    WrongIssuer,
    WrongAudience
};

class JwtCodec {
  public:
    // `key` is the raw HMAC key (at least 32 bytes). kid is derived from it, so tokens
    // name the key that signed them and keys can rotate.
    JwtCodec(std::string key, std::string issuer, std::string audience);

    std::string sign(const JwtClaims& claims) const;
    tl::expected<JwtClaims, JwtFailure> verify(std::string_view token, std::int64_t now) const;

    const std::string& kid() const { return kid_; }

  private:
    std::string key_;
    std::string issuer_;
    std::string audience_;
    std::string kid_;
};

}  // namespace contactd::crypto

#include "crypto/jwt.h"

#include <nlohmann/json.hpp>

#include <stdexcept>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace contactd::crypto {

using nlohmann::json;

JwtCodec::JwtCodec(std::string key, std::string issuer, std::string audience)
    : key_(std::move(key)), issuer_(std::move(issuer)), audience_(std::move(audience)) {
    if (key_.size() < 32) throw std::invalid_argument("JWT key must be at least 32 bytes");
    kid_ = to_hex(sha256(key_)).substr(0, 16);
}

std::string JwtCodec::sign(const JwtClaims& claims) const {
    const json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid_}};
    const json payload = {{"iss", issuer_},           {"aud", audience_},
                          {"sub", claims.subject},    {"sid", claims.session_id},
                          {"iat", claims.issued_at},  {"nbf", claims.issued_at},
                          {"exp", claims.expires_at}, {"jti", claims.token_id}};
    std::string signing_input =
        base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
    const std::string signature = base64url_encode(hmac_sha256(key_, signing_input));
    return signing_input + "." + signature;
}

tl::expected<JwtClaims, JwtFailure> JwtCodec::verify(std::string_view token,
                                                     std::int64_t now) const {
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        return tl::unexpected(JwtFailure::Malformed);
    }
    const auto header_text = base64url_decode(token.substr(0, first));
    const auto payload_text = base64url_decode(token.substr(first + 1, second - first - 1));
    const auto signature = base64url_decode(token.substr(second + 1));
    if (!header_text || !payload_text || !signature) return tl::unexpected(JwtFailure::Malformed);

    const json header = json::parse(*header_text, nullptr, false);
    if (!header.is_object()) return tl::unexpected(JwtFailure::Malformed);
    const auto alg = header.find("alg");
    if (alg == header.end() || !alg->is_string() || *alg != "HS256") {
        return tl::unexpected(JwtFailure::WrongAlgorithm);
    }
    const auto expected = hmac_sha256(key_, token.substr(0, second));
    if (!constant_time_equals(expected, *signature))
        return tl::unexpected(JwtFailure::BadSignature);

    const json payload = json::parse(*payload_text, nullptr, false);
    if (!payload.is_object()) return tl::unexpected(JwtFailure::Malformed);
    auto string_claim = [&](const char* name) -> const std::string* {
        const auto it = payload.find(name);
        return it != payload.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
    };
    auto int_claim = [&](const char* name) -> std::optional<std::int64_t> {
        const auto it = payload.find(name);
        if (it == payload.end() || !it->is_number_integer()) return std::nullopt;
        return it->get<std::int64_t>();
    };
    const auto* sub = string_claim("sub");
    const auto* sid = string_claim("sid");
    const auto* jti = string_claim("jti");
    const auto* iss = string_claim("iss");
    const auto* aud = string_claim("aud");
    const auto exp = int_claim("exp");
    const auto iat = int_claim("iat");
    if (!sub || !sid || !jti || !iss || !aud || !exp || !iat)
        return tl::unexpected(JwtFailure::Malformed);
    if (now >= *exp) return tl::unexpected(JwtFailure::Expired);
    if (const auto nbf = int_claim("nbf"); nbf && now < *nbf)
        return tl::unexpected(JwtFailure::NotYetValid);
    if (*iss != issuer_) return tl::unexpected(JwtFailure::WrongIssuer);
    if (*aud != audience_) return tl::unexpected(JwtFailure::WrongAudience);
    return JwtClaims{*sub, *sid, *jti, *iat, *exp};
}

}  // namespace contactd::crypto

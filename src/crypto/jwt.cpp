#include "crypto/jwt.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "util/strict_json.h"

namespace contactd::crypto {

using nlohmann::json;

namespace {

// Parses a decoded header or payload; duplicate keys and anything too deep are refused.
tl::expected<json, JwtFailure> parse_part(const std::string& text) {
    auto parsed = parse_strict_json(text, 8);
    if (!parsed) {
        return tl::unexpected(parsed.error() == JsonProblem::DuplicateKey ? JwtFailure::DuplicateKey
                                                                          : JwtFailure::Malformed);
    }
    if (!parsed->is_object()) return tl::unexpected(JwtFailure::Malformed);
    return std::move(*parsed);
}

}  // namespace

std::string JwtCodec::kid_of(std::string_view key) {
    return to_hex(sha256(key)).substr(0, 16);
}

JwtCodec::JwtCodec(std::string signing_key, std::string issuer, std::string audience,
                   const std::vector<std::string>& previous_keys)
    : issuer_(std::move(issuer)), audience_(std::move(audience)) {
    auto add = [&](std::string key) {
        if (key.size() < 32) throw std::invalid_argument("JWT key must be at least 32 bytes");
        auto kid = kid_of(key);
        if (!find(kid)) keys_.push_back(Key{std::move(kid), std::move(key)});
    };
    add(std::move(signing_key));
    for (const auto& key : previous_keys) add(key);
}

std::vector<std::string> JwtCodec::kids() const {
    std::vector<std::string> out;
    for (const auto& key : keys_) out.push_back(key.kid);
    return out;
}

const JwtCodec::Key* JwtCodec::find(std::string_view kid) const {
    // Comparing kids need not be constant-time: a kid is public (it is in every token).
    for (const auto& key : keys_) {
        if (key.kid == kid) return &key;
    }
    return nullptr;
}

std::string JwtCodec::sign(const JwtClaims& claims) const {
    const Key& key = keys_.front();
    const json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", key.kid}};
    const json payload = {{"iss", issuer_},           {"aud", audience_},
                          {"sub", claims.subject},    {"sid", claims.session_id},
                          {"iat", claims.issued_at},  {"nbf", claims.issued_at},
                          {"exp", claims.expires_at}, {"jti", claims.token_id}};
    std::string signing_input =
        base64url_encode(header.dump()) + "." + base64url_encode(payload.dump());
    const std::string signature = base64url_encode(hmac_sha256(key.secret, signing_input));
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

    const auto header = parse_part(*header_text);
    if (!header) return tl::unexpected(header.error());
    const auto alg = header->find("alg");
    if (alg == header->end() || !alg->is_string() || *alg != "HS256") {
        return tl::unexpected(JwtFailure::WrongAlgorithm);
    }
    const auto typ = header->find("typ");
    if (typ == header->end() || !typ->is_string() || *typ != "JWT") {
        return tl::unexpected(JwtFailure::WrongType);
    }
    // RFC 7515 4.1.11: a recipient that does not understand every listed extension must
    // refuse the token; contactd understands none, so any crit is refused.
    if (header->contains("crit")) return tl::unexpected(JwtFailure::CriticalHeader);
    const auto kid = header->find("kid");
    const Key* key = kid != header->end() && kid->is_string()
                         ? find(kid->get_ref<const std::string&>())
                         : nullptr;
    if (!key) return tl::unexpected(JwtFailure::UnknownKey);

    const auto expected = hmac_sha256(key->secret, token.substr(0, second));
    if (!constant_time_equals(expected, *signature))
        return tl::unexpected(JwtFailure::BadSignature);

    const auto payload = parse_part(*payload_text);
    if (!payload) return tl::unexpected(payload.error());
    auto string_claim = [&](const char* name) -> const std::string* {
        const auto it = payload->find(name);
        return it != payload->end() && it->is_string() ? it->get_ptr<const std::string*>()
                                                       : nullptr;
    };
    // Absent is nullopt; present but not an integer is Malformed.
    bool mistyped = false;
    auto int_claim = [&](const char* name) -> std::optional<std::int64_t> {
        const auto it = payload->find(name);
        if (it == payload->end()) return std::nullopt;
        if (!it->is_number_integer()) {
            mistyped = true;
            return std::nullopt;
        }
        return it->get<std::int64_t>();
    };
    const auto* sub = string_claim("sub");
    const auto* sid = string_claim("sid");
    const auto* jti = string_claim("jti");
    const auto* iss = string_claim("iss");
    const auto* aud = string_claim("aud");
    const auto exp = int_claim("exp");
    const auto iat = int_claim("iat");
    const auto nbf = int_claim("nbf");
    if (!sub || !sid || !jti || !iss || !aud || !exp || !iat || mistyped)
        return tl::unexpected(JwtFailure::Malformed);
    if (*iss != issuer_) return tl::unexpected(JwtFailure::WrongIssuer);
    if (*aud != audience_) return tl::unexpected(JwtFailure::WrongAudience);
    if (now < *iat) return tl::unexpected(JwtFailure::IssuedInFuture);
    if (nbf && now < *nbf) return tl::unexpected(JwtFailure::NotYetValid);
    // Last, so that only an otherwise valid token is reported as expired (and the client
    // told to refresh).
    if (now >= *exp) return tl::unexpected(JwtFailure::Expired);
    return JwtClaims{*sub, *sid, *jti, *iat, *exp};
}

}  // namespace contactd::crypto

// crypto::JwtCodec: HS256 sign/verify, algorithm pinning, the strict header (typ, crit,
// kid) and payload (duplicate keys, iat), claim checks, several keys by kid, and that a
// token can be verified by the standard construction (RFC 7515 HMAC over
// base64url(header) "." base64url(payload)) without contactd's own code.
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "crypto/jwt.h"
#include "support/independent_base64url.h"

using contactd::crypto::JwtClaims;
using contactd::crypto::JwtCodec;
using contactd::crypto::JwtFailure;
using nlohmann::json;

using contactd::test::b64url;
using contactd::test::b64url_decode;

namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef-test-key";
constexpr std::int64_t kNow = 1'700'000'000;

std::string hmac(const EVP_MD* md, const std::string& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
}

// A token built by hand, as any JWT library would.
std::string forge(const json& header, const json& payload, const std::string& key,
                  const EVP_MD* md = EVP_sha256()) {
    const std::string input = b64url(header.dump()) + "." + b64url(payload.dump());
    return input + "." + b64url(hmac(md, key, input));
}

// The kid of kKey as the codec publishes it, read from a token it signed.
std::string published_kid(const JwtCodec& codec) {
    const auto token = codec.sign(JwtClaims{"c", "s", "j", kNow, kNow + 1});
    return json::parse(b64url_decode(token.substr(0, token.find('.'))))["kid"];
}

// The header every valid token carries.
json good_header(const std::string& kid) {
    return {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid}};
}

// A token made of raw header and payload texts, signed with `key` by hand.
std::string forge_text(const std::string& header, const std::string& payload,
                       const std::string& key) {
    const std::string input = b64url(header) + "." + b64url(payload);
    return input + "." + b64url(hmac(EVP_sha256(), key, input));
}

json good_payload() {
    return {{"iss", "contactd"},  {"aud", "self-service"}, {"sub", "contact-1"},
            {"sid", "session-1"}, {"iat", kNow},           {"nbf", kNow},
            {"exp", kNow + 900},  {"jti", "token-1"}};
}

// The failure of a verification, or nullopt when it passed.
std::optional<JwtFailure> failure(const JwtCodec& codec, const std::string& token,
                                  std::int64_t now = kNow) {
    const auto result = codec.verify(token, now);
    if (result) return std::nullopt;
    return result.error();
}

JwtClaims claims(std::int64_t iat = kNow, std::int64_t exp = kNow + 900) {
    return JwtClaims{"contact-1", "session-1", "token-1", iat, exp};
}

struct Parts {
    std::string header, payload, signature;
};
Parts split(const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    return {token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1)};
}

}  // namespace

TEST_SUITE("crypto::jwt") {
    const JwtCodec codec(kKey, "contactd", "self-service");
    const json kHeader = good_header(published_kid(codec));

    TEST_CASE("jwt::sign then verify round-trips every claim") {
        const auto token = codec.sign(claims());
        const auto verified = codec.verify(token, kNow);
        REQUIRE(verified.has_value());
        CHECK(verified->subject == "contact-1");
        CHECK(verified->session_id == "session-1");
        CHECK(verified->token_id == "token-1");
        CHECK(verified->issued_at == kNow);
        CHECK(verified->expires_at == kNow + 900);
    }

    TEST_CASE("jwt::sign writes the header and claims of the contract") {
        const auto parts = split(codec.sign(claims()));
        const auto header = json::parse(b64url_decode(parts.header));
        CHECK(header["alg"] == "HS256");
        CHECK(header["typ"] == "JWT");
        CHECK(header["kid"] == codec.kid());
        CHECK_FALSE(codec.kid().empty());
        const auto payload = json::parse(b64url_decode(parts.payload));
        for (const char* claim : {"iss", "aud", "sub", "sid", "iat", "exp", "jti"}) {
            CAPTURE(claim);
            CHECK(payload.contains(claim));
        }
        CHECK(payload["iss"] == "contactd");
        CHECK(payload["aud"] == "self-service");
        CHECK(payload["exp"].is_number_integer());  // seconds, RFC 7519
        CHECK(payload["exp"] == kNow + 900);
    }

    TEST_CASE("jwt::sign produces a token a standard HS256 verifier accepts") {
        const auto token = codec.sign(claims());
        const auto parts = split(token);
        const std::string expected =
            b64url(hmac(EVP_sha256(), kKey, parts.header + "." + parts.payload));
        CHECK(parts.signature == expected);
        // And the other way: a token made by hand verifies.
        CHECK(codec.verify(forge(kHeader, good_payload(), kKey), kNow).has_value());
    }

    TEST_CASE("jwt::verify rejects a tampered payload") {
        const auto parts = split(codec.sign(claims()));
        auto payload = json::parse(b64url_decode(parts.payload));
        payload["sub"] = "contact-2";
        const auto tampered = parts.header + "." + b64url(payload.dump()) + "." + parts.signature;
        const auto result = codec.verify(tampered, kNow);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == JwtFailure::BadSignature);
    }

    TEST_CASE("jwt::verify rejects a tampered signature") {
        const auto token = codec.sign(claims());
        const auto parts = split(token);
        auto sig = b64url_decode(parts.signature);
        sig[0] = static_cast<char>(sig[0] ^ 0x01);
        const auto result =
            codec.verify(parts.header + "." + parts.payload + "." + b64url(sig), kNow);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == JwtFailure::BadSignature);
        // A truncated signature too.
        const auto truncated = codec.verify(
            parts.header + "." + parts.payload + "." + b64url(sig.substr(0, 31)), kNow);
        REQUIRE_FALSE(truncated.has_value());
        CHECK(truncated.error() == JwtFailure::BadSignature);
    }

    TEST_CASE("jwt::verify rejects a token signed with another key") {
        const JwtCodec other("another-key-of-at-least-32-bytes!!", "contactd", "self-service");
        const auto result = codec.verify(other.sign(claims()), kNow);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == JwtFailure::UnknownKey);  // its own kid, which we do not hold
        CHECK(other.kid() != codec.kid());
        // Under our kid, the other key's signature is simply wrong.
        CHECK(
            failure(codec, forge(kHeader, good_payload(), "another-key-of-at-least-32-bytes!!")) ==
            JwtFailure::BadSignature);
    }

    TEST_CASE("jwt::verify rejects alg none with an empty signature") {
        for (const char* alg : {"none", "None", "NONE"}) {
            CAPTURE(alg);
            const std::string token = b64url(json{{"alg", alg}, {"typ", "JWT"}}.dump()) + "." +
                                      b64url(good_payload().dump()) + ".";
            const auto result = codec.verify(token, kNow);
            REQUIRE_FALSE(result.has_value());
            CHECK(result.error() == JwtFailure::WrongAlgorithm);
        }
        // No alg at all, or not a string.
        for (const json& header :
             {json{{"typ", "JWT"}}, json{{"alg", nullptr}}, json{{"alg", 256}}}) {
            const auto result = codec.verify(forge(header, good_payload(), kKey), kNow);
            REQUIRE_FALSE(result.has_value());
            CHECK(result.error() == JwtFailure::WrongAlgorithm);
        }
    }

    TEST_CASE("jwt::verify rejects HS512 even with a correct HMAC-SHA-512 signature") {
        const auto token =
            forge({{"alg", "HS512"}, {"typ", "JWT"}}, good_payload(), kKey, EVP_sha512());
        const auto result = codec.verify(token, kNow);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == JwtFailure::WrongAlgorithm);
        // RS256 / ES256 headers likewise (the key-confusion attack).
        for (const char* alg : {"RS256", "ES256", "hs256"}) {
            CAPTURE(alg);
            const auto r = codec.verify(forge({{"alg", alg}}, good_payload(), kKey), kNow);
            REQUIRE_FALSE(r.has_value());
            CHECK(r.error() == JwtFailure::WrongAlgorithm);
        }
    }

    TEST_CASE("jwt::verify has no leeway: a token is dead at exp") {
        const auto token = codec.sign(claims(kNow, kNow + 900));
        CHECK(codec.verify(token, kNow + 899).has_value());
        const auto at_exp = codec.verify(token, kNow + 900);
        REQUIRE_FALSE(at_exp.has_value());
        CHECK(at_exp.error() == JwtFailure::Expired);
        const auto after = codec.verify(token, kNow + 100000);
        REQUIRE_FALSE(after.has_value());
        CHECK(after.error() == JwtFailure::Expired);
    }

    TEST_CASE("jwt::verify rejects a token whose nbf is in the future") {
        auto payload = good_payload();
        payload["nbf"] = kNow + 60;
        const auto result = codec.verify(forge(kHeader, payload, kKey), kNow);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == JwtFailure::NotYetValid);
        CHECK(codec.verify(forge(kHeader, payload, kKey), kNow + 60).has_value());
        // sign() sets nbf = iat: our own tokens are refused for their iat first.
        const auto future = codec.verify(codec.sign(claims(kNow + 10, kNow + 900)), kNow);
        REQUIRE_FALSE(future.has_value());
        CHECK(future.error() == JwtFailure::IssuedInFuture);
    }

    TEST_CASE("jwt::verify rejects a wrong issuer") {
        const JwtCodec other_issuer(kKey, "someone-else", "self-service");
        const auto result = codec.verify(other_issuer.sign(claims()), kNow);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == JwtFailure::WrongIssuer);
    }

    TEST_CASE("jwt::verify rejects a wrong audience") {
        const JwtCodec other_audience(kKey, "contactd", "backoffice");
        const auto result = codec.verify(other_audience.sign(claims()), kNow);
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error() == JwtFailure::WrongAudience);
        auto payload = good_payload();
        payload["aud"] = json::array({"self-service", "x"});  // not the one string we issue
        CHECK_FALSE(codec.verify(forge(kHeader, payload, kKey), kNow).has_value());
    }

    TEST_CASE("jwt::verify rejects malformed tokens") {
        const auto good = codec.sign(claims());
        const auto parts = split(good);
        const std::string valid_header = b64url(kHeader.dump());
        for (const std::string& token :
             {std::string(), std::string("."), std::string(".."), std::string("abc"),
              parts.header + "." + parts.payload,                                // two parts
              good + ".extra",                                                   // four parts
              parts.header + "." + parts.payload + "." + parts.signature + "=",  // padding
              "!!!." + parts.payload + "." + parts.signature,                    // bad base64
              parts.header + ".e30=." + parts.signature,                         // padded payload
              b64url("not json") + "." + parts.payload + "." + parts.signature,  // header not JSON
              b64url("[1,2]") + "." + parts.payload + "." + parts.signature}) {  // header array
            CAPTURE(token);
            CHECK_FALSE(codec.verify(token, kNow).has_value());
        }
        // Correctly signed but with a payload that is not an object, or claims missing or
        // of the wrong type.
        auto signed_payload = [&](const std::string& payload_text) {
            const std::string input = valid_header + "." + b64url(payload_text);
            return input + "." + b64url(hmac(EVP_sha256(), kKey, input));
        };
        CHECK(failure(codec, signed_payload("not json")) == JwtFailure::Malformed);
        CHECK(failure(codec, signed_payload("[]")) == JwtFailure::Malformed);
        for (const char* claim : {"sub", "sid", "jti", "iss", "aud", "exp", "iat"}) {
            CAPTURE(claim);
            auto payload = good_payload();
            payload.erase(claim);
            CHECK(failure(codec, signed_payload(payload.dump())) == JwtFailure::Malformed);
        }
        auto string_exp = good_payload();
        string_exp["exp"] = std::to_string(kNow + 900);
        CHECK(failure(codec, signed_payload(string_exp.dump())) == JwtFailure::Malformed);
        auto float_exp = good_payload();
        float_exp["exp"] = static_cast<double>(kNow) + 900.5;
        CHECK(failure(codec, signed_payload(float_exp.dump())) == JwtFailure::Malformed);
    }

    TEST_CASE("jwt::JwtCodec refuses a key shorter than 32 bytes") {
        CHECK_THROWS_AS(JwtCodec(std::string(31, 'k'), "contactd", "self-service"),
                        std::invalid_argument);
        CHECK_NOTHROW(JwtCodec(std::string(32, 'k'), "contactd", "self-service"));
    }

    TEST_CASE("jwt::verify refuses a kid it does not hold, or none, even with a good signature") {
        for (const json& kid : {json("0000000000000000"), json(""), json(nullptr), json(7),
                                json(JwtCodec::kid_of("some other key, 32 bytes or more"))}) {
            CAPTURE(kid.dump());
            json header = kHeader;
            header["kid"] = kid;
            CHECK(failure(codec, forge(header, good_payload(), kKey)) == JwtFailure::UnknownKey);
        }
        json no_kid = kHeader;
        no_kid.erase("kid");
        CHECK(failure(codec, forge(no_kid, good_payload(), kKey)) == JwtFailure::UnknownKey);
        // A token of another server, under its own kid: unknown, not merely a bad signature.
        const JwtCodec other("another-key-of-at-least-32-bytes!!", "contactd", "self-service");
        CHECK(failure(codec, other.sign(claims())) == JwtFailure::UnknownKey);
    }

    TEST_CASE("jwt::verify refuses a typ other than JWT, and none") {
        for (const json& typ : {json("jwt"), json("JOSE"), json("at+jwt"), json(""), json(nullptr),
                                json(1), json::array({"JWT"})}) {
            CAPTURE(typ.dump());
            json header = kHeader;
            header["typ"] = typ;
            CHECK(failure(codec, forge(header, good_payload(), kKey)) == JwtFailure::WrongType);
        }
        json no_typ = kHeader;
        no_typ.erase("typ");
        CHECK(failure(codec, forge(no_typ, good_payload(), kKey)) == JwtFailure::WrongType);
    }

    TEST_CASE("jwt::verify refuses any crit header") {
        for (const json& crit :
             {json::array({"exp"}), json::array(), json("b64"), json(nullptr), json(false)}) {
            CAPTURE(crit.dump());
            json header = kHeader;
            header["crit"] = crit;
            CHECK(failure(codec, forge(header, good_payload(), kKey)) ==
                  JwtFailure::CriticalHeader);
        }
    }

    TEST_CASE("jwt::verify refuses an iat in the future, with no leeway") {
        auto payload = good_payload();
        payload["iat"] = kNow + 1;
        payload["nbf"] = kNow;
        const auto token = forge(kHeader, payload, kKey);
        CHECK(failure(codec, token) == JwtFailure::IssuedInFuture);
        CHECK(failure(codec, token, kNow + 1) == std::nullopt);
        payload["iat"] = kNow + 3600;
        CHECK(failure(codec, forge(kHeader, payload, kKey)) == JwtFailure::IssuedInFuture);
        payload["iat"] = kNow;
        CHECK(failure(codec, forge(kHeader, payload, kKey)) == std::nullopt);
        auto string_nbf = good_payload();
        string_nbf["nbf"] = "later";
        CHECK(failure(codec, forge(kHeader, string_nbf, kKey)) == JwtFailure::Malformed);
    }

    TEST_CASE("jwt::verify refuses a payload with a duplicate key, whichever comes first") {
        auto base = good_payload();
        base.erase("exp");
        std::string members = base.dump();
        members = members.substr(1, members.size() - 2);  // the members, without braces
        const std::string valid = std::to_string(kNow + 900);
        for (const std::string& payload : {
                 "{\"exp\":1," + members + ",\"exp\":" + valid + "}",
                 "{\"exp\":" + valid + "," + members + ",\"exp\":1}",
                 "{\"exp\":" + valid + "," + members + ",\"exp\":" + valid + "}",
                 "{\"exp\":" + valid + "," + members + ",\"sub\":\"contact-2\"}",
             }) {
            CAPTURE(payload);
            CHECK(failure(codec, forge_text(kHeader.dump(), payload, kKey)) ==
                  JwtFailure::DuplicateKey);
        }
        // The same members once each verify: the test above fails on the duplicate only.
        CHECK(failure(codec, forge_text(kHeader.dump(), "{\"exp\":" + valid + "," + members + "}",
                                        kKey)) == std::nullopt);
    }

    TEST_CASE("jwt::verify refuses a header with a duplicate key") {
        const std::string kid = kHeader["kid"];
        for (const std::string& header : {
                 R"({"alg":"none","alg":"HS256","typ":"JWT","kid":")" + kid + R"("})",
                 R"({"alg":"HS256","typ":"JWT","kid":")" + kid + R"(","kid":")" + kid + R"("})",
                 R"({"alg":"HS256","typ":"JOSE","typ":"JWT","kid":")" + kid + R"("})",
             }) {
            CAPTURE(header);
            CHECK(failure(codec, forge_text(header, good_payload().dump(), kKey)) ==
                  JwtFailure::DuplicateKey);
        }
    }

    TEST_CASE("jwt::verify reports Expired only for a token valid in every other respect") {
        auto expired = good_payload();
        expired["exp"] = kNow - 1;
        CHECK(failure(codec, forge(kHeader, expired, kKey)) == JwtFailure::Expired);

        auto wrong_issuer = expired;
        wrong_issuer["iss"] = "someone-else";
        CHECK(failure(codec, forge(kHeader, wrong_issuer, kKey)) == JwtFailure::WrongIssuer);
        auto wrong_audience = expired;
        wrong_audience["aud"] = "backoffice";
        CHECK(failure(codec, forge(kHeader, wrong_audience, kKey)) == JwtFailure::WrongAudience);
        auto future_iat = expired;
        future_iat["iat"] = kNow + 10;
        CHECK(failure(codec, forge(kHeader, future_iat, kKey)) == JwtFailure::IssuedInFuture);
        auto future_nbf = expired;
        future_nbf["nbf"] = kNow + 10;
        CHECK(failure(codec, forge(kHeader, future_nbf, kKey)) == JwtFailure::NotYetValid);
        CHECK(failure(codec, forge(kHeader, expired, "not the key, but 32 bytes long!!")) ==
              JwtFailure::BadSignature);
        json unknown = kHeader;
        unknown["kid"] = "0000000000000000";
        CHECK(failure(codec, forge(unknown, expired, kKey)) == JwtFailure::UnknownKey);
        json with_crit = kHeader;
        with_crit["crit"] = json::array({"exp"});
        CHECK(failure(codec, forge(with_crit, expired, kKey)) == JwtFailure::CriticalHeader);
        auto members = expired;
        members.erase("exp");
        std::string body = members.dump();
        body = "{\"exp\":" + std::to_string(kNow - 1) + "," + body.substr(1, body.size() - 2) +
               ",\"exp\":" + std::to_string(kNow - 1) + "}";
        CHECK(failure(codec, forge_text(kHeader.dump(), body, kKey)) == JwtFailure::DuplicateKey);
    }

    TEST_CASE("jwt: previous keys verify under their own kid, and only the signing key signs") {
        const std::string old_key = "the previous signing key, 32 bytes or more";
        const std::string new_key = "the current signing key, 32 bytes or more";
        const JwtCodec before(old_key, "contactd", "self-service");
        const JwtCodec after(new_key, "contactd", "self-service", {old_key});
        const auto old_token = before.sign(claims());
        CHECK(failure(after, old_token) == std::nullopt);
        const auto new_token = after.sign(claims());
        CHECK(json::parse(b64url_decode(split(new_token).header))["kid"] ==
              JwtCodec::kid_of(new_key));
        CHECK(json::parse(b64url_decode(split(old_token).header))["kid"] ==
              JwtCodec::kid_of(old_key));
        CHECK(after.kid() == JwtCodec::kid_of(new_key));
        CHECK(after.kids() ==
              std::vector<std::string>{JwtCodec::kid_of(new_key), JwtCodec::kid_of(old_key)});
        // Once the old key is dropped, its tokens are an unknown kid.
        const JwtCodec later(new_key, "contactd", "self-service");
        CHECK(failure(later, old_token) == JwtFailure::UnknownKey);
        CHECK(failure(later, new_token) == std::nullopt);
        // A token naming the old kid but signed with the new key does not verify.
        json header = json::parse(b64url_decode(split(old_token).header));
        CHECK(failure(after, forge(header, good_payload(), new_key)) == JwtFailure::BadSignature);
        // kid_of is the first 16 hex digits of SHA-256, computed here without contactd.
        unsigned char digest[32];
        unsigned int len = 0;
        EVP_Digest(new_key.data(), new_key.size(), digest, &len, EVP_sha256(), nullptr);
        char hex[33];
        for (int i = 0; i < 8; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
        CHECK(JwtCodec::kid_of(new_key) == std::string(hex, 16));
    }

    TEST_CASE("jwt::JwtCodec refuses a previous key shorter than 32 bytes, and keeps one copy") {
        CHECK_THROWS_AS(
            JwtCodec(std::string(32, 'k'), "contactd", "self-service", {std::string(31, 'p')}),
            std::invalid_argument);
        const JwtCodec repeated(std::string(32, 'k'), "contactd", "self-service",
                                {std::string(32, 'k'), std::string(32, 'p'), std::string(32, 'p')});
        CHECK(repeated.kids().size() == 2);
    }
}

// Fuzz target: access token verification (crypto::JwtCodec::verify) on arbitrary bytes,
// with a fixed key and clock. Checks, besides "no crash, no sanitizer report":
//   - verify() answers (claims or a JwtFailure) and throws nothing;
//   - a token it accepts is accepted again and is refused once expired;
//   - the bytes, cut into claims, sign into a token that verifies to those claims.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "crypto/jwt.h"
#include "util/strings.h"

namespace {

using contactd::crypto::JwtClaims;
using contactd::crypto::JwtCodec;
using contactd::crypto::JwtFailure;

// The seeds in fuzz/corpus/jwt/ are signed with this key, issuer and audience, valid
// from 1700000000 to 1900000000.
constexpr std::int64_t kNow = 1800000000;

const JwtCodec& codec() {
    static const JwtCodec instance("contactd-fuzz-key-0123456789abcdef", "contactd",
                                   "self-service");
    return instance;
}

void require(bool condition) {
    if (!condition) std::abort();
}

bool same(const JwtClaims& a, const JwtClaims& b) {
    return a.subject == b.subject && a.session_id == b.session_id && a.token_id == b.token_id &&
           a.issued_at == b.issued_at && a.expires_at == b.expires_at;
}

// Claims from the input (three '\n'-separated strings), when they are UTF-8 as claims
// made by contactd always are.
void sign_and_verify(std::string_view input) {
    const auto first = input.find('\n');
    const auto second = first == std::string_view::npos ? first : input.find('\n', first + 1);
    if (second == std::string_view::npos) return;
    JwtClaims claims{std::string(input.substr(0, first)),
                     std::string(input.substr(first + 1, second - first - 1)),
                     std::string(input.substr(second + 1)), kNow - 10, kNow + 900};
    for (const auto* text : {&claims.subject, &claims.session_id, &claims.token_id}) {
        if (!contactd::utf8_length(*text)) return;
    }
    const auto verified = codec().verify(codec().sign(claims), kNow);
    require(verified.has_value() && same(*verified, claims));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view token(reinterpret_cast<const char*>(data), size);
    const auto verified = codec().verify(token, kNow);
    if (verified) {
        const auto again = codec().verify(token, kNow);
        require(again.has_value() && same(*again, *verified));
        const auto late = codec().verify(token, verified->expires_at);
        require(!late.has_value() && late.error() == JwtFailure::Expired);
    }
    sign_and_verify(token);
    return 0;
}

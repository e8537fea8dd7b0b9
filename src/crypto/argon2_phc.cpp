#include "crypto/argon2_phc.h"

#include <charconv>

#include "crypto/encoding.h"

namespace contactd::crypto {
namespace {

constexpr std::string_view kPrefix = "$argon2id$v=19$";
constexpr std::size_t kMinSalt = 8;  // argon2.h's ARGON2_MIN_SALT_LENGTH
constexpr std::size_t kMinHash = 4;  // ARGON2_MIN_OUTLEN
constexpr std::size_t kMaxBytes = 1024;
constexpr std::uint32_t kMaxLanes = 0xFFFFFF;  // ARGON2_MAX_LANES

std::string unpadded_base64(std::string_view bytes) {
    auto text = base64_encode(bytes);
    text.erase(text.find_last_not_of('=') + 1);
    return text;
}

// Standard alphabet, no padding: the URL-safe decoder after swapping the two letters
// that differ (a URL-safe letter in the input is refused first).
std::optional<std::string> unpadded_base64_decode(std::string_view text) {
    if (text.find_first_of("-_=") != std::string_view::npos) return std::nullopt;
    std::string url(text);
    for (char& c : url) {
        if (c == '+') c = '-';
        if (c == '/') c = '_';
    }
    return base64url_decode(url);
}

// Reads "<name>=<decimal>" at the front of `text` and what follows it.
bool take_number(std::string_view& text, std::string_view name, std::uint32_t& out) {
    if (text.substr(0, name.size()) != name) return false;
    text.remove_prefix(name.size());
    if (text.empty() || text.front() < '0' || text.front() > '9') return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (error != std::errc()) return false;
    text.remove_prefix(static_cast<std::size_t>(end - text.data()));
    return true;
}

bool take(std::string_view& text, char c) {
    if (text.empty() || text.front() != c) return false;
    text.remove_prefix(1);
    return true;
}

}  // namespace

std::string phc_prefix(const Argon2Params& params) {
    return std::string(kPrefix) + "m=" + std::to_string(params.memory_kib) +
           ",t=" + std::to_string(params.iterations) + ",p=" + std::to_string(params.parallelism) +
           "$";
}

std::string format_phc(const Argon2Params& params, std::string_view salt, std::string_view hash) {
    return phc_prefix(params) + unpadded_base64(salt) + "$" + unpadded_base64(hash);
}

std::optional<Argon2Phc> parse_phc(std::string_view phc) {
    if (phc.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
    phc.remove_prefix(kPrefix.size());
    Argon2Phc out;
    auto& p = out.params;
    if (!take_number(phc, "m=", p.memory_kib) || !take(phc, ',') ||
        !take_number(phc, "t=", p.iterations) || !take(phc, ',') ||
        !take_number(phc, "p=", p.parallelism) || !take(phc, '$')) {
        return std::nullopt;
    }
    if (p.iterations < 1 || p.parallelism < 1 || p.parallelism > kMaxLanes ||
        p.memory_kib / 8 < p.parallelism) {
        return std::nullopt;
    }
    const auto dollar = phc.find('$');
    if (dollar == std::string_view::npos) return std::nullopt;
    auto salt = unpadded_base64_decode(phc.substr(0, dollar));
    auto hash = unpadded_base64_decode(phc.substr(dollar + 1));
    if (!salt || !hash || salt->size() < kMinSalt || salt->size() > kMaxBytes ||
        hash->size() < kMinHash || hash->size() > kMaxBytes) {
        return std::nullopt;
    }
    out.salt = std::move(*salt);
    out.hash = std::move(*hash);
    return out;
}

}  // namespace contactd::crypto

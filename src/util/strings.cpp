#include "util/strings.h"

#include <algorithm>
#include <cctype>

namespace contactd {

std::string trim(std::string_view s) {
    auto is_space = [](unsigned char c) { return std::isspace(c) != 0; };
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return std::string(s);
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string to_upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && to_lower(a) == to_lower(b);
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool has_control_characters(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7F;
    });
}

std::optional<std::size_t> utf8_length(std::string_view s) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len;
        char32_t cp;
        if (c < 0x80) {
            len = 1;
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + len > s.size()) return std::nullopt;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Reject overlong forms, surrogates and values past U+10FFFF.
        static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return std::nullopt;
        }
        i += len;
        ++count;
    }
    return count;
}

static std::string mask(std::string_view s, std::size_t keep_front, std::size_t keep_back) {
    if (s.size() <= keep_front + keep_back)
        return std::string(s.substr(0, std::min<std::size_t>(1, s.size()))) + "***";
    return std::string(s.substr(0, keep_front)) +
           std::string(s.size() - keep_front - keep_back, '*') +
           std::string(s.substr(s.size() - keep_back));
}

std::string obfuscate_email(std::string_view email) {
    const auto at = email.rfind('@');
    if (at == std::string_view::npos) return mask(email, 1, 0);
    const auto local = email.substr(0, at);
    const auto domain = email.substr(at + 1);
    const auto dot = domain.rfind('.');
    const auto host = dot == std::string_view::npos ? domain : domain.substr(0, dot);
    const auto tld = dot == std::string_view::npos ? std::string_view{} : domain.substr(dot);
    return std::string(local.substr(0, 1)) + "***@" + std::string(host.substr(0, 1)) + "***" +
           std::string(tld);
}

std::string obfuscate_phone(std::string_view e164) {
    return mask(e164, 4, 3);
}

}  // namespace contactd

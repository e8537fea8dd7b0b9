#include "domain/password_policy.h"

#include <string>
#include <unordered_set>

#include "crypto/password.h"
#include "util/embedded.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

const std::unordered_set<std::string>& common_passwords() {
    static const std::unordered_set<std::string> words = [] {
        std::unordered_set<std::string> out;
        for (const auto& file : embedded_common_passwords()) {
            const std::string_view text = file.view();
            std::size_t start = 0;
            while (start < text.size()) {
                auto end = text.find('\n', start);
                if (end == std::string_view::npos) end = text.size();
                auto line = text.substr(start, end - start);
                start = end + 1;
                if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                if (line.empty() || line.rfind("#!comment", 0) == 0) continue;
                out.insert(to_lower(line));
            }
        }
        return out;
    }();
    return words;
}

Error refused(const std::string& message) {
    return invalid_value(message, {"password"});
}

}  // namespace

bool is_common_password(std::string_view password) {
    const auto& words = common_passwords();
    const std::string lower = to_lower(password);
    if (words.count(lower)) return true;
    for (std::size_t split = 1; split < lower.size(); ++split) {
        if (words.count(lower.substr(0, split)) && words.count(lower.substr(split))) return true;
    }
    // One piece repeated: "aaaaaaaaaaaa", "abcabcabcabc".
    for (std::size_t unit = 1; unit <= lower.size() / 2; ++unit) {
        if (lower.size() % unit != 0) continue;
        bool repeated = true;
        for (std::size_t i = unit; repeated && i < lower.size(); i += unit) {
            repeated = lower.compare(i, unit, lower, 0, unit) == 0;
        }
        if (repeated) return true;
    }
    return false;
}

std::string accept_new_password(std::string_view password, std::optional<std::string_view> email) {
    auto normalized = crypto::normalize_password(password);
    if (!normalized) throw refused("The password is not valid UTF-8");
    const auto length = utf8_length(*normalized).value_or(0);
    if (length < kPasswordMinLength || length > kPasswordMaxLength) {
        throw refused("The password must be " + std::to_string(kPasswordMinLength) + " to " +
                      std::to_string(kPasswordMaxLength) + " characters long");
    }
    if (is_common_password(*normalized))
        throw refused("The password is too common; choose another");
    if (email && iequals(trim(*normalized), trim(*email))) {
        throw refused("The password must not be the email address");
    }
    return std::move(*normalized);
}

}  // namespace contactd::domain

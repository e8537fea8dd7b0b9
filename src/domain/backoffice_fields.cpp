#include "domain/backoffice_fields.h"

#include <algorithm>
#include <set>

#include "crypto/random.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {
constexpr std::size_t kMaxCustomFields = 50;
}  // namespace

bool is_valid_entity_id(const std::string& id) {
    return !id.empty() && id.size() <= 36 && std::all_of(id.begin(), id.end(), [](char ch) {
        const auto c = static_cast<unsigned char>(ch);
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

std::string id_or_generate(const std::optional<std::string>& id, const std::string& field) {
    if (!id) return crypto::uuid_v7();
    if (!is_valid_entity_id(*id)) {
        throw invalid_value(field + " must be 1 to 36 characters of A-Z, a-z, 0-9, '_' and '-'",
                            {field});
    }
    return *id;
}

std::optional<std::string> clean_text(const std::optional<std::string>& value,
                                      const std::string& field, std::size_t max_chars) {
    if (!value) return std::nullopt;
    auto text = trim(*value);
    if (text.empty()) return std::nullopt;
    const auto length = utf8_length(text);
    if (!length) throw invalid_value(field + " is not valid UTF-8", {field});
    if (has_control_characters(text))
        throw invalid_value(field + " holds control characters", {field});
    if (*length > max_chars) {
        throw invalid_value(field + " is longer than " + std::to_string(max_chars) + " characters",
                            {field});
    }
    return text;
}

std::vector<storage::CustomFieldRecord> clean_custom_fields(
    const std::vector<CustomFieldInput>& fields) {
    if (fields.size() > kMaxCustomFields) {
        throw invalid_value("A contact has at most 50 custom fields", {"custom_fields"});
    }
    std::vector<storage::CustomFieldRecord> out;
    std::set<std::string> seen;
    for (const auto& field : fields) {
        auto key = clean_text(field.key, "key", 64);
        if (!key) throw missing_value("key");
        if (!seen.insert(*key).second)
            throw invalid_value("The custom field " + *key + " is given twice", {"key"});
        out.push_back({*key, clean_text(field.value, "value", 1024)});
    }
    return out;
}

}  // namespace contactd::domain

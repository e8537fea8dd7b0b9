#include "domain/profile_fields.h"

#include "domain/new_records.h"
#include "util/error.h"
#include "util/languages.h"
#include "util/strings.h"

namespace contactd::domain {

std::optional<std::string> clean_language_code(const std::optional<std::string>& value) {
    const auto code = clean(value);
    if (!code) return std::nullopt;
    auto lower = to_lower(*code);
    if (!is_iso639_1(lower)) {
        throw invalid_value("language_code must be a two-letter ISO 639-1 code, such as \"el\"",
                            {"language_code"});
    }
    return lower;
}

ProfileExtras clean_profile_extras(const std::optional<std::string>& middle_name,
                                   const std::optional<std::string>& language_code,
                                   const std::optional<std::vector<CustomFieldInput>>& fields) {
    ProfileExtras out;
    out.middle_name = clean(middle_name);
    out.language_code = clean_language_code(language_code);
    if (fields) out.custom_fields = clean_custom_fields(*fields);
    return out;
}

}  // namespace contactd::domain

#pragma once
// The profile fields a contact sets on itself at registration and with the
// self-service PUT, beside its names: middle_name, language_code and custom_fields
// (the contract's "Register and self-service PUT also take ..."). Pure; thread-safe.
#include <optional>
#include <string>
#include <vector>

#include "domain/backoffice_fields.h"

namespace contactd::domain {

// Trimmed and lower-cased; nullopt when absent or blank. Anything but a two-letter
// ISO 639-1 code ("el", "EN") is Error(InvalidValue) naming language_code.
std::optional<std::string> clean_language_code(const std::optional<std::string>& value);

// What a registration sets beside the names, checked.
struct ProfileExtras {
    std::optional<std::string> middle_name;
    std::optional<std::string> language_code;
    std::vector<storage::CustomFieldRecord> custom_fields;
};

// Checks the raw fields; throws Error(InvalidValue) naming the field at fault.
ProfileExtras clean_profile_extras(const std::optional<std::string>& middle_name,
                                   const std::optional<std::string>& language_code,
                                   const std::optional<std::vector<CustomFieldInput>>& fields);

}  // namespace contactd::domain

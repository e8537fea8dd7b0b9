#pragma once
// Checks shared by the back-office services (contacts and organisations).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "storage/records.h"

namespace contactd::domain {

// A custom field as a client sent it (back office and self-service alike).
struct CustomFieldInput {
    std::string key;
    std::optional<std::string> value;
};

// At most 50 fields, keys 1 to 64 characters and unique, values up to 1024; blank values
// become null. Throws Error(InvalidValue) naming custom_fields, key or value.
std::vector<storage::CustomFieldRecord> clean_custom_fields(
    const std::vector<CustomFieldInput>& fields);

// A client-chosen id: 1 to 36 characters of [A-Za-z0-9_-]. Without one, a UUID is
// generated. Throws Error(InvalidValue) naming `field`.
std::string id_or_generate(const std::optional<std::string>& id, const std::string& field = "id");
bool is_valid_entity_id(const std::string& id);

// Trims; empty becomes nullopt. Throws Error(InvalidValue) naming `field` for text
// that is not UTF-8, holds control characters or is longer than `max_chars`.
std::optional<std::string> clean_text(const std::optional<std::string>& value,
                                      const std::string& field, std::size_t max_chars);

}  // namespace contactd::domain

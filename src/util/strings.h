#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace contactd {

std::string trim(std::string_view s);
std::string to_lower(std::string_view s);  // ASCII only
std::string to_upper(std::string_view s);  // ASCII only
bool starts_with_ci(std::string_view s, std::string_view prefix);
bool iequals(std::string_view a, std::string_view b);

// True when `s` holds a C0 control character (U+0000 to U+001F) or DEL (U+007F). In
// UTF-8 those code points are exactly the bytes 0x00-0x1F and 0x7F.
bool has_control_characters(std::string_view s);

// Number of Unicode code points in valid UTF-8; nullopt when `s` is not valid UTF-8.
std::optional<std::size_t> utf8_length(std::string_view s);

// "a@example.com" -> "a***@e***.com"; "+35799478230" -> "+357*****230".
std::string obfuscate_email(std::string_view email);
std::string obfuscate_phone(std::string_view e164);

}  // namespace contactd

#pragma once
// Strict JSON parsing for input that an attacker controls (request bodies, token
// headers and payloads). nlohmann::json alone keeps the last of two equal keys, so
// `{"exp":1,"exp":<valid>}` would read as valid, and it builds any depth it is given.
// parse_strict_json() refuses both, before the document is used.
//
// Returns the parsed value, or the first problem found. Malformed covers everything
// nlohmann's own parser refuses (bad syntax, invalid UTF-8, trailing bytes). Thread-safe.
#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include <string>
#include <string_view>

namespace contactd {

enum class JsonProblem { Malformed, DuplicateKey, TooDeep };

// `max_depth` counts nested containers: `{}` is depth 1, `{"a":[]}` depth 2.
tl::expected<nlohmann::json, JsonProblem> parse_strict_json(std::string_view text,
                                                            int max_depth = 32);
// The same, and on DuplicateKey `*duplicate_key` is set to the key given twice, so that
// an error can name it.
tl::expected<nlohmann::json, JsonProblem> parse_strict_json(std::string_view text, int max_depth,
                                                            std::string* duplicate_key);

}  // namespace contactd

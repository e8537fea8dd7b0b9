#pragma once
// Reading request bodies and writing JSON answers. Decoding is separate from the
// domain's validation: these helpers only check JSON types and shapes, naming the field.
//
// The input rules every body obeys, whichever route reads it, are decided here once
// (API.md, "Security behaviour"): no duplicate key in any object, nesting at most 32
// deep, no control character (U+0000-U+001F, U+007F) in any string or key, and the
// names (first_name, last_name, middle_name, company_name, title) at most 200 code
// points wherever they appear. Thread-safe (no state).
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace contactd::http {

using Json = nlohmann::json;

// The request body as a JSON object ({} when there is no body). Throws
// Error(UnsupportedMediaType) unless the Content-Type is application/json, and
// Error(InvalidValue) for malformed JSON, a body that is not an object, or one that
// breaks an input rule above (naming the field in `parameters`).
// On the Self-Service API (any version) a null member is the member left out, at any
// depth (API.md: CRM.COM v2 clients send `"email": null` and the like), so every reader
// below sees it absent; the back office keeps null as "clear this field".
Json parse_body(const httplib::Request& req);
// The same for a body's text, whatever its Content-Type.
Json decode_body(std::string_view text);

// Removes every member whose value is null, in objects at any depth (arrays' items too).
void drop_null_members(Json& value);

// Most names may hold, in code points.
inline constexpr std::size_t kMaxNameLength = 200;

void send_json(httplib::Response& res, int status, const Json& body);

// Field readers. Each throws Error(InvalidValue) naming the field when its JSON type is
// wrong; absent and null fields give nullopt.
std::optional<std::string> get_string(const Json& object, const char* field);
// Accepts JSON booleans and the strings "true"/"false" (CRM.COM clients send strings).
std::optional<bool> get_bool(const Json& object, const char* field);
std::string require_string(const Json& object, const char* field);
// Throws Error(InvalidValue) naming the first field not in `allowed`.
void reject_unknown_fields(const Json& object, std::initializer_list<const char*> allowed);

}  // namespace contactd::http

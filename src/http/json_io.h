#pragma once
// Reading request bodies and writing JSON answers. Decoding is separate from the
// domain's validation: these helpers only check JSON types and shapes, naming the field.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>

namespace contactd::http {

using Json = nlohmann::json;

// The request body as a JSON object ({} when there is no body). Throws
// Error(UnsupportedMediaType) unless the Content-Type is application/json, and
// Error(InvalidValue) for malformed JSON or a body that is not an object.
Json parse_body(const httplib::Request& req);

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

#pragma once
// Checks a JSON value against an OpenAPI 3.0 schema object ($refs already resolved):
// type (string, integer, number, boolean, object, array), nullable (null only where a
// schema says so), required members, properties, items, enum and allOf. Members the
// schema does not declare are allowed, as in OpenAPI. Returns what is wrong, each with
// its JSON path ("$.contact.id: ..."); empty when the value conforms.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace contactd::test {

std::vector<std::string> schema_violations(const nlohmann::json& schema,
                                           const nlohmann::json& value,
                                           const std::string& path = "$");

}  // namespace contactd::test

#include "support/openapi_schema.h"

#include <algorithm>

namespace contactd::test {
namespace {

using Json = nlohmann::json;

bool has_type(const std::string& type, const Json& value) {
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    return true;  // no type, or one this checker does not know: anything
}

void check(const Json& schema, const Json& value, const std::string& path,
           std::vector<std::string>& out) {
    if (!schema.is_object()) return;
    if (value.is_null()) {
        if (!schema.value("nullable", false))
            out.push_back(path + ": null where no null is allowed");
        return;
    }
    if (const auto all = schema.find("allOf"); all != schema.end()) {
        for (const auto& part : *all) check(part, value, path, out);
    }
    const auto type = schema.value("type", std::string{});
    if (!type.empty() && !has_type(type, value)) {
        out.push_back(path + ": " + value.dump() + " is not of type " + type);
        return;
    }
    if (const auto values = schema.find("enum"); values != schema.end()) {
        if (std::find(values->begin(), values->end(), value) == values->end())
            out.push_back(path + ": " + value.dump() + " is none of the schema's values");
    }
    if (value.is_object()) {
        for (const auto& name : schema.value("required", Json::array())) {
            if (!value.contains(name.get<std::string>()))
                out.push_back(path + ": the required member " + name.get<std::string>() +
                              " is missing");
        }
        if (const auto props = schema.find("properties"); props != schema.end()) {
            for (const auto& [name, member] : value.items()) {
                if (const auto p = props->find(name); p != props->end())
                    check(*p, member, path + "." + name, out);
            }
        }
    }
    if (value.is_array()) {
        if (const auto items = schema.find("items"); items != schema.end()) {
            for (std::size_t i = 0; i < value.size(); ++i)
                check(*items, value[i], path + "[" + std::to_string(i) + "]", out);
        }
    }
}

}  // namespace

std::vector<std::string> schema_violations(const Json& schema, const Json& value,
                                           const std::string& path) {
    std::vector<std::string> out;
    check(schema, value, path, out);
    return out;
}

}  // namespace contactd::test

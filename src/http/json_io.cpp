#include "http/json_io.h"

#include "util/error.h"
#include "util/strings.h"

namespace contactd::http {

Json parse_body(const httplib::Request& req) {
    if (req.body.empty()) return Json::object();
    const auto type = to_lower(req.get_header_value("Content-Type"));
    const auto semicolon = type.find(';');
    if (trim(type.substr(0, semicolon)) != "application/json") {
        throw Error(ErrorKind::UnsupportedMediaType, "UNSUPPORTEDMEDIATYPEEXCEPTION",
                    "Content-Type must be application/json");
    }
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded()) throw invalid_value("The body is not valid JSON");
    if (!body.is_object()) throw invalid_value("The body must be a JSON object");
    return body;
}

void send_json(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

std::optional<std::string> get_string(const Json& object, const char* field) {
    const auto it = object.find(field);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw invalid_value(std::string(field) + " must be a string", {field});
    return it->get<std::string>();
}

std::optional<bool> get_bool(const Json& object, const char* field) {
    const auto it = object.find(field);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_string()) {
        const auto text = to_lower(it->get<std::string>());
        if (text == "true") return true;
        if (text == "false") return false;
    }
    throw invalid_value(std::string(field) + " must be true or false", {field});
}

std::string require_string(const Json& object, const char* field) {
    auto value = get_string(object, field);
    if (!value || trim(*value).empty()) throw missing_value(field);
    return *value;
}

void reject_unknown_fields(const Json& object, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : object.items()) {
        bool known = false;
        for (const char* name : allowed) known = known || key == name;
        if (!known) throw invalid_value(key + " cannot be set here", {key});
    }
}

}  // namespace contactd::http

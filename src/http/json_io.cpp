#include "http/json_io.h"

#include <array>

#include "http/api_versions.h"
#include "util/error.h"
#include "util/strict_json.h"
#include "util/strings.h"

namespace contactd::http {
namespace {

constexpr std::array<std::string_view, 5> kNameFields = {"first_name", "last_name", "middle_name",
                                                         "company_name", "title"};
constexpr int kMaxDepth = 32;

bool is_name_field(std::string_view key) {
    for (const auto name : kNameFields) {
        if (key == name) return true;
    }
    return false;
}

// `field` is the key the value sits under (the array's key for an array's items; empty
// for the body itself). Recursion is bounded: the parser refused anything deeper than
// kMaxDepth.
void check_value(const Json& value, const std::string& field) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (has_control_characters(text))
            throw invalid_value(field + " holds control characters", {field});
        if (is_name_field(field) && utf8_length(text).value_or(0) > kMaxNameLength) {
            throw invalid_value(
                field + " is longer than " + std::to_string(kMaxNameLength) + " characters",
                {field});
        }
    } else if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            // The key itself is not echoed: it is the text that holds them.
            if (has_control_characters(key)) {
                throw invalid_value(
                    "A field name holds control characters",
                    field.empty() ? std::vector<std::string>{} : std::vector<std::string>{field});
            }
            check_value(member, key);
        }
    } else if (value.is_array()) {
        for (const auto& item : value) check_value(item, field);
    }
}

}  // namespace

Json decode_body(std::string_view text) {
    std::string duplicate;
    auto parsed = parse_strict_json(text, kMaxDepth, &duplicate);
    if (!parsed) {
        switch (parsed.error()) {
            case JsonProblem::DuplicateKey:
                if (has_control_characters(duplicate)) duplicate.clear();
                throw invalid_value(
                    "The body gives a field twice" + (duplicate.empty() ? "" : ": " + duplicate),
                    duplicate.empty() ? std::vector<std::string>{}
                                      : std::vector<std::string>{duplicate});
            case JsonProblem::TooDeep:
                throw invalid_value("The body is nested deeper than " + std::to_string(kMaxDepth) +
                                    " levels");
            case JsonProblem::Malformed:
                break;
        }
        throw invalid_value("The body is not valid JSON");
    }
    Json body = std::move(*parsed);
    if (!body.is_object()) throw invalid_value("The body must be a JSON object");
    check_value(body, "");
    return body;
}

Json parse_body(const httplib::Request& req) {
    if (req.body.empty()) return Json::object();
    const auto type = to_lower(req.get_header_value("Content-Type"));
    const auto semicolon = type.find(';');
    if (trim(type.substr(0, semicolon)) != "application/json") {
        throw Error(ErrorKind::UnsupportedMediaType, "UNSUPPORTEDMEDIATYPEEXCEPTION",
                    "Content-Type must be application/json");
    }
    auto body = decode_body(req.body);
    if (is_self_service(req.path)) drop_null_members(body);
    return body;
}

void drop_null_members(Json& value) {
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end();) {
            if (it->is_null()) {
                it = value.erase(it);
            } else {
                drop_null_members(*it);
                ++it;
            }
        }
    } else if (value.is_array()) {
        for (auto& item : value) drop_null_members(item);
    }
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

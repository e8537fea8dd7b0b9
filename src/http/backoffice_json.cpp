#include "http/backoffice_json.h"

#include <algorithm>

#include "http/views.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::http {
namespace {

// Names under which clients send credentials. None of them is ever accepted here.
constexpr const char* kCredentialFields[] = {
    "password",    "passwd",     "identity",      "identities",   "identification",
    "credentials", "credential", "token",         "access_token", "refresh_token",
    "auth_otp",    "otp",        "password_hash", "username",     "facebook_token",
    "secret",      "pin"};

void reject_credentials(const Json& body) {
    for (const char* field : kCredentialFields) {
        if (body.contains(field)) {
            throw invalid_value(
                std::string("The back-office API does not set credentials: ") + field, {field});
        }
    }
}

using Text = std::optional<std::optional<std::string>>;

Text text(const Json& body, const char* field) {
    if (!body.contains(field)) return std::nullopt;
    return get_string(body, field);
}

const Json& array_field(const Json& body, const char* field) {
    const auto& value = body.at(field);
    if (!value.is_array()) throw invalid_value(std::string(field) + " must be an array", {field});
    return value;
}

const Json& object_item(const Json& item, const char* field) {
    if (!item.is_object()) throw invalid_value(std::string(field) + " must hold objects", {field});
    return item;
}

std::vector<domain::PhoneInput> phones(const Json& body) {
    std::vector<domain::PhoneInput> out;
    if (body.at("phones").is_null()) return out;
    for (const auto& item : array_field(body, "phones")) {
        const auto& phone = object_item(item, "phones");
        reject_unknown_fields(phone, {"phone_type", "number", "country_code", "is_primary"});
        domain::PhoneInput input;
        input.phone_type = get_string(phone, "phone_type");
        input.number = require_string(phone, "number");
        input.country_code = get_string(phone, "country_code");
        input.is_primary = get_bool(phone, "is_primary").value_or(false);
        out.push_back(std::move(input));
    }
    return out;
}

// A whole number of at most 10 digits.
std::int64_t whole_number(const std::string& text, const char* name) {
    const bool digits =
        !text.empty() && text.size() <= 10 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) throw invalid_value(std::string(name) + " must be a whole number", {name});
    return std::stoll(text);
}

Json nullable(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

}  // namespace

std::vector<domain::CustomFieldInput> parse_custom_fields(const Json& body) {
    std::vector<domain::CustomFieldInput> out;
    if (body.at("custom_fields").is_null()) return out;
    for (const auto& item : array_field(body, "custom_fields")) {
        const auto& field = object_item(item, "custom_fields");
        reject_unknown_fields(field, {"key", "value"});
        out.push_back({require_string(field, "key"), get_string(field, "value")});
    }
    return out;
}

domain::ContactInput parse_contact_input(const Json& body) {
    reject_credentials(body);
    reject_unknown_fields(body, {"id", "code", "contact_type", "title", "first_name", "middle_name",
                                 "last_name", "company_name", "avatar", "email_address", "phones",
                                 "sms_opt_out", "email_opt_out", "custom_fields"});
    domain::ContactInput in;
    in.id = get_string(body, "id");
    in.code = text(body, "code");
    in.contact_type = get_string(body, "contact_type");
    in.title = text(body, "title");
    in.first_name = text(body, "first_name");
    in.middle_name = text(body, "middle_name");
    in.last_name = text(body, "last_name");
    in.company_name = text(body, "company_name");
    in.avatar = text(body, "avatar");
    in.email = text(body, "email_address");
    if (body.contains("phones")) in.phones = phones(body);
    in.sms_opt_out = get_bool(body, "sms_opt_out");
    in.email_opt_out = get_bool(body, "email_opt_out");
    if (body.contains("custom_fields")) in.custom_fields = parse_custom_fields(body);
    return in;
}

domain::OrganisationInput parse_organisation_input(const Json& body) {
    reject_credentials(body);
    reject_unknown_fields(body, {"id", "name", "org_type"});
    return {get_string(body, "id"), get_string(body, "name"), get_string(body, "org_type")};
}

std::optional<std::string> query_param(const httplib::Request& req, const char* name) {
    if (!req.has_param(name)) return std::nullopt;
    auto value = req.get_param_value(name);
    // The rule bodies obey (json_io.h), for text that arrives percent-encoded instead.
    if (has_control_characters(value))
        throw invalid_value(std::string(name) + " holds control characters", {name});
    return value;
}

std::optional<std::string> filter_param(const httplib::Request& req, const char* name) {
    auto value = query_param(req, name);
    if (value && value->empty()) value.reset();
    return value;
}

Json optional_json(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

domain::PageRequest parse_page_request(const httplib::Request& req) {
    domain::PageRequest page;
    if (auto value = query_param(req, "page")) page.page = whole_number(*value, "page");
    if (auto value = query_param(req, "size")) page.size = whole_number(*value, "size");
    page.validate();
    return page;
}

Json backoffice_contact_json(const domain::BackOfficeContact& bo) {
    const auto& c = bo.contact;
    Json phones = Json::array();
    for (const auto& p : bo.phones) {
        phones.push_back(
            {{"phone_type", p.phone_type}, {"number", p.number}, {"is_primary", p.is_primary}});
    }
    Json fields = Json::array();
    for (const auto& f : bo.custom_fields)
        fields.push_back({{"key", f.key}, {"value", nullable(f.value)}});
    Json identities = Json::array();
    for (const auto& i : bo.identities) {
        identities.push_back(
            {{"provider", i.provider}, {"value", i.display_value}, {"is_verified", i.is_verified}});
    }
    return {{"id", c.id},
            {"code", nullable(c.code)},
            {"contact_type", c.contact_type},
            {"title", nullable(c.title)},
            {"first_name", nullable(c.first_name)},
            {"middle_name", nullable(c.middle_name)},
            {"last_name", nullable(c.last_name)},
            {"company_name", nullable(c.company_name)},
            {"avatar", nullable(c.avatar)},
            {"email_address", nullable(c.email)},
            {"phones", phones},
            {"sms_opt_out", c.sms_opt_out},
            {"email_opt_out", c.email_opt_out},
            {"custom_fields", fields},
            {"is_verified", c.is_verified},
            {"is_guest", c.is_guest},
            {"organisations", organisations_json(bo.organisations)},
            {"identities", identities},
            {"created_at", c.created_at},
            {"updated_at", c.updated_at}};
}

Json organisation_json(const storage::OrganisationRecord& o) {
    return {{"id", o.id},
            {"name", o.name},
            {"org_type", o.org_type},
            {"created_at", o.created_at},
            {"updated_at", o.updated_at}};
}

Json audit_entry_json(const storage::AuditRecord& a) {
    Json detail = Json::parse(a.detail, nullptr, false);
    if (detail.is_discarded()) detail = Json::object();
    return {{"id", a.id},
            {"api_key_id", a.api_key_id},
            {"action", a.action},
            {"entity_type", a.entity_type},
            {"entity_id", a.entity_id},
            {"detail", detail},
            {"created_at", a.created_at}};
}

}  // namespace contactd::http

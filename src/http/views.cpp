#include "http/views.h"

namespace contactd::http {
namespace {

using Json = nlohmann::json;

Json nullable(const std::optional<std::string>& value) {
    return value ? Json(*value) : Json(nullptr);
}

}  // namespace

Json contact_summary_json(const storage::ContactRecord& c) {
    return {{"id", c.id},
            {"code", nullable(c.code)},
            {"type", c.contact_type},
            {"title", nullable(c.title)},
            {"avatar", nullable(c.avatar)},
            {"first_name", nullable(c.first_name)},
            {"last_name", nullable(c.last_name)},
            {"company_name", nullable(c.company_name)},
            {"is_verified", c.is_verified},
            {"is_guest", c.is_guest}};
}

Json organisations_json(const std::vector<storage::OrganisationRecord>& organisations) {
    Json out = Json::array();
    for (const auto& o : organisations)
        out.push_back({{"id", o.id}, {"name", o.name}, {"org_type", o.org_type}});
    return out;
}

Json session_json(const domain::SignedIn& s) {
    return {{"contact", contact_summary_json(s.contact)},
            {"organisations", organisations_json(s.organisations)},
            {"communities", Json::array()},  // v2 clients read it; contactd has none
            {"access_token", s.tokens.access_token},
            {"refresh_token", s.tokens.refresh_token},
            {"exp", s.tokens.access_expires_at * 1000},
            {"expiration_date", s.tokens.access_expires_at}};
}

Json challenge_json(const domain::OtpChallenge& challenge) {
    Json out = {{"auth_otp", challenge.auth_otp}, {"obfuscated_value", challenge.obfuscated_value}};
    if (challenge.contact_id) out["id"] = *challenge.contact_id;
    return out;
}

Json profile_json(const domain::ContactProfile& p) {
    Json out = contact_summary_json(p.contact);
    const auto& c = p.contact;
    out["contact_type"] = c.contact_type;
    out["middle_name"] = nullable(c.middle_name);
    out["email"] = nullable(c.email);
    out["phone"] = nullable(c.phone);
    out["language_code"] = nullable(c.language_code);
    out["email_opt_out"] = c.email_opt_out;
    out["sms_opt_out"] = c.sms_opt_out;
    out["service_acceptance"] = c.service_acceptance;
    out["created_at"] = c.created_at;
    out["updated_at"] = c.updated_at;
    out["organisations"] = organisations_json(p.organisations);
    Json custom_fields = Json::array();
    for (const auto& f : p.custom_fields)
        custom_fields.push_back({{"key", f.key}, {"value", nullable(f.value)}});
    out["custom_fields"] = custom_fields;
    Json identities = Json::array();
    for (const auto& i : p.identities) {
        identities.push_back(
            {{"provider", i.provider}, {"value", i.display_value}, {"is_verified", i.is_verified}});
    }
    out["identities"] = identities;
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

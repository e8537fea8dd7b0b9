#include "http/v2_answers.h"

#include "domain/contact_points.h"
#include "http/json_io.h"

namespace contactd::http {

void to_v2_answer(httplib::Response& res) {
    if (res.body.empty() || res.get_header_value("Content-Type").rfind("application/json", 0) != 0)
        return;
    // Our own answer, parsed back: small, and nothing a client wrote.
    Json body = Json::parse(res.body, nullptr, false);
    if (body.is_discarded()) return;
    drop_null_members(body);
    // Session and contact answers: v2 names an organisation's org_type `type`.
    if (const auto orgs = body.find("organisations");
        body.is_object() && orgs != body.end() && orgs->is_array()) {
        for (auto& o : *orgs) {
            if (o.is_object() && o.contains("org_type")) o["type"] = o["org_type"];
        }
    }
    res.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json v2_contact_json(Json contact) {
    if (const auto phone = contact.find("phone"); phone != contact.end() && phone->is_string()) {
        const auto e164 = phone->get<std::string>();
        if (const auto parts = domain::split_phone(e164)) {
            *phone = {{"type", "MOBILE"},
                      {"country_code", parts->country_alpha3},
                      {"number", parts->national_number}};
        } else {
            contact.erase(phone);  // no v2 shape for it; the identities list still shows it
        }
    }
    if (const auto avatar = contact.find("avatar"); avatar != contact.end())
        contact["avatar_url"] = *avatar;
    return contact;
}

}  // namespace contactd::http

#pragma once
// Answers on /self-service/v2 in the form of CRM.COM's v2 OpenAPI document, where it
// differs from the contract's v1 form (which /self-service/v1 keeps):
// - a field without a value is left out instead of sent as null (the v2 document types
//   such fields as plain strings or objects; it is the mirror of "null is the field left
//   out" in requests). to_v2_answer() does it for every JSON answer, once, in the router
//   (http/server.cpp).
// - organisations in session and contact answers carry `type` (v2's name of org_type).
// - the contact's `phone` is an object {"type": "MOBILE", "country_code", "number"},
//   not an E.164 string, and its avatar is also `avatar_url`: v2_contact_json().
// Thread-safe (no state).
#include <httplib.h>

#include <nlohmann/json.hpp>

namespace contactd::http {

// Rewrites a JSON answer's body without its null members, at any depth. Other answers
// (no body, another Content-Type, text that does not parse) are left as they are.
void to_v2_answer(httplib::Response& res);

// The contact answer (views.h, profile_json) in its v2 form.
nlohmann::json v2_contact_json(nlohmann::json contact);

}  // namespace contactd::http

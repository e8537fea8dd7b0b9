#pragma once
// JSON renderings of domain results, as the contract spells them.
#include <nlohmann/json.hpp>

#include "domain/auth_service.h"
#include "domain/profile_service.h"

namespace contactd::http {

nlohmann::json contact_summary_json(const storage::ContactRecord& contact);
nlohmann::json organisations_json(const std::vector<storage::OrganisationRecord>& organisations);
// The session response: contact, organisations, tokens, exp (ms), expiration_date (s).
nlohmann::json session_json(const domain::SignedIn& signed_in);
nlohmann::json challenge_json(const domain::OtpChallenge& challenge);
nlohmann::json profile_json(const domain::ContactProfile& profile);
nlohmann::json sessions_json(const std::vector<storage::SessionRecord>& sessions,
                             const std::string& current);

}  // namespace contactd::http

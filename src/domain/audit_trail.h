#pragma once
// The trail of back-office changes: who (which secret API key), what, on which entity,
// and when. Entries are written inside the transaction of the change they record, so
// a change and its entry commit together or not at all. The detail names what changed
// (field names, ids, counts), never a value that could be a secret.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "domain/client_info.h"
#include "domain/paging.h"
#include "storage/store.h"
#include "util/clock.h"

namespace contactd::domain {

// Who makes a back-office change.
struct Actor {
    std::string api_key_id;
    ClientInfo client;  // the request's address and id, for security events
};

namespace audit_action {
inline constexpr const char* kContactCreate = "CONTACT_CREATE";
inline constexpr const char* kContactUpdate = "CONTACT_UPDATE";
inline constexpr const char* kContactDelete = "CONTACT_DELETE";
inline constexpr const char* kContactSessionsRevoke = "CONTACT_SESSIONS_REVOKE";
inline constexpr const char* kOrganisationSignUp = "ORGANISATION_SIGNUP";
inline constexpr const char* kOrganisationSignOff = "ORGANISATION_SIGNOFF";
inline constexpr const char* kOrganisationCreate = "ORGANISATION_CREATE";
inline constexpr const char* kOrganisationUpdate = "ORGANISATION_UPDATE";
inline constexpr const char* kOrganisationDelete = "ORGANISATION_DELETE";
}  // namespace audit_action

namespace audit_entity {
inline constexpr const char* kContact = "CONTACT";
inline constexpr const char* kOrganisation = "ORGANISATION";
}  // namespace audit_entity

class AuditTrail {
  public:
    AuditTrail(storage::Store& store, const Clock& clock);

    // Adds an entry in the caller's transaction.
    void record(storage::Repositories& repos, const Actor& actor, const char* action,
                const char* entity_type, const std::string& entity_id,
                const nlohmann::json& detail = nlohmann::json::object()) const;

    // Newest first; only entries about `entity_id` when given.
    Page<storage::AuditRecord> list(const std::optional<std::string>& entity_id,
                                    const PageRequest& page) const;

  private:
    storage::Store& store_;
    const Clock& clock_;
};

}  // namespace contactd::domain

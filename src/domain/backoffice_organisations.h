#pragma once
// Organisations (B2B) that contacts belong to, and contacts signing up to and off them,
// as the back office manages them. Every change is one transaction together with its
// audit entry. Thread-safe.
#include <optional>
#include <string>

#include "domain/audit_trail.h"
#include "domain/paging.h"
#include "storage/store.h"
#include "util/clock.h"

namespace contactd::domain {

// Absent fields take their defaults on create (org_type BUSINESS) and stay as they are
// on update.
struct OrganisationInput {
    std::optional<std::string> id;  // create only
    std::optional<std::string> name;
    std::optional<std::string> org_type;  // BUSINESS | MERCHANT | VENUE | SERVICE_OWNER
};

enum class MembershipAction { SignUp, SignOff };

class BackOfficeOrganisations {
  public:
    BackOfficeOrganisations(storage::Store& store, const Clock& clock, const AuditTrail& audit);

    // Returns the id. Throws Error(AlreadyExists) when the id is taken.
    std::string create(const Actor& actor, const OrganisationInput& input);
    // Throws Error(NotFound).
    storage::OrganisationRecord get(const std::string& id);
    Page<storage::OrganisationRecord> list(const PageRequest& page);
    std::string update(const Actor& actor, const std::string& id, const OrganisationInput& input);
    // Its memberships go with it.
    void remove(const Actor& actor, const std::string& id);

    // Signs the contact (by id or code) up to, or off, the organisation; doing what is
    // already so changes nothing. Returns the contact's id. Throws Error(NotFound) for
    // an unknown contact or organisation.
    std::string set_membership(const Actor& actor, const std::string& contact_id_or_code,
                               const std::string& organisation_id, MembershipAction action);

    // "SIGNUP" / "SIGNOFF", in any case.
    static std::optional<MembershipAction> parse_action(const std::string& text);

  private:
    storage::Store& store_;
    const Clock& clock_;
    const AuditTrail& audit_;
};

}  // namespace contactd::domain

#pragma once
// Contacts as servers and agents manage them through the back office: create (with the
// caller's own id or a generated one, and an optional unique cross-reference code),
// find by id or code, list with filters and paging, update, delete, and revoke
// sessions. The back office never sets or reads credentials. Every change is one
// transaction together with its audit entry. Thread-safe.
#include <optional>
#include <string>
#include <vector>

#include "domain/audit_trail.h"
#include "domain/backoffice_fields.h"
#include "domain/paging.h"
#include "domain/security_events.h"
#include "storage/store.h"
#include "util/clock.h"

namespace contactd::domain {

struct PhoneInput {
    std::optional<std::string> phone_type;  // MOBILE by default
    std::string number;                     // national with country_code, or E.164
    std::optional<std::string> country_code;
    bool is_primary = false;
};

// Absent fields take their defaults on create and stay as they are on update; a present
// field holding nullopt clears it. Lists given replace the whole list.
struct ContactInput {
    std::optional<std::string> id;  // create only
    std::optional<std::optional<std::string>> code, title, first_name, middle_name, last_name,
        company_name, avatar, email;
    std::optional<std::string> contact_type;  // PERSON | COMPANY
    std::optional<std::vector<PhoneInput>> phones;
    std::optional<bool> sms_opt_out, email_opt_out;
    std::optional<std::vector<CustomFieldInput>> custom_fields;
};

// The listing's filters as the client sent them; every given one must match.
struct ContactFilter {
    std::optional<std::string> code;
    std::optional<std::string> email;
    std::optional<std::string> phone;
    std::optional<std::string> country_code;  // for a national `phone`
    std::optional<std::string> search_value;  // prefix of a name, the email, a phone or the code
};

// A contact with everything the back office shows of it. Identities are listed by
// provider, value and verification only.
struct BackOfficeContact {
    storage::ContactRecord contact;
    std::vector<storage::ContactPhoneRecord> phones;
    std::vector<storage::CustomFieldRecord> custom_fields;
    std::vector<storage::OrganisationRecord> organisations;
    std::vector<storage::IdentityRecord> identities;
};

class BackOfficeContacts {
  public:
    // Deleting a contact records CONTACT_DELETED, revoking its sessions SESSION_REVOKED.
    BackOfficeContacts(storage::Store& store, const Clock& clock, const AuditTrail& audit,
                       const SecurityEvents& events);

    // Returns the id. Throws Error(AlreadyExists) when the id or code is taken.
    std::string create(const Actor& actor, const ContactInput& input);
    // Throws Error(NotFound).
    BackOfficeContact get(const std::string& id_or_code);
    Page<BackOfficeContact> list(const ContactFilter& filter, const PageRequest& page);
    // Returns the id.
    std::string update(const Actor& actor, const std::string& id_or_code,
                       const ContactInput& input);
    // Erases the contact with everything of its own (domain/contact_erasure.h).
    void remove(const Actor& actor, const std::string& id_or_code);
    // Whether a contact has that email or phone (recorded or as an identity).
    bool exists(const ContactFilter& filter);

    std::vector<storage::SessionRecord> sessions(const std::string& id_or_code);
    void revoke_sessions(const Actor& actor, const std::string& id_or_code);

    // The storage search for a filter, normalized. Throws Error(InvalidValue).
    static storage::ContactRepository::Search search_of(const ContactFilter& filter);

  private:
    storage::Store& store_;
    const Clock& clock_;
    const AuditTrail& audit_;
    const SecurityEvents& events_;
};

// The contact whose id, or else whose code, is `id_or_code`. Throws Error(NotFound).
storage::ContactRecord find_contact(storage::Repositories& repos, const std::string& id_or_code);

}  // namespace contactd::domain

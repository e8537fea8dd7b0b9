#pragma once
// A signed-in contact reading and editing its own profile and sessions.
#include <optional>
#include <string>
#include <vector>

#include "domain/backoffice_fields.h"
#include "domain/session_service.h"
#include "storage/store.h"

namespace contactd::domain {

struct ContactProfile {
    storage::ContactRecord contact;
    std::vector<storage::IdentityRecord> identities;
    std::vector<storage::OrganisationRecord> organisations;
    std::vector<storage::CustomFieldRecord> custom_fields;
};

struct SignedInProfile {
    Bearer bearer;
    ContactProfile profile;  // the bearer's own
};

// Fields a contact may change on itself; absent fields stay as they are. A present
// field holding nullopt clears it.
struct ProfileUpdate {
    std::optional<std::optional<std::string>> title;
    std::optional<std::optional<std::string>> first_name;
    std::optional<std::optional<std::string>> last_name;
    std::optional<std::optional<std::string>> avatar;
    std::optional<bool> email_opt_out;
    std::optional<bool> sms_opt_out;
    std::optional<std::optional<std::string>> middle_name;
    std::optional<std::optional<std::string>> language_code;     // ISO 639-1; picks templates
    std::optional<std::vector<CustomFieldInput>> custom_fields;  // replaces the whole list
};

class ProfileService {
  public:
    ProfileService(storage::Store& store, const Clock& clock, const SessionService& sessions);

    // Verifies the access token (throws Error(NotAuthenticated/ExpiredToken)).
    Bearer authenticate(const std::string& access_token);

    ContactProfile profile(const std::string& contact_id);
    // authenticate() and profile() of the bearer, in one read transaction (GET me).
    SignedInProfile authenticate_with_profile(const std::string& access_token);
    void update(const std::string& contact_id, const ProfileUpdate& update);
    std::vector<storage::SessionRecord> sessions(const std::string& contact_id);
    // Throws Error(NotFound) unless the session is a live one of the contact.
    void revoke_session(const std::string& contact_id, const std::string& session_id,
                        const ClientInfo& client);

  private:
    storage::Store& store_;
    const Clock& clock_;
    const SessionService& sessions_;
};

}  // namespace contactd::domain

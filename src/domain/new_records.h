#pragma once
// Fresh rows for sign-ups and added identities, each with a new random id. Callers set
// what differs between flows (recorded email or phone, verification, password).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/auth_service.h"

namespace contactd::domain {

// The trimmed text, or nullopt when absent or blank.
std::optional<std::string> clean(const std::optional<std::string>& value);

// A PERSON contact from a registration body, unverified, with no email or phone yet.
// Checks middle_name, language_code and custom_fields (Error(InvalidValue)); call it
// before anything is written, and insert_contact to store what it made.
struct NewContact {
    storage::ContactRecord contact;
    std::vector<storage::CustomFieldRecord> custom_fields;
};
NewContact new_contact(const RegistrationInput& input, const std::optional<std::string>& first_name,
                       const std::optional<std::string>& last_name, std::int64_t now);

// Inserts the contact and its custom fields.
void insert_contact(storage::Repositories& repos, const NewContact& contact);

// An unverified identity of `contact_id` for `destination`.
storage::IdentityRecord new_identity(const std::string& contact_id, const Destination& destination,
                                     std::int64_t now);

}  // namespace contactd::domain

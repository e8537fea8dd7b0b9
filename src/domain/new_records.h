#pragma once
// Fresh rows for sign-ups and added identities, each with a new random id. Callers set
// what differs between flows (recorded email or phone, verification, password).
#include <cstdint>
#include <optional>
#include <string>

#include "domain/auth_service.h"

namespace contactd::domain {

// The trimmed text, or nullopt when absent or blank.
std::optional<std::string> clean(const std::optional<std::string>& value);

// A PERSON contact from a registration body, unverified, with no email or phone yet.
storage::ContactRecord new_contact(const RegistrationInput& input,
                                   const std::optional<std::string>& first_name,
                                   const std::optional<std::string>& last_name, std::int64_t now);

// An unverified identity of `contact_id` for `destination`.
storage::IdentityRecord new_identity(const std::string& contact_id, const Destination& destination,
                                     std::int64_t now);

}  // namespace contactd::domain

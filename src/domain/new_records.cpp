#include "domain/new_records.h"

#include "crypto/random.h"
#include "util/strings.h"

namespace contactd::domain {

std::optional<std::string> clean(const std::optional<std::string>& value) {
    if (!value) return std::nullopt;
    auto text = trim(*value);
    if (text.empty()) return std::nullopt;
    return text;
}

storage::ContactRecord new_contact(const RegistrationInput& input,
                                   const std::optional<std::string>& first_name,
                                   const std::optional<std::string>& last_name, std::int64_t now) {
    storage::ContactRecord contact;
    contact.id = crypto::uuid_v4();
    contact.title = clean(input.title);
    contact.first_name = first_name;
    contact.last_name = last_name;
    contact.service_acceptance = input.service_acceptance;
    contact.email_opt_out = input.email_opt_out;
    contact.sms_opt_out = input.sms_opt_out;
    contact.created_at = now;
    contact.updated_at = now;
    return contact;
}

storage::IdentityRecord new_identity(const std::string& contact_id, const Destination& destination,
                                     std::int64_t now) {
    storage::IdentityRecord identity;
    identity.id = crypto::uuid_v4();
    identity.contact_id = contact_id;
    identity.provider = destination.provider;
    identity.value = destination.key;
    identity.display_value = destination.display;
    identity.created_at = now;
    return identity;
}

}  // namespace contactd::domain

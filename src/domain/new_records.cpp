#include "domain/new_records.h"

#include "crypto/random.h"
#include "domain/profile_fields.h"
#include "util/strings.h"

namespace contactd::domain {

std::optional<std::string> clean(const std::optional<std::string>& value) {
    if (!value) return std::nullopt;
    auto text = trim(*value);
    if (text.empty()) return std::nullopt;
    return text;
}

NewContact new_contact(const RegistrationInput& input, const std::optional<std::string>& first_name,
                       const std::optional<std::string>& last_name, std::int64_t now) {
    auto extras = clean_profile_extras(input.middle_name, input.language_code, input.custom_fields);
    storage::ContactRecord contact;
    contact.id = crypto::uuid_v7();
    contact.title = clean(input.title);
    contact.first_name = first_name;
    contact.last_name = last_name;
    contact.middle_name = std::move(extras.middle_name);
    contact.language_code = std::move(extras.language_code);
    contact.service_acceptance = input.service_acceptance;
    contact.email_opt_out = input.email_opt_out;
    contact.sms_opt_out = input.sms_opt_out;
    contact.created_at = now;
    contact.updated_at = now;
    return {std::move(contact), std::move(extras.custom_fields)};
}

void insert_contact(storage::Repositories& repos, const NewContact& contact) {
    repos.contacts().insert(contact.contact);
    if (!contact.custom_fields.empty())
        repos.contacts().replace_custom_fields(contact.contact.id, contact.custom_fields);
}

storage::IdentityRecord new_identity(const std::string& contact_id, const Destination& destination,
                                     std::int64_t now) {
    storage::IdentityRecord identity;
    identity.id = crypto::uuid_v7();
    identity.contact_id = contact_id;
    identity.provider = destination.provider;
    identity.value = destination.key;
    identity.display_value = destination.display;
    identity.created_at = now;
    return identity;
}

}  // namespace contactd::domain

#include "domain/profile_service.h"

#include "domain/profile_fields.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {

ProfileService::ProfileService(storage::Store& store, const Clock& clock,
                               const SessionService& sessions)
    : store_(store), clock_(clock), sessions_(sessions) {}

Bearer ProfileService::authenticate(const std::string& access_token) {
    return store_.read(
        [&](storage::Repositories& repos) { return sessions_.authenticate(repos, access_token); });
}

namespace {

ContactProfile load_profile(storage::Repositories& repos, const std::string& contact_id) {
    auto contact = repos.contacts().find(contact_id);
    if (!contact) throw not_found("Contact");
    return ContactProfile{std::move(*contact), repos.identities().list_for_contact(contact_id),
                          repos.organisations().list_for_contact(contact_id),
                          repos.contacts().custom_fields(contact_id)};
}

}  // namespace

ContactProfile ProfileService::profile(const std::string& contact_id) {
    return store_.read(
        [&](storage::Repositories& repos) { return load_profile(repos, contact_id); });
}

SignedInProfile ProfileService::authenticate_with_profile(const std::string& access_token) {
    return store_.read([&](storage::Repositories& repos) {
        auto bearer = sessions_.authenticate(repos, access_token);
        auto profile = load_profile(repos, bearer.contact_id);
        return SignedInProfile{std::move(bearer), std::move(profile)};
    });
}

void ProfileService::update(const std::string& contact_id, const ProfileUpdate& update) {
    // Checked before the transaction: a bad value changes nothing.
    std::optional<std::optional<std::string>> language;  // absent, or the new value
    if (update.language_code) language = clean_language_code(*update.language_code);
    const auto custom_fields = update.custom_fields
                                   ? std::optional(clean_custom_fields(*update.custom_fields))
                                   : std::nullopt;
    store_.write([&](storage::Repositories& repos) {
        auto contact = repos.contacts().find(contact_id);
        if (!contact) throw not_found("Contact");
        auto apply = [](const std::optional<std::optional<std::string>>& change,
                        std::optional<std::string>& field) {
            if (!change) return;
            field = *change ? std::optional(trim(**change)) : std::nullopt;
            if (field && field->empty()) field.reset();
        };
        apply(update.title, contact->title);
        apply(update.first_name, contact->first_name);
        apply(update.last_name, contact->last_name);
        apply(update.middle_name, contact->middle_name);
        if (language) contact->language_code = *language;
        apply(update.avatar, contact->avatar);
        if (update.first_name && !contact->first_name)
            throw invalid_value("first_name cannot be empty", {"first_name"});
        if (update.last_name && !contact->last_name)
            throw invalid_value("last_name cannot be empty", {"last_name"});
        if (update.email_opt_out) contact->email_opt_out = *update.email_opt_out;
        if (update.sms_opt_out) contact->sms_opt_out = *update.sms_opt_out;
        contact->updated_at = clock_.now();
        repos.contacts().update(*contact);
        if (custom_fields) repos.contacts().replace_custom_fields(contact_id, *custom_fields);
    });
}

std::vector<storage::SessionRecord> ProfileService::sessions(const std::string& contact_id) {
    return store_.read([&](storage::Repositories& repos) {
        return repos.sessions().list_live_for_contact(contact_id, clock_.now());
    });
}

void ProfileService::revoke_session(const std::string& contact_id, const std::string& session_id,
                                    const ClientInfo& client) {
    store_.write([&](storage::Repositories& repos) {
        const auto session = repos.sessions().find(session_id);
        if (!session || session->contact_id != contact_id || session->revoked_at)
            throw not_found("Session");
        sessions_.revoke(repos, session_id, client, "REVOKED_BY_CONTACT");
    });
}

}  // namespace contactd::domain

#include "domain/facebook_sign_in.h"

#include "crypto/random.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

std::optional<std::string> first_present(const std::optional<std::string>& a,
                                         const std::optional<std::string>& b) {
    for (const auto* candidate : {&a, &b}) {
        if (*candidate && !trim(**candidate).empty()) return trim(**candidate);
    }
    return std::nullopt;
}

}  // namespace

FacebookSignIn::FacebookSignIn(storage::Store& store, const Clock& clock,
                               const SessionService& sessions, const FacebookVerifier* facebook)
    : store_(store), clock_(clock), sessions_(sessions), facebook_(facebook) {}

FacebookProfile FacebookSignIn::verify(const std::optional<std::string>& token) const {
    if (!facebook_) throw invalid_value("Facebook sign-in is not configured", {"provider"});
    if (!token || trim(*token).empty()) throw missing_value("token");
    // Outside any transaction: Facebook may take seconds to answer.
    return facebook_->verify(trim(*token));
}

SignedIn FacebookSignIn::register_contact(const RegistrationInput& input,
                                          const ClientInfo& client) {
    const auto profile = verify(input.identity.token);
    const auto first_name = first_present(input.first_name, profile.first_name);
    const auto last_name = first_present(input.last_name, profile.last_name);
    return store_.write([&](storage::Repositories& repos) {
        if (const auto existing = repos.identities().find_by_value("FACEBOOK", profile.user_id)) {
            return load_signed_in(repos, sessions_.start(repos, existing->contact_id,
                                                         auth_method::kFacebook, client));
        }
        if (!first_name) throw missing_value("first_name");
        if (!last_name) throw missing_value("last_name");
        const auto now = clock_.now();
        storage::ContactRecord contact;
        contact.id = crypto::uuid_v4();
        contact.title = first_present(input.title, std::nullopt);
        contact.first_name = first_name;
        contact.last_name = last_name;
        // Recorded for reference only: Facebook's email is not an identity of ours.
        contact.email = profile.email;
        contact.service_acceptance = input.service_acceptance;
        contact.email_opt_out = input.email_opt_out;
        contact.sms_opt_out = input.sms_opt_out;
        contact.is_verified = true;
        contact.created_at = now;
        contact.updated_at = now;
        repos.contacts().insert(contact);
        storage::IdentityRecord identity;
        identity.id = crypto::uuid_v4();
        identity.contact_id = contact.id;
        identity.provider = "FACEBOOK";
        identity.value = profile.user_id;
        identity.display_value = profile.user_id;
        identity.is_verified = true;
        identity.created_at = now;
        repos.identities().insert(identity);
        return load_signed_in(repos,
                              sessions_.start(repos, contact.id, auth_method::kFacebook, client));
    });
}

SignedIn FacebookSignIn::sign_in(const std::string& token, const ClientInfo& client) {
    const auto profile = verify(token);
    return store_.write([&](storage::Repositories& repos) {
        const auto identity = repos.identities().find_by_value("FACEBOOK", profile.user_id);
        if (!identity)
            throw not_authenticated("No contact has this Facebook account; register first");
        return load_signed_in(
            repos, sessions_.start(repos, identity->contact_id, auth_method::kFacebook, client));
    });
}

}  // namespace contactd::domain

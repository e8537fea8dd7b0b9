#include "domain/facebook_sign_in.h"

#include "domain/new_records.h"
#include "domain/profile_fields.h"
#include "domain/transaction.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

std::optional<std::string> first_present(const std::optional<std::string>& a,
                                         const std::optional<std::string>& b) {
    if (auto first = clean(a)) return first;
    return clean(b);
}

}  // namespace

FacebookSignIn::FacebookSignIn(storage::Store& store, const Clock& clock,
                               const SessionService& sessions, const FacebookVerifier* facebook,
                               const SecurityEvents& events)
    : store_(store), clock_(clock), sessions_(sessions), events_(events), facebook_(facebook) {}

void FacebookSignIn::record_failure(const ClientInfo& client, const char* reason) const {
    store_.write([&](storage::Repositories& repos) {
        events_.record(repos, security_event::kSignInFailed, std::nullopt, client,
                       {{"method", auth_method::kFacebook}, {"reason", reason}});
    });
}

FacebookProfile FacebookSignIn::verify(const std::optional<std::string>& token) const {
    if (!facebook_) throw invalid_value("Facebook sign-in is not configured", {"provider"});
    if (!token || trim(*token).empty()) throw missing_value("token");
    // Outside any transaction: Facebook may take seconds to answer.
    return facebook_->verify(trim(*token));
}

SignedIn FacebookSignIn::register_contact(const RegistrationInput& input,
                                          const ClientInfo& client) {
    clean_profile_extras(input.middle_name, input.language_code, input.custom_fields);
    const auto profile = verify(input.identity.token);
    const auto first_name = first_present(input.first_name, profile.first_name);
    const auto last_name = first_present(input.last_name, profile.last_name);
    return sign(sessions_, store_.write([&](storage::Repositories& repos) {
        if (const auto existing = repos.identities().find_by_value("FACEBOOK", profile.user_id)) {
            return load_signed_in(repos, sessions_.start(repos, existing->contact_id,
                                                         auth_method::kFacebook, client));
        }
        if (!first_name) throw missing_value("first_name");
        if (!last_name) throw missing_value("last_name");
        const auto now = clock_.now();
        auto made = new_contact(input, first_name, last_name, now);
        auto& contact = made.contact;
        // Recorded for reference only: Facebook's email is not an identity of ours.
        contact.email = profile.email;
        contact.is_verified = true;
        insert_contact(repos, made);
        auto identity =
            new_identity(contact.id, {"FACEBOOK", profile.user_id, profile.user_id}, now);
        identity.is_verified = true;
        repos.identities().insert(identity);
        return load_signed_in(repos,
                              sessions_.start(repos, contact.id, auth_method::kFacebook, client));
    }));
}

SignedIn FacebookSignIn::sign_in(const std::string& token, const ClientInfo& client) {
    const auto profile = [&] {
        try {
            return verify(token);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::NotAuthenticated) record_failure(client, "TOKEN_REFUSED");
            throw;
        }
    }();
    return sign(
        sessions_,
        write_then_raise(
            store_, [&](storage::Repositories& repos) -> tl::expected<UnsignedSignIn, Error> {
                const auto identity = repos.identities().find_by_value("FACEBOOK", profile.user_id);
                if (!identity) {
                    events_.record(
                        repos, security_event::kSignInFailed, std::nullopt, client,
                        {{"method", auth_method::kFacebook}, {"reason", "UNKNOWN_ACCOUNT"}});
                    return tl::unexpected(
                        not_authenticated("No contact has this Facebook account; register first"));
                }
                return load_signed_in(repos, sessions_.start(repos, identity->contact_id,
                                                             auth_method::kFacebook, client));
            }));
}

}  // namespace contactd::domain

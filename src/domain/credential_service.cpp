#include "domain/credential_service.h"

#include "crypto/random.h"
#include "domain/contact_points.h"
#include "domain/new_records.h"
#include "domain/password_policy.h"
#include "domain/profile_fields.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

// An identity added to a contact and not yet proven: it signs nobody in and holds
// nothing against anyone else.
bool is_pending(const storage::IdentityRecord& i) {
    return i.requires_verification && !i.is_verified;
}

Error password_needs_email() {
    return invalid_value("A password goes with an EMAIL identity", {"password"});
}

Destination destination_of(const storage::IdentityRecord& i) {
    return {i.provider, i.value, i.display_value};
}

storage::ContactRecord require_contact(storage::Repositories& repos, const std::string& id) {
    auto contact = repos.contacts().find(id);
    if (!contact) throw not_found("Contact");
    return std::move(*contact);
}

}  // namespace

CredentialService::CredentialService(storage::Store& store, const Clock& clock,
                                     const OtpService& otps, const SessionService& sessions,
                                     const OutboxWriter& outbox,
                                     const crypto::PasswordHasher& hasher,
                                     const PasswordSignIn& passwords, const SecurityEvents& events,
                                     const FacebookVerifier* facebook, int max_identities,
                                     const EmailLinkTokens* links)
    : store_(store),
      clock_(clock),
      otps_(otps),
      sessions_(sessions),
      outbox_(outbox),
      hasher_(hasher),
      passwords_(passwords),
      events_(events),
      facebook_(facebook),
      max_identities_(max_identities),
      links_(links) {}

// ---- sign-up ----

SignedIn CredentialService::register_contact(const RegistrationInput& input,
                                             const ClientInfo& client) {
    if (to_upper(input.identity.provider) != "EMAIL" || !input.identity.password)
        throw password_needs_email();
    const auto first_name = clean(input.first_name);
    const auto last_name = clean(input.last_name);
    if (!first_name) throw missing_value("first_name");
    if (!last_name) throw missing_value("last_name");
    clean_profile_extras(input.middle_name, input.language_code, input.custom_fields);
    const Destination destination = AuthService::destination_of(input.identity);
    const auto password = accept_new_password(*input.identity.password, destination.display);
    auto taken = [&](storage::Repositories& repos) {
        const auto existing = repos.identities().find_by_value("EMAIL", destination.key);
        if (existing && !is_pending(*existing)) {
            throw already_exists("This email is already registered; sign in instead", {"email"});
        }
        return existing;
    };
    store_.read(taken);  // refuse before paying for a hash
    const auto password_hash = hasher_.hash(password);

    auto unsigned_in = store_.write([&](storage::Repositories& repos) {
        const auto now = clock_.now();
        if (const auto unproven = taken(repos)) repos.identities().remove(unproven->id);
        auto made = new_contact(input, first_name, last_name, now);
        auto& contact = made.contact;
        contact.email = destination.display;
        contact.phone = input.recorded_phone;
        auto identity = new_identity(contact.id, destination, now);
        identity.password_hash = password_hash;
        insert_contact(repos, made);
        repos.identities().insert(identity);
        // The contact stays unverified until this code comes back through validate-otp.
        send_verification(repos, identity, contact, true, client);
        return load_signed_in(repos,
                              sessions_.start(repos, contact.id, auth_method::kPassword, client));
    });
    outbox_.wake();
    return sign(sessions_, std::move(unsigned_in));
}

// ---- identities ----

AddedIdentity CredentialService::add_identity(const Bearer& bearer,
                                              const IdentityAddition& addition,
                                              const ClientInfo& client) {
    const auto provider = to_upper(addition.identity.provider);
    if (provider == "FACEBOOK") {
        if (addition.identity.password) throw password_needs_email();
        return add_facebook(bearer, addition.identity);
    }
    const Destination destination = AuthService::destination_of(addition.identity);
    if (addition.identity.password && destination.provider != "EMAIL") throw password_needs_email();
    std::optional<std::string> new_password;
    if (addition.identity.password)
        new_password = accept_new_password(*addition.identity.password, destination.display);

    const auto existing = store_.read([&](storage::Repositories& repos) {
        return repos.identities().find_by_value(destination.provider, destination.key);
    });
    if (existing && existing->contact_id == bearer.contact_id) {
        if (new_password)
            return change_password(bearer, *existing, *new_password, addition.current_password,
                                   client);
        if (existing->is_verified)
            throw already_exists("The contact already has this identity", {"identity"});
        return resend_verification(*existing, client);
    }
    if (existing && !is_pending(*existing)) {
        throw already_exists("This identity belongs to another contact", {"identity"});
    }
    return add_new(bearer, destination, new_password, client);
}

AddedIdentity CredentialService::add_new(const Bearer& bearer, const Destination& destination,
                                         const std::optional<std::string>& new_password,
                                         const ClientInfo& client) {
    const auto password_hash =
        new_password ? std::optional(hasher_.hash(*new_password)) : std::nullopt;
    auto added = store_.write([&](storage::Repositories& repos) {
        const auto contact = require_contact(repos, bearer.contact_id);
        if (const auto existing =
                repos.identities().find_by_value(destination.provider, destination.key)) {
            if (!is_pending(*existing) || existing->contact_id == bearer.contact_id) {
                throw already_exists("This identity was just added; try again", {"identity"});
            }
            repos.identities().remove(existing->id);  // another contact's unproven claim
        }
        require_room_for_identity(repos, contact.id);
        auto identity = new_identity(contact.id, destination, clock_.now());
        identity.password_hash = password_hash;
        identity.requires_verification = true;
        repos.identities().insert(identity);
        repos.contacts().convert_guest(contact.id, clock_.now());  // a guest keeps its account
        auto challenge = send_verification(repos, identity, contact, false, client);
        notify_identity_added(repos, contact, identity.id);
        return AddedIdentity{identity.id, std::move(challenge)};
    });
    outbox_.wake();
    return added;
}

AddedIdentity CredentialService::resend_verification(const storage::IdentityRecord& identity,
                                                     const ClientInfo& client) {
    auto added = store_.write([&](storage::Repositories& repos) {
        const auto current = repos.identities().find(identity.id);
        if (!current || current->contact_id != identity.contact_id) throw not_found("Identity");
        if (current->is_verified)
            throw already_exists("The contact already has this identity", {"identity"});
        const auto contact = require_contact(repos, current->contact_id);
        return AddedIdentity{current->id,
                             send_verification(repos, *current, contact, false, client)};
    });
    outbox_.wake();
    return added;
}

AddedIdentity CredentialService::change_password(const Bearer& bearer,
                                                 const storage::IdentityRecord& identity,
                                                 const std::string& new_password,
                                                 const std::optional<std::string>& current_password,
                                                 const ClientInfo& client) {
    // An identity nobody can sign in with yet (an unproven addition without a password)
    // needs no proof. One with a password signs in already: changing that password needs
    // the proof any password change needs.
    const bool usable = !is_pending(identity) || identity.password_hash.has_value();
    if (usable) {
        const bool recent_code_sign_in = store_.read([&](storage::Repositories& repos) {
            const auto session = repos.sessions().find(bearer.session_id);
            return session && session->auth_method == auth_method::kOtp &&
                   clock_.now() - session->created_at <= kRecentCodeSignIn;
        });
        if (current_password) {
            if (!passwords_.check_current(identity, *current_password, client,
                                          "WRONG_CURRENT_PASSWORD"))
                throw forbidden("The current password is not correct");
        } else if (!recent_code_sign_in) {
            throw forbidden(
                "Changing the password needs the current password (current_password), or a sign-in "
                "by code in the "
                "last 10 minutes");
        }
    }
    const auto password_hash = hasher_.hash(new_password);
    auto changed = store_.write([&](storage::Repositories& repos) {
        const auto current = repos.identities().find(identity.id);
        if (!current || current->contact_id != bearer.contact_id ||
            current->password_hash != identity.password_hash ||
            current->is_verified != identity.is_verified) {
            throw already_exists("The identity changed meanwhile; try again", {"identity"});
        }
        const auto contact = require_contact(repos, bearer.contact_id);
        repos.identities().set_password_hash(current->id, password_hash);
        AddedIdentity out{current->id, std::nullopt};
        if (usable) {
            repos.sign_in_failures().clear(sign_in_failure_key(current->value));
            sessions_.revoke_all(repos, bearer.contact_id, client, "PASSWORD_CHANGED",
                                 bearer.session_id);
            outbox_.queue_notice(repos, "EMAIL", current->value, MessageKind::PasswordSet, contact);
        }
        events_.record(repos, security_event::kPasswordChanged, bearer.contact_id, client,
                       {{"identity_id", current->id}, {"first", !current->password_hash}});
        // Still unproven (a sign-up never confirmed, or an addition): send a code again.
        if (!current->is_verified)
            out.challenge = send_verification(repos, *current, contact, true, client);
        return out;
    });
    outbox_.wake();
    return changed;
}

AddedIdentity CredentialService::add_facebook(const Bearer& bearer, const IdentityInput& input) {
    // The hook for Facebook: with a verifier wired in (domain/facebook.h) the token proves
    // the Facebook user, so the identity is verified at once.
    if (!facebook_) throw invalid_value("Facebook sign-in is not configured", {"provider"});
    const auto token = clean(input.token);
    if (!token) throw missing_value("token");
    const auto profile = facebook_->verify(*token);
    auto added = store_.write([&](storage::Repositories& repos) {
        const auto contact = require_contact(repos, bearer.contact_id);
        if (const auto existing = repos.identities().find_by_value("FACEBOOK", profile.user_id)) {
            throw already_exists(existing->contact_id == bearer.contact_id
                                     ? "The contact already has this identity"
                                     : "This identity belongs to another contact",
                                 {"identity"});
        }
        require_room_for_identity(repos, contact.id);
        storage::IdentityRecord identity;
        identity.id = crypto::uuid_v7();
        identity.contact_id = contact.id;
        identity.provider = "FACEBOOK";
        identity.value = profile.user_id;
        identity.display_value = profile.user_id;
        identity.is_verified = true;
        identity.created_at = clock_.now();
        repos.identities().insert(identity);
        repos.contacts().convert_guest(contact.id, clock_.now());  // a guest keeps its account
        notify_identity_added(repos, contact, identity.id);
        return AddedIdentity{identity.id, std::nullopt};
    });
    outbox_.wake();
    return added;
}

// ---- messages ----

std::optional<OtpChallenge> CredentialService::send_verification(
    storage::Repositories& repos, const storage::IdentityRecord& identity,
    const storage::ContactRecord& contact, bool optional, const ClientInfo& client) const {
    const auto destination = destination_of(identity);
    const bool sign_up = !identity.requires_verification;
    try {
        auto issued =
            otps_.issue(repos, {destination.channel(), destination.key,
                                sign_up ? otp_purpose::kRegister : otp_purpose::kVerifyIdentity,
                                contact.id, identity.id});
        // The sign-up email also carries a verification link, from the same claimant.
        std::string link;
        if (sign_up && links_ && destination.provider == "EMAIL") {
            try {
                link = links_
                           ->issue(repos, {link_purpose::kVerifyEmail, destination.key, contact.id,
                                           identity.id, true})
                           .url;
            } catch (const Error& e) {
                if (e.kind() != ErrorKind::RateLimited) throw;  // the code still goes
            }
        }
        outbox_.queue_code(repos, issued,
                           sign_up ? MessageKind::SignUpCode : MessageKind::VerifyIdentityCode,
                           contact, link);
        record_code_sent(events_, repos, issued, client);
        return OtpChallenge{issued.record.id, obfuscate(destination), std::nullopt};
    } catch (const Error& e) {
        // A code went there moments ago: the sign-up or the change still stands.
        if (!optional || e.kind() != ErrorKind::RateLimited) throw;
        return std::nullopt;
    }
}

void CredentialService::require_room_for_identity(storage::Repositories& repos,
                                                  const std::string& contact_id) const {
    if (repos.identities().list_for_contact(contact_id).size() >=
        static_cast<std::size_t>(max_identities_)) {
        throw invalid_value(
            "A contact may have at most " + std::to_string(max_identities_) + " identities",
            {"identity"});
    }
}

void CredentialService::notify_identity_added(storage::Repositories& repos,
                                              const storage::ContactRecord& contact,
                                              const std::string& new_identity_id) const {
    // Tell the ways the contact already proved, so that an addition by a stolen token is seen.
    for (const auto& identity : repos.identities().list_for_contact(contact.id)) {
        if (identity.id == new_identity_id || !identity.is_verified ||
            identity.provider == "FACEBOOK")
            continue;
        if (identity.provider == "PHONE") {
            // No SMS where the operator sends none; elsewhere it costs like a code.
            if (!otps_.sms().allows(identity.value)) continue;
            otps_.sms().count(repos, identity.value);
        }
        outbox_.queue_notice(repos, identity.provider == "PHONE" ? "SMS" : "EMAIL", identity.value,
                             MessageKind::IdentityAdded, contact);
    }
}

// ---- POST /contacts/{id}/change_password ----

void CredentialService::change_own_password(const Bearer& bearer, const std::string& new_password,
                                            const std::optional<std::string>& current_password,
                                            const ClientInfo& client) {
    const auto identity = store_.read([&](storage::Repositories& repos) {
        const auto all = repos.identities().list_for_contact(bearer.contact_id);
        const storage::IdentityRecord* pick = nullptr;
        auto choose = [&](auto&& wanted) {
            if (pick) return;
            for (const auto& i : all) {
                if (i.provider == "EMAIL" && wanted(i)) {
                    pick = &i;
                    return;
                }
            }
        };
        choose([](const storage::IdentityRecord& i) { return i.password_hash.has_value(); });
        choose([](const storage::IdentityRecord& i) { return i.is_verified; });
        choose([](const storage::IdentityRecord&) { return true; });
        return pick ? std::optional(*pick) : std::nullopt;
    });
    if (!identity)
        throw invalid_value("The contact has no EMAIL identity to hold a password", {"password"});
    const auto password = accept_new_password(new_password, identity->display_value);
    change_password(bearer, *identity, password, current_password, client);
}

}  // namespace contactd::domain

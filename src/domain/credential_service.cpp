#include "domain/credential_service.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "domain/contact_points.h"
#include "domain/new_records.h"
#include "domain/password_policy.h"
#include "domain/profile_fields.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

constexpr std::int64_t kHour = 3600;

// An identity added to a contact and not yet proven: it signs nobody in and holds
// nothing against anyone else.
bool is_pending(const storage::IdentityRecord& i) {
    return i.requires_verification && !i.is_verified;
}

// An added EMAIL+password identity signs in at once, unproven, as a sign-up with a
// password does (the contract's "Added credentials sign in at once").
bool signs_in_with_password(const storage::IdentityRecord& i) {
    return i.provider == "EMAIL" && i.password_hash.has_value();
}

std::string failure_key(const std::string& email_key) {
    return sign_in_failure_key(email_key);
}

Error wrong_credentials() {
    return not_authenticated("The email or password is not correct");
}

Error too_many_tries(std::int64_t wait) {
    return rate_limited("Too many failed sign-ins for this account; try again later", wait);
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

std::string sign_in_failure_key(const std::string& email_key) {
    return crypto::to_hex(crypto::sha256("EMAIL:" + email_key));
}

struct CredentialService::Reservation {
    std::string try_id;
    std::optional<storage::IdentityRecord> identity;
};

CredentialService::CredentialService(storage::Store& store, const Clock& clock,
                                     const OtpService& otps, const SessionService& sessions,
                                     const OutboxWriter& outbox,
                                     const crypto::PasswordHasher& hasher, SignInBackoff backoff,
                                     const SecurityEvents& events, const FacebookVerifier* facebook,
                                     int max_identities, const EmailLinkTokens* links)
    : store_(store),
      clock_(clock),
      otps_(otps),
      sessions_(sessions),
      outbox_(outbox),
      hasher_(hasher),
      backoff_(backoff),
      events_(events),
      facebook_(facebook),
      max_identities_(max_identities),
      links_(links) {}

// ---- backoff ----

std::int64_t CredentialService::wait_before_try(storage::Repositories& repos,
                                                const std::string& key_hash,
                                                std::int64_t now) const {
    const auto window = repos.sign_in_failures().since(key_hash, now - kHour + 1);
    if (window.count >= std::min(backoff_.max_failures_per_hour, 100)) {
        return std::max<std::int64_t>(1, window.oldest + kHour - now);
    }
    if (window.count >= backoff_.free_failures && backoff_.max_delay > 0) {
        const int doublings = window.count - backoff_.free_failures;
        const std::int64_t delay =
            doublings >= 30
                ? backoff_.max_delay
                : std::min<std::int64_t>(backoff_.max_delay, std::int64_t{1} << doublings);
        if (window.newest + delay > now) return window.newest + delay - now;
    }
    return 0;
}

// Counts a try before it is checked (as codes are), so that a burst of concurrent tries
// cannot slip past the backoff. The row is removed again only when the check could not
// run at all; a success clears the name's rows.
CredentialService::Reservation CredentialService::reserve_try(
    const std::string& key_hash, const std::optional<std::string>& email_key) {
    return store_.write([&](storage::Repositories& repos) {
        const auto now = clock_.now();
        repos.sign_in_failures().prune(now - kHour);
        if (const auto wait = wait_before_try(repos, key_hash, now); wait > 0)
            throw too_many_tries(wait);
        storage::SignInFailureRecord failure;
        failure.id = crypto::random_token(16);
        failure.key_hash = key_hash;
        failure.failed_at = now;
        repos.sign_in_failures().insert(failure);
        Reservation reservation{failure.id, std::nullopt};
        if (email_key) reservation.identity = repos.identities().find_by_value("EMAIL", *email_key);
        return reservation;
    });
}

void CredentialService::release_try(const std::string& try_id) {
    store_.write([&](storage::Repositories& repos) { repos.sign_in_failures().remove(try_id); });
}

void CredentialService::record_failure(const std::string& key_hash,
                                       const std::optional<std::string>& contact_id,
                                       const ClientInfo& client, const char* reason) {
    // The try itself was counted (and committed) before it was checked; this records how
    // it ended. Never the name typed: it may be a password typed in the wrong field.
    store_.write([&](storage::Repositories& repos) {
        events_.record(repos, security_event::kSignInFailed, contact_id, client,
                       {{"method", auth_method::kPassword}, {"reason", reason}});
        if (const auto wait = wait_before_try(repos, key_hash, clock_.now()); wait > 0) {
            events_.record(repos, security_event::kLockedOut, contact_id, client,
                           {{"what", "PASSWORD"}, {"retry_after", wait}});
        }
    });
}

// ---- sign-up and sign-in ----

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

    auto signed_in = store_.write([&](storage::Repositories& repos) {
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
    return signed_in;
}

SignedIn CredentialService::sign_in(const std::string& username, const std::string& password,
                                    const ClientInfo& client) {
    const auto email = normalize_email(username, "username");
    const auto key_hash = failure_key(email.key);
    const auto reservation = reserve_try(key_hash, email.key);

    // The same work whoever asks: one argon2id verification, real or dummy.
    const auto normalized = crypto::normalize_password(password);
    const bool checkable = reservation.identity && signs_in_with_password(*reservation.identity) &&
                           normalized && utf8_length(*normalized).value_or(0) <= kPasswordMaxLength;
    bool right = false;
    try {
        if (checkable) {
            right = hasher_.verify(*reservation.identity->password_hash, *normalized);
        } else {
            hasher_.verify_dummy(normalized.value_or(password));
        }
    } catch (const Error&) {
        release_try(reservation.try_id);  // the gate was full: nothing was checked
        throw;
    }
    if (!right) {
        // The counted try stays.
        record_failure(
            key_hash,
            reservation.identity ? std::optional(reservation.identity->contact_id) : std::nullopt,
            client, "WRONG_CREDENTIALS");
        throw wrong_credentials();
    }

    std::optional<std::string> rehashed;
    if (hasher_.needs_rehash(*reservation.identity->password_hash)) {
        try {
            rehashed = hasher_.hash(*normalized);
        } catch (const Error&) {
            // Busy: upgrade another time.
        }
    }
    return store_.write([&](storage::Repositories& repos) {
        const auto identity = repos.identities().find(reservation.identity->id);
        // Changed meanwhile (a new password, a removed identity): this one no longer holds.
        if (!identity || identity->password_hash != reservation.identity->password_hash ||
            !signs_in_with_password(*identity)) {
            throw wrong_credentials();
        }
        repos.sign_in_failures().clear(key_hash);
        if (rehashed) repos.identities().set_password_hash(identity->id, rehashed);
        return load_signed_in(
            repos, sessions_.start(repos, identity->contact_id, auth_method::kPassword, client));
    });
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
            // Checked like a sign-in, and counted toward the same backoff: a stolen access
            // token must not become a way to guess the password.
            const auto key_hash = failure_key(identity.value);
            const auto reservation = reserve_try(key_hash, std::nullopt);
            const auto normalized = crypto::normalize_password(*current_password);
            bool right = false;
            try {
                if (identity.password_hash && normalized) {
                    right = hasher_.verify(*identity.password_hash, *normalized);
                } else {
                    hasher_.verify_dummy(normalized.value_or(*current_password));
                }
            } catch (const Error&) {
                release_try(reservation.try_id);
                throw;
            }
            if (!right) {
                record_failure(key_hash, identity.contact_id, client, "WRONG_CURRENT_PASSWORD");
                throw forbidden("The current password is not correct");
            }
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
            repos.sign_in_failures().clear(failure_key(current->value));
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

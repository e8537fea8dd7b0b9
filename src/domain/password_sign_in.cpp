#include "domain/password_sign_in.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "domain/contact_points.h"
#include "domain/password_policy.h"
#include "util/error.h"
#include "util/strings.h"

namespace contactd::domain {
namespace {

constexpr std::int64_t kHour = 3600;

// An added EMAIL+password identity signs in at once, unproven, as a sign-up with a
// password does (the contract's "Added credentials sign in at once").
bool signs_in_with_password(const storage::IdentityRecord& i) {
    return i.provider == "EMAIL" && i.password_hash.has_value();
}

Error wrong_credentials() {
    return not_authenticated("The email or password is not correct");
}

Error too_many_tries(std::int64_t wait) {
    return rate_limited("Too many failed sign-ins for this account; try again later", wait);
}

}  // namespace

std::string sign_in_failure_key(const std::string& email_key) {
    return crypto::to_hex(crypto::sha256("EMAIL:" + email_key));
}

struct PasswordSignIn::Reservation {
    std::string try_id;
    std::optional<storage::IdentityRecord> identity;
};

struct PasswordSignIn::Checked {
    bool right = false;
    std::optional<std::string> normalized;  // the password as checked (NFC)
};

PasswordSignIn::PasswordSignIn(storage::Store& store, const Clock& clock,
                               const SessionService& sessions, const crypto::PasswordHasher& hasher,
                               SignInBackoff backoff, const SecurityEvents& events)
    : store_(store),
      clock_(clock),
      sessions_(sessions),
      hasher_(hasher),
      backoff_(backoff),
      events_(events) {}

SignedIn PasswordSignIn::sign_in(const std::string& username, const std::string& password,
                                 const ClientInfo& client) const {
    const auto email = normalize_email(username, "username");
    const auto key_hash = sign_in_failure_key(email.key);
    hasher_.refuse_if_full();  // a flood beyond the gate costs no writes
    const auto reservation = reserve_try(key_hash, email.key);
    const auto& identity = reservation.identity;
    const bool has_password = identity && signs_in_with_password(*identity);
    const auto checked = check(
        reservation, key_hash, has_password ? identity->password_hash : std::nullopt, password,
        identity ? std::optional(identity->contact_id) : std::nullopt, client, "WRONG_CREDENTIALS");
    if (!checked.right) throw wrong_credentials();

    std::optional<std::string> rehashed;
    if (hasher_.needs_rehash(*identity->password_hash)) {
        try {
            rehashed = hasher_.hash(*checked.normalized);
        } catch (const Error&) {
            // Busy: upgrade another time.
        }
    }
    return sign(sessions_, store_.write([&](storage::Repositories& repos) {
        const auto current = repos.identities().find(identity->id);
        // Changed meanwhile (a new password, a removed identity): this one no longer holds.
        if (!current || current->password_hash != identity->password_hash ||
            !signs_in_with_password(*current)) {
            throw wrong_credentials();
        }
        repos.sign_in_failures().clear(key_hash);
        if (rehashed) repos.identities().set_password_hash(current->id, rehashed);
        return load_signed_in(
            repos, sessions_.start(repos, current->contact_id, auth_method::kPassword, client));
    }));
}

bool PasswordSignIn::check_current(const storage::IdentityRecord& identity,
                                   const std::string& password, const ClientInfo& client,
                                   const char* reason) const {
    const auto key_hash = sign_in_failure_key(identity.value);
    hasher_.refuse_if_full();
    const auto reservation = reserve_try(key_hash, std::nullopt);
    return check(reservation, key_hash, identity.password_hash, password, identity.contact_id,
                 client, reason)
        .right;
}

// ---- backoff ----

std::int64_t PasswordSignIn::wait_before_try(storage::Repositories& repos,
                                             const std::string& key_hash, std::int64_t now) const {
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
PasswordSignIn::Reservation PasswordSignIn::reserve_try(
    const std::string& key_hash, const std::optional<std::string>& email_key) const {
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

PasswordSignIn::Checked PasswordSignIn::check(const Reservation& reservation,
                                              const std::string& key_hash,
                                              const std::optional<std::string>& stored,
                                              const std::string& password,
                                              const std::optional<std::string>& contact_id,
                                              const ClientInfo& client, const char* reason) const {
    // The same work whoever asks: one argon2id verification, real or dummy.
    Checked checked{false, crypto::normalize_password(password)};
    const auto& normalized = checked.normalized;
    const bool checkable =
        stored && normalized && utf8_length(*normalized).value_or(0) <= kPasswordMaxLength;
    try {
        if (checkable) {
            checked.right = hasher_.verify(*stored, *normalized);
        } else {
            hasher_.verify_dummy(normalized.value_or(password));
        }
    } catch (const Error&) {
        // The gate was full: nothing was checked.
        store_.write([&](storage::Repositories& repos) {
            repos.sign_in_failures().remove(reservation.try_id);
        });
        throw;
    }
    // A wrong password's counted try stays.
    if (!checked.right) record_failure(key_hash, contact_id, client, reason);
    return checked;
}

void PasswordSignIn::record_failure(const std::string& key_hash,
                                    const std::optional<std::string>& contact_id,
                                    const ClientInfo& client, const char* reason) const {
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

}  // namespace contactd::domain

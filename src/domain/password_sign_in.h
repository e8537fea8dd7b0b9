#pragma once
// Password checks with per-account backoff: sign-in with an email and a password, and the
// current password a password change may be proven with. Both count toward one backoff per
// sign-in name.
//
// Rules (issue 3; the contract's authenticate):
// - Sign-in answers the same (Error(NotAuthenticated), one message) for an unknown email,
//   an identity without a password and a wrong password, after one argon2id verification
//   in every case. Each try is counted before it is checked, per sign-in name whether or
//   not anyone has it: after `free_failures` failures in an hour each further try waits 1,
//   2, 4, ... up to `max_delay` seconds after the last, and never more than
//   `max_failures_per_hour` (at most 100) are checked in an hour. During a wait every try,
//   the right password too, gets the same 429 with Retry-After, without being checked.
//   A success forgets the failures.
// - A try that could not be checked at all (the hashing gate was full: Error(RateLimited))
//   is not counted; one that meets a full gate is refused before anything is written.
// Argon2 runs outside storage transactions: it takes tens of milliseconds and writes are
// serialized. Thread-safe.
#include <cstdint>
#include <optional>
#include <string>

#include "crypto/password.h"
#include "domain/auth_service.h"
#include "domain/security_events.h"
#include "domain/session_service.h"
#include "storage/store.h"

namespace contactd::domain {

struct SignInBackoff {
    int free_failures = 5;
    std::int64_t max_delay = 900;     // seconds
    int max_failures_per_hour = 100;  // a hard cap, whatever the delays
};

// The key under which password failures for the sign-in name `email_key` (a lower-cased
// email) are counted: a hash, so that nobody's typing is kept in clear.
std::string sign_in_failure_key(const std::string& email_key);

class PasswordSignIn {
  public:
    PasswordSignIn(storage::Store& store, const Clock& clock, const SessionService& sessions,
                   const crypto::PasswordHasher& hasher, SignInBackoff backoff,
                   const SecurityEvents& events);

    // Error(NotAuthenticated) for a wrong email or password, Error(RateLimited) during
    // a backoff or when the hashing gate is full.
    SignedIn sign_in(const std::string& username, const std::string& password,
                     const ClientInfo& client) const;

    // Whether `password` is `identity`'s (an EMAIL identity), checked like a sign-in and
    // counted toward the same backoff: a stolen access token must not become a way to guess
    // the password. A wrong one is recorded with `reason`. Error(RateLimited) as sign_in.
    bool check_current(const storage::IdentityRecord& identity, const std::string& password,
                       const ClientInfo& client, const char* reason) const;

  private:
    struct Reservation;
    struct Checked;
    Reservation reserve_try(const std::string& key_hash,
                            const std::optional<std::string>& email_key) const;
    // One counted check of `password` against `stored` (none: a dummy verification, the
    // same work). A wrong password is recorded; one the gate refused is uncounted again.
    Checked check(const Reservation& reservation, const std::string& key_hash,
                  const std::optional<std::string>& stored, const std::string& password,
                  const std::optional<std::string>& contact_id, const ClientInfo& client,
                  const char* reason) const;
    // Records SIGN_IN_FAILED for a checked wrong password, and LOCKED_OUT when the
    // account must now wait before its next try.
    void record_failure(const std::string& key_hash, const std::optional<std::string>& contact_id,
                        const ClientInfo& client, const char* reason) const;
    std::int64_t wait_before_try(storage::Repositories& repos, const std::string& key_hash,
                                 std::int64_t now) const;

    storage::Store& store_;
    const Clock& clock_;
    const SessionService& sessions_;
    const crypto::PasswordHasher& hasher_;
    const SignInBackoff backoff_;
    const SecurityEvents& events_;
};

}  // namespace contactd::domain

#pragma once
// The server's secret keys: the access-token keys (one signs, earlier ones still verify)
// and the one-time-code key.
//
// Access-token keys come from one of two places:
// - CONTACTD_JWT_SECRET signs; CONTACTD_JWT_PREVIOUS_SECRETS only verify (the operator
//   rotates by moving the secret into the previous list and setting a new one).
// - Without CONTACTD_JWT_SECRET, a key ring kept in the database: a key is generated on
//   first start; `contactd keys rotate` (rotate_signing_key) adds a new signing key and
//   keeps the old ones verifying for kRetiredKeyLifetime after they stop signing, then
//   drops them. Previous secrets from the configuration verify here too.
// The server reads its keys only at start: a rotation takes effect at the next restart.
//
// The one-time-code key must not change when signing keys rotate (a code issued before a
// rotation, or anything else keyed on it, must still work). It is derived, as before key
// rotation existed, from the *first* signing key, and then kept apart from the key ring:
// - keys in the database: the first key generated stays in the setting `jwt_secret` for
//   good, even after it has stopped signing and verifying, and the code key is derived
//   from it at each start;
// - CONTACTD_JWT_SECRET: the code key is stored in the database wrapped (encrypted and
//   authenticated) under the configured secret, so that a copy of the database alone does
//   not reveal it. Each start unwraps it with the current or a previous secret and wraps it
//   again under the current one. If none of them opens it (the operator replaced the
//   secret without listing the old one), a new code key is made and a warning logged.
//
// Errors: std::runtime_error for damaged stored keys or a rotation that cannot apply.
// Thread-safety: the functions run one store transaction each.
#include <cstdint>
#include <string>
#include <vector>

#include "app/config.h"
#include "domain/security_events.h"
#include "storage/store.h"

namespace contactd {

struct KeyMaterial {
    std::string jwt_key;                         // signs access tokens
    std::vector<std::string> jwt_previous_keys;  // verify only
    std::string otp_key;
};

// How long a database key keeps verifying after it stopped signing: the longest access
// token lifetime CONTACTD_ACCESS_TTL allows (24 h), plus an hour for clocks and restarts.
inline constexpr std::int64_t kRetiredKeyLifetime = 24 * 3600 + 3600;

KeyMaterial load_key_material(storage::Store& store, const Config& config, std::int64_t now);

struct KeyRotation {
    std::string signing_kid;                  // the new signing key
    std::vector<std::string> verifying_kids;  // older keys that still verify
    std::vector<std::string> dropped_kids;    // retired longer than kRetiredKeyLifetime
};

// Makes a new signing key in the database key ring. Throws std::runtime_error when
// CONTACTD_JWT_SECRET is set (the keys are then the configuration's, not the database's).
// Records SIGNING_KEY_ROTATED in the same transaction as the new key ring.
KeyRotation rotate_signing_key(storage::Store& store, const Config& config, std::int64_t now,
                               const domain::SecurityEvents& events);

}  // namespace contactd

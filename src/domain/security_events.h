#pragma once
// Security events: what happened to whose account, from which address and request.
//
// record() writes an event in the caller's transaction, so an event and what it
// describes commit together or not at all (a wrong code's event commits with its
// counted attempt: domain/transaction.h). The detail names what happened (a method, a
// reason, a count, an id), never a code, password, token, API key or Authorization value:
// record() refuses (std::logic_error, a programming error) a detail key that names one.
// Listed, newest first, by GET /backoffice/v1/security_events. Thread-safe.
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "domain/client_info.h"
#include "domain/paging.h"
#include "storage/store.h"
#include "util/clock.h"
#include "util/metrics.h"

namespace contactd::domain {

namespace security_event {
inline constexpr const char* kSignInSucceeded = "SIGN_IN_SUCCEEDED";
inline constexpr const char* kSignInFailed = "SIGN_IN_FAILED";
inline constexpr const char* kCodeSent = "CODE_SENT";
inline constexpr const char* kCodeFailed = "CODE_FAILED";
inline constexpr const char* kLockedOut = "LOCKED_OUT";
inline constexpr const char* kRefreshTokenReused = "REFRESH_TOKEN_REUSED";
inline constexpr const char* kSessionRevoked = "SESSION_REVOKED";
inline constexpr const char* kPasswordChanged = "PASSWORD_CHANGED";
inline constexpr const char* kPasswordResetRequested = "PASSWORD_RESET_REQUESTED";
inline constexpr const char* kContactDeleted = "CONTACT_DELETED";
inline constexpr const char* kSigningKeyRotated = "SIGNING_KEY_ROTATED";
inline constexpr const char* kApiKeyCreated = "APIKEY_CREATED";
inline constexpr const char* kApiKeyRevoked = "APIKEY_REVOKED";

// True for one of the types above.
bool is_known_type(const std::string& type);
}  // namespace security_event

struct SecurityEventFilter {
    std::optional<std::string> contact_id;
    std::optional<std::string> type;  // one of security_event::*
};

class SecurityEvents {
  public:
    // Sign-in events are also counted in `metrics` (contactd_sign_ins_total) when given.
    SecurityEvents(storage::Store& store, const Clock& clock,
                   metrics::ServiceMetrics* metrics = nullptr);

    // Adds an event in the caller's transaction. `detail` is a JSON object of plain values.
    void record(storage::Repositories& repos, const char* type,
                const std::optional<std::string>& contact_id, const ClientInfo& client,
                const nlohmann::json& detail = nlohmann::json::object()) const;

    // Newest first. Throws Error(InvalidValue) naming `type` for an unknown type, or
    // `page`/`size` when out of range.
    Page<storage::SecurityEventRecord> list(const SecurityEventFilter& filter,
                                            const PageRequest& page) const;

  private:
    void count_sign_in(std::string_view type, const nlohmann::json& detail) const;

    storage::Store& store_;
    const Clock& clock_;
    metrics::ServiceMetrics* metrics_;
};

}  // namespace contactd::domain

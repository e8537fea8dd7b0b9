#pragma once
// Emailed link tokens: a password reset (`RESET_PASSWORD`) or an email verification
// (`VERIFY_EMAIL`), each a link `{public_url}/<page>?token=<token>`.
//
// A token is 256 bits from the CSPRNG (base64url, 43 characters); only its SHA-256 is
// stored. It works once (a conditional update, so of concurrent redemptions exactly one
// wins), until its purpose's TTL, and only while it is the newest of its destination and
// purpose: issuing one replaces every older live one. A token issued without a contact
// is a decoy for an address nobody has: it is stored and counted like a real one (so that
// known and unknown addresses meet the same limits and answer alike) and never redeems.
//
// Issuing obeys per destination and purpose the limits codes obey (domain/otp_service.h):
// the resend interval, max_per_hour (a sliding hour) and max_per_day (per UTC day,
// counted in storage::LimiterRepository under a keyed hash of the destination); beyond
// them Error(RateLimited) with the wait. Thread-safe: immutable; all state is in storage.
#include <tl/expected.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "storage/repositories.h"
#include "util/clock.h"

namespace contactd::domain {

namespace link_purpose {
inline constexpr const char* kResetPassword = "RESET_PASSWORD";
inline constexpr const char* kVerifyEmail = "VERIFY_EMAIL";
}  // namespace link_purpose

struct EmailLinkPolicy {
    std::string public_url = "http://127.0.0.1:8080";  // CONTACTD_PUBLIC_URL, no trailing '/'
    std::int64_t reset_ttl = 1800;                     // CONTACTD_RESET_TTL
    std::int64_t verify_ttl = 86400;
    std::int64_t resend_interval = 60;
    int max_per_hour = 5;
    int max_per_day = 10;
};

struct LinkRequest {
    std::string purpose;                    // link_purpose::*
    std::string destination;                // lower-cased email
    std::optional<std::string> contact_id;  // none: a decoy
    std::optional<std::string> identity_id;
    bool claimant = false;  // a verification sent to whoever set the identity up
};

struct IssuedLink {
    storage::EmailLinkTokenRecord record;
    std::string token;         // plaintext, only for the message; never stored
    std::string url;           // {public_url}/reset-password?token=… or /verify-email?token=…
    std::int64_t minutes = 0;  // how long it works, rounded up
};

enum class LinkFailure { Unknown, Spent, Expired };

class EmailLinkTokens {
  public:
    // `limit_key` keys the hash under which daily counts are kept (no email in the limiter).
    EmailLinkTokens(const Clock& clock, std::string limit_key, EmailLinkPolicy policy);

    // Throws Error(RateLimited) beyond a limit; otherwise stores the new token (replacing
    // the older live ones of its destination and purpose) and counts it.
    IssuedLink issue(storage::Repositories& repos, const LinkRequest& request) const;

    // The live token of `purpose` named by `token`, without using it up.
    tl::expected<storage::EmailLinkTokenRecord, LinkFailure> find(storage::Repositories& repos,
                                                                  const std::string& purpose,
                                                                  const std::string& token) const;
    // The same, and uses it up.
    tl::expected<storage::EmailLinkTokenRecord, LinkFailure> redeem(storage::Repositories& repos,
                                                                    const std::string& purpose,
                                                                    const std::string& token) const;

    const EmailLinkPolicy& policy() const { return policy_; }

  private:
    void count_for_day(storage::Repositories& repos, const LinkRequest& request,
                       std::int64_t now) const;

    const Clock& clock_;
    const std::string limit_key_;
    const EmailLinkPolicy policy_;
};

}  // namespace contactd::domain

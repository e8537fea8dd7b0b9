#pragma once
// One-time codes: issue, and redeem exactly once.
//
// A code is 6 digits from the CSPRNG. Only HMAC-SHA-256(server key, id|destination|
// purpose|code) is stored, so a code is bound to where it was sent and what for. Redeem
// counts the attempt before comparing (in constant time), refuses after max_attempts,
// and consumes with a conditional update, so of concurrent correct submissions exactly
// one wins. Thread-safe: immutable after construction; all state is in storage.
//
// Issuing is where every code's limits meet (issue 8): an SMS only to an allowed country,
// then per destination the resend interval, max_per_hour (a sliding hour) and
// max_per_day (per UTC day, counted in storage::LimiterRepository under a keyed hash of
// the destination), then the SmsBudget's daily caps. Decoys count like real codes.
//
// Test identities (CONTACTD_TEST_IDENTITIES, for app-store review and automated tests):
// a destination in OtpPolicy::fixed_codes gets that code, stored hashed like any other;
// none of the limits above applies to it (nothing is sent: IssuedCode::fixed tells the
// OutboxWriter), but redeem's attempt limit does.
#include <tl/expected.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/sms_budget.h"
#include "storage/repositories.h"
#include "util/clock.h"

namespace contactd::domain {

struct OtpPolicy {
    std::int64_t ttl = 300;
    int max_attempts = 5;
    std::int64_t resend_interval = 60;
    int max_per_hour = 5;
    int max_per_day = 10;
    // Test identities: normalized destination (E.164 or lower-cased email) -> 6-digit code.
    std::map<std::string, std::string> fixed_codes;
};

namespace otp_purpose {
inline constexpr const char* kSignIn = "SIGN_IN";
inline constexpr const char* kRegister = "REGISTER";
inline constexpr const char* kVerifyIdentity = "VERIFY_IDENTITY";
}  // namespace otp_purpose

struct OtpRequest {
    std::string channel;                    // SMS | EMAIL
    std::string destination;                // E.164 or lower-cased email
    std::string purpose;                    // otp_purpose::*
    std::optional<std::string> contact_id;  // none: a decoy for an unknown destination
    std::optional<std::string> identity_id;
    std::string field = "phone_number";  // the request field that named an SMS destination
};

struct IssuedCode {
    storage::OtpRecord record;
    std::string code;    // plaintext, only to put in the message; never stored
    bool fixed = false;  // a test identity's fixed code: no message is sent
};

enum class OtpFailure { Unknown, Wrong, Expired, Burned, Used };

class OtpService {
  public:
    OtpService(const Clock& clock, std::string key, OtpPolicy policy, const SmsBudget& sms);

    // Throws Error(InvalidValue) naming request.field for an SMS to a country not allowed;
    // Error(RateLimited) when the destination had a code less than resend_interval ago,
    // max_per_hour in the last hour or max_per_day today, or when the SMS budget is spent;
    // otherwise stores a new code (and its counts).
    IssuedCode issue(storage::Repositories& repos, const OtpRequest& request) const;

    // Failures are values, not exceptions, so that the caller can commit the counted
    // attempt before reporting them.
    tl::expected<storage::OtpRecord, OtpFailure> redeem(storage::Repositories& repos,
                                                        const std::string& otp_id,
                                                        std::string_view code) const;

    const OtpPolicy& policy() const { return policy_; }
    const SmsBudget& sms() const { return sms_; }

  private:
    std::string mac(const storage::OtpRecord& otp, std::string_view code) const;
    // Every limit on sending a code to the destination; throws as issue() says.
    void check_limits(storage::Repositories& repos, const OtpRequest& request,
                      std::int64_t now) const;
    void count_for_day(storage::Repositories& repos, const std::string& destination,
                       std::int64_t now) const;

    const Clock& clock_;
    const std::string key_;
    const OtpPolicy policy_;
    const SmsBudget& sms_;
};

}  // namespace contactd::domain

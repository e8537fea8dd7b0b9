#pragma once
// SMS pumping defences (issue 8; the contract's "Security behaviour"): the countries text
// messages may go to, and caps on how many go out per UTC day, in all and per country.
//
// Every SMS counts, real or not: a code "sent" to a phone nobody has (a decoy, which
// queues no message) is counted exactly like a real one. Otherwise the caps would leak
// who is registered: with the day's budget one short of full, a request for a stranger's
// number would use the last slot only if the number is registered, and the next request
// would tell. Counting decoys costs nothing that the attacker could not cost with real
// numbers anyway.
//
// Counting runs inside the caller's storage transaction: a request that fails later rolls
// its counts back with everything else, and the counts of one that commits are durable
// and shared by every process on the database. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "storage/repositories.h"
#include "util/clock.h"

namespace contactd::domain {

struct SmsPolicy {
    std::set<std::string> countries;  // ISO 3166-1 alpha-3, upper case; empty: every country
    int daily_limit = 1000;
    int daily_limit_per_country = 200;
};

class SmsBudget {
  public:
    SmsBudget(const Clock& clock, SmsPolicy policy);

    // The country of an E.164 number: its ISO alpha-3 code, or libphonenumber's region
    // ("001" for non-geographic numbers such as +882 satellite ones) when it has none.
    static std::string country_of(const std::string& e164);

    // True when SMS may go to this phone's country (a non-geographic number only when
    // every country is allowed).
    bool allows(const std::string& e164) const;
    // Throws Error(InvalidValue) naming `field` when it does not.
    void require_allowed(const std::string& e164, const std::string& field) const;

    // Counts one SMS to `e164` in today's total and in its country's. Throws
    // Error(RateLimited), with Retry-After until the next UTC day, when either is full,
    // and then logs a warning (once a day per cap; never the number).
    void count(storage::Repositories& repos, const std::string& e164) const;

    const SmsPolicy& policy() const { return policy_; }

  private:
    void warn_once(const std::string& cap, std::int64_t day, const std::string& message) const;

    const Clock& clock_;
    const SmsPolicy policy_;
    mutable std::mutex warned_mutex_;  // guards warned_
    // The day each cap last logged its warning; one entry per country at most.
    mutable std::map<std::string, std::int64_t> warned_;
};

// Seconds in a day, and the UTC day of a time (days since the epoch).
inline constexpr std::int64_t kDay = 86400;
inline std::int64_t utc_day(std::int64_t now) {
    return now >= 0 ? now / kDay : (now - kDay + 1) / kDay;
}

}  // namespace contactd::domain

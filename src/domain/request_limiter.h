#pragma once
// Per-client-address limits (issue 8): a token bucket per address and budget, kept in
// storage (storage::LimiterRepository) so that it holds after a restart and across every
// contactd process on the database.
//
// Two budgets: Send for requests that send a message (register, request-otp,
// authenticate by code, adding identities), stricter than Check for those that only
// check a secret (validate-otp, password and Facebook sign-in, refresh).
//
// Cost: an allowed request is one upsert in its own relaxed transaction (no fsync), which
// commits even when the request then fails, as it must: failed guesses are what this
// counts. A refused request is answered from a bounded in-memory RefusalCache until its
// wait is over, without touching storage. That cache is sound with several processes:
// another process can only make the wait longer, never shorter. Thread-safe.
#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/store.h"
#include "util/clock.h"
#include "util/refusal_cache.h"

namespace contactd::domain {

enum class RequestBudget { Send, Check };

// `burst` requests at once, refilled at one per `interval` seconds.
struct BucketPolicy {
    int burst = 30;
    double interval = 2.0;
};

class RequestLimiter {
  public:
    RequestLimiter(storage::Store& store, const Clock& clock, BucketPolicy send, BucketPolicy check,
                   std::size_t cache_capacity = 10000);

    // 0 if allowed (and counted); otherwise the seconds to wait (at least 1).
    std::int64_t acquire(RequestBudget budget, const std::string& address);

    // Refusals held in memory (bounded by cache_capacity), for tests.
    std::size_t cached_refusals() const { return refused_.size(); }

  private:
    storage::Store& store_;
    const Clock& clock_;
    const BucketPolicy send_;
    const BucketPolicy check_;
    RefusalCache refused_;
};

}  // namespace contactd::domain

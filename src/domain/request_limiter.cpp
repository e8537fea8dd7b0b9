#include "domain/request_limiter.h"

#include <algorithm>
#include <cmath>

namespace contactd::domain {

RequestLimiter::RequestLimiter(storage::Store& store, const Clock& clock, BucketPolicy send,
                               BucketPolicy check, std::size_t cache_capacity)
    : store_(store), clock_(clock), send_(send), check_(check), refused_(cache_capacity) {}

std::int64_t RequestLimiter::acquire(RequestBudget budget, const std::string& address) {
    const auto& policy = budget == RequestBudget::Send ? send_ : check_;
    const std::string key =
        (budget == RequestBudget::Send ? "addr|send|" : "addr|check|") + address;
    const auto now = clock_.now();
    if (const auto wait = refused_.remaining(key, now); wait > 0) return wait;
    const auto take = store_.write_relaxed([&](storage::Repositories& repos) {
        return repos.limiter().take_token(key, static_cast<double>(now), policy.interval,
                                          policy.burst);
    });
    if (take.taken) return 0;
    // The next token comes when the bucket is `burst - 1` intervals short of full.
    const double next = take.full_at - policy.interval * (policy.burst - 1);
    const auto wait = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil(next - static_cast<double>(now))));
    refused_.refuse(key, now + wait, now);
    return wait;
}

}  // namespace contactd::domain

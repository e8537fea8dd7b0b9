#include "util/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace contactd {

RateLimiter::RateLimiter(const Clock& clock, double per_minute, double burst)
    : clock_(clock), per_second_(per_minute / 60.0), burst_(burst) {}

std::int64_t RateLimiter::acquire(const std::string& key) {
    const auto now = clock_.now();
    std::lock_guard lock(mutex_);
    prune(now);
    auto [it, inserted] = buckets_.try_emplace(key, Bucket{burst_, now});
    Bucket& bucket = it->second;
    bucket.tokens =
        std::min(burst_, bucket.tokens + static_cast<double>(now - bucket.updated) * per_second_);
    bucket.updated = now;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return 0;
    }
    return std::max<std::int64_t>(
        1, static_cast<std::int64_t>(std::ceil((1.0 - bucket.tokens) / per_second_)));
}

void RateLimiter::prune(std::int64_t now) {
    if (now - last_prune_ < 60) return;
    last_prune_ = now;
    std::erase_if(buckets_, [&](const auto& entry) {
        const auto& b = entry.second;
        return b.tokens + static_cast<double>(now - b.updated) * per_second_ >= burst_;
    });
}

}  // namespace contactd

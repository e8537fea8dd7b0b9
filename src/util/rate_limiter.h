#pragma once
// A token bucket per key (e.g. per client address): `burst` requests at once, refilled
// at `per_minute` a minute. Memory stays bounded: idle full buckets are dropped.
// Thread-safe.
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "util/clock.h"

namespace contactd {

class RateLimiter {
  public:
    RateLimiter(const Clock& clock, double per_minute, double burst);

    // 0 if allowed (and counted); otherwise the seconds to wait.
    std::int64_t acquire(const std::string& key);

  private:
    struct Bucket {
        double tokens;
        std::int64_t updated;
    };
    void prune(std::int64_t now);

    const Clock& clock_;
    const double per_second_;
    const double burst_;
    std::mutex mutex_;  // guards buckets_, last_prune_
    std::unordered_map<std::string, Bucket> buckets_;
    std::int64_t last_prune_ = 0;
};

}  // namespace contactd

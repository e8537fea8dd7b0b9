#include "util/refusal_cache.h"

#include <algorithm>

namespace contactd {

RefusalCache::RefusalCache(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}

std::int64_t RefusalCache::remaining(const std::string& key, std::int64_t now) {
    std::lock_guard lock(mutex_);
    const auto it = until_.find(key);
    if (it == until_.end()) return 0;
    if (it->second <= now) {
        until_.erase(it);
        return 0;
    }
    return it->second - now;
}

void RefusalCache::refuse(const std::string& key, std::int64_t until, std::int64_t now) {
    if (until <= now) return;
    std::lock_guard lock(mutex_);
    if (const auto it = until_.find(key); it != until_.end()) {
        it->second = std::max(it->second, until);
        return;
    }
    if (until_.size() >= capacity_) make_room(now);
    until_.emplace(key, until);
}

void RefusalCache::make_room(std::int64_t now) {
    std::erase_if(until_, [now](const auto& entry) { return entry.second <= now; });
    if (until_.size() < capacity_) return;
    // Every key is still refused: forget the one whose refusal ends first.
    const auto soonest =
        std::min_element(until_.begin(), until_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    until_.erase(soonest);
}

std::size_t RefusalCache::size() const {
    std::lock_guard lock(mutex_);
    return until_.size();
}

}  // namespace contactd

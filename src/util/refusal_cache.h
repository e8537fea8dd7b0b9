#pragma once
// Remembers, per key, until when requests are refused, so that a flood from one client is
// answered from memory instead of the database. Holds at most `capacity` keys: when full,
// it drops the keys whose refusal has ended, and if none has, the one that ends soonest
// (a forgotten key only costs a database look-up, never a wrong answer).
// Thread-safe.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace contactd {

class RefusalCache {
  public:
    explicit RefusalCache(std::size_t capacity);

    // The seconds `key` is still refused at `now`; 0 when it is not (known to be).
    std::int64_t remaining(const std::string& key, std::int64_t now);
    // Refuse `key` until `until`.
    void refuse(const std::string& key, std::int64_t until, std::int64_t now);
    // How many keys are held (never more than the capacity).
    std::size_t size() const;

  private:
    void make_room(std::int64_t now);

    const std::size_t capacity_;
    mutable std::mutex mutex_;  // guards until_
    std::unordered_map<std::string, std::int64_t> until_;
};

}  // namespace contactd

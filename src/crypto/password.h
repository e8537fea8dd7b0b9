#pragma once
// Password hashing: argon2id (libargon2) with OWASP's parameters, stored as a PHC string
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), 16 random bytes of salt.
//
// Hashing costs ~19 MiB and tens of milliseconds, so every hash and verify passes a gate:
// at most `max_concurrent` run at once, at most `max_waiting` more wait, each at most
// `max_wait`. A request that cannot get a slot fails fast with Error(RateLimited)
// (HTTP 429, Retry-After 1) instead of piling up: a burst of sign-ins can neither
// exhaust memory nor hold every HTTP worker thread.
//
// The hashing itself runs on the hasher's own `max_concurrent` threads, started with a
// lower CPU priority (nice +kHashNice): the caller waits for its result as before, but on
// a machine with few cores a burst of sign-ins no longer takes the CPU from the workers
// answering cheap requests (GET me) next to it. Each of those threads keeps its 19 MiB
// of argon2 memory from one hash to the next (argon2 wipes it after each) and gives it
// back after kKeepMemory without a hash: mapped afresh for every hash, its first touch
// was 4,864 page faults, which on a paravirtualised 2-core machine cost more CPU than
// argon2 itself and held hashing to a third of its speed. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "crypto/argon2_phc.h"

namespace contactd::crypto {

// Prepares a password for hashing as RFC 8265's OpaqueString does: Unicode NFC, so the
// same characters typed on different systems give the same password. nullopt when
// `password` is not valid UTF-8. Nothing is ever cut off.
std::optional<std::string> normalize_password(std::string_view password);

struct PasswordHasherOptions {
    Argon2Params params;
    int max_concurrent = 2;
    int max_waiting = 8;
    std::chrono::milliseconds max_wait{2000};
};

class PasswordHasher {
  public:
    static constexpr int kHashNice = 10;
    // Long enough to span the gaps of a busy spell, short enough that a few sign-ins
    // do not hold 19 MiB a thread for long after them.
    static constexpr std::chrono::seconds kKeepMemory{1};

    explicit PasswordHasher(PasswordHasherOptions options = {});
    ~PasswordHasher();
    PasswordHasher(const PasswordHasher&) = delete;
    PasswordHasher& operator=(const PasswordHasher&) = delete;

    // A PHC string with a fresh random salt. Throws Error(RateLimited) when the gate is
    // full, std::runtime_error if argon2 fails.
    std::string hash(std::string_view password) const;

    // Hashes `password` as the stored PHC string says and compares in constant time;
    // false for a wrong password or a malformed string. Throws Error(RateLimited) when
    // the gate is full.
    bool verify(const std::string& phc, std::string_view password) const;

    // Costs what verify() costs, against a hash of a random secret, and returns nothing:
    // for an unknown account, so that its answer takes as long as a wrong password.
    void verify_dummy(std::string_view password) const;

    // Throws the gate's Error(RateLimited) when a hash or verify asked now would be refused
    // at once (every slot running, the queue full), so that a caller can refuse before it
    // writes anything for the try. Advisory: the gate itself still decides.
    void refuse_if_full() const;

    // True when `phc` was made with other parameters than the current ones.
    bool needs_rehash(std::string_view phc) const;

    // The most hashes that ever ran at once (for tests and diagnostics).
    int peak_concurrent() const;

    // A held slot of the gate. Tests use it to fill the gate.
    class Slot {
      public:
        Slot(Slot&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
        Slot& operator=(Slot&&) = delete;
        ~Slot();

      private:
        friend class PasswordHasher;
        explicit Slot(const PasswordHasher* owner) : owner_(owner) {}
        const PasswordHasher* owner_;
    };
    // Waits for a slot as hash() and verify() do; throws Error(RateLimited) if none.
    Slot acquire() const;

  private:
    void release() const;
    std::string encode(std::string_view password, const std::string& salt) const;
    bool matches(const Argon2Phc& stored, std::string_view password) const;
    // Runs `job` on one of the hashing threads and waits for it; rethrows what it threw.
    void on_pool(const std::function<void()>& job) const;
    void serve_pool();

    const PasswordHasherOptions options_;
    const std::string prefix_;  // phc_prefix(options_.params)
    Argon2Phc dummy_;           // the hash of a random secret
    mutable std::mutex mutex_;
    mutable std::condition_variable freed_;
    mutable int running_ = 0;
    mutable int waiting_ = 0;
    mutable int peak_ = 0;

    struct Job {
        const std::function<void()>& run;
        std::exception_ptr error;
        bool done;
    };
    mutable std::mutex pool_mutex_;  // guards jobs_, stopping_ and every Job's done
    mutable std::condition_variable pool_work_;
    mutable std::condition_variable job_done_;
    mutable std::deque<Job*> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> pool_;
};

}  // namespace contactd::crypto

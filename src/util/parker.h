#pragma once
// Parks one thread until another hands it something: a reusable wake-up permit, like a
// binary semaphore with one waiter, that may also stop waiting after a time.
//
// Why not a condition variable: glibc re-takes a condition variable's mutex after the
// wait marked as contended, so the unlock that follows every wake-up is one more futex
// system call, and every hand-off to an HTTP worker paid it. Why not
// std::binary_semaphore: see util/completion.h (it spins before it sleeps).
//
// unpark() from any thread; park()/park_for() from the one owning thread. An unpark()
// with nobody parked is kept for the next park (one permit, not a count). Linux only.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace contactd {

class Parker {
  public:
    void park();
    // True when unparked (the permit is used up), false when `timeout` passed first.
    bool park_for(std::chrono::milliseconds timeout);
    void unpark();

  private:
    enum : std::uint32_t { kEmpty = 0, kSleeping = 1, kUnparked = 2 };
    bool take_permit();
    std::atomic<std::uint32_t> state_{kEmpty};
};

}  // namespace contactd

#include "util/completion.h"

#include "util/futex.h"

namespace contactd {

void Completion::wait() {
    std::uint32_t seen = kPending;
    // Announce the sleep, so that done() knows a wake-up is needed.
    if (state_.compare_exchange_strong(seen, kSleeping, std::memory_order_acquire) ||
        seen == kSleeping) {
        // The kernel sleeps only while the word still says kSleeping; wake-ups that find
        // it changed, and spurious ones, loop back to check.
        while (state_.load(std::memory_order_acquire) != kDone) futex::wait(state_, kSleeping);
    }
}

void Completion::done() {
    // The waiter may return and destroy this object as soon as it sees kDone: the wake
    // only hands the kernel the address (util/futex.h).
    if (state_.exchange(kDone, std::memory_order_release) == kSleeping) futex::wake_one(state_);
}

}  // namespace contactd

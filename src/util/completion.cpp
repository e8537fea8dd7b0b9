#include "util/completion.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace contactd {
namespace {

void futex(std::atomic<std::uint32_t>& word, int op, std::uint32_t value) {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), op | FUTEX_PRIVATE_FLAG, value,
              nullptr, nullptr, 0);
}

}  // namespace

void Completion::wait() {
    std::uint32_t seen = kPending;
    // Announce the sleep, so that done() knows a wake-up is needed.
    if (state_.compare_exchange_strong(seen, kSleeping, std::memory_order_acquire) ||
        seen == kSleeping) {
        // The kernel sleeps only while the word still says kSleeping; wake-ups that find
        // it changed, and spurious ones, loop back to check.
        while (state_.load(std::memory_order_acquire) != kDone)
            futex(state_, FUTEX_WAIT, kSleeping);
    }
}

void Completion::done() {
    // The waiter may return and destroy this object as soon as it sees kDone: the wake
    // below only hands the kernel the address (a private futex's key; nothing is read
    // from it), so a late wake can at most wake a stranger spuriously.
    if (state_.exchange(kDone, std::memory_order_release) == kSleeping)
        futex(state_, FUTEX_WAKE, 1);
}

}  // namespace contactd

#include "util/parker.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace contactd {
namespace {

void futex(std::atomic<std::uint32_t>& word, int op, std::uint32_t value,
           const timespec* timeout = nullptr) {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), op | FUTEX_PRIVATE_FLAG, value,
              timeout, nullptr, 0);
}

}  // namespace

bool Parker::take_permit() {
    std::uint32_t seen = kUnparked;
    return state_.compare_exchange_strong(seen, kEmpty, std::memory_order_acquire);
}

void Parker::park() {
    while (!park_for(std::chrono::hours(24))) {
    }
}

bool Parker::park_for(std::chrono::milliseconds timeout) {
    if (take_permit()) return true;
    std::uint32_t seen = kEmpty;
    // Announce the sleep, so that unpark() knows a wake-up is needed; failing, the permit
    // just came.
    if (!state_.compare_exchange_strong(seen, kSleeping, std::memory_order_acquire))
        return take_permit();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) {
            // Back to empty, unless the permit came at the last moment.
            seen = kSleeping;
            if (state_.compare_exchange_strong(seen, kEmpty, std::memory_order_acquire))
                return false;
            return take_permit();
        }
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
        const timespec relative{static_cast<time_t>(ns / 1'000'000'000),
                                static_cast<long>(ns % 1'000'000'000)};
        // Sleeps only while the word still says kSleeping; an unpark changes it first.
        futex(state_, FUTEX_WAIT, kSleeping, &relative);
        if (take_permit()) return true;
    }
}

void Parker::unpark() {
    if (state_.exchange(kUnparked, std::memory_order_release) == kSleeping)
        futex(state_, FUTEX_WAKE, 1);
}

}  // namespace contactd

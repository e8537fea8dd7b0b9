#include "util/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace contactd::futex {

void wait(std::atomic<std::uint32_t>& word, std::uint32_t expected,
          std::chrono::nanoseconds timeout) {
    timespec relative{};
    timespec* limit = nullptr;
    if (timeout > std::chrono::nanoseconds::zero()) {
        relative.tv_sec = static_cast<time_t>(timeout.count() / 1'000'000'000);
        relative.tv_nsec = static_cast<long>(timeout.count() % 1'000'000'000);
        limit = &relative;
    }
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT | FUTEX_PRIVATE_FLAG,
              expected, limit, nullptr, 0);
}

void wake_one(std::atomic<std::uint32_t>& word) {
    ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE | FUTEX_PRIVATE_FLAG,
              1, nullptr, nullptr, 0);
}

}  // namespace contactd::futex

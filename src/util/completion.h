#pragma once
// A one-shot event: one thread waits until another says it is done.
//
// Why not std::binary_semaphore: libstdc++ 12's acquire() spins on sched_yield before it
// sleeps. A request waiting for its group commit waits milliseconds, so the spin only
// burnt CPU that the writer and the HTTP workers needed: on the 2-core benchmark machine
// it was a tenth of the server's CPU during phone registrations, four sched_yield calls
// per write. This sleeps on a futex at once and wakes with one call, and only when the
// waiter is actually asleep.
//
// Linux only (util/futex.h), as the server is (epoll).
//
// done() may be called once; wait() returns once it has been, at once if it already was.
// The object may be destroyed as soon as wait() returns (done() touches no member after
// its waiter may have gone).
#include <atomic>
#include <cstdint>

namespace contactd {

class Completion {
  public:
    void wait();
    void done();

  private:
    enum : std::uint32_t { kPending = 0, kSleeping = 1, kDone = 2 };
    std::atomic<std::uint32_t> state_{kPending};
};

}  // namespace contactd

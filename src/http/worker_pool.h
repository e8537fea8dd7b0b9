#pragma once
// An elastic pool of worker threads for complete requests. It starts a thread when a
// task arrives and none is idle, up to `max_threads`; a thread idle for `idle_exit` ends,
// down to `min_threads`. Tasks beyond the cap wait in order. Workers never wait on a
// socket (the connection loop hands them whole requests), so the cap bounds concurrent
// handler work, not open connections.
//
// A task goes straight to an idle worker: submit() hands it to the worker that went idle
// last (its stack and caches are the warmest) and wakes that one thread on a futex of its
// own, after letting go of the pool's lock. So a hand-over costs one wake and one sleep,
// and the woken worker never queues for the lock its waker still holds (as a condition
// variable signalled under the lock makes it).
//
// Thread-safe. shutdown() runs every task already submitted, then joins all threads;
// submit() after shutdown() is ignored.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace contactd::http {

class WorkerPool {
  public:
    WorkerPool(std::size_t min_threads, std::size_t max_threads,
               std::chrono::milliseconds idle_exit);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void submit(std::function<void()> task);
    void shutdown();

    std::size_t threads() const;  // threads alive now

  private:
    struct Worker {
        std::thread thread;
        std::function<void()> handed;          // set with `called` under the lock
        bool idle = false;                     // in idle_; guarded by the lock
        std::atomic<std::uint32_t> called{0};  // 1: handed a task, or told to stop
    };

    void run(Worker& self);
    // Takes `worker` off the idle list under the lock; the caller wakes it after unlocking.
    void call_locked(Worker& worker, std::function<void()> task);
    void join_finished(std::unique_lock<std::mutex>& lock);
    std::size_t alive_locked() const {
        return workers_.size() > finished_.size() ? workers_.size() - finished_.size() : 0;
    }

    const std::size_t min_threads_;
    const std::size_t max_threads_;
    const std::chrono::milliseconds idle_exit_;

    mutable std::mutex mutex_;                 // guards everything below
    std::deque<std::function<void()>> tasks_;  // waiting for a worker (all are busy)
    std::vector<Worker*> idle_;                // the last to go idle at the back
    std::unordered_map<Worker*, std::unique_ptr<Worker>> workers_;
    std::vector<Worker*> finished_;  // workers whose thread ended, to join
    bool stopping_ = false;
};

}  // namespace contactd::http

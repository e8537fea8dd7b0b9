#pragma once
// An elastic pool of worker threads for complete requests. It starts a thread when a
// task arrives and none is idle, up to `max_threads`; a thread idle for `idle_exit` ends,
// down to `min_threads`. Tasks beyond the cap wait in order. Workers never wait on a
// socket (the connection loop hands them whole requests), so the cap bounds concurrent
// handler work, not open connections.
//
// Tasks wait in one queue, first in first out. submit() wakes the worker that went idle
// last (its stack and caches are the warmest) on a futex of its own, after letting go of
// the pool's lock: one wake and one sleep per hand-over, and the woken worker never queues
// for the lock its waker still holds (as a condition variable signalled under the lock
// makes it). A worker that finishes a task takes the next from the queue before it
// sleeps, so a busy worker may take a task before the woken one gets a core.
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
        bool idle = false;                     // in idle_; guarded by the lock
        std::atomic<std::uint32_t> called{0};  // 1: woken for a task, or to stop
    };

    void run(Worker& self);
    // Takes `worker` off the idle list under the lock; the caller wakes it after unlocking.
    void call_locked(Worker& worker);
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

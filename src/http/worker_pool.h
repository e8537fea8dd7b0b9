#pragma once
// An elastic pool of worker threads for complete requests. It starts a thread when a
// task arrives and none is idle, up to `max_threads`; a thread idle for `idle_exit` ends,
// down to `min_threads`. Tasks beyond the cap wait in order. Workers never wait on a
// socket (the connection loop hands them whole requests), so the cap bounds concurrent
// handler work, not open connections.
//
// A task goes straight to the worker that went idle last (a stack, not a shared queue):
// its stack and caches are still warm, the rest stay asleep and end after `idle_exit`,
// and the hand-off wakes exactly that worker with one futex call (util/parker.h). With
// one shared condition variable, each hand-off also made the woken worker take the
// pool's mutex again, and its unlock was a second futex call: together a quarter of the
// server's futex calls during code sign-ins.
//
// Thread-safe. shutdown() runs every task already submitted, then joins all threads;
// submit() after shutdown() is ignored.
#include <chrono>
#include <cstddef>
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
    struct Worker;

    void run(std::size_t id, const std::shared_ptr<Worker>& self);
    // Waits for a task handed to `self` (or for the pool to stop); empty when none came.
    std::function<void()> await_task(Worker& self, bool timed);
    void join_finished(std::unique_lock<std::mutex>& lock);

    const std::size_t min_threads_;
    const std::size_t max_threads_;
    const std::chrono::milliseconds idle_exit_;

    mutable std::mutex mutex_;  // guards everything below
    std::deque<std::function<void()>> tasks_;
    std::vector<std::shared_ptr<Worker>> idle_;  // the last to go idle at the back
    std::unordered_map<std::size_t, std::thread> threads_;
    std::vector<std::size_t> finished_;  // ids of threads that ended, to join
    std::size_t next_id_ = 0;
    bool stopping_ = false;
};

}  // namespace contactd::http

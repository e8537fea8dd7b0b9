#pragma once
// An elastic pool of worker threads for complete requests. It starts a thread when a
// task arrives and none is idle, up to `max_threads`; a thread idle for `idle_exit` ends,
// down to `min_threads`. Tasks beyond the cap wait in order. Workers never wait on a
// socket (the connection loop hands them whole requests), so the cap bounds concurrent
// handler work, not open connections.
//
// Thread-safe. shutdown() runs every task already submitted, then joins all threads;
// submit() after shutdown() is ignored.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
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
    void run(std::size_t id);
    void join_finished(std::unique_lock<std::mutex>& lock);

    const std::size_t min_threads_;
    const std::size_t max_threads_;
    const std::chrono::milliseconds idle_exit_;

    mutable std::mutex mutex_;  // guards everything below
    std::condition_variable work_;
    std::deque<std::function<void()>> tasks_;
    std::unordered_map<std::size_t, std::thread> threads_;
    std::vector<std::size_t> finished_;  // ids of threads that ended, to join
    std::size_t idle_ = 0;
    std::size_t next_id_ = 0;
    bool stopping_ = false;
};

}  // namespace contactd::http

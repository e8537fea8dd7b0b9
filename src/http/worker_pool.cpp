#include "http/worker_pool.h"

#include "util/log.h"

namespace contactd::http {

WorkerPool::WorkerPool(std::size_t min_threads, std::size_t max_threads,
                       std::chrono::milliseconds idle_exit)
    : min_threads_(min_threads),
      max_threads_(std::max<std::size_t>(1, max_threads)),
      idle_exit_(idle_exit) {}

WorkerPool::~WorkerPool() {
    shutdown();
}

void WorkerPool::submit(std::function<void()> task) {
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
    if (idle_ > 0) {
        work_.notify_one();
        return;
    }
    join_finished(lock);
    if (threads_.size() < max_threads_) {
        const auto id = next_id_++;
        threads_.emplace(id, std::thread([this, id] { run(id); }));
    }
}

void WorkerPool::run(std::size_t id) {
    std::unique_lock lock(mutex_);
    while (true) {
        ++idle_;
        const bool woken =
            work_.wait_for(lock, idle_exit_, [&] { return stopping_ || !tasks_.empty(); });
        --idle_;
        if (tasks_.empty()) {
            if (stopping_) break;
            if (!woken && threads_.size() - finished_.size() > min_threads_) break;
            continue;
        }
        auto task = std::move(tasks_.front());
        tasks_.pop_front();
        lock.unlock();
        try {
            task();
        } catch (const std::exception& e) {
            log::error(std::string("a worker task failed: ") + e.what());
        } catch (...) {
            log::error("a worker task failed");
        }
        lock.lock();
    }
    finished_.push_back(id);
}

void WorkerPool::join_finished(std::unique_lock<std::mutex>& lock) {
    std::vector<std::thread> done;
    for (const auto id : finished_) {
        auto it = threads_.find(id);
        if (it == threads_.end()) continue;
        done.push_back(std::move(it->second));
        threads_.erase(it);
    }
    finished_.clear();
    lock.unlock();
    for (auto& thread : done) thread.join();
    lock.lock();
}

void WorkerPool::shutdown() {
    std::unordered_map<std::size_t, std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        work_.notify_all();
        threads.swap(threads_);
    }
    for (auto& [id, thread] : threads)
        if (thread.joinable()) thread.join();
    std::lock_guard lock(mutex_);
    finished_.clear();  // the threads just joined listed themselves
}

std::size_t WorkerPool::threads() const {
    std::lock_guard lock(mutex_);
    return threads_.size() - finished_.size();
}

}  // namespace contactd::http

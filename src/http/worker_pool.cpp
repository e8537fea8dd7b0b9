#include "http/worker_pool.h"

#include <algorithm>

#include "util/futex.h"
#include "util/log.h"

namespace contactd::http {
namespace {

void run_guarded(const std::function<void()>& task) {
    try {
        task();
    } catch (const std::exception& e) {
        log::error(std::string("a worker task failed: ") + e.what());
    } catch (...) {
        log::error("a worker task failed");
    }
}

}  // namespace

WorkerPool::WorkerPool(std::size_t min_threads, std::size_t max_threads,
                       std::chrono::milliseconds idle_exit)
    : min_threads_(min_threads),
      max_threads_(std::max<std::size_t>(1, max_threads)),
      idle_exit_(idle_exit) {}

WorkerPool::~WorkerPool() {
    shutdown();
}

void WorkerPool::call_locked(Worker& worker) {
    idle_.erase(std::find(idle_.begin(), idle_.end(), &worker));
    worker.idle = false;
    worker.called.store(1, std::memory_order_release);
}

void WorkerPool::submit(std::function<void()> task) {
    Worker* woken = nullptr;
    {
        std::unique_lock lock(mutex_);
        if (stopping_) return;
        tasks_.push_back(std::move(task));
        if (!idle_.empty()) {
            woken = idle_.back();
            call_locked(*woken);
        } else {
            join_finished(lock);
            if (alive_locked() < max_threads_) {
                auto worker = std::make_unique<Worker>();
                Worker* raw = worker.get();
                workers_.emplace(raw, std::move(worker));
                raw->thread = std::thread([this, raw] { run(*raw); });
            }
        }
    }
    // After the unlock. A busy worker may take the task first (see run()): then the
    // woken one finds nothing and goes idle again.
    if (woken) futex::wake_one(woken->called);
}

void WorkerPool::run(Worker& self) {
    std::unique_lock lock(mutex_);
    while (true) {
        std::function<void()> task;
        if (!tasks_.empty()) {
            task = std::move(tasks_.front());
            tasks_.pop_front();
        } else if (stopping_) {
            break;
        } else {
            if (!self.idle) {
                self.called.store(0, std::memory_order_relaxed);
                idle_.push_back(&self);
                self.idle = true;
            }
            lock.unlock();
            const auto deadline = std::chrono::steady_clock::now() + idle_exit_;
            bool timed_out = false;
            while (self.called.load(std::memory_order_acquire) == 0) {
                const auto left = deadline - std::chrono::steady_clock::now();
                if (left <= std::chrono::nanoseconds::zero()) {
                    timed_out = true;
                    break;
                }
                futex::wait(self.called, 0, left);
            }
            lock.lock();
            // Still idle after the wait: nobody called it. End it if there are spares.
            if (timed_out && self.idle && alive_locked() > min_threads_) {
                idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
                self.idle = false;
                break;
            }
            continue;
        }
        lock.unlock();
        run_guarded(task);
        task = nullptr;  // its captures are destroyed outside the lock
        lock.lock();
    }
    finished_.push_back(&self);
}

void WorkerPool::join_finished(std::unique_lock<std::mutex>& lock) {
    std::vector<std::unique_ptr<Worker>> done;
    for (Worker* worker : finished_) {
        auto it = workers_.find(worker);
        if (it == workers_.end()) continue;
        done.push_back(std::move(it->second));
        workers_.erase(it);
    }
    finished_.clear();
    lock.unlock();
    for (auto& worker : done) worker->thread.join();
    lock.lock();
}

void WorkerPool::shutdown() {
    std::unordered_map<Worker*, std::unique_ptr<Worker>> workers;
    std::vector<Worker*> woken;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        while (!idle_.empty()) {
            Worker* worker = idle_.back();
            call_locked(*worker);
            woken.push_back(worker);
        }
        workers.swap(workers_);
    }
    for (Worker* worker : woken) futex::wake_one(worker->called);
    for (auto& [raw, worker] : workers)
        if (worker->thread.joinable()) worker->thread.join();
    std::lock_guard lock(mutex_);
    finished_.clear();  // the threads just joined listed themselves
}

std::size_t WorkerPool::threads() const {
    std::lock_guard lock(mutex_);
    return alive_locked();
}

}  // namespace contactd::http

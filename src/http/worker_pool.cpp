#include "http/worker_pool.h"

#include <algorithm>
#include <utility>

#include "util/log.h"
#include "util/parker.h"

namespace contactd::http {

struct WorkerPool::Worker {
    Parker parker;
    // Written by the submit() that took the worker off the idle stack, before unpark();
    // read by the worker once its park returns.
    std::function<void()> task;
    bool stop = false;  // guarded by the pool's mutex: shutdown() took it off the stack
};

namespace {

void run_task(const std::function<void()>& task) {
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

void WorkerPool::submit(std::function<void()> task) {
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (!idle_.empty()) {
        // Popped off the stack, the worker is ours: it waits for this task even if its
        // idle time runs out meanwhile (run()). Handed over outside the pool's lock.
        auto worker = std::move(idle_.back());
        idle_.pop_back();
        lock.unlock();
        worker->task = std::move(task);
        worker->parker.unpark();
        return;
    }
    tasks_.push_back(std::move(task));
    join_finished(lock);
    if (threads_.size() < max_threads_) {
        const auto id = next_id_++;
        threads_.emplace(id, std::thread([this, id] { run(id, std::make_shared<Worker>()); }));
    }
}

void WorkerPool::run(std::size_t id, const std::shared_ptr<Worker>& self) {
    std::unique_lock lock(mutex_);
    while (true) {
        if (!tasks_.empty()) {
            auto task = std::move(tasks_.front());
            tasks_.pop_front();
            lock.unlock();
            run_task(task);
            lock.lock();
            continue;
        }
        if (stopping_) break;
        idle_.push_back(self);
        lock.unlock();
        auto task = await_task(*self, true);
        lock.lock();
        if (!task) {
            if (self->stop) break;
            const auto it = std::find(idle_.begin(), idle_.end(), self);
            if (it == idle_.end()) {
                // submit() took this worker just as its wait ended: the task is coming.
                lock.unlock();
                task = await_task(*self, false);
                lock.lock();
            } else {
                idle_.erase(it);
                if (stopping_) break;
                if (threads_.size() - finished_.size() > min_threads_) break;
                continue;
            }
        }
        if (!task) break;  // not reached: a worker taken off the stack gets its task
        lock.unlock();
        run_task(task);
        lock.lock();
    }
    finished_.push_back(id);
}

std::function<void()> WorkerPool::await_task(Worker& self, bool timed) {
    if (timed) {
        if (!self.parker.park_for(idle_exit_)) return nullptr;
    } else {
        self.parker.park();
    }
    return std::exchange(self.task, nullptr);
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
        for (auto& worker : idle_) {
            worker->stop = true;
            worker->parker.unpark();
        }
        idle_.clear();
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

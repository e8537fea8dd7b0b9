#pragma once
// Runs a function on a thread of its own every `interval` (wall time), until stop() or
// destruction; stop() wakes the thread at once and joins it, waiting for a run in progress
// to end. The function's exceptions are logged and the task goes on. Thread-safe.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace contactd {

class PeriodicTask {
  public:
    // `name` is for the log.
    PeriodicTask(std::string name, std::chrono::milliseconds interval, std::function<void()> fn);
    ~PeriodicTask();
    PeriodicTask(const PeriodicTask&) = delete;
    PeriodicTask& operator=(const PeriodicTask&) = delete;

    // Starts the thread; the first run comes one interval after. Once only.
    void start();
    void stop();

  private:
    void loop();

    const std::string name_;
    const std::chrono::milliseconds interval_;
    const std::function<void()> fn_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace contactd

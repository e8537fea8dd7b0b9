#pragma once
// Time source, injectable so tests can move time instead of sleeping.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace contactd {

class Clock {
  public:
    virtual ~Clock() = default;
    // Seconds since the Unix epoch.
    virtual std::int64_t now() const = 0;
};

class SystemClock final : public Clock {
  public:
    std::int64_t now() const override {
        using namespace std::chrono;
        return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    }
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
  public:
    explicit ManualClock(std::int64_t start) : now_(start) {}
    std::int64_t now() const override { return now_.load(); }
    void advance(std::int64_t seconds) { now_ += seconds; }
    void set(std::int64_t seconds) { now_ = seconds; }

  private:
    std::atomic<std::int64_t> now_;
};

}  // namespace contactd

#pragma once
// Sends the outbox. One background thread takes due messages, hands each to the
// channel for its kind (SMS or EMAIL) and records the outcome: SENT (text erased),
// DEVELOPMENT (kept for the development inbox), or another attempt later with
// exponential backoff and jitter; after max_attempts, or a permanent failure, the
// message is ABANDONED, its text erased and its code cancelled so it cannot be used.
// Messages live in the database, so a restart loses none. Every attempt is recorded in
// message_attempts. A message whose code expired or was replaced before it could be
// delivered is abandoned without being sent (outcome SKIPPED).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "delivery/channel.h"
#include "storage/store.h"
#include "util/clock.h"
#include "util/metrics.h"

namespace contactd::delivery {

struct RetryPolicy {
    int max_attempts = 6;
    std::int64_t base_delay = 2;   // seconds before the second attempt
    std::int64_t max_delay = 600;  // cap on one wait
};

class Dispatcher {
  public:
    static constexpr std::chrono::milliseconds kPollInterval{500};

    // The thread looks at the outbox every poll_interval, at once when woken, and again
    // at once as long as it finds a full round due.
    Dispatcher(storage::Store& store, const Clock& clock, std::unique_ptr<Channel> sms,
               std::unique_ptr<Channel> email, RetryPolicy policy = {},
               metrics::ServiceMetrics* metrics = nullptr,
               std::chrono::milliseconds poll_interval = kPollInterval);
    ~Dispatcher();  // stops the thread

    void start();
    void stop();
    // Look at the outbox now instead of at the next poll.
    void wake();
    // True between start() and stop(): the delivery thread runs (for /readyz).
    bool running() const { return running_.load(); }
    // Sends every message due now once, on the calling thread, then checkpoints the
    // write-ahead log if it handled any. Returns how many it handled.
    int run_once();

  private:
    void loop();
    // One round: at most kRound of the messages due, oldest first. Returns how many.
    int deliver_due();
    // Why the code the message carries can no longer be used, if it cannot.
    std::optional<std::string> unusable_code(const storage::MessageRecord& message) const;
    // One attempt's outcome (DELIVERED, KEPT, RETRY, FAILED, or SKIPPED when nothing was
    // sent): the message as it is to be stored, and its row in message_attempts.
    struct Settled {
        storage::MessageRecord message;
        storage::MessageAttemptRecord attempt;
        bool cancel_code = false;
        std::string detail;  // for the log
    };
    Settled settle(storage::MessageRecord message, const SendResult& result,
                   const char* outcome) const;
    // Stores these outcomes in one transaction, then counts and logs them; empties it.
    void store_outcomes(std::vector<Settled>& settled);
    void report(const Settled& settled);
    std::int64_t backoff(int attempts) const;

    storage::Store& store_;
    const Clock& clock_;
    std::unique_ptr<Channel> sms_;
    std::unique_ptr<Channel> email_;
    const RetryPolicy policy_;
    metrics::ServiceMetrics* metrics_;  // null: not counted
    const std::chrono::milliseconds poll_interval_;
    std::atomic<bool> running_{false};

    std::mutex mutex_;  // guards woken_, stopping_ and serializes run_once
    std::mutex run_mutex_;
    std::condition_variable cv_;
    bool woken_ = false;
    bool stopping_ = false;
    std::thread thread_;
    // Texts were erased since the last checkpoint; and when the delivery thread last made
    // one (its own).
    std::atomic<bool> log_dirty_{false};
    std::chrono::steady_clock::time_point last_checkpoint_{};
};

}  // namespace contactd::delivery

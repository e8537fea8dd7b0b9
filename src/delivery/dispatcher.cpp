#include "delivery/dispatcher.h"

#include <algorithm>
#include <chrono>
#include <string_view>

#include "crypto/random.h"
#include "util/log.h"

namespace contactd::delivery {
namespace {

// While messages keep arriving the write-ahead log is checkpointed at most this often: a
// TRUNCATE checkpoint holds the writer while it waits for readers and copies the log, and
// after every delivery round it stalled every write under load. Once the outbox is quiet
// the next poll checkpoints, so an erased text leaves the log within this gap or a poll.
constexpr auto kCheckpointGap = std::chrono::seconds(5);
// Messages sent between two looks at the outbox (and at a request to stop).
constexpr int kRound = 20;
constexpr auto kStoreEvery = std::chrono::milliseconds(50);
constexpr std::size_t kMaxDetail = 500;

const char* outcome_name(SendResult::Outcome outcome) {
    switch (outcome) {
        case SendResult::Outcome::Delivered:
            return "DELIVERED";
        case SendResult::Outcome::Kept:
            return "KEPT";
        case SendResult::Outcome::Retry:
            return "RETRY";
        case SendResult::Outcome::Failed:
            return "FAILED";
    }
    return "FAILED";
}

}  // namespace

Dispatcher::Dispatcher(storage::Store& store, const Clock& clock, std::unique_ptr<Channel> sms,
                       std::unique_ptr<Channel> email, RetryPolicy policy,
                       metrics::ServiceMetrics* metrics, std::chrono::milliseconds poll_interval)
    : store_(store),
      clock_(clock),
      sms_(std::move(sms)),
      email_(std::move(email)),
      policy_(policy),
      metrics_(metrics),
      poll_interval_(poll_interval) {}

Dispatcher::~Dispatcher() {
    stop();
}

void Dispatcher::start() {
    if (thread_.joinable()) return;
    stopping_ = false;
    thread_ = std::thread([this] { loop(); });
    running_ = true;
}

void Dispatcher::stop() {
    running_ = false;
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void Dispatcher::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    cv_.notify_all();
}

void Dispatcher::loop() {
    // A full round may have left more due: the next one starts at once, not at the next
    // poll (20 messages a poll had drained a burst of sign-ups at 40 codes a second).
    bool more_due = false;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            if (!more_due)
                cv_.wait_for(lock, poll_interval_, [this] { return woken_ || stopping_; });
            if (stopping_) return;
            woken_ = false;
        }
        more_due = false;
        try {
            const int delivered = deliver_due();
            more_due = delivered == kRound;
            if (delivered > 0) log_dirty_ = true;
            const auto now = std::chrono::steady_clock::now();
            if (log_dirty_ && (delivered == 0 || now - last_checkpoint_ >= kCheckpointGap)) {
                if (log_dirty_.exchange(false)) store_.checkpoint();
                last_checkpoint_ = now;
            }
        } catch (const std::exception& e) {
            log::error(std::string("dispatcher: ") + e.what());
        }
    }
}

int Dispatcher::run_once() {
    int delivered = 0;
    int round = 0;
    do {
        round = deliver_due();
        delivered += round;
    } while (round == kRound);  // a full round may have left more due
    // The texts erased here or by the delivery thread (they held codes) must not linger in
    // the write-ahead log.
    if (log_dirty_.exchange(false) || delivered > 0) store_.checkpoint();
    return delivered;
}

int Dispatcher::deliver_due() {
    std::lock_guard run_lock(run_mutex_);
    const auto due = store_.read(
        [&](storage::Repositories& repos) { return repos.outbox().due(clock_.now(), kRound); });
    // Outcomes are stored together, one write for several messages: each write waits for
    // a commit, and under load one per message had held delivery to 200 a second. A slow
    // channel's outcomes are still stored within kStoreEvery of their sending.
    std::vector<Settled> unstored;
    auto stored_at = std::chrono::steady_clock::now();
    for (const auto& message : due) {
        // A code that can no longer be used (expired while delivery was failing, replaced,
        // spent) is not worth sending: the message is abandoned without an attempt.
        if (const auto reason = unusable_code(message)) {
            unstored.push_back(settle(message, {SendResult::Outcome::Failed, *reason}, "SKIPPED"));
        } else {
            Channel& channel = message.channel == "SMS" ? *sms_ : *email_;
            SendResult result;
            try {
                result = channel.send(message);
            } catch (const std::exception& e) {
                result = {SendResult::Outcome::Retry, std::string("channel error: ") + e.what()};
            }
            unstored.push_back(settle(message, result, outcome_name(result.outcome)));
        }
        if (std::chrono::steady_clock::now() - stored_at >= kStoreEvery) {
            store_outcomes(unstored);
            stored_at = std::chrono::steady_clock::now();
        }
    }
    store_outcomes(unstored);
    return static_cast<int>(due.size());
}

std::int64_t Dispatcher::backoff(int attempts) const {
    const int shift = std::min(attempts - 1, 20);
    const std::int64_t delay = std::min(policy_.max_delay, policy_.base_delay << shift);
    // Full jitter on the upper half: spreads retries of many messages apart.
    const auto random = static_cast<unsigned char>(crypto::random_bytes(1)[0]);
    return std::max<std::int64_t>(1, delay / 2 + (delay / 2) * random / 255);
}

std::optional<std::string> Dispatcher::unusable_code(const storage::MessageRecord& message) const {
    if (!message.otp_id) return std::nullopt;
    const auto now = clock_.now();
    const auto otp = store_.read(
        [&](storage::Repositories& repos) { return repos.otps().find(*message.otp_id); });
    if (!otp) return std::nullopt;
    if (otp->cancelled || otp->used_at) return "the code was no longer usable";
    if (otp->expires_at <= now) return "the code expired before it could be delivered";
    return std::nullopt;
}

Dispatcher::Settled Dispatcher::settle(storage::MessageRecord message, const SendResult& result,
                                       const char* outcome) const {
    const auto now = clock_.now();
    Settled settled;
    const bool skipped = std::string_view(outcome) == "SKIPPED";
    settled.detail = result.detail;
    if (!skipped) message.attempts += 1;
    message.last_error.reset();
    switch (result.outcome) {
        case SendResult::Outcome::Delivered:
            message.status = "SENT";
            message.sent_at = now;
            break;
        case SendResult::Outcome::Kept:
            message.status = "DEVELOPMENT";
            message.sent_at = now;
            break;
        case SendResult::Outcome::Retry:
            message.last_error = result.detail;
            if (message.attempts < policy_.max_attempts) {
                message.next_attempt_at = now + backoff(message.attempts);
                break;
            }
            [[fallthrough]];
        case SendResult::Outcome::Failed:
            message.status = "ABANDONED";
            message.last_error = result.detail;
            settled.cancel_code = true;
            break;
    }
    if (message.status == "SENT" || message.status == "ABANDONED") {
        message.body.reset();  // it held the code
        message.html_body.reset();
    }
    settled.attempt.message_id = message.id;
    settled.attempt.attempt = message.attempts + (skipped ? 1 : 0);
    settled.attempt.at = now;
    settled.attempt.outcome = outcome;
    if (!result.detail.empty()) settled.attempt.detail = result.detail.substr(0, kMaxDetail);
    if (message.last_error) message.last_error = message.last_error->substr(0, kMaxDetail);
    settled.message = std::move(message);
    return settled;
}

void Dispatcher::store_outcomes(std::vector<Settled>& settled) {
    if (settled.empty()) return;
    // Relaxed: the outcomes join the batch of request writes under way instead of waiting
    // for an fsync of their own. Lost to a power cut, a message is sent once more (at least
    // once, as with a crash between sending and storing).
    store_.write_relaxed([&](storage::Repositories& repos) {
        for (const auto& s : settled) {
            repos.outbox().update_delivery(s.message);
            repos.outbox().record_attempt(s.attempt);
            if (s.cancel_code && s.message.otp_id) repos.otps().cancel(*s.message.otp_id);
        }
    });
    for (const auto& s : settled) report(s);
    settled.clear();
}

void Dispatcher::report(const Settled& settled) {
    const auto& message = settled.message;
    if (metrics_) {
        // A message skipped (its code unusable) was never tried: neither sent nor failed.
        if (message.status == "SENT" || message.status == "DEVELOPMENT") {
            metrics_->messages_sent.inc({message.channel});
        } else if (message.status == "ABANDONED" && settled.attempt.outcome != "SKIPPED") {
            metrics_->messages_failed.inc({message.channel});
        }
    }
    if (message.status == "ABANDONED") {
        log::warn("message " + message.id + " abandoned after " + std::to_string(message.attempts) +
                  " attempts: " + settled.detail);
    } else if (message.status == "PENDING") {
        log::warn("message " + message.id + " attempt " + std::to_string(message.attempts) +
                  " failed: " + settled.detail);
    }
}

}  // namespace contactd::delivery

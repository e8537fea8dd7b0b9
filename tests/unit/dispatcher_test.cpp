// delivery::Dispatcher over a real store: a backlog drains without waiting for polls.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "delivery/dispatcher.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"

using namespace contactd;

namespace {

class CountingChannel final : public delivery::Channel {
  public:
    explicit CountingChannel(std::atomic<int>& sent) : sent_(sent) {}
    delivery::SendResult send(const storage::MessageRecord&) override {
        ++sent_;
        return {delivery::SendResult::Outcome::Kept, "test inbox"};
    }
    std::string name() const override { return "counting"; }

  private:
    std::atomic<int>& sent_;
};

// Counts the writes that store delivery outcomes.
class CountingStore final : public storage::Store {
  public:
    explicit CountingStore(storage::Store& inner) : inner_(inner) {}
    int relaxed_writes = 0;
    bool healthy() override { return inner_.healthy(); }
    void checkpoint() override { inner_.checkpoint(); }

  protected:
    void run_read(const Work& work) override { inner_.read(work); }
    void run_write(const Work& work) override { inner_.write(work); }
    void run_write_relaxed(const Work& work) override {
        ++relaxed_writes;
        inner_.write_relaxed(work);
    }

  private:
    storage::Store& inner_;
};

void queue_messages(storage::Store& store, int count, std::int64_t now) {
    store.write([&](storage::Repositories& repos) {
        for (int i = 0; i < count; ++i) {
            storage::MessageRecord message;
            message.id = "message-" + std::to_string(i);
            message.channel = "SMS";
            message.recipient = "+35799000000";
            message.kind = "OTP_SIGNUP";
            message.body = "code";
            message.next_attempt_at = now;
            message.created_at = now;
            repos.outbox().insert(message);
        }
    });
}

std::int64_t pending(storage::Store& store) {
    return store.read([](storage::Repositories& repos) {
        return repos.outbox().count({std::nullopt, std::string("PENDING")});
    });
}

}  // namespace

TEST_SUITE("delivery::dispatcher") {
    TEST_CASE("dispatcher: a backlog of many rounds drains at once, not a round per poll") {
        test::TempDir dir;
        storage::sqlite::SqliteStore store((dir.path() / "outbox.db").string());
        ManualClock clock(1'800'000'000);
        constexpr int kMessages = 130;  // several rounds
        queue_messages(store, kMessages, clock.now());

        std::atomic<int> sent{0};
        // A poll far beyond the test's patience: only going round at once can drain it.
        delivery::Dispatcher dispatcher(store, clock, std::make_unique<CountingChannel>(sent),
                                        std::make_unique<CountingChannel>(sent), {}, nullptr,
                                        std::chrono::hours(1));
        dispatcher.start();
        dispatcher.wake();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (pending(store) > 0 && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        dispatcher.stop();
        CHECK(pending(store) == 0);
        CHECK(sent.load() == kMessages);  // each once
    }

    TEST_CASE("dispatcher: run_once sends every message due, storing outcomes a round at a time") {
        test::TempDir dir;
        storage::sqlite::SqliteStore store((dir.path() / "outbox.db").string());
        ManualClock clock(1'800'000'000);
        queue_messages(store, 45, clock.now());
        std::atomic<int> sent{0};
        CountingStore counting(store);
        delivery::Dispatcher dispatcher(counting, clock, std::make_unique<CountingChannel>(sent),
                                        std::make_unique<CountingChannel>(sent));
        CHECK(dispatcher.run_once() == 45);
        CHECK(sent.load() == 45);
        CHECK(pending(store) == 0);
        // Outcomes are stored a round at a time (3 rounds), not one write per message; a
        // round slower than 50 ms would store in between, hence the margin.
        CHECK(counting.relaxed_writes >= 3);
        CHECK(counting.relaxed_writes <= 9);
        CHECK(dispatcher.run_once() == 0);
    }
}

// storage::sqlite::SqliteStore's group commit: concurrent writes share one transaction
// and one COMMIT, each returns only once that COMMIT is done, one that throws is rolled
// back alone, and batches are bounded.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"

using namespace contactd;
using storage::sqlite::SqliteStore;

namespace {

// Holds the first write inside its transaction until released, so that the writers
// started meanwhile queue up behind it.
class Gate {
  public:
    void wait_open() {
        std::unique_lock lock(mutex_);
        entered_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return open_; });
    }
    void wait_entered() {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return entered_; });
    }
    void open() {
        std::lock_guard lock(mutex_);
        open_ = true;
        changed_.notify_all();
    }

  private:
    std::mutex mutex_;
    std::condition_variable changed_;
    bool entered_ = false;
    bool open_ = false;
};

std::optional<std::string> read_setting(SqliteStore& store, const std::string& key) {
    return store.read([&](storage::Repositories& repos) { return repos.settings().get(key); });
}

}  // namespace

TEST_SUITE("storage::group_commit") {
    TEST_CASE(
        "group_commit: writers queued behind a write share its batch and each sees its own "
        "write committed on return") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "g.db").string());
        store.write([](storage::Repositories& repos) { repos.settings().put("warm", "1"); });
        const auto before = store.batches();

        Gate gate;
        std::atomic<int> visible_on_return{0};
        std::thread first([&] {
            store.write([&](storage::Repositories& repos) {
                repos.settings().put("w0", "0");
                gate.wait_open();
            });
            if (read_setting(store, "w0") == "0") ++visible_on_return;
        });
        gate.wait_entered();
        std::vector<std::thread> others;
        for (int i = 1; i <= 7; ++i) {
            others.emplace_back([&, i] {
                const auto key = std::string("w").append(std::to_string(i));
                store.write([&](storage::Repositories& repos) { repos.settings().put(key, key); });
                // Acknowledged only after the commit: another connection sees it already.
                if (read_setting(store, key) == key) ++visible_on_return;
            });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all seven queue up
        gate.open();
        first.join();
        for (auto& t : others) t.join();

        CHECK(visible_on_return == 8);
        // Far fewer than eight commits. The gate's write commits alone (its batch is older
        // than the 5 ms age cap when the gate opens); the seven queued ones share one batch,
        // or a few where a slow build (ASan) makes a batch outlive the cap.
        CHECK(store.batches() - before <= 4);
    }

    TEST_CASE("group_commit: a write that throws is rolled back alone and its batch commits") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "f.db").string());
        Gate gate;
        std::thread first([&] {
            store.write([&](storage::Repositories& repos) {
                repos.settings().put("kept-first", "1");
                gate.wait_open();
            });
        });
        gate.wait_entered();
        std::atomic<bool> failure_seen{false};
        std::thread failing([&] {
            try {
                store.write([](storage::Repositories& repos) {
                    repos.settings().put("rolled-back", "1");
                    throw std::runtime_error("refused");
                });
            } catch (const std::runtime_error& e) {
                failure_seen = std::string(e.what()) == "refused";
            }
        });
        std::thread last([&] {
            store.write(
                [](storage::Repositories& repos) { repos.settings().put("kept-last", "1"); });
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        gate.open();
        first.join();
        failing.join();
        last.join();

        CHECK(failure_seen);
        CHECK(read_setting(store, "kept-first") == "1");
        CHECK(read_setting(store, "kept-last") == "1");
        CHECK_FALSE(read_setting(store, "rolled-back").has_value());
    }

    TEST_CASE("group_commit: a lone write commits at once and batches are bounded") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "b.db").string());
        const auto before = store.batches();
        store.write([](storage::Repositories& repos) { repos.settings().put("alone", "1"); });
        CHECK(store.batches() - before == 1);

        // More writers than a batch may hold, all queued at once: more than one batch.
        Gate gate;
        std::thread first([&] {
            store.write([&](storage::Repositories& repos) {
                repos.settings().put("g", "0");
                gate.wait_open();
            });
        });
        gate.wait_entered();
        const auto start = store.batches();
        const int writers = static_cast<int>(SqliteStore::kMaxBatchWrites) + 20;
        std::vector<std::thread> threads;
        for (int i = 0; i < writers; ++i) {
            threads.emplace_back([&, i] {
                store.write([&](storage::Repositories& repos) {
                    repos.settings().put(std::string("q").append(std::to_string(i)), "1");
                });
            });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        gate.open();
        first.join();
        for (auto& t : threads) t.join();
        CHECK(store.batches() - start >= 2);
        for (int i = 0; i < writers; ++i)
            CHECK(read_setting(store, std::string("q").append(std::to_string(i))) == "1");
    }

    TEST_CASE("group_commit: relaxed and full writes mixed all commit, none lost") {
        test::TempDir dir;
        const auto path = (dir.path() / "r.db").string();
        {
            SqliteStore store(path);
            std::vector<std::thread> threads;
            for (int t = 0; t < 6; ++t) {
                threads.emplace_back([&, t] {
                    for (int i = 0; i < 20; ++i) {
                        const auto key = std::to_string(t).append("-").append(std::to_string(i));
                        if (t % 2) {
                            store.write_relaxed([&](storage::Repositories& repos) {
                                repos.settings().put(key, "r");
                            });
                        } else {
                            store.write([&](storage::Repositories& repos) {
                                repos.settings().put(key, "f");
                            });
                        }
                    }
                });
            }
            for (auto& t : threads) t.join();
            // synchronous is FULL again once the relaxed batches are done.
            CHECK(store.writer_connection_for_tests().execAndGet("PRAGMA synchronous").getInt() ==
                  2);
        }
        SqliteStore reopened(path);
        for (int t = 0; t < 6; ++t) {
            for (int i = 0; i < 20; ++i) {
                CHECK(read_setting(reopened, std::to_string(t).append("-").append(
                                                 std::to_string(i))) == (t % 2 ? "r" : "f"));
            }
        }
    }

    TEST_CASE(
        "group_commit: a long log is checkpointed once per kCheckpointFrames pages added, not at "
        "every commit") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "c.db").string());
        // A reader's snapshot from before the log grew keeps checkpoints from copying all of
        // it, so the log cannot restart and stays over kCheckpointFrames pages long.
        Gate reading;
        std::thread reader([&] {
            store.read([&](storage::Repositories& repos) {
                repos.settings().get("held");
                reading.wait_open();
            });
        });
        reading.wait_entered();
        // The checkpointer thread runs them: wait until `count` have run or `ms` have passed.
        const auto checkpoints_within = [&](std::uint64_t count, int ms) {
            for (int i = 0; i < ms / 10 && store.checkpoints() < count; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            return store.checkpoints();
        };
        const std::string page_sized(4000, 'x');
        store.write([&](storage::Repositories& repos) {
            for (int i = 0; i < SqliteStore::kCheckpointFrames + 100; ++i)
                repos.settings().put("big" + std::to_string(i), page_sized);
        });
        CHECK(checkpoints_within(1, 5000) == 1);
        for (int i = 0; i < 20; ++i) {
            store.write([&](storage::Repositories& repos) {
                repos.settings().put("small" + std::to_string(i), "1");
            });
            std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a checkpoint's time
        }
        CHECK(checkpoints_within(2, 300) == 1);
        store.write([&](storage::Repositories& repos) {
            for (int i = 0; i < SqliteStore::kCheckpointFrames; ++i)
                repos.settings().put("more" + std::to_string(i), page_sized);
        });
        CHECK(checkpoints_within(2, 5000) == 2);
        reading.open();
        reader.join();
    }

    TEST_CASE("group_commit: under steady writes the log starts anew instead of growing") {
        test::TempDir dir;
        const auto path = dir.path() / "g.db";
        SqliteStore store(path.string());
        const std::string page_sized(4000, 'x');
        std::atomic<int> writing{3};
        std::vector<std::thread> writers;
        for (int t = 0; t < 3; ++t) {
            writers.emplace_back([&, t] {
                // Each write changes 20 pages (SQLite skips an unchanged one): 6 x
                // kRestartFrames pages in all, 100 MB of log if it never restarted.
                for (int i = 0; i < 400; ++i) {
                    store.write([&](storage::Repositories& repos) {
                        for (int j = 0; j < 20; ++j)
                            repos.settings().put(std::to_string(t) + "-" + std::to_string(j),
                                                 std::to_string(i) + page_sized);
                    });
                }
                --writing;
            });
        }
        std::uintmax_t longest = 0;
        const auto log = path.string() + "-wal";
        while (writing > 0) {
            std::error_code ignored;
            const auto size = std::filesystem::file_size(log, ignored);
            if (!ignored) longest = std::max(longest, size);
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        for (auto& w : writers) w.join();
        // At most 2 x kRestartFrames pages (when the writer outruns the checkpointer) and
        // what is written while the last pass runs.
        CHECK(longest < 3 * SqliteStore::kRestartFrames * 4120ULL);
        CHECK(longest > 0);
    }
}

#include "http/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using contactd::http::WorkerPool;
using namespace std::chrono_literals;

TEST_SUITE("http::worker_pool") {
    TEST_CASE("worker_pool: grows with blocked tasks up to its cap, then queues") {
        WorkerPool pool(0, 8, 10s);
        std::atomic<bool> release{false};
        std::atomic<int> started{0};
        for (int i = 0; i < 12; ++i) {
            pool.submit([&] {
                ++started;
                while (!release) std::this_thread::sleep_for(1ms);
            });
        }
        for (int i = 0; i < 200 && started < 8; ++i) std::this_thread::sleep_for(5ms);
        CHECK(started == 8);
        CHECK(pool.threads() == 8);
        release = true;
        pool.shutdown();
        CHECK(started == 12);  // queued tasks ran before shutdown returned
    }

    TEST_CASE("worker_pool: an idle worker is handed the next task and no thread is added") {
        WorkerPool pool(0, 8, 10s);
        std::atomic<int> done{0};
        std::atomic<std::thread::id> first_thread{};
        std::atomic<int> other_threads{0};
        for (int i = 0; i < 50; ++i) {
            pool.submit([&] {
                const auto me = std::this_thread::get_id();
                std::thread::id none{};
                if (!first_thread.compare_exchange_strong(none, me) && none != me) ++other_threads;
                ++done;
            });
            // Wait until the worker is idle again before the next task.
            for (int j = 0; j < 400 && done <= i; ++j) std::this_thread::sleep_for(1ms);
            std::this_thread::sleep_for(5ms);
        }
        CHECK(done == 50);
        CHECK(other_threads == 0);
        CHECK(pool.threads() == 1);
    }

    TEST_CASE("worker_pool: idle threads end, down to the minimum") {
        WorkerPool pool(1, 6, 50ms);
        std::atomic<int> done{0};
        for (int i = 0; i < 6; ++i)
            pool.submit([&] {
                std::this_thread::sleep_for(30ms);
                ++done;
            });
        for (int i = 0; i < 100 && done < 6; ++i) std::this_thread::sleep_for(5ms);
        REQUIRE(done == 6);
        for (int i = 0; i < 100 && pool.threads() > 1; ++i) std::this_thread::sleep_for(10ms);
        CHECK(pool.threads() == 1);
        // It grows again when needed.
        pool.submit([&] { ++done; });
        for (int i = 0; i < 100 && done < 7; ++i) std::this_thread::sleep_for(5ms);
        CHECK(done == 7);
    }

    TEST_CASE("worker_pool: a throwing task does not end its worker") {
        WorkerPool pool(1, 1, 10s);
        std::atomic<int> done{0};
        pool.submit([] { throw std::runtime_error("boom"); });
        pool.submit([&] { ++done; });
        pool.shutdown();
        CHECK(done == 1);
    }

    TEST_CASE("worker_pool: shutdown ends every thread, and threads() says so") {
        WorkerPool pool(4, 4, std::chrono::seconds(60));
        std::atomic<int> done{0};
        for (int i = 0; i < 4; ++i) pool.submit([&] { ++done; });
        for (int i = 0; i < 200 && done < 4; ++i) std::this_thread::sleep_for(5ms);
        pool.shutdown();
        CHECK(pool.threads() == 0);
    }
}

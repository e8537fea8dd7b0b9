#include "http/worker_pool.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

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

    TEST_CASE("worker_pool: the worker that went idle last takes the next task") {
        WorkerPool pool(0, 4, 10s);
        std::mutex m;
        std::vector<std::thread::id> ran;
        const auto record = [&] {
            std::lock_guard lock(m);
            ran.push_back(std::this_thread::get_id());
        };
        // Four workers, all busy at once; then one at a time.
        std::atomic<bool> release{false};
        std::atomic<int> started{0};
        for (int i = 0; i < 4; ++i)
            pool.submit([&] {
                ++started;
                while (!release) std::this_thread::sleep_for(1ms);
            });
        for (int i = 0; i < 200 && started < 4; ++i) std::this_thread::sleep_for(5ms);
        REQUIRE(started == 4);
        release = true;
        std::this_thread::sleep_for(50ms);  // all four idle again
        for (int i = 0; i < 20; ++i) {
            std::atomic<bool> done{false};
            pool.submit([&] {
                record();
                done = true;
            });
            while (!done) std::this_thread::sleep_for(1ms);
            std::this_thread::sleep_for(2ms);  // back on the idle stack
        }
        pool.shutdown();
        REQUIRE(ran.size() == 20);
        for (const auto& id : ran) CHECK(id == ran.front());
    }

    TEST_CASE("worker_pool: no task is lost while idle workers time out as tasks arrive") {
        // An idle time of 1 ms makes workers end their wait just as submit() takes them.
        WorkerPool pool(0, 4, 1ms);
        std::atomic<int> done{0};
        for (int round = 0; round < 300; ++round) {
            pool.submit([&] { ++done; });
            if (round % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(900));
        }
        for (int i = 0; i < 400 && done < 300; ++i) std::this_thread::sleep_for(5ms);
        CHECK(done == 300);
        pool.shutdown();
    }

    TEST_CASE("worker_pool: shutdown wakes idle workers at once") {
        WorkerPool pool(4, 4, 60s);
        std::atomic<int> done{0};
        for (int i = 0; i < 4; ++i) pool.submit([&] { ++done; });
        for (int i = 0; i < 200 && done < 4; ++i) std::this_thread::sleep_for(5ms);
        const auto start = std::chrono::steady_clock::now();
        pool.shutdown();
        CHECK(std::chrono::steady_clock::now() - start < 2s);
        CHECK(pool.threads() == 0);
    }
}

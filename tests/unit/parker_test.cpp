#include "util/parker.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using contactd::Parker;
using namespace std::chrono_literals;

TEST_SUITE("util::parker") {
    TEST_CASE("Parker: a permit given before the park is kept for it") {
        Parker p;
        p.unpark();
        const auto start = std::chrono::steady_clock::now();
        CHECK(p.park_for(5s));
        CHECK(std::chrono::steady_clock::now() - start < 1s);
    }

    TEST_CASE("Parker: without a permit the park ends after its time, and says so") {
        Parker p;
        const auto start = std::chrono::steady_clock::now();
        CHECK_FALSE(p.park_for(50ms));
        CHECK(std::chrono::steady_clock::now() - start >= 50ms);
    }

    TEST_CASE("Parker: permits do not add up, and one is used by one park") {
        Parker p;
        p.unpark();
        p.unpark();
        CHECK(p.park_for(1s));
        CHECK_FALSE(p.park_for(20ms));
    }

    TEST_CASE("Parker: unpark from another thread wakes a parked thread") {
        Parker p;
        std::atomic<bool> woke{false};
        std::thread waiter([&] {
            p.park();
            woke = true;
        });
        std::this_thread::sleep_for(30ms);
        CHECK_FALSE(woke.load());
        p.unpark();
        waiter.join();
        CHECK(woke.load());
    }

    TEST_CASE("Parker: many hand-offs in a row, none lost") {
        Parker to_worker, to_main;
        int value = 0;
        std::thread worker([&] {
            for (int i = 0; i < 2000; ++i) {
                REQUIRE(to_worker.park_for(10s));
                ++value;
                to_main.unpark();
            }
        });
        for (int i = 0; i < 2000; ++i) {
            to_worker.unpark();
            REQUIRE(to_main.park_for(10s));
        }
        worker.join();
        CHECK(value == 2000);
    }
}

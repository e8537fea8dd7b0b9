// util::RateLimiter: a token bucket per key on an injectable clock.
#include <doctest/doctest.h>

#include <string>

#include "util/clock.h"
#include "util/rate_limiter.h"

using contactd::ManualClock;
using contactd::RateLimiter;

TEST_SUITE("util::rate_limiter") {
    TEST_CASE("rate_limiter::acquire allows the burst, then asks to wait for the next token") {
        ManualClock clock(1'700'000'000);
        RateLimiter limiter(clock, 30.0, 30.0);  // one token every 2 s
        for (int i = 0; i < 30; ++i) {
            CAPTURE(i);
            CHECK(limiter.acquire("10.0.0.1") == 0);
        }
        CHECK(limiter.acquire("10.0.0.1") == 2);
        CHECK(limiter.acquire("10.0.0.1") == 2);  // a refused request costs nothing
        clock.advance(1);
        CHECK(limiter.acquire("10.0.0.1") == 1);
        clock.advance(1);
        CHECK(limiter.acquire("10.0.0.1") == 0);
        CHECK(limiter.acquire("10.0.0.1") > 0);
    }

    TEST_CASE("rate_limiter::acquire keeps one bucket per key") {
        ManualClock clock(1'700'000'000);
        RateLimiter limiter(clock, 60.0, 2.0);
        CHECK(limiter.acquire("a") == 0);
        CHECK(limiter.acquire("a") == 0);
        CHECK(limiter.acquire("a") == 1);
        CHECK(limiter.acquire("b") == 0);
        CHECK(limiter.acquire("b") == 0);
        CHECK(limiter.acquire("b") == 1);
    }

    TEST_CASE("rate_limiter::acquire refills no further than the burst") {
        ManualClock clock(1'700'000'000);
        RateLimiter limiter(clock, 60.0, 3.0);
        for (int i = 0; i < 3; ++i) CHECK(limiter.acquire("k") == 0);
        clock.advance(3600);  // an hour idle: still only 3 at once
        for (int i = 0; i < 3; ++i) CHECK(limiter.acquire("k") == 0);
        CHECK(limiter.acquire("k") == 1);
    }

    TEST_CASE("rate_limiter: idle buckets are forgotten without changing answers") {
        ManualClock clock(1'700'000'000);
        RateLimiter limiter(clock, 60.0, 1.0);
        for (int i = 0; i < 1000; ++i) CHECK(limiter.acquire("key-" + std::to_string(i)) == 0);
        clock.advance(120);
        // After pruning, a key starts with a full bucket again, as if never seen.
        CHECK(limiter.acquire("key-1") == 0);
        CHECK(limiter.acquire("key-1") == 1);
    }
}

// domain::RequestLimiter (per-address token buckets kept in storage, on a manual clock),
// its in-memory RefusalCache, and storage::LimiterRepository's counters and purge.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

#include "domain/request_limiter.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"
#include "util/clock.h"
#include "util/refusal_cache.h"

using contactd::ManualClock;
using contactd::RefusalCache;
using contactd::domain::BucketPolicy;
using contactd::domain::RequestBudget;
using contactd::domain::RequestLimiter;
using contactd::storage::Repositories;
using contactd::storage::sqlite::SqliteStore;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;

struct LimiterFixture {
    contactd::test::TempDir dir;
    std::string path = (dir.path() / "limits.db").string();
    SqliteStore store{path};
    ManualClock clock{kStart};

    // `check` is 30 a minute with a burst of 30 (a token every 2 s), `send` 3 at once
    // then one a minute.
    RequestLimiter make(SqliteStore& on, std::size_t cache = 10000) {
        return RequestLimiter(on, clock, BucketPolicy{3, 60.0}, BucketPolicy{30, 2.0}, cache);
    }

    int bucket_rows() {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        return db.execAndGet("SELECT count(*) FROM limiter_buckets").getInt();
    }
};

}  // namespace

TEST_SUITE("domain::request_limiter") {
    TEST_CASE("request_limiter::acquire allows the burst, then asks to wait for the next token") {
        LimiterFixture f;
        auto limiter = f.make(f.store);
        for (int i = 0; i < 30; ++i) {
            CAPTURE(i);
            CHECK(limiter.acquire(RequestBudget::Check, "10.0.0.1") == 0);
        }
        CHECK(limiter.acquire(RequestBudget::Check, "10.0.0.1") == 2);
        CHECK(limiter.acquire(RequestBudget::Check, "10.0.0.1") == 2);  // a refusal costs nothing
        f.clock.advance(1);
        CHECK(limiter.acquire(RequestBudget::Check, "10.0.0.1") == 1);
        f.clock.advance(1);
        CHECK(limiter.acquire(RequestBudget::Check, "10.0.0.1") == 0);
        CHECK(limiter.acquire(RequestBudget::Check, "10.0.0.1") > 0);
    }

    TEST_CASE("request_limiter::acquire keeps one bucket per address and budget") {
        LimiterFixture f;
        auto limiter = f.make(f.store);
        for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(RequestBudget::Send, "a") == 0);
        CHECK(limiter.acquire(RequestBudget::Send, "a") == 60);
        CHECK(limiter.acquire(RequestBudget::Check, "a") == 0);  // the other budget is whole
        for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(RequestBudget::Send, "b") == 0);
        CHECK(limiter.acquire(RequestBudget::Send, "b") == 60);
    }

    TEST_CASE("request_limiter::acquire refills no further than the burst") {
        LimiterFixture f;
        auto limiter = f.make(f.store);
        for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(RequestBudget::Send, "k") == 0);
        f.clock.advance(3600);  // an hour idle: still only 3 at once
        for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(RequestBudget::Send, "k") == 0);
        CHECK(limiter.acquire(RequestBudget::Send, "k") == 60);
    }

    TEST_CASE("request_limiter: the buckets hold after a restart and across processes") {
        LimiterFixture f;
        {
            auto limiter = f.make(f.store);
            for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(RequestBudget::Send, "k") == 0);
        }
        // A second store on the same file: another process, or this one after a restart.
        SqliteStore other(f.path);
        auto restarted = f.make(other);
        CHECK(restarted.acquire(RequestBudget::Send, "k") == 60);
        f.clock.advance(60);
        CHECK(restarted.acquire(RequestBudget::Send, "k") == 0);
        // ... and the first process sees what the second took.
        auto first = f.make(f.store);
        CHECK(first.acquire(RequestBudget::Send, "k") == 60);
    }

    TEST_CASE("request_limiter: a refusal is answered from memory, bounded by the cache size") {
        LimiterFixture f;
        auto limiter = f.make(f.store, 4);
        for (int k = 0; k < 10; ++k) {
            const auto key = "10.0.0." + std::to_string(k);
            for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(RequestBudget::Send, key) == 0);
            CHECK(limiter.acquire(RequestBudget::Send, key) == 60);
            CHECK(limiter.cached_refusals() <= 4);
        }
        CHECK(limiter.cached_refusals() == 4);
        // Held in memory: answered without storage, even with the table gone.
        {
            SQLite::Database db(f.path, SQLite::OPEN_READWRITE);
            db.exec("DELETE FROM limiter_buckets");
        }
        CHECK(limiter.acquire(RequestBudget::Send, "10.0.0.9") == 60);  // the newest is kept
        // The evicted ones go to storage, which here forgot them.
        int from_memory = 0;
        for (int k = 0; k < 10; ++k) {
            if (limiter.acquire(RequestBudget::Send, "10.0.0." + std::to_string(k)) > 0)
                ++from_memory;
        }
        CHECK(from_memory == 4);
    }

    TEST_CASE("request_limiter: the purge deletes full buckets and ended counters only") {
        LimiterFixture f;
        auto limiter = f.make(f.store);
        CHECK(limiter.acquire(RequestBudget::Send, "idle") == 0);
        f.clock.advance(30);
        for (int i = 0; i < 3; ++i) CHECK(limiter.acquire(RequestBudget::Send, "busy") == 0);
        f.store.write([&](Repositories& repos) {
            CHECK(repos.limiter().count("today", kStart + 100, 2));
            CHECK(repos.limiter().count("today", kStart + 100, 2));
            CHECK_FALSE(repos.limiter().count("today", kStart + 100, 2));
            CHECK(repos.limiter().counted("today") == 2);
            CHECK(repos.limiter().count("yesterday", kStart + 10, 2));
        });
        CHECK(f.bucket_rows() == 2);
        // At +60 the "idle" bucket is full again (one token back after 60 s); "busy" is not.
        f.clock.set(kStart + 60);
        const auto removed = f.store.write(
            [&](Repositories& repos) { return repos.limiter().purge_expired(f.clock.now()); });
        CHECK(removed == 2);  // "idle" and "yesterday"
        CHECK(f.bucket_rows() == 1);
        f.store.read([](Repositories& repos) {
            CHECK(repos.limiter().counted("today") == 2);
            CHECK(repos.limiter().counted("yesterday") == 0);
        });
        // The purge changed no answer: "busy" is still empty.
        CHECK(limiter.acquire(RequestBudget::Send, "busy") > 0);
    }
}

TEST_SUITE("util::refusal_cache") {
    TEST_CASE("refusal_cache: refusals end on time") {
        RefusalCache cache(10);
        cache.refuse("a", kStart + 5, kStart);
        CHECK(cache.remaining("a", kStart) == 5);
        CHECK(cache.remaining("a", kStart + 4) == 1);
        CHECK(cache.remaining("a", kStart + 5) == 0);
        CHECK(cache.remaining("b", kStart) == 0);
        CHECK(cache.size() == 0);  // the ended one was dropped when seen
    }

    TEST_CASE(
        "refusal_cache: ended refusals are forgotten, and it never holds more than its capacity") {
        RefusalCache cache(100);
        for (int i = 0; i < 1000; ++i) {
            cache.refuse("key-" + std::to_string(i), kStart + 60, kStart);
            REQUIRE(cache.size() <= 100);
        }
        CHECK(cache.size() == 100);
        // Idle keys never asked for again: once their refusal ended they are dropped as a
        // whole, not one by one, when room is needed.
        cache.refuse("late", kStart + 200, kStart + 120);
        CHECK(cache.size() == 1);
        CHECK(cache.remaining("late", kStart + 120) == 80);
    }
}

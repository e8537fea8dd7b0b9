// storage::sqlite::SqliteStore: migrations applied once and recorded, the durability
// pragmas, transactions that roll back on a throw, and write_then_raise.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "domain/transaction.h"
#include "storage/sqlite/migrator.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"
#include "util/embedded.h"
#include "util/error.h"

using namespace contactd;
using storage::sqlite::SqliteStore;

namespace {

std::vector<std::string> recorded_migrations(SQLite::Database& db) {
    SQLite::Statement s(db, "SELECT name FROM schema_migrations ORDER BY name");
    std::vector<std::string> out;
    while (s.executeStep()) out.push_back(s.getColumn(0).getString());
    return out;
}

std::vector<std::string> embedded_names() {
    std::vector<std::string> out;
    for (const auto& f : embedded_migrations()) {
        if (f.size > 0) out.emplace_back(f.name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_SUITE("storage::sqlite_store") {
    TEST_CASE("sqlite_store: every embedded migration is applied once and recorded") {
        test::TempDir dir;
        const auto path = (dir.path() / "m.db").string();
        const auto names = embedded_names();
        REQUIRE_FALSE(names.empty());
        CHECK(names.front() == "001_initial.sql");
        {
            SqliteStore store(path);
            auto& db = store.writer_connection_for_tests();
            CHECK(recorded_migrations(db) == names);
            for (const char* table : {"contacts", "identities", "one_time_codes", "sessions",
                                      "refresh_tokens", "api_keys", "outbox", "settings"}) {
                CAPTURE(table);
                CHECK(db.tableExists(table));
            }
            // Applying again changes nothing.
            CHECK(storage::sqlite::apply_migrations(db).empty());
            CHECK(recorded_migrations(db) == names);
        }
        // Re-opening (a restart) neither fails on existing tables nor re-records anything.
        SqliteStore again(path);
        CHECK(recorded_migrations(again.writer_connection_for_tests()) == names);
    }

    TEST_CASE(
        "sqlite_store: the writer runs WAL, synchronous=FULL, foreign keys and a busy timeout") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "p.db").string());
        auto& db = store.writer_connection_for_tests();
        CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
        CHECK(db.execAndGet("PRAGMA synchronous").getInt() == 2);  // FULL
        CHECK(db.execAndGet("PRAGMA foreign_keys").getInt() == 1);
        CHECK(db.execAndGet("PRAGMA busy_timeout").getInt() > 0);
    }

    TEST_CASE("sqlite_store: foreign keys are enforced inside transactions") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "fk.db").string());
        CHECK_THROWS(store.write([](storage::Repositories& repos) {
            storage::IdentityRecord identity;
            identity.id = "i1";
            identity.contact_id = "no-such-contact";
            identity.provider = "PHONE";
            identity.value = identity.display_value = "+35799478230";
            repos.identities().insert(identity);
        }));
        CHECK_FALSE(
            store.read([](storage::Repositories& repos) { return repos.identities().find("i1"); })
                .has_value());
    }

    TEST_CASE(
        "sqlite_store::write: a throwing write rolls everything back, and the store stays usable") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "r.db").string());
        CHECK_THROWS_AS(store.write([](storage::Repositories& repos) {
            repos.settings().put("first", "1");
            storage::ContactRecord c;
            c.id = "c1";
            repos.contacts().insert(c);
            throw std::runtime_error("a rule failed half-way");
        }),
                        std::runtime_error);
        store.read([](storage::Repositories& repos) {
            CHECK_FALSE(repos.settings().get("first").has_value());
            CHECK_FALSE(repos.contacts().find("c1").has_value());
        });
        // A storage error (constraint) half-way rolls back the earlier statements too.
        store.write([](storage::Repositories& repos) { repos.settings().put("k", "v"); });
        CHECK_THROWS(store.write([](storage::Repositories& repos) {
            repos.settings().put("other", "x");
            storage::ContactRecord c;
            c.id = "dup";
            repos.contacts().insert(c);
            repos.contacts().insert(c);  // PRIMARY KEY violation
        }));
        store.read([](storage::Repositories& repos) {
            CHECK(repos.settings().get("k") == "v");
            CHECK_FALSE(repos.settings().get("other").has_value());
            CHECK_FALSE(repos.contacts().find("dup").has_value());
        });
        // Later writes commit normally.
        store.write([](storage::Repositories& repos) { repos.settings().put("after", "yes"); });
        CHECK(store.read([](storage::Repositories& repos) {
            return repos.settings().get("after");
        }) == "yes");
    }

    TEST_CASE("sqlite_store: committed writes survive closing and re-opening") {
        test::TempDir dir;
        const auto path = (dir.path() / "d.db").string();
        {
            SqliteStore store(path);
            store.write(
                [](storage::Repositories& repos) { repos.settings().put("durable", "yes"); });
        }
        SqliteStore store(path);
        CHECK(store.read([](storage::Repositories& repos) {
            return repos.settings().get("durable");
        }) == "yes");
        CHECK(store.healthy());
    }

    TEST_CASE("sqlite_store: verifying a verified contact or identity changes nothing") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "v.db").string());
        storage::ContactRecord contact;
        contact.id = "c1";
        contact.created_at = contact.updated_at = 100;
        storage::IdentityRecord identity;
        identity.id = "i1";
        identity.contact_id = "c1";
        identity.provider = "EMAIL";
        identity.value = "a@example.com";
        identity.created_at = 100;
        store.write([&](storage::Repositories& repos) {
            repos.contacts().insert(contact);
            repos.identities().insert(identity);
        });
        const auto verify = [&](std::int64_t now) {
            store.write([&](storage::Repositories& repos) {
                repos.contacts().set_verified("c1", now);
                repos.identities().mark_verified("i1");
            });
            return store.read([](storage::Repositories& repos) {
                return std::make_pair(*repos.contacts().find("c1"), *repos.identities().find("i1"));
            });
        };
        const auto first = verify(200);
        CHECK(first.first.is_verified);
        CHECK(first.first.updated_at == 200);
        CHECK(first.second.is_verified);
        auto& db = store.writer_connection_for_tests();
        const auto changes_before = db.getTotalChanges();
        const auto again = verify(300);
        CHECK(again.first.updated_at == 200);  // a sign-in is no change to the contact
        CHECK(again.second.is_verified);
        CHECK(db.getTotalChanges() == changes_before);  // no row was written
    }

    TEST_CASE("sqlite_store: a write whose savepoint journals hundreds of pages commits") {
        // Its savepoint keeps the original of every page it changes: a guard for any tuning
        // of where that sub-journal lives (SqliteStore::open).
        test::TempDir dir;
        SqliteStore store((dir.path() / "big.db").string());
        const auto fill = [&](char c) {
            store.write([&](storage::Repositories& repos) {
                for (int i = 0; i < 300; ++i)
                    repos.settings().put("k" + std::to_string(i), std::string(3000, c));
            });
        };
        fill('a');
        fill('b');  // rewrites ~300 pages: a 1.2 MB sub-journal
        CHECK(store.read([](storage::Repositories& repos) {
            return repos.settings().get("k299");
        }) == std::string(3000, 'b'));
        // A failing write of the same size rolls back alone.
        CHECK_THROWS(store.write([&](storage::Repositories& repos) {
            for (int i = 0; i < 300; ++i)
                repos.settings().put("k" + std::to_string(i), std::string(3000, 'c'));
            throw std::runtime_error("no");
        }));
        CHECK(store.read([](storage::Repositories& repos) { return repos.settings().get("k7"); }) ==
              std::string(3000, 'b'));
    }

    TEST_CASE("transaction::write_then_raise commits the bookkeeping, then throws the failure") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "w.db").string());
        try {
            domain::write_then_raise(store,
                                     [](storage::Repositories& repos) -> tl::expected<int, Error> {
                                         repos.settings().put("counted", "1");
                                         return tl::unexpected(not_authenticated("wrong code"));
                                     });
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::NotAuthenticated);
        }
        CHECK(store.read([](storage::Repositories& repos) {
            return repos.settings().get("counted");
        }) == "1");
        CHECK(domain::write_then_raise(
                  store, [](storage::Repositories&) -> tl::expected<int, Error> { return 42; }) ==
              42);
    }

    TEST_CASE("sqlite_store: concurrent writers are serialized without losing updates") {
        test::TempDir dir;
        SqliteStore store((dir.path() / "c.db").string());
        store.write([](storage::Repositories& repos) { repos.settings().put("n", "0"); });
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t) {
            threads.emplace_back([&] {
                for (int i = 0; i < 25; ++i) {
                    store.write([](storage::Repositories& repos) {
                        const int n = std::stoi(repos.settings().get("n").value());
                        repos.settings().put("n", std::to_string(n + 1));
                    });
                    store.read(
                        [](storage::Repositories& repos) { return repos.settings().get("n"); });
                }
            });
        }
        for (auto& t : threads) t.join();
        CHECK(store.read([](storage::Repositories& repos) { return repos.settings().get("n"); }) ==
              "200");
    }
}

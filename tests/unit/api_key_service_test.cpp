// domain::ApiKeyService's cache of live keys: a revoke in the same process refuses the key
// at once; one made by another process (the CLI, another server on the same database) is
// seen within kCacheRecheck.
#include <doctest/doctest.h>

#include <string>
#include <thread>

#include "domain/api_key_service.h"
#include "domain/security_events.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"

using namespace contactd;
using domain::ApiKeyService;
using domain::ApiKeyType;

namespace {

struct Process {
    explicit Process(const std::string& path) : store(path), events(store, clock) {}
    storage::sqlite::SqliteStore store;
    ManualClock clock{1'700'000'000};
    domain::SecurityEvents events;
    ApiKeyService keys{store, clock, events};
};

}  // namespace

TEST_SUITE("domain::api_keys") {
    TEST_CASE("api_keys: a revoke in this process refuses the cached key at once") {
        test::TempDir dir;
        Process server((dir.path() / "k.db").string());
        const auto made = server.keys.create(ApiKeyType::Public, "app");
        REQUIRE(server.keys.find(made.key));  // now cached
        REQUIRE(server.keys.find(made.key));
        REQUIRE(server.keys.revoke(made.record.id));
        CHECK_FALSE(server.keys.find(made.key));
        CHECK_FALSE(server.keys.find("pk_not-a-key"));
    }

    TEST_CASE("api_keys: a revoke by another process is seen within the recheck interval") {
        test::TempDir dir;
        const auto path = (dir.path() / "k.db").string();
        Process server(path);
        Process cli(path);
        const auto made = cli.keys.create(ApiKeyType::Secret, "integration");
        const auto other = cli.keys.create(ApiKeyType::Public, "app");
        REQUIRE(server.keys.find(made.key));
        REQUIRE(server.keys.find(other.key));

        REQUIRE(cli.keys.revoke(made.record.id));
        std::this_thread::sleep_for(ApiKeyService::kCacheRecheck + std::chrono::milliseconds(20));
        CHECK_FALSE(server.keys.find(made.key));
        CHECK(server.keys.find(other.key));  // the others are read again, still live

        // A key made elsewhere is found at once: misses always ask the database.
        const auto later = cli.keys.create(ApiKeyType::Public, "later");
        CHECK(server.keys.find(later.key));
    }
}

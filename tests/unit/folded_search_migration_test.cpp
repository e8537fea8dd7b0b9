// sql/010_folded_search.sql on a database made before it: the rows already there get
// their folded columns (through contactd_fold, registered by the migrator), so a
// back-office search in any case finds contacts and identities created before the
// upgrade; and a database file migrated by contactd stays writable by a plain SQLite
// connection that knows nothing of contactd_fold.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "domain/backoffice_contacts.h"
#include "storage/sqlite/migrator.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"
#include "util/embedded.h"

using namespace contactd;

namespace {

// Applies every embedded migration named before `before`, recording each as applied, as
// an older contactd would have left the database.
void migrate_up_to(SQLite::Database& db, const std::string& before) {
    db.exec(
        "CREATE TABLE schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL DEFAULT (unixepoch()))");
    std::vector<EmbeddedFile> files(embedded_migrations().begin(), embedded_migrations().end());
    std::sort(files.begin(), files.end(), [](const EmbeddedFile& a, const EmbeddedFile& b) {
        return std::string_view(a.name) < b.name;
    });
    for (const auto& file : files) {
        if (std::string(file.name) >= before || file.size == 0) continue;
        db.exec(std::string(file.view()));
        SQLite::Statement record(db, "INSERT INTO schema_migrations (name) VALUES (?)");
        record.bind(1, file.name);
        record.exec();
    }
}

std::vector<std::string> names_found(storage::sqlite::SqliteStore& store,
                                     const std::string& search_value) {
    domain::ContactFilter filter;
    filter.search_value = search_value;
    const auto search = domain::BackOfficeContacts::search_of(filter);
    const auto rows = store.read(
        [&](storage::Repositories& repos) { return repos.contacts().search(search, 0, 100); });
    std::vector<std::string> out;
    for (const auto& c : rows) out.push_back(c.first_name.value_or(""));
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_SUITE("storage::folded_search_migration") {
    TEST_CASE("migration 010: contacts and identities from before it are found in any case") {
        test::TempDir dir;
        const auto path = (dir.path() / "old.db").string();
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            migrate_up_to(db, "010");
            db.exec(
                "INSERT INTO contacts (id, first_name, last_name, email, email_normalized,"
                " code, created_at, updated_at) VALUES"
                " ('c1', 'Ελένη', 'Παπαδοπούλου', 'Eleni@Example.gr', 'eleni@example.gr', 'ΚΩΔ-1',"
                " 1, 1),"
                " ('c2', 'Иван', 'Петров', NULL, NULL, NULL, 2, 2),"
                " ('c3', 'José', 'Núñez', NULL, NULL, NULL, 3, 3),"
                " ('c4', 'Andy', 'Steward', NULL, NULL, NULL, 4, 4)");
            db.exec(
                "INSERT INTO identities (id, contact_id, provider, value, display_value,"
                " is_verified, created_at) VALUES"
                " ('i3', 'c3', 'EMAIL', 'josé@ejemplo.es', 'JOSÉ@Ejemplo.es', 1, 3)");
        }
        storage::sqlite::SqliteStore store(path);  // applies 010 (and anything after it)

        CHECK(names_found(store, "ελένη") == std::vector<std::string>{"Ελένη"});
        CHECK(names_found(store, "ΕΛΈΝΗ") == std::vector<std::string>{"Ελένη"});
        CHECK(names_found(store, "παπαδ") == std::vector<std::string>{"Ελένη"});
        CHECK(names_found(store, "κωδ-") == std::vector<std::string>{"Ελένη"});
        CHECK(names_found(store, "ELENI@EX") == std::vector<std::string>{"Ελένη"});
        CHECK(names_found(store, "ИВАН") == std::vector<std::string>{"Иван"});
        CHECK(names_found(store, "петр") == std::vector<std::string>{"Иван"});
        CHECK(names_found(store, "NÚÑ") == std::vector<std::string>{"José"});
        CHECK(names_found(store, "JOSÉ@EJ") == std::vector<std::string>{"José"});
        CHECK(names_found(store, "andy") == std::vector<std::string>{"Andy"});
        CHECK(names_found(store, "jose").empty());  // folding is not accent stripping

        // The folded copies are plain stored text: a connection without contactd_fold
        // still reads, writes and checks the database.
        SQLite::Database plain(path, SQLite::OPEN_READWRITE);
        plain.exec("UPDATE contacts SET first_name = 'Eleni' WHERE id = 'c1'");
        SQLite::Statement check(plain, "PRAGMA integrity_check");
        REQUIRE(check.executeStep());
        CHECK(check.getColumn(0).getString() == "ok");
        SQLite::Statement folded(plain, "SELECT last_name_folded FROM contacts WHERE id = 'c2'");
        REQUIRE(folded.executeStep());
        CHECK(folded.getColumn(0).getString() == "петров");
    }
}

#include "storage/sqlite/migrator.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include "util/embedded.h"

namespace contactd::storage::sqlite {

std::vector<std::string> apply_migrations(SQLite::Database& db) {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL DEFAULT (unixepoch()))");
    std::vector<EmbeddedFile> files(embedded_migrations().begin(), embedded_migrations().end());
    std::sort(files.begin(), files.end(), [](const EmbeddedFile& a, const EmbeddedFile& b) {
        return std::string_view(a.name) < b.name;
    });

    std::vector<std::string> applied;
    for (const auto& file : files) {
        if (file.size == 0) continue;
        SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
        SQLite::Statement seen(db, "SELECT 1 FROM schema_migrations WHERE name = ?");
        seen.bind(1, file.name);
        if (seen.executeStep()) continue;  // the transaction rolls back: nothing was written
        db.exec(std::string(file.view()));
        SQLite::Statement record(db, "INSERT INTO schema_migrations (name) VALUES (?)");
        record.bind(1, file.name);
        record.exec();
        tx.commit();
        applied.emplace_back(file.name);
    }
    return applied;
}

}  // namespace contactd::storage::sqlite

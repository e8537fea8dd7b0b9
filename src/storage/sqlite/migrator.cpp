#include "storage/sqlite/migrator.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>

#include <sqlite3.h>

#include "util/embedded.h"
#include "util/text_fold.h"

namespace contactd::storage::sqlite {
namespace {

// contactd_fold(text): util/text_fold.h for migrations that backfill folded columns
// (sql/010). NULL stays NULL.
void fold_function(sqlite3_context* context, int, sqlite3_value** args) {
    if (sqlite3_value_type(args[0]) == SQLITE_NULL) {
        sqlite3_result_null(context);
        return;
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(args[0]));
    const int bytes = sqlite3_value_bytes(args[0]);
    try {
        const auto folded = fold_case(std::string_view(text ? text : "", bytes));
        sqlite3_result_text(context, folded.data(), static_cast<int>(folded.size()),
                            SQLITE_TRANSIENT);
    } catch (const std::exception& e) {
        sqlite3_result_error(context, e.what(), -1);
    }
}

}  // namespace

std::vector<std::string> apply_migrations(SQLite::Database& db) {
    db.createFunction("contactd_fold", 1, true, nullptr, &fold_function);
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

#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"

namespace contactd::storage::sqlite {

std::optional<std::string> SqliteSettings::get(const std::string& key) {
    auto stmt_lease = db_.prepare("SELECT value FROM settings WHERE key = ?");
    auto& stmt = *stmt_lease;
    stmt.bind(1, key);
    if (!stmt.executeStep()) return std::nullopt;
    return stmt.getColumn(0).getString();
}

void SqliteSettings::put(const std::string& key, const std::string& value) {
    auto stmt_lease = db_.prepare(
        "INSERT INTO settings (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
    auto& stmt = *stmt_lease;
    stmt.bind(1, key);
    stmt.bind(2, value);
    stmt.exec();
}

}  // namespace contactd::storage::sqlite

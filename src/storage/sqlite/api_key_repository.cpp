#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/statement_helpers.h"

namespace contactd::storage::sqlite {
namespace {

// Kept in the settings table: no migration, and an older database reads as 0.
constexpr const char* kGenerationKey = "api_keys.generation";

constexpr const char* kSelect =
    "SELECT id, name, key_type, key_hash, prefix, created_at, revoked_at FROM api_keys ";

ApiKeyRecord read_key(SQLite::Statement& s) {
    ApiKeyRecord k;
    k.id = s.getColumn(0).getString();
    k.name = s.getColumn(1).getString();
    k.key_type = s.getColumn(2).getString();
    k.key_hash = s.getColumn(3).getString();
    k.prefix = s.getColumn(4).getString();
    k.created_at = s.getColumn(5).getInt64();
    k.revoked_at = optional_int(s, 6);
    return k;
}

}  // namespace

void SqliteApiKeys::insert(const ApiKeyRecord& k) {
    auto s_lease = db_.prepare(
        "INSERT INTO api_keys (id, name, key_type, key_hash, prefix, created_at, revoked_at)"
        " VALUES (?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, k.id);
    s.bind(2, k.name);
    s.bind(3, k.key_type);
    s.bind(4, k.key_hash);
    s.bind(5, k.prefix);
    s.bind(6, k.created_at);
    bind(s, 7, k.revoked_at);
    s.exec();
    bump_generation();
}

std::optional<ApiKeyRecord> SqliteApiKeys::find_by_hash(const std::string& key_hash) {
    auto s_lease = db_.prepare(std::string(kSelect) + "WHERE key_hash = ?");
    auto& s = *s_lease;
    s.bind(1, key_hash);
    if (!s.executeStep()) return std::nullopt;
    return read_key(s);
}

std::optional<ApiKeyRecord> SqliteApiKeys::find(const std::string& id) {
    auto s_lease = db_.prepare(std::string(kSelect) + "WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_key(s);
}

std::vector<ApiKeyRecord> SqliteApiKeys::list() {
    auto s_lease = db_.prepare(std::string(kSelect) + "ORDER BY created_at, id");
    auto& s = *s_lease;
    std::vector<ApiKeyRecord> out;
    while (s.executeStep()) out.push_back(read_key(s));
    return out;
}

bool SqliteApiKeys::revoke(const std::string& id, std::int64_t now) {
    auto s_lease =
        db_.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, id);
    if (s.exec() != 1) return false;
    bump_generation();
    return true;
}

std::int64_t SqliteApiKeys::generation() {
    auto s_lease = db_.prepare("SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?");
    auto& s = *s_lease;
    s.bind(1, kGenerationKey);
    return s.executeStep() ? s.getColumn(0).getInt64() : 0;
}

void SqliteApiKeys::bump_generation() {
    auto s_lease = db_.prepare(
        "INSERT INTO settings (key, value) VALUES (?, '1') ON CONFLICT (key)"
        " DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)");
    auto& s = *s_lease;
    s.bind(1, kGenerationKey);
    s.exec();
}

}  // namespace contactd::storage::sqlite

#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"
#include "util/text_fold.h"

namespace contactd::storage::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT id, contact_id, provider, value, display_value, is_verified, created_at, password_hash,"
    " requires_verification FROM identities ";

IdentityRecord read_identity(SQLite::Statement& s) {
    IdentityRecord i;
    i.id = s.getColumn(0).getString();
    i.contact_id = s.getColumn(1).getString();
    i.provider = s.getColumn(2).getString();
    i.value = s.getColumn(3).getString();
    i.display_value = s.getColumn(4).getString();
    i.is_verified = s.getColumn(5).getInt() != 0;
    i.created_at = s.getColumn(6).getInt64();
    if (!s.getColumn(7).isNull()) i.password_hash = s.getColumn(7).getString();
    i.requires_verification = s.getColumn(8).getInt() != 0;
    return i;
}

}  // namespace

void SqliteIdentities::insert(const IdentityRecord& i) {
    auto s_lease = db_.prepare(
        "INSERT INTO identities (id, contact_id, provider, value, display_value,"
        " is_verified, created_at, password_hash, requires_verification, value_folded)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, i.id);
    s.bind(2, i.contact_id);
    s.bind(3, i.provider);
    s.bind(4, i.value);
    s.bind(5, i.display_value);
    s.bind(6, i.is_verified ? 1 : 0);
    s.bind(7, i.created_at);
    if (i.password_hash) {
        s.bind(8, *i.password_hash);
    } else {
        s.bind(8);
    }
    s.bind(9, i.requires_verification ? 1 : 0);
    s.bind(10, fold_case(i.value));  // searched by the back office (sql/010)
    s.exec();
}

std::optional<IdentityRecord> SqliteIdentities::find(const std::string& id) {
    auto s_lease = db_.prepare(std::string(kSelect) + "WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_identity(s);
}

std::optional<IdentityRecord> SqliteIdentities::find_by_value(const std::string& provider,
                                                              const std::string& value) {
    auto s_lease = db_.prepare(std::string(kSelect) + "WHERE provider = ? AND value = ?");
    auto& s = *s_lease;
    s.bind(1, provider);
    s.bind(2, value);
    if (!s.executeStep()) return std::nullopt;
    return read_identity(s);
}

std::vector<IdentityRecord> SqliteIdentities::list_for_contact(const std::string& contact_id) {
    auto s_lease =
        db_.prepare(std::string(kSelect) + "WHERE contact_id = ? ORDER BY created_at, id");
    auto& s = *s_lease;
    s.bind(1, contact_id);
    std::vector<IdentityRecord> out;
    while (s.executeStep()) out.push_back(read_identity(s));
    return out;
}

void SqliteIdentities::mark_verified(const std::string& id) {
    auto s_lease =
        db_.prepare("UPDATE identities SET is_verified = 1 WHERE id = ? AND is_verified = 0");
    auto& s = *s_lease;
    s.bind(1, id);
    s.exec();
}

void SqliteIdentities::set_password_hash(const std::string& id,
                                         const std::optional<std::string>& password_hash) {
    auto s_lease = db_.prepare("UPDATE identities SET password_hash = ? WHERE id = ?");
    auto& s = *s_lease;
    if (password_hash) {
        s.bind(1, *password_hash);
    } else {
        s.bind(1);
    }
    s.bind(2, id);
    s.exec();
}

bool SqliteIdentities::remove(const std::string& id) {
    auto s_lease = db_.prepare("DELETE FROM identities WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    return s.exec() > 0;
}

}  // namespace contactd::storage::sqlite

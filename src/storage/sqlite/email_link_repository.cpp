#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/statement_helpers.h"

namespace contactd::storage::sqlite {
namespace {

constexpr const char* kColumns =
    "id, token_hash, purpose, destination, contact_id, identity_id, claimant, created_at,"
    " expires_at, used_at, replaced_at";

EmailLinkTokenRecord read_row(SQLite::Statement& s) {
    EmailLinkTokenRecord t;
    t.id = s.getColumn(0).getString();
    t.token_hash = s.getColumn(1).getString();
    t.purpose = s.getColumn(2).getString();
    t.destination = s.getColumn(3).getString();
    t.contact_id = optional_text(s, 4);
    t.identity_id = optional_text(s, 5);
    t.claimant = s.getColumn(6).getInt() != 0;
    t.created_at = s.getColumn(7).getInt64();
    t.expires_at = s.getColumn(8).getInt64();
    t.used_at = optional_int(s, 9);
    t.replaced_at = optional_int(s, 10);
    return t;
}

}  // namespace

void SqliteEmailLinks::insert(const EmailLinkTokenRecord& t) {
    auto s_lease = db_.prepare(std::string("INSERT INTO email_link_tokens (") + kColumns +
                               ") VALUES (?,?,?,?,?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, t.id);
    s.bind(2, t.token_hash);
    s.bind(3, t.purpose);
    s.bind(4, t.destination);
    bind(s, 5, t.contact_id);
    bind(s, 6, t.identity_id);
    s.bind(7, t.claimant ? 1 : 0);
    s.bind(8, t.created_at);
    s.bind(9, t.expires_at);
    bind(s, 10, t.used_at);
    bind(s, 11, t.replaced_at);
    s.exec();
}

std::optional<EmailLinkTokenRecord> SqliteEmailLinks::find_by_hash(const std::string& token_hash) {
    auto s_lease = db_.prepare(std::string("SELECT ") + kColumns +
                               " FROM email_link_tokens WHERE token_hash = ?");
    auto& s = *s_lease;
    s.bind(1, token_hash);
    if (!s.executeStep()) return std::nullopt;
    return read_row(s);
}

std::optional<EmailLinkTokenRecord> SqliteEmailLinks::latest(const std::string& destination,
                                                             const std::string& purpose) {
    auto s_lease = db_.prepare(std::string("SELECT ") + kColumns +
                               " FROM email_link_tokens WHERE destination = ? AND purpose = ?"
                               " ORDER BY created_at DESC, rowid DESC LIMIT 1");
    auto& s = *s_lease;
    s.bind(1, destination);
    s.bind(2, purpose);
    if (!s.executeStep()) return std::nullopt;
    return read_row(s);
}

EmailLinkRepository::Window SqliteEmailLinks::issued_since(const std::string& destination,
                                                           const std::string& purpose,
                                                           std::int64_t since) {
    auto s_lease = db_.prepare(
        "SELECT count(*), coalesce(min(created_at), 0) FROM email_link_tokens"
        " WHERE destination = ? AND purpose = ? AND created_at >= ?");
    auto& s = *s_lease;
    s.bind(1, destination);
    s.bind(2, purpose);
    s.bind(3, since);
    s.executeStep();
    return {s.getColumn(0).getInt(), s.getColumn(1).getInt64()};
}

int SqliteEmailLinks::replace_all(const std::string& destination, const std::string& purpose,
                                  std::int64_t now) {
    auto s_lease = db_.prepare(
        "UPDATE email_link_tokens SET replaced_at = ? WHERE destination = ? AND"
        " purpose = ? AND used_at IS NULL AND replaced_at IS NULL");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, destination);
    s.bind(3, purpose);
    return s.exec();
}

bool SqliteEmailLinks::consume(const std::string& id, std::int64_t now) {
    auto s_lease = db_.prepare(
        "UPDATE email_link_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL"
        " AND replaced_at IS NULL");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, id);
    return s.exec() == 1;
}

int SqliteEmailLinks::spend_all_for_identity(const std::string& identity_id,
                                             const std::string& purpose, std::int64_t now) {
    auto s_lease = db_.prepare(
        "UPDATE email_link_tokens SET replaced_at = ? WHERE identity_id = ? AND"
        " purpose = ? AND used_at IS NULL AND replaced_at IS NULL");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, identity_id);
    s.bind(3, purpose);
    return s.exec();
}

int SqliteEmailLinks::delete_expired(std::int64_t expired_by, std::int64_t issued_by) {
    auto s_lease =
        db_.prepare("DELETE FROM email_link_tokens WHERE expires_at <= ? AND created_at <= ?");
    auto& s = *s_lease;
    s.bind(1, expired_by);
    s.bind(2, issued_by);
    return s.exec();
}

}  // namespace contactd::storage::sqlite

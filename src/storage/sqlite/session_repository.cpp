#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/statement_helpers.h"

namespace contactd::storage::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT id, contact_id, auth_method, created_at, last_used_at, absolute_expires_at, revoked_at,"
    " user_agent, ip_address, api_key_id FROM sessions ";

SessionRecord read_session(SQLite::Statement& s) {
    SessionRecord r;
    r.id = s.getColumn(0).getString();
    r.contact_id = s.getColumn(1).getString();
    r.auth_method = s.getColumn(2).getString();
    r.created_at = s.getColumn(3).getInt64();
    r.last_used_at = s.getColumn(4).getInt64();
    r.absolute_expires_at = s.getColumn(5).getInt64();
    r.revoked_at = optional_int(s, 6);
    r.user_agent = optional_text(s, 7);
    r.ip_address = optional_text(s, 8);
    r.api_key_id = optional_text(s, 9);
    return r;
}

}  // namespace

void SqliteSessions::insert(const SessionRecord& r) {
    auto s_lease = db_.prepare(
        "INSERT INTO sessions (id, contact_id, auth_method, created_at, last_used_at,"
        " absolute_expires_at, revoked_at, user_agent, ip_address, api_key_id)"
        " VALUES (?,?,?,?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, r.id);
    s.bind(2, r.contact_id);
    s.bind(3, r.auth_method);
    s.bind(4, r.created_at);
    s.bind(5, r.last_used_at);
    s.bind(6, r.absolute_expires_at);
    bind(s, 7, r.revoked_at);
    bind(s, 8, r.user_agent);
    bind(s, 9, r.ip_address);
    bind(s, 10, r.api_key_id);
    s.exec();
}

int SqliteSessions::revoke_all_for_api_key(const std::string& api_key_id, std::int64_t now) {
    auto s_lease = db_.prepare(
        "UPDATE sessions SET revoked_at = ? WHERE api_key_id = ? AND revoked_at IS NULL");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, api_key_id);
    return s.exec();
}

std::optional<SessionRecord> SqliteSessions::find(const std::string& id) {
    auto s_lease = db_.prepare(std::string(kSelect) + "WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_session(s);
}

void SqliteSessions::touch(const std::string& id, std::int64_t now,
                           const std::optional<std::string>& ip_address,
                           const std::optional<std::string>& user_agent) {
    auto s_lease = db_.prepare(
        "UPDATE sessions SET last_used_at = ?, ip_address = coalesce(?, ip_address),"
        " user_agent = coalesce(?, user_agent) WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, now);
    bind(s, 2, ip_address);
    bind(s, 3, user_agent);
    s.bind(4, id);
    s.exec();
}

void SqliteSessions::revoke(const std::string& id, std::int64_t now) {
    auto s_lease =
        db_.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, id);
    s.exec();
}

int SqliteSessions::revoke_all_for_contact(const std::string& contact_id, std::int64_t now,
                                           const std::optional<std::string>& keep) {
    auto s_lease = db_.prepare(
        "UPDATE sessions SET revoked_at = ? WHERE contact_id = ? AND revoked_at IS NULL"
        " AND (? IS NULL OR id <> ?)");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, contact_id);
    bind(s, 3, keep);
    bind(s, 4, keep);
    return s.exec();
}

std::vector<SessionRecord> SqliteSessions::list_live_for_contact(const std::string& contact_id,
                                                                 std::int64_t now) {
    auto s_lease =
        db_.prepare(std::string(kSelect) +
                    "WHERE contact_id = ? AND revoked_at IS NULL AND absolute_expires_at > ?"
                    " ORDER BY created_at DESC, id");
    auto& s = *s_lease;
    s.bind(1, contact_id);
    s.bind(2, now);
    std::vector<SessionRecord> out;
    while (s.executeStep()) out.push_back(read_session(s));
    return out;
}

void SqliteSessions::insert_refresh_token(const RefreshTokenRecord& t) {
    auto s_lease = db_.prepare(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at, used_at)"
        " VALUES (?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, t.token_hash);
    s.bind(2, t.session_id);
    s.bind(3, t.created_at);
    s.bind(4, t.expires_at);
    bind(s, 5, t.used_at);
    s.exec();
}

std::optional<RefreshTokenRecord> SqliteSessions::find_refresh_token(
    const std::string& token_hash) {
    auto s_lease = db_.prepare(
        "SELECT token_hash, session_id, created_at, expires_at, used_at FROM refresh_tokens"
        " WHERE token_hash = ?");
    auto& s = *s_lease;
    s.bind(1, token_hash);
    if (!s.executeStep()) return std::nullopt;
    RefreshTokenRecord t;
    t.token_hash = s.getColumn(0).getString();
    t.session_id = s.getColumn(1).getString();
    t.created_at = s.getColumn(2).getInt64();
    t.expires_at = s.getColumn(3).getInt64();
    t.used_at = optional_int(s, 4);
    return t;
}

bool SqliteSessions::spend_refresh_token(const std::string& token_hash, std::int64_t now) {
    auto s_lease = db_.prepare(
        "UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL");
    auto& s = *s_lease;
    s.bind(1, now);
    s.bind(2, token_hash);
    return s.exec() == 1;
}

}  // namespace contactd::storage::sqlite

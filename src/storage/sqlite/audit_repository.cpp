#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"

namespace contactd::storage::sqlite {
namespace {

// Separate texts per filter, so that each is planned on its own index.
std::string where(const AuditRepository::Filter& filter) {
    return filter.entity_id ? " WHERE entity_id = ?" : "";
}

void bind_filter(SQLite::Statement& s, const AuditRepository::Filter& filter) {
    if (filter.entity_id) s.bind(1, *filter.entity_id);
}

}  // namespace

void SqliteAudit::insert(const AuditRecord& a) {
    auto s_lease = db_.prepare(
        "INSERT INTO audit_log (id, api_key_id, action, entity_type, entity_id, detail, created_at)"
        " VALUES (?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, a.id);
    s.bind(2, a.api_key_id);
    s.bind(3, a.action);
    s.bind(4, a.entity_type);
    s.bind(5, a.entity_id);
    s.bind(6, a.detail);
    s.bind(7, a.created_at);
    s.exec();
}

std::vector<AuditRecord> SqliteAudit::list(const Filter& filter, std::int64_t offset, int limit) {
    auto s_lease = db_.prepare(
        "SELECT id, api_key_id, action, entity_type, entity_id, detail, created_at FROM audit_log" +
        where(filter) + " ORDER BY created_at DESC, rowid DESC LIMIT " + std::to_string(limit) +
        " OFFSET " + std::to_string(offset));
    auto& s = *s_lease;
    bind_filter(s, filter);
    std::vector<AuditRecord> out;
    while (s.executeStep()) {
        AuditRecord a;
        a.id = s.getColumn(0).getString();
        a.api_key_id = s.getColumn(1).getString();
        a.action = s.getColumn(2).getString();
        a.entity_type = s.getColumn(3).getString();
        a.entity_id = s.getColumn(4).getString();
        a.detail = s.getColumn(5).getString();
        a.created_at = s.getColumn(6).getInt64();
        out.push_back(std::move(a));
    }
    return out;
}

std::int64_t SqliteAudit::count(const Filter& filter) {
    auto s_lease = db_.prepare("SELECT count(*) FROM audit_log" + where(filter));
    auto& s = *s_lease;
    bind_filter(s, filter);
    s.executeStep();
    return s.getColumn(0).getInt64();
}

}  // namespace contactd::storage::sqlite

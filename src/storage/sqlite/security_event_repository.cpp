#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"
#include "storage/sqlite/statement_helpers.h"

namespace contactd::storage::sqlite {
namespace {

// One text per combination of filters, so that each is planned on its own index.
std::string where(const SecurityEventRepository::Filter& filter) {
    if (filter.contact_id && filter.type) return " WHERE contact_id = ? AND type = ?";
    if (filter.contact_id) return " WHERE contact_id = ?";
    if (filter.type) return " WHERE type = ?";
    return "";
}

void bind_filter(SQLite::Statement& s, const SecurityEventRepository::Filter& filter) {
    int index = 1;
    if (filter.contact_id) s.bind(index++, *filter.contact_id);
    if (filter.type) s.bind(index++, *filter.type);
}

}  // namespace

void SqliteSecurityEvents::insert(const SecurityEventRecord& e) {
    auto s_lease = db_.prepare(
        "INSERT INTO security_events (id, type, contact_id, ip_address, user_agent,"
        " request_id, detail, created_at) VALUES (?,?,?,?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, e.id);
    s.bind(2, e.type);
    bind(s, 3, e.contact_id);
    bind(s, 4, e.ip_address);
    bind(s, 5, e.user_agent);
    bind(s, 6, e.request_id);
    s.bind(7, e.detail);
    s.bind(8, e.created_at);
    s.exec();
}

std::vector<SecurityEventRecord> SqliteSecurityEvents::list(const Filter& filter,
                                                            std::int64_t offset, int limit) {
    auto s_lease = db_.prepare(
        "SELECT id, type, contact_id, ip_address, user_agent, request_id, detail,"
        " created_at FROM security_events" +
        where(filter) + " ORDER BY created_at DESC, rowid DESC LIMIT " + std::to_string(limit) +
        " OFFSET " + std::to_string(offset));
    auto& s = *s_lease;
    bind_filter(s, filter);
    std::vector<SecurityEventRecord> out;
    while (s.executeStep()) {
        SecurityEventRecord e;
        e.id = s.getColumn(0).getString();
        e.type = s.getColumn(1).getString();
        e.contact_id = optional_text(s, 2);
        e.ip_address = optional_text(s, 3);
        e.user_agent = optional_text(s, 4);
        e.request_id = optional_text(s, 5);
        e.detail = s.getColumn(6).getString();
        e.created_at = s.getColumn(7).getInt64();
        out.push_back(std::move(e));
    }
    return out;
}

std::int64_t SqliteSecurityEvents::count(const Filter& filter) {
    auto s_lease = db_.prepare("SELECT count(*) FROM security_events" + where(filter));
    auto& s = *s_lease;
    bind_filter(s, filter);
    s.executeStep();
    return s.getColumn(0).getInt64();
}

}  // namespace contactd::storage::sqlite

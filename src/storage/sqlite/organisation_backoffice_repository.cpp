// SqliteOrganisations: the back office's organisations and memberships.
#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"

namespace contactd::storage::sqlite {
namespace {

constexpr const char* kSelect =
    "SELECT id, name, org_type, created_at, updated_at FROM organisations ";

OrganisationRecord read_organisation(SQLite::Statement& s) {
    return {s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
            s.getColumn(3).getInt64(), s.getColumn(4).getInt64()};
}

}  // namespace

void SqliteOrganisations::insert(const OrganisationRecord& o) {
    auto s_lease = db_.prepare(
        "INSERT INTO organisations (id, name, org_type, created_at, updated_at) "
        "VALUES (?,?,?,?,?)");
    auto& s = *s_lease;
    s.bind(1, o.id);
    s.bind(2, o.name);
    s.bind(3, o.org_type);
    s.bind(4, o.created_at);
    s.bind(5, o.updated_at);
    s.exec();
}

void SqliteOrganisations::update(const OrganisationRecord& o) {
    auto s_lease =
        db_.prepare("UPDATE organisations SET name = ?, org_type = ?, updated_at = ? WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, o.name);
    s.bind(2, o.org_type);
    s.bind(3, o.updated_at);
    s.bind(4, o.id);
    s.exec();
}

std::optional<OrganisationRecord> SqliteOrganisations::find(const std::string& id) {
    auto s_lease = db_.prepare(std::string(kSelect) + "WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    if (!s.executeStep()) return std::nullopt;
    return read_organisation(s);
}

bool SqliteOrganisations::remove(const std::string& id) {
    auto s_lease = db_.prepare("DELETE FROM organisations WHERE id = ?");
    auto& s = *s_lease;
    s.bind(1, id);
    return s.exec() == 1;
}

std::vector<OrganisationRecord> SqliteOrganisations::list(std::int64_t offset, int limit) {
    auto s_lease = db_.prepare(std::string(kSelect) + "ORDER BY name, id LIMIT ? OFFSET ?");
    auto& s = *s_lease;
    s.bind(1, limit);
    s.bind(2, offset);
    std::vector<OrganisationRecord> out;
    while (s.executeStep()) out.push_back(read_organisation(s));
    return out;
}

std::int64_t SqliteOrganisations::count() {
    auto s_lease = db_.prepare("SELECT count(*) FROM organisations");
    auto& s = *s_lease;
    s.executeStep();
    return s.getColumn(0).getInt64();
}

bool SqliteOrganisations::add_member(const std::string& organisation_id,
                                     const std::string& contact_id, std::int64_t now) {
    auto s_lease = db_.prepare(
        "INSERT INTO contact_organisations (contact_id, organisation_id, joined_at) VALUES (?,?,?)"
        " ON CONFLICT (contact_id, organisation_id) DO NOTHING");
    auto& s = *s_lease;
    s.bind(1, contact_id);
    s.bind(2, organisation_id);
    s.bind(3, now);
    return s.exec() == 1;
}

bool SqliteOrganisations::remove_member(const std::string& organisation_id,
                                        const std::string& contact_id) {
    auto s_lease = db_.prepare(
        "DELETE FROM contact_organisations WHERE contact_id = ? AND organisation_id = ?");
    auto& s = *s_lease;
    s.bind(1, contact_id);
    s.bind(2, organisation_id);
    return s.exec() == 1;
}

}  // namespace contactd::storage::sqlite

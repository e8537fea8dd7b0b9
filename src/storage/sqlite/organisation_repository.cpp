#include <SQLiteCpp/SQLiteCpp.h>

#include "storage/sqlite/sqlite_repositories.h"

namespace contactd::storage::sqlite {

std::vector<OrganisationRecord> SqliteOrganisations::list_for_contact(
    const std::string& contact_id) {
    auto s_lease = db_.prepare(
        "SELECT o.id, o.name, o.org_type, o.created_at, o.updated_at FROM organisations o"
        " JOIN contact_organisations m ON m.organisation_id = o.id"
        " WHERE m.contact_id = ? ORDER BY o.name, o.id");
    auto& s = *s_lease;
    s.bind(1, contact_id);
    std::vector<OrganisationRecord> out;
    while (s.executeStep()) {
        out.push_back({s.getColumn(0).getString(), s.getColumn(1).getString(),
                       s.getColumn(2).getString(), s.getColumn(3).getInt64(),
                       s.getColumn(4).getInt64()});
    }
    return out;
}

}  // namespace contactd::storage::sqlite

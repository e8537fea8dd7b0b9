#include "domain/audit_trail.h"

#include "crypto/random.h"

namespace contactd::domain {

AuditTrail::AuditTrail(storage::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

void AuditTrail::record(storage::Repositories& repos, const Actor& actor, const char* action,
                        const char* entity_type, const std::string& entity_id,
                        const nlohmann::json& detail) const {
    storage::AuditRecord entry;
    entry.id = crypto::uuid_v7();
    entry.api_key_id = actor.api_key_id;
    entry.action = action;
    entry.entity_type = entity_type;
    entry.entity_id = entity_id;
    entry.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    entry.created_at = clock_.now();
    repos.audit().insert(entry);
}

Page<storage::AuditRecord> AuditTrail::list(const std::optional<std::string>& entity_id,
                                            const PageRequest& page) const {
    page.validate();
    return store_.read([&](storage::Repositories& repos) {
        const storage::AuditRepository::Filter filter{entity_id};
        return Page<storage::AuditRecord>{repos.audit().list(filter, page.offset(), page.limit()),
                                          repos.audit().count(filter), page};
    });
}

}  // namespace contactd::domain

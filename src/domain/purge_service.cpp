#include "domain/purge_service.h"

namespace contactd::domain {

PurgeService::PurgeService(storage::Store& store, const Clock& clock, PurgePolicy policy)
    : store_(store), clock_(clock), policy_(policy) {}

PurgeReport PurgeService::run_once() const {
    PurgeReport report;
    const auto now = clock_.now();
    store_.write([&](storage::Repositories& repos) {
        report.codes = repos.maintenance().delete_expired_codes(now, now - policy_.code_window);
        report.limiter_rows = repos.limiter().purge_expired(now);
    });
    for (bool more = true; more;) {
        more = store_.write([&](storage::Repositories& repos) {
            const auto stale = repos.maintenance().unvalidated_registrations(
                now - policy_.unverified_ttl, policy_.batch);
            for (const auto& id : stale)
                report.registrations += repos.maintenance().delete_contact_entirely(id);
            return static_cast<int>(stale.size()) == policy_.batch;
        });
    }
    store_.checkpoint();  // what was deleted leaves the write-ahead log too
    return report;
}

}  // namespace contactd::domain

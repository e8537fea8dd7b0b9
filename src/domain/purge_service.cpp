#include "domain/purge_service.h"

#include "domain/contact_erasure.h"

namespace contactd::domain {

PurgeService::PurgeService(storage::Store& store, const Clock& clock, PurgePolicy policy)
    : store_(store), clock_(clock), policy_(policy) {}

template <class Select>
int PurgeService::erase_batches(Select&& select) const {
    int erased = 0;
    for (bool more = true; more;) {
        more = store_.write([&](storage::Repositories& repos) {
            const auto stale = select(repos);
            for (const auto& id : stale) erased += erase_contact(repos, id);
            return static_cast<int>(stale.size()) == policy_.batch;
        });
    }
    return erased;
}

PurgeReport PurgeService::run_once() const {
    PurgeReport report;
    const auto now = clock_.now();
    store_.write([&](storage::Repositories& repos) {
        report.codes = repos.maintenance().delete_expired_codes(now, now - policy_.code_window);
        report.limiter_rows = repos.limiter().purge_expired(now);
    });
    report.registrations = erase_batches([&](storage::Repositories& repos) {
        return repos.maintenance().unvalidated_registrations(now - policy_.unverified_ttl,
                                                             policy_.batch);
    });
    report.guests = erase_batches([&](storage::Repositories& repos) {
        return repos.maintenance().stale_guests(now - policy_.guest_ttl, policy_.batch);
    });
    store_.checkpoint();  // what was deleted leaves the write-ahead log too
    return report;
}

}  // namespace contactd::domain

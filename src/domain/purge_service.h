#pragma once
// The periodic purge: what contactd no longer needs goes, so that neither the database
// nor an attacker's sign-up spam grows without end.
// - Codes past their expiry (real ones and the decoys issued for unknown destinations),
//   once they are also older than the per-destination window that counts them
//   (`code_window`: the hour of OtpPolicy::max_per_hour, or a longer resend interval).
// - Registrations by code never validated after `unverified_ttl` seconds (the contract's
//   CONTACTD_UNVERIFIED_TTL): contacts that are not verified, have identities but none
//   proven and none with a password, and were not created by the back office. Each goes
//   with everything of its own (storage::MaintenanceRepository::delete_contact_entirely),
//   a batch per transaction.
// - Guests (login_as_guest) that added no identity within `guest_ttl` seconds
//   (CONTACTD_GUEST_TTL), erased the same way.
// run_once() is called by a PeriodicTask that App starts; it may also be called directly
// (tests with a manual clock). Thread-safe.
#include <cstdint>

#include "storage/store.h"
#include "util/clock.h"

namespace contactd::domain {

struct PurgePolicy {
    std::int64_t unverified_ttl = 86400;
    std::int64_t code_window = 3600;
    int batch = 200;  // contacts per transaction, so that writers are not held up long
    std::int64_t guest_ttl = 604800;
};

struct PurgeReport {
    int codes = 0;
    int registrations = 0;
    std::int64_t limiter_rows = 0;  // full token buckets and ended counters
    int guests = 0;                 // guests never converted
};

class PurgeService {
  public:
    PurgeService(storage::Store& store, const Clock& clock, PurgePolicy policy);
    PurgeReport run_once() const;

  private:
    // Erases, a batch per transaction, the contacts `select` names; returns how many.
    template <class Select>
    int erase_batches(Select&& select) const;

    storage::Store& store_;
    const Clock& clock_;
    const PurgePolicy policy_;
};

}  // namespace contactd::domain

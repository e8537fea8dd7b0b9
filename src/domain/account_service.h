#pragma once
// The account's own lifecycle (issue 9): guest sign-in and self-deletion.
//
// - sign_in_as_guest: a new guest contact (is_guest, no identity, no name) and a session
//   for it. Adding an identity makes it a normal contact with the same id
//   (CredentialService::add_identity); unconverted guests are erased by the periodic purge
//   after CONTACTD_GUEST_TTL (domain/purge_service.h).
// - delete_self: a signed-in contact erases itself (domain/contact_erasure.h), allowed
//   only within `reauthentication_window` seconds of the sign-in that began the bearer's
//   session (sessions.created_at: a refresh keeps it, so refreshing does not count as
//   signing in). Later: Error(Forbidden, REAUTHENTICATIONREQUIREDEXCEPTION). The
//   CONTACT_DELETED event keeps the contact id and the request id only, not the address
//   or user agent of the request (they would be the erased contact's personal data).
// Each method is one transaction. Thread-safe.
#include <cstdint>
#include <string>

#include "domain/auth_service.h"
#include "domain/client_info.h"
#include "domain/security_events.h"
#include "domain/session_service.h"
#include "storage/store.h"
#include "util/clock.h"

namespace contactd::domain {

struct AccountPolicy {
    std::int64_t reauthentication_window = 600;  // seconds after a sign-in
};

class AccountService {
  public:
    AccountService(storage::Store& store, const Clock& clock, const SessionService& sessions,
                   const SecurityEvents& events, AccountPolicy policy = {});

    SignedIn sign_in_as_guest(const ClientInfo& client) const;

    // Throws Error(NotAuthenticated) if the session is gone, Error(Forbidden) with
    // REAUTHENTICATIONREQUIREDEXCEPTION once the sign-in is too old.
    void delete_self(const Bearer& bearer, const ClientInfo& client) const;

  private:
    storage::Store& store_;
    const Clock& clock_;
    const SessionService& sessions_;
    const SecurityEvents& events_;
    const AccountPolicy policy_;
};

// The error for a sensitive call whose sign-in is too old.
Error reauthentication_required();

}  // namespace contactd::domain

#pragma once
// Erasing a contact: the one way contactd deletes a contact, shared by self-deletion, the
// back office's DELETE and the periodic purge (unvalidated registrations, stale guests).
//
// In the caller's transaction, the contact goes with everything of its own: identities,
// codes, sessions and refresh tokens, memberships, phones, custom fields, its outbox
// messages and their attempts, and the counted password failures of its email identities
// (kept under a hash of the email, so they are looked up by it). Its earlier security
// events keep the contact id, type, time and request id only (no address, user agent or
// destination): storage::MaintenanceRepository::delete_contact_entirely. The caller
// records CONTACT_DELETED, as it knows who asked. Per-address and per-destination limiter
// state is kept: it names no one in clear, expires on its own, and erasing it would let
// deleting an account reset the abuse limits.
#include <string>

#include "storage/repositories.h"

namespace contactd::domain {

// False when there was no such contact.
bool erase_contact(storage::Repositories& repos, const std::string& contact_id);

}  // namespace contactd::domain

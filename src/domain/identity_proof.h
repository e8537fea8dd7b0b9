#pragma once
// The first proof of an identity, and what it ends (account pre-hijacking, the contract's
// "Account lifecycle"): an identity somebody set up but never proved must not let them
// keep access once its real owner proves it. Unless the proof came from whoever set the
// identity up (`claimant`: a REGISTER or VERIFY_IDENTITY code, or the verification link of
// the sign-up email), every session of the contact is revoked and a password of that
// identity dropped. Used by codes (auth_service) and by emailed links
// (account_recovery). Runs in the caller's transaction; no-op for a proven identity
// apart from marking it. Thread-safe.
#include "domain/client_info.h"
#include "domain/session_service.h"
#include "storage/repositories.h"

namespace contactd::domain {

// Marks `identity` verified; first ends what was set up before the proof (see above).
// Returns true when this was the identity's first proof.
bool prove_identity(storage::Repositories& repos, const SessionService& sessions,
                    const storage::IdentityRecord& identity, bool claimant,
                    const ClientInfo& client);

}  // namespace contactd::domain

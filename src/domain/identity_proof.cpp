#include "domain/identity_proof.h"

namespace contactd::domain {

bool prove_identity(storage::Repositories& repos, const SessionService& sessions,
                    const storage::IdentityRecord& identity, bool claimant,
                    const ClientInfo& client) {
    const bool first = !identity.is_verified;
    if (first && !claimant) {
        // The one proving it now is its owner and may not be who set it up: a stranger who
        // registered someone's email keeps nothing.
        if (identity.password_hash) repos.identities().set_password_hash(identity.id, std::nullopt);
        sessions.revoke_all(repos, identity.contact_id, client, "IDENTITY_PROVEN");
    }
    if (first) repos.identities().mark_verified(identity.id);
    return first;
}

}  // namespace contactd::domain

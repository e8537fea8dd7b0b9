#pragma once
// Password reset and email verification by emailed link (the contract's "Account
// lifecycle"; tokens in domain/email_link_tokens.h).
//
// - forgot_password(email) and request_email_verification(email) answer the same whether
//   or not anyone has the address: for an address nobody has (or an identity added to a
//   contact and not yet proven, which belongs to nobody) a decoy token is stored and
//   counted instead of a real one, so the per-destination limits (Error(RateLimited))
//   fall alike, and the transaction does the same writes but the email. A reset goes to
//   any EMAIL identity; a verification only to one not yet verified.
// - reset_password(token, password): Error(NotAuthenticated) for an unknown, spent,
//   replaced or expired token (checked before the password); Error(InvalidValue) naming
//   `password` for a weak one. The identity gets the password and is verified (its first
//   proof, if it was not: domain/identity_proof.h), every session of the contact is
//   revoked, the address's failed sign-ins are forgotten, and a notice is emailed.
// - verify_email(token): Error(NotAuthenticated) as above; the identity is verified (a
//   first proof as above, the sign-up email's link being the claimant's own).
// Argon2 runs outside storage transactions. Thread-safe.
#include <string>

#include "crypto/password.h"
#include "domain/auth_service.h"
#include "domain/email_link_tokens.h"
#include "domain/outbox_writer.h"
#include "domain/security_events.h"
#include "domain/session_service.h"
#include "storage/store.h"

namespace contactd::domain {

struct VerifiedEmail {
    std::string contact_id;
};

class AccountRecovery {
  public:
    AccountRecovery(storage::Store& store, const Clock& clock, const EmailLinkTokens& links,
                    const SessionService& sessions, const OutboxWriter& outbox,
                    const crypto::PasswordHasher& hasher, const SecurityEvents& events);

    // `field` names the request field in errors (an invalid email is 400 for anyone).
    void forgot_password(const std::string& email, const std::string& field,
                         const ClientInfo& client);
    void reset_password(const std::string& token, const std::string& password,
                        const ClientInfo& client);

    void request_email_verification(const std::string& email, const std::string& field,
                                    const ClientInfo& client);
    VerifiedEmail verify_email(const std::string& token, const ClientInfo& client);

  private:
    storage::Store& store_;
    const Clock& clock_;
    const EmailLinkTokens& links_;
    const SessionService& sessions_;
    const OutboxWriter& outbox_;
    const crypto::PasswordHasher& hasher_;
    const SecurityEvents& events_;
};

}  // namespace contactd::domain

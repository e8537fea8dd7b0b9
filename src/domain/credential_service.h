#pragma once
// Passwords and identities: sign-up with an email and a password, and a signed-in contact
// adding identities or changing its password.
//
// Rules (issue 3; the contract's register, authenticate and POST /contacts/{id}/identities):
// - Sign-up with EMAIL and a password signs in at once; the identity and the contact stay
//   unverified until the code sent to the email is validated.
// - Password sign-in, and the current password a change may be proven with, are
//   domain/password_sign_in.h.
// - An identity added to an existing contact (requires_verification) is unproven until the
//   code sent to it is validated. An EMAIL+password one signs in with its password at
//   once (CRM.COM apps add credentials and sign in with them in the next call), with
//   is_verified false; no unproven addition signs in by code. Until proven it belongs to
//   nobody: whoever proves the address (registering it, or adding it to their own
//   contact) takes it, and the unproven claim is dropped with its password. So a
//   stranger who adds someone's email with a password keeps nothing once its owner
//   proves it (the contract's pre-hijacking rule), and the owner never lands in the
//   stranger's contact.
// - Setting or changing the password of one's own EMAIL identity needs the current
//   password or a sign-in by code in the last 10 minutes; it revokes the contact's
//   other sessions and notifies the email.
// - A contact has at most `max_identities` identities, proven or not (issue 8: one bearer
//   added 40 foreign phones); beyond, adding one is Error(InvalidValue) and writes nothing.
//   Notices of an added identity by SMS count toward the SMS budget like codes.
// Argon2 runs outside storage transactions: it takes tens of milliseconds and writes
// are serialized. Thread-safe.
#include <cstdint>
#include <optional>
#include <string>

#include "crypto/password.h"
#include "domain/auth_service.h"
#include "domain/email_link_tokens.h"
#include "domain/facebook.h"
#include "domain/password_sign_in.h"
#include "storage/store.h"

namespace contactd::domain {

// POST /contacts/{id}/identities: the identity, and proof for a password change.
struct IdentityAddition {
    IdentityInput identity;
    std::optional<std::string> current_password;
};

struct AddedIdentity {
    std::string identity_id;
    std::optional<OtpChallenge> challenge;  // set when a code was sent to prove it
};

class CredentialService {
  public:
    static constexpr std::int64_t kRecentCodeSignIn = 600;  // seconds

    // `facebook` may be null: FACEBOOK identities are then refused as not configured.
    // `links`, when given, puts a verification link beside the code of the sign-up email.
    CredentialService(storage::Store& store, const Clock& clock, const OtpService& otps,
                      const SessionService& sessions, const OutboxWriter& outbox,
                      const crypto::PasswordHasher& hasher, const PasswordSignIn& passwords,
                      const SecurityEvents& events, const FacebookVerifier* facebook = nullptr,
                      int max_identities = 10, const EmailLinkTokens* links = nullptr);

    // EMAIL identity with a password. Error(AlreadyExists) if the email is anyone's.
    SignedIn register_contact(const RegistrationInput& input, const ClientInfo& client);

    AddedIdentity add_identity(const Bearer& bearer, const IdentityAddition& addition,
                               const ClientInfo& client);

    // POST /contacts/{id}/change_password: sets the password of the contact's EMAIL
    // identity (the one holding a password, else its first verified email, else its first
    // email), with the proof a password change needs (see above: Error(Forbidden) without
    // it). Error(InvalidValue) naming `password` for a weak one or when the contact has no
    // EMAIL identity.
    void change_own_password(const Bearer& bearer, const std::string& new_password,
                             const std::optional<std::string>& current_password,
                             const ClientInfo& client);

  private:
    AddedIdentity change_password(const Bearer& bearer, const storage::IdentityRecord& identity,
                                  const std::string& new_password,
                                  const std::optional<std::string>& current_password,
                                  const ClientInfo& client);
    AddedIdentity resend_verification(const storage::IdentityRecord& identity,
                                      const ClientInfo& client);
    AddedIdentity add_new(const Bearer& bearer, const Destination& destination,
                          const std::optional<std::string>& new_password, const ClientInfo& client);
    AddedIdentity add_facebook(const Bearer& bearer, const IdentityInput& identity);
    std::optional<OtpChallenge> send_verification(storage::Repositories& repos,
                                                  const storage::IdentityRecord& identity,
                                                  const storage::ContactRecord& contact,
                                                  bool optional, const ClientInfo& client) const;
    void require_room_for_identity(storage::Repositories& repos,
                                   const std::string& contact_id) const;
    void notify_identity_added(storage::Repositories& repos, const storage::ContactRecord& contact,
                               const std::string& new_identity_id) const;

    storage::Store& store_;
    const Clock& clock_;
    const OtpService& otps_;
    const SessionService& sessions_;
    const OutboxWriter& outbox_;
    const crypto::PasswordHasher& hasher_;
    const PasswordSignIn& passwords_;
    const SecurityEvents& events_;
    const FacebookVerifier* facebook_;
    const int max_identities_;
    const EmailLinkTokens* links_;
};

}  // namespace contactd::domain

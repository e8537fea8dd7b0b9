#pragma once
// Signing up and in with Facebook: the user access token is checked with Facebook
// (FacebookVerifier), and the Facebook user id is the identity. A Facebook identity is
// verified by that check, so sign-up signs in at once. Thread-safe.
#include <string>

#include "domain/auth_service.h"
#include "domain/facebook.h"

namespace contactd::domain {

class FacebookSignIn {
  public:
    // `facebook` may be null: every call then fails as not configured (400).
    FacebookSignIn(storage::Store& store, const Clock& clock, const SessionService& sessions,
                   const FacebookVerifier* facebook, const SecurityEvents& events);

    // Creates the contact (names from the input, else from Facebook) unless the
    // Facebook user already has one, and signs it in.
    SignedIn register_contact(const RegistrationInput& input, const ClientInfo& client);

    // Error(NotAuthenticated) when no contact has this Facebook user (SIGN_IN_FAILED is
    // recorded, as for a token Facebook refuses).
    SignedIn sign_in(const std::string& token, const ClientInfo& client);

  private:
    FacebookProfile verify(const std::optional<std::string>& token) const;

    storage::Store& store_;
    const Clock& clock_;
    const SessionService& sessions_;
    const SecurityEvents& events_;
    void record_failure(const ClientInfo& client, const char* reason) const;
    const FacebookVerifier* facebook_;
};

}  // namespace contactd::domain

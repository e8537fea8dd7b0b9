#pragma once
// Signing up and signing in: registration, one-time codes, refresh and sign-out.
// Each public method is one storage transaction. Thread-safe.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/backoffice_fields.h"
#include "domain/otp_service.h"
#include "domain/outbox_writer.h"
#include "domain/security_events.h"
#include "domain/session_service.h"
#include "storage/store.h"

namespace contactd::domain {

struct IdentityInput {
    std::string provider;  // PHONE | EMAIL | FACEBOOK
    std::optional<std::string> phone_number;
    std::optional<std::string> country_code;
    std::optional<std::string> email;
    std::optional<std::string> password;
    std::optional<std::string> token;
};

struct RegistrationInput {
    std::optional<std::string> title;
    std::optional<std::string> first_name;
    std::optional<std::string> last_name;
    // Checked by clean_profile_extras (domain/profile_fields.h).
    std::optional<std::string> middle_name;
    std::optional<std::string> language_code;  // ISO 639-1: picks the message templates
    std::optional<std::vector<CustomFieldInput>> custom_fields;
    IdentityInput identity;
    bool service_acceptance = false;
    bool email_opt_out = false;
    bool sms_opt_out = false;
    // v1 flat bodies: a phone recorded on the contact beside an email identity.
    std::optional<std::string> recorded_phone;  // E.164
};

// Where a code goes, normalized.
struct Destination {
    std::string provider;                // PHONE | EMAIL
    std::string key;                     // E.164, or the lower-cased email
    std::string display;                 // E.164, or the email as given
    std::string field = "phone_number";  // the request field it came from, for errors
    std::string channel() const { return provider == "PHONE" ? "SMS" : "EMAIL"; }
};

struct CredentialInput {
    std::string name;  // PHONE | EMAIL (others are ignored by the caller)
    std::string value;
    std::optional<std::string> country_code;
};

struct OtpChallenge {
    std::string auth_otp;
    std::string obfuscated_value;
    std::optional<std::string> contact_id;  // set by registration only
};

struct SignedIn {
    IssuedTokens tokens;
    storage::ContactRecord contact;
    std::vector<storage::OrganisationRecord> organisations;
};

using RegistrationResult = std::variant<OtpChallenge, SignedIn>;

// A sign-in as its write transaction leaves it: sign() completes it after the commit.
struct UnsignedSignIn {
    UnsignedTokens tokens;
    storage::ContactRecord contact;
    std::vector<storage::OrganisationRecord> organisations;
};

// The session answer for freshly issued tokens: the contact and its organisations.
// Throws Error(NotAuthenticated) if the contact is gone.
UnsignedSignIn load_signed_in(storage::Repositories& repos, UnsignedTokens tokens);

// The answer with its access token signed; called after the commit.
SignedIn sign(const SessionService& sessions, UnsignedSignIn sign_in);

// "+357*****230", "a***@e***.com": what request-otp may show of a destination.
std::string obfuscate(const Destination& destination);

// Records CODE_SENT for a code just issued: channel, purpose, the obfuscated destination
// and whether it went to a contact (a decoy for an unknown destination does not).
void record_code_sent(const SecurityEvents& events, storage::Repositories& repos,
                      const IssuedCode& issued, const ClientInfo& client);

class AuthService {
  public:
    AuthService(storage::Store& store, const Clock& clock, const OtpService& otps,
                const SessionService& sessions, const OutboxWriter& outbox,
                const SecurityEvents& events);

    // PHONE, or EMAIL without password: creates the contact and sends a code (or, if the
    // identity exists, sends that contact a sign-in code and changes nothing else).
    RegistrationResult register_contact(const RegistrationInput& input, const ClientInfo& client);

    // Sends a sign-in code to the destination if it belongs to a contact (by identity,
    // or by the contact's recorded email or phone). Answers the same either way.
    OtpChallenge request_code(const Destination& destination, const ClientInfo& client);

    // The first proof of an identity ends what was set up before it (account
    // pre-hijacking): every session of the contact is revoked and a password of that
    // identity dropped, unless the proof came through the auth_otp issued by what set the
    // identity up (its registration, its addition, or the registrant's own password
    // change since), whether named by its auth_otp or by destination and code.
    SignedIn validate_code(const std::string& auth_otp, const std::string& code,
                           const ClientInfo& client);
    SignedIn validate_code(const Destination& destination, const std::string& code,
                           const ClientInfo& client);

    SignedIn refresh(const std::string& refresh_token, const ClientInfo& client);
    void sign_out(const Bearer& bearer, const ClientInfo& client);

    // Parses a destination from a credential or an identity. Throws Error(InvalidValue).
    static Destination destination_of(const CredentialInput& credential);
    static Destination destination_of(const IdentityInput& identity);

  private:
    UnsignedSignIn redeem(storage::Repositories& repos, const storage::OtpRecord& otp,
                          const ClientInfo& client) const;
    // Records CODE_FAILED (and LOCKED_OUT when this wrong code burned it); the error to raise.
    Error code_failed(storage::Repositories& repos, const std::optional<std::string>& otp_id,
                      OtpFailure failure, const ClientInfo& client) const;
    void code_sent(storage::Repositories& repos, const IssuedCode& issued,
                   const ClientInfo& client) const;

    storage::Store& store_;
    const Clock& clock_;
    const OtpService& otps_;
    const SessionService& sessions_;
    const OutboxWriter& outbox_;
    const SecurityEvents& events_;
};

}  // namespace contactd::domain

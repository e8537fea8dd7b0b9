#pragma once
// Plain rows as the storage layer reads and writes them. No behaviour here.
#include <cstdint>
#include <optional>
#include <string>

namespace contactd::storage {

using std::optional;
using std::string;

struct ContactRecord {
    string id;
    optional<string> code;
    string contact_type = "PERSON";
    optional<string> title, first_name, middle_name, last_name, company_name, avatar;
    optional<string> email;  // recorded email, trimmed, as given
    optional<string> phone;  // recorded primary phone, E.164
    optional<string> language_code;
    bool sms_opt_out = false;
    bool email_opt_out = false;
    bool service_acceptance = false;
    bool is_verified = false;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    // A guest (login_as_guest): no identity yet. Written on insert; convert_guest() clears it.
    bool is_guest = false;
};

struct IdentityRecord {
    string id;
    string contact_id;
    string provider;       // PHONE | EMAIL | FACEBOOK
    string value;          // normalized key: lower-cased email, E.164, Facebook id
    string display_value;  // as shown to the contact
    bool is_verified = false;
    std::int64_t created_at = 0;
    optional<string> password_hash;      // argon2id PHC string; EMAIL identities only
    bool requires_verification = false;  // added to a contact: no sign-in until verified
};

struct OtpRecord {
    string id;           // auth_otp
    string channel;      // SMS | EMAIL
    string destination;  // normalized email or E.164
    string purpose;      // see domain/otp_service.h
    optional<string> contact_id;
    optional<string> identity_id;
    string code_hmac;  // hex
    int attempts = 0;
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    optional<std::int64_t> used_at;
    bool cancelled = false;
};

struct SessionRecord {
    string id;
    string contact_id;
    string auth_method;  // OTP | PASSWORD | FACEBOOK
    std::int64_t created_at = 0;
    std::int64_t last_used_at = 0;
    std::int64_t absolute_expires_at = 0;
    optional<std::int64_t> revoked_at;
    optional<string> user_agent;
    optional<string> ip_address;
    optional<string> api_key_id;  // the key it was signed in through (migration 011)
};

struct RefreshTokenRecord {
    string token_hash;  // hex SHA-256
    string session_id;
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    optional<std::int64_t> used_at;
};

struct ApiKeyRecord {
    string id;
    string name;
    string key_type;  // public | secret
    string key_hash;  // hex SHA-256
    string prefix;
    std::int64_t created_at = 0;
    optional<std::int64_t> revoked_at;
};

struct MessageRecord {
    string id;
    string channel;  // SMS | EMAIL
    string recipient;
    string kind;  // e.g. OTP_SIGNUP, OTP_SIGNIN
    optional<string> subject;
    optional<string> body;
    optional<string> html_body;
    optional<string> contact_id;
    optional<string> otp_id;
    string status = "PENDING";  // PENDING | SENT | ABANDONED | DEVELOPMENT
    int attempts = 0;
    std::int64_t next_attempt_at = 0;
    optional<string> last_error;
    std::int64_t created_at = 0;
    optional<std::int64_t> sent_at;
};

// One try at sending an outbox message (message_attempts).
struct MessageAttemptRecord {
    string message_id;
    int attempt = 0;  // 1 for the first try
    std::int64_t at = 0;
    string outcome;           // DELIVERED | KEPT | RETRY | FAILED | SKIPPED
    optional<string> detail;  // never the message text
};

// A counted password try for a sign-in name (sign_in_failures).
struct SignInFailureRecord {
    string id;
    string key_hash;  // hex SHA-256 of the sign-in name
    std::int64_t failed_at = 0;
};

struct OrganisationRecord {
    string id;
    string name;
    string org_type;  // BUSINESS | MERCHANT | VENUE | SERVICE_OWNER
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
};

// A phone the back office recorded for a contact (contact_phones), in order.
struct ContactPhoneRecord {
    string phone_type = "MOBILE";
    string number;  // E.164
    bool is_primary = false;
};

// A back-office custom field of a contact (contact_custom_fields), in order.
struct CustomFieldRecord {
    string key;
    optional<string> value;
};

// One back-office change (audit_log). detail is a JSON object that never holds a secret.
struct AuditRecord {
    string id;
    string api_key_id;
    string action;       // e.g. CONTACT_CREATE
    string entity_type;  // CONTACT | ORGANISATION
    string entity_id;
    string detail = "{}";
    std::int64_t created_at = 0;
};

// One security event (security_events). detail is a JSON object that never holds a
// code, password, token, API key or Authorization value.
struct SecurityEventRecord {
    string id;
    string type;  // domain/security_events.h: SIGN_IN_SUCCEEDED, CODE_FAILED, ...
    optional<string> contact_id;
    optional<string> ip_address;
    optional<string> user_agent;
    optional<string> request_id;
    string detail = "{}";
    std::int64_t created_at = 0;
};

// An emailed link token (email_link_tokens): a password reset or an email verification.
// Only the SHA-256 of the token is stored. No contact_id: a decoy for an unknown address.
struct EmailLinkTokenRecord {
    string id;
    string token_hash;   // hex SHA-256 of the token
    string purpose;      // RESET_PASSWORD | VERIFY_EMAIL
    string destination;  // lower-cased email
    optional<string> contact_id;
    optional<string> identity_id;
    bool claimant = false;  // sent to whoever set the identity up (the sign-up email)
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
    optional<std::int64_t> used_at;
    optional<std::int64_t> replaced_at;
};

}  // namespace contactd::storage

#pragma once
// Repository interfaces: everything the domain may ask of storage. The SQLite backend
// implements them in storage/sqlite/; a PostgreSQL backend would implement the same.
// Every method runs inside the transaction of the Repositories object it came from.
// Methods throw std::exception on storage failure (the transaction then rolls back).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/records.h"

namespace contactd::storage {

class SettingsRepository {
  public:
    virtual ~SettingsRepository() = default;
    virtual std::optional<std::string> get(const std::string& key) = 0;
    virtual void put(const std::string& key, const std::string& value) = 0;
};

class ContactRepository {
  public:
    virtual ~ContactRepository() = default;
    virtual void insert(const ContactRecord& contact) = 0;
    virtual void update(const ContactRecord& contact) = 0;  // by id; all columns
    virtual std::optional<ContactRecord> find(const std::string& id) = 0;
    virtual std::optional<ContactRecord> find_by_code(const std::string& code) = 0;
    // Contacts whose recorded email (case-insensitively) or E.164 phone matches.
    virtual std::vector<ContactRecord> find_by_recorded_email(
        const std::string& normalized_email) = 0;
    virtual std::vector<ContactRecord> find_by_recorded_phone(const std::string& e164) = 0;
    // Marks the contact verified, and updated at `now`; a verified contact is left as it
    // is (a sign-in does not change it).
    virtual void set_verified(const std::string& id, std::int64_t now) = 0;
    // Makes a guest a normal contact (is_guest is written on insert only); false when it
    // was not a guest.
    virtual bool convert_guest(const std::string& id, std::int64_t now) = 0;
    // Removes the contact; identities, codes and sessions go with it (cascade).
    virtual bool remove(const std::string& id) = 0;

    // The back-office listing. Every given filter must match; values come normalized:
    // phone E.164. `email` and `text_prefix` match in any case and any script (Unicode
    // case folding, util/text_fold.h: the backend folds them). `text_prefix` matches the
    // start of a first, last or company name, the email or the code; `phone_prefix` the
    // start of a phone; a contact matching either matches the search.
    struct Search {
        std::optional<std::string> code;   // exact
        std::optional<std::string> email;  // recorded email or EMAIL identity
        std::optional<std::string> phone;  // recorded phone or PHONE identity
        std::optional<std::string> text_prefix;
        std::optional<std::string> phone_prefix;
    };
    // Oldest first (ties by id), `limit` from `offset`; and how many match in all.
    virtual std::vector<ContactRecord> search(const Search& search, std::int64_t offset,
                                              int limit) = 0;
    virtual std::int64_t count(const Search& search) = 0;
    // The phones and custom fields the back office recorded, in order; replace_* rewrites
    // them all.
    virtual std::vector<ContactPhoneRecord> phones(const std::string& contact_id) = 0;
    virtual void replace_phones(const std::string& contact_id,
                                const std::vector<ContactPhoneRecord>& phones) = 0;
    virtual std::vector<CustomFieldRecord> custom_fields(const std::string& contact_id) = 0;
    virtual void replace_custom_fields(const std::string& contact_id,
                                       const std::vector<CustomFieldRecord>& fields) = 0;
};

class IdentityRepository {
  public:
    virtual ~IdentityRepository() = default;
    virtual void insert(const IdentityRecord& identity) = 0;
    virtual std::optional<IdentityRecord> find(const std::string& id) = 0;
    virtual std::optional<IdentityRecord> find_by_value(const std::string& provider,
                                                        const std::string& value) = 0;
    virtual std::vector<IdentityRecord> list_for_contact(const std::string& contact_id) = 0;
    virtual void mark_verified(const std::string& id) = 0;  // a no-op when it is
    // Sets (or, with nullopt, removes) the identity's password hash.
    virtual void set_password_hash(const std::string& id,
                                   const std::optional<std::string>& password_hash) = 0;
    virtual bool remove(const std::string& id) = 0;
};

// Counted password tries per sign-in name, for backoff (domain/password_sign_in.h).
class SignInFailureRepository {
  public:
    virtual ~SignInFailureRepository() = default;
    virtual void insert(const SignInFailureRecord& failure) = 0;
    virtual void remove(const std::string& id) = 0;
    // The tries for `key_hash` at or after `since`: how many, the oldest and newest.
    struct Window {
        int count = 0;
        std::int64_t oldest = 0;
        std::int64_t newest = 0;
    };
    virtual Window since(const std::string& key_hash, std::int64_t since) = 0;
    virtual void clear(const std::string& key_hash) = 0;
    // Removes every try before `before`.
    virtual void prune(std::int64_t before) = 0;
};

class OtpRepository {
  public:
    virtual ~OtpRepository() = default;
    virtual void insert(const OtpRecord& otp) = 0;
    virtual std::optional<OtpRecord> find(const std::string& id) = 0;
    // The newest code issued for `destination`, used or not.
    virtual std::optional<OtpRecord> latest_for_destination(const std::string& destination) = 0;
    // How many codes went to `destination` at or after `since`, and when the oldest of
    // them was issued (0 when none).
    struct Window {
        int count = 0;
        std::int64_t oldest = 0;
    };
    virtual Window issued_since(const std::string& destination, std::int64_t since) = 0;
    // Adds one to the code's attempt counter and returns the new count.
    virtual int increment_attempts(const std::string& id) = 0;
    // Marks the code used if it was not; true only for the call that did so.
    virtual bool consume(const std::string& id, std::int64_t now) = 0;
    virtual void cancel(const std::string& id) = 0;
};

class SessionRepository {
  public:
    virtual ~SessionRepository() = default;
    virtual void insert(const SessionRecord& session) = 0;
    virtual std::optional<SessionRecord> find(const std::string& id) = 0;
    // Records a use of the session: when, and from which address and user agent (kept
    // as they were when absent).
    virtual void touch(const std::string& id, std::int64_t now,
                       const std::optional<std::string>& ip_address,
                       const std::optional<std::string>& user_agent) = 0;
    virtual void revoke(const std::string& id, std::int64_t now) = 0;
    // Revokes every live session of the contact, but `keep` if given; returns how many.
    virtual int revoke_all_for_contact(const std::string& contact_id, std::int64_t now,
                                       const std::optional<std::string>& keep = std::nullopt) = 0;
    // Revokes every live session signed in through the API key; returns how many.
    virtual int revoke_all_for_api_key(const std::string& api_key_id, std::int64_t now) = 0;
    // Sessions neither revoked nor past their absolute lifetime, newest first.
    virtual std::vector<SessionRecord> list_live_for_contact(const std::string& contact_id,
                                                             std::int64_t now) = 0;

    virtual void insert_refresh_token(const RefreshTokenRecord& token) = 0;
    virtual std::optional<RefreshTokenRecord> find_refresh_token(const std::string& token_hash) = 0;
    // Marks the token spent if it was not; true only for the call that did so.
    virtual bool spend_refresh_token(const std::string& token_hash, std::int64_t now) = 0;
};

class ApiKeyRepository {
  public:
    virtual ~ApiKeyRepository() = default;
    virtual void insert(const ApiKeyRecord& key) = 0;
    virtual std::optional<ApiKeyRecord> find_by_hash(const std::string& key_hash) = 0;
    virtual std::optional<ApiKeyRecord> find(const std::string& id) = 0;
    virtual std::vector<ApiKeyRecord> list() = 0;
    virtual bool revoke(const std::string& id, std::int64_t now) = 0;
    // A number that every insert and revoke changes, in their transaction: a process that
    // keeps keys in memory sees from it that another process changed them.
    virtual std::int64_t generation() = 0;
};

class OutboxRepository {
  public:
    virtual ~OutboxRepository() = default;
    virtual void insert(const MessageRecord& message) = 0;
    virtual std::optional<MessageRecord> find(const std::string& id) = 0;
    // PENDING messages whose next attempt is due, oldest first.
    virtual std::vector<MessageRecord> due(std::int64_t now, int limit) = 0;
    // Writes status, attempts, next_attempt_at, last_error, sent_at and body.
    virtual void update_delivery(const MessageRecord& message) = 0;
    // Development-inbox messages, newest first.
    virtual std::vector<MessageRecord> list_development(int limit) = 0;

    // Delivery attempts (message_attempts), in order.
    virtual void record_attempt(const MessageAttemptRecord& attempt) = 0;
    virtual std::vector<MessageAttemptRecord> list_attempts(const std::string& message_id) = 0;
    // Messages matching every given filter, newest first; and how many match in all.
    struct Filter {
        std::optional<std::string> contact_id;
        std::optional<std::string> status;
    };
    virtual std::vector<MessageRecord> list(const Filter& filter, std::int64_t offset,
                                            int limit) = 0;
    virtual std::int64_t count(const Filter& filter) = 0;
};

class OrganisationRepository {
  public:
    virtual ~OrganisationRepository() = default;
    // The organisations the contact has signed up to, by name.
    virtual std::vector<OrganisationRecord> list_for_contact(const std::string& contact_id) = 0;
    virtual void insert(const OrganisationRecord& organisation) = 0;
    virtual void update(
        const OrganisationRecord& organisation) = 0;  // by id: name, org_type, updated_at
    virtual std::optional<OrganisationRecord> find(const std::string& id) = 0;
    // Removes the organisation; its memberships go with it (cascade).
    virtual bool remove(const std::string& id) = 0;
    // By name, then id.
    virtual std::vector<OrganisationRecord> list(std::int64_t offset, int limit) = 0;
    virtual std::int64_t count() = 0;
    // Memberships; each is false when there was nothing to change.
    virtual bool add_member(const std::string& organisation_id, const std::string& contact_id,
                            std::int64_t now) = 0;
    virtual bool remove_member(const std::string& organisation_id,
                               const std::string& contact_id) = 0;
};

// The trail of back-office changes.
class AuditRepository {
  public:
    virtual ~AuditRepository() = default;
    virtual void insert(const AuditRecord& entry) = 0;
    struct Filter {
        std::optional<std::string> entity_id;
    };
    // Newest first; and how many match in all.
    virtual std::vector<AuditRecord> list(const Filter& filter, std::int64_t offset, int limit) = 0;
    virtual std::int64_t count(const Filter& filter) = 0;
};

// Rate-limiter state shared by every process on the database (sql/005_rate_limits.sql):
// token buckets for per-address limits and counters per fixed window for daily caps.
// Each method is one statement, atomic against concurrent callers on other connections.
class LimiterRepository {
  public:
    virtual ~LimiterRepository() = default;
    // A bucket of `burst` tokens refilled one per `interval` seconds, stored as the time
    // it is full again (GCRA). Takes a token when max(full_at, now) + interval <=
    // now + burst * interval; `full_at` is then the new value if `taken`, else the
    // stored one (the caller derives the wait from it).
    struct Take {
        bool taken = false;
        double full_at = 0;
    };
    virtual Take take_token(const std::string& key, double now, double interval, int burst) = 0;
    // Adds one to the counter `key` (created at 1, expiring at `expires_at`) unless it
    // already holds `limit`; true when it was added.
    virtual bool count(const std::string& key, std::int64_t expires_at, int limit) = 0;
    // The counter's value (0 when absent), for tests and diagnostics.
    virtual int counted(const std::string& key) = 0;
    // Deletes full buckets and ended counters (the periodic purge); returns how many rows.
    virtual std::int64_t purge_expired(std::int64_t now) = 0;
};

// Security events (domain/security_events.h).
class SecurityEventRepository {
  public:
    virtual ~SecurityEventRepository() = default;
    virtual void insert(const SecurityEventRecord& event) = 0;
    struct Filter {
        std::optional<std::string> contact_id;
        std::optional<std::string> type;
    };
    // Newest first (ties: the later written first); and how many match in all.
    virtual std::vector<SecurityEventRecord> list(const Filter& filter, std::int64_t offset,
                                                  int limit) = 0;
    virtual std::int64_t count(const Filter& filter) = 0;
};

// What the periodic purge deletes (domain/purge_service.h).
class MaintenanceRepository {
  public:
    virtual ~MaintenanceRepository() = default;
    // Deletes codes (real ones and decoys) that expired at or before `expired_by` and were
    // issued at or before `issued_by`; returns how many.
    virtual int delete_expired_codes(std::int64_t expired_by, std::int64_t issued_by) = 0;
    // Contacts created at or before `created_by` that are a registration by code never
    // validated: not verified, with at least one identity, none of them verified, none
    // with a password, and not created by the back office. At most `limit`, oldest first.
    virtual std::vector<std::string> unvalidated_registrations(std::int64_t created_by,
                                                               int limit) = 0;
    // Guests (contacts.is_guest, still without an identity) created at or before
    // `created_by`. At most `limit`, oldest first.
    virtual std::vector<std::string> stale_guests(std::int64_t created_by, int limit) = 0;
    // Deletes the contact with everything of its own: identities, codes (also the decoys
    // issued to its identities' destinations before they were its), sessions and refresh
    // tokens, memberships, phones, custom fields and its outbox messages with their
    // attempts, and whatever else references it. Its security events keep their type,
    // time, request id and contact id but lose the client's address and user agent and
    // the (obfuscated) destination in their detail; the audit trail keeps its id and the
    // names of the fields that were changed. Callers use domain/contact_erasure.h, which
    // also clears what is keyed on a hash of its sign-in names.
    virtual bool delete_contact_entirely(const std::string& contact_id) = 0;
};

// Emailed link tokens (domain/email_link_tokens.h).
class EmailLinkRepository {
  public:
    virtual ~EmailLinkRepository() = default;
    virtual void insert(const EmailLinkTokenRecord& token) = 0;
    virtual std::optional<EmailLinkTokenRecord> find_by_hash(const std::string& token_hash) = 0;
    // The newest token for the destination and purpose (decoys too), and how many were
    // issued at or after `since`, with the oldest of them.
    virtual std::optional<EmailLinkTokenRecord> latest(const std::string& destination,
                                                       const std::string& purpose) = 0;
    struct Window {
        int count = 0;
        std::int64_t oldest = 0;
    };
    virtual Window issued_since(const std::string& destination, const std::string& purpose,
                                std::int64_t since) = 0;
    // Marks every live token of the destination and purpose replaced; returns how many.
    virtual int replace_all(const std::string& destination, const std::string& purpose,
                            std::int64_t now) = 0;
    // Marks the token used if it was neither used nor replaced; true only for that call.
    virtual bool consume(const std::string& id, std::int64_t now) = 0;
    // Ends every live token of the identity (its password was reset, it was verified).
    virtual int spend_all_for_identity(const std::string& identity_id, const std::string& purpose,
                                       std::int64_t now) = 0;
    // Deletes tokens that expired at or before `expired_by` and were issued at or before
    // `issued_by`; returns how many.
    virtual int delete_expired(std::int64_t expired_by, std::int64_t issued_by) = 0;
};

// One transaction's view of storage.
class Repositories {
  public:
    virtual ~Repositories() = default;
    virtual SettingsRepository& settings() = 0;
    virtual ContactRepository& contacts() = 0;
    virtual IdentityRepository& identities() = 0;
    virtual OtpRepository& otps() = 0;
    virtual SessionRepository& sessions() = 0;
    virtual ApiKeyRepository& api_keys() = 0;
    virtual OutboxRepository& outbox() = 0;
    virtual OrganisationRepository& organisations() = 0;
    virtual AuditRepository& audit() = 0;
    virtual SignInFailureRepository& sign_in_failures() = 0;
    virtual LimiterRepository& limiter() = 0;
    virtual SecurityEventRepository& security_events() = 0;
    virtual MaintenanceRepository& maintenance() = 0;
    virtual EmailLinkRepository& email_links() = 0;
};

}  // namespace contactd::storage

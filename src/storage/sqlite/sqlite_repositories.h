#pragma once
// The SQLite implementations of the repository interfaces. Each holds the connection
// of the transaction it serves; none outlives it.
#include <SQLiteCpp/Database.h>

#include "storage/repositories.h"
#include "storage/sqlite/connection.h"

namespace contactd::storage::sqlite {

class SqliteSettings final : public SettingsRepository {
  public:
    explicit SqliteSettings(Connection& db) : db_(db) {}
    std::optional<std::string> get(const std::string& key) override;
    void put(const std::string& key, const std::string& value) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteContacts final : public ContactRepository {
  public:
    explicit SqliteContacts(Connection& db) : db_(db) {}
    void insert(const ContactRecord& contact) override;
    void update(const ContactRecord& contact) override;
    std::optional<ContactRecord> find(const std::string& id) override;
    std::optional<ContactRecord> find_by_code(const std::string& code) override;
    std::vector<ContactRecord> find_by_recorded_email(const std::string& normalized_email) override;
    std::vector<ContactRecord> find_by_recorded_phone(const std::string& e164) override;
    void set_verified(const std::string& id, std::int64_t now) override;
    bool convert_guest(const std::string& id, std::int64_t now) override;
    bool remove(const std::string& id) override;
    // Back office (contact_backoffice_repository.cpp).
    std::vector<ContactRecord> search(const Search& search, std::int64_t offset,
                                      int limit) override;
    std::int64_t count(const Search& search) override;
    std::vector<ContactPhoneRecord> phones(const std::string& contact_id) override;
    void replace_phones(const std::string& contact_id,
                        const std::vector<ContactPhoneRecord>& phones) override;
    std::vector<CustomFieldRecord> custom_fields(const std::string& contact_id) override;
    void replace_custom_fields(const std::string& contact_id,
                               const std::vector<CustomFieldRecord>& fields) override;

  private:
    std::vector<ContactRecord> select_where(const char* condition, const std::string& value);
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteIdentities final : public IdentityRepository {
  public:
    explicit SqliteIdentities(Connection& db) : db_(db) {}
    void insert(const IdentityRecord& identity) override;
    std::optional<IdentityRecord> find(const std::string& id) override;
    std::optional<IdentityRecord> find_by_value(const std::string& provider,
                                                const std::string& value) override;
    std::vector<IdentityRecord> list_for_contact(const std::string& contact_id) override;
    void mark_verified(const std::string& id) override;
    void set_password_hash(const std::string& id,
                           const std::optional<std::string>& password_hash) override;
    bool remove(const std::string& id) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteOtps final : public OtpRepository {
  public:
    explicit SqliteOtps(Connection& db) : db_(db) {}
    void insert(const OtpRecord& otp) override;
    std::optional<OtpRecord> find(const std::string& id) override;
    std::optional<OtpRecord> latest_for_destination(const std::string& destination) override;
    Window issued_since(const std::string& destination, std::int64_t since) override;
    int increment_attempts(const std::string& id) override;
    bool consume(const std::string& id, std::int64_t now) override;
    void cancel(const std::string& id) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteSessions final : public SessionRepository {
  public:
    explicit SqliteSessions(Connection& db) : db_(db) {}
    void insert(const SessionRecord& session) override;
    std::optional<SessionRecord> find(const std::string& id) override;
    void touch(const std::string& id, std::int64_t now,
               const std::optional<std::string>& ip_address,
               const std::optional<std::string>& user_agent) override;
    void revoke(const std::string& id, std::int64_t now) override;
    int revoke_all_for_contact(const std::string& contact_id, std::int64_t now,
                               const std::optional<std::string>& keep) override;
    int revoke_all_for_api_key(const std::string& api_key_id, std::int64_t now) override;
    std::vector<SessionRecord> list_live_for_contact(const std::string& contact_id,
                                                     std::int64_t now) override;
    void insert_refresh_token(const RefreshTokenRecord& token) override;
    std::optional<RefreshTokenRecord> find_refresh_token(const std::string& token_hash) override;
    bool spend_refresh_token(const std::string& token_hash, std::int64_t now) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteApiKeys final : public ApiKeyRepository {
  public:
    explicit SqliteApiKeys(Connection& db) : db_(db) {}
    void insert(const ApiKeyRecord& key) override;
    std::optional<ApiKeyRecord> find_by_hash(const std::string& key_hash) override;
    std::optional<ApiKeyRecord> find(const std::string& id) override;
    std::vector<ApiKeyRecord> list() override;
    bool revoke(const std::string& id, std::int64_t now) override;
    std::int64_t generation() override;

  private:
    void bump_generation();
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteOutbox final : public OutboxRepository {
  public:
    explicit SqliteOutbox(Connection& db) : db_(db) {}
    void insert(const MessageRecord& message) override;
    std::optional<MessageRecord> find(const std::string& id) override;
    std::vector<MessageRecord> due(std::int64_t now, int limit) override;
    void update_delivery(const MessageRecord& message) override;
    std::vector<MessageRecord> list_development(int limit) override;
    void record_attempt(const MessageAttemptRecord& attempt) override;
    std::vector<MessageAttemptRecord> list_attempts(const std::string& message_id) override;
    std::vector<MessageRecord> list(const Filter& filter, std::int64_t offset, int limit) override;
    std::int64_t count(const Filter& filter) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteOrganisations final : public OrganisationRepository {
  public:
    explicit SqliteOrganisations(Connection& db) : db_(db) {}
    std::vector<OrganisationRecord> list_for_contact(const std::string& contact_id) override;
    // Back office (organisation_backoffice_repository.cpp).
    void insert(const OrganisationRecord& organisation) override;
    void update(const OrganisationRecord& organisation) override;
    std::optional<OrganisationRecord> find(const std::string& id) override;
    bool remove(const std::string& id) override;
    std::vector<OrganisationRecord> list(std::int64_t offset, int limit) override;
    std::int64_t count() override;
    bool add_member(const std::string& organisation_id, const std::string& contact_id,
                    std::int64_t now) override;
    bool remove_member(const std::string& organisation_id, const std::string& contact_id) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteAudit final : public AuditRepository {
  public:
    explicit SqliteAudit(Connection& db) : db_(db) {}
    void insert(const AuditRecord& entry) override;
    std::vector<AuditRecord> list(const Filter& filter, std::int64_t offset, int limit) override;
    std::int64_t count(const Filter& filter) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteSignInFailures final : public SignInFailureRepository {
  public:
    explicit SqliteSignInFailures(Connection& db) : db_(db) {}
    void insert(const SignInFailureRecord& failure) override;
    void remove(const std::string& id) override;
    Window since(const std::string& key_hash, std::int64_t since) override;
    void clear(const std::string& key_hash) override;
    void prune(std::int64_t before) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteLimiter final : public LimiterRepository {
  public:
    explicit SqliteLimiter(Connection& db) : db_(db) {}
    Take take_token(const std::string& key, double now, double interval, int burst) override;
    bool count(const std::string& key, std::int64_t expires_at, int limit) override;
    int counted(const std::string& key) override;
    std::int64_t purge_expired(std::int64_t now) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteSecurityEvents final : public SecurityEventRepository {
  public:
    explicit SqliteSecurityEvents(Connection& db) : db_(db) {}
    void insert(const SecurityEventRecord& event) override;
    std::vector<SecurityEventRecord> list(const Filter& filter, std::int64_t offset,
                                          int limit) override;
    std::int64_t count(const Filter& filter) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteMaintenance final : public MaintenanceRepository {
  public:
    explicit SqliteMaintenance(Connection& db) : db_(db) {}
    int delete_expired_codes(std::int64_t expired_by, std::int64_t issued_by) override;
    std::vector<std::string> unvalidated_registrations(std::int64_t created_by, int limit) override;
    std::vector<std::string> stale_guests(std::int64_t created_by, int limit) override;
    bool delete_contact_entirely(const std::string& contact_id) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteEmailLinks final : public EmailLinkRepository {
  public:
    explicit SqliteEmailLinks(Connection& db) : db_(db) {}
    void insert(const EmailLinkTokenRecord& token) override;
    std::optional<EmailLinkTokenRecord> find_by_hash(const std::string& token_hash) override;
    std::optional<EmailLinkTokenRecord> latest(const std::string& destination,
                                               const std::string& purpose) override;
    Window issued_since(const std::string& destination, const std::string& purpose,
                        std::int64_t since) override;
    int replace_all(const std::string& destination, const std::string& purpose,
                    std::int64_t now) override;
    bool consume(const std::string& id, std::int64_t now) override;
    int spend_all_for_identity(const std::string& identity_id, const std::string& purpose,
                               std::int64_t now) override;
    int delete_expired(std::int64_t expired_by, std::int64_t issued_by) override;

  private:
    Connection& db_;  // prepare(): statements cached per connection
};

class SqliteRepositories final : public Repositories {
  public:
    explicit SqliteRepositories(Connection& db)
        : settings_(db),
          contacts_(db),
          identities_(db),
          otps_(db),
          sessions_(db),
          api_keys_(db),
          outbox_(db),
          organisations_(db),
          audit_(db),
          sign_in_failures_(db),
          limiter_(db),
          security_events_(db),
          maintenance_(db),
          email_links_(db) {}
    SettingsRepository& settings() override { return settings_; }
    ContactRepository& contacts() override { return contacts_; }
    IdentityRepository& identities() override { return identities_; }
    OtpRepository& otps() override { return otps_; }
    SessionRepository& sessions() override { return sessions_; }
    ApiKeyRepository& api_keys() override { return api_keys_; }
    OutboxRepository& outbox() override { return outbox_; }
    OrganisationRepository& organisations() override { return organisations_; }
    AuditRepository& audit() override { return audit_; }
    SignInFailureRepository& sign_in_failures() override { return sign_in_failures_; }
    LimiterRepository& limiter() override { return limiter_; }
    SecurityEventRepository& security_events() override { return security_events_; }
    MaintenanceRepository& maintenance() override { return maintenance_; }
    EmailLinkRepository& email_links() override { return email_links_; }

  private:
    SqliteSettings settings_;
    SqliteContacts contacts_;
    SqliteIdentities identities_;
    SqliteOtps otps_;
    SqliteSessions sessions_;
    SqliteApiKeys api_keys_;
    SqliteOutbox outbox_;
    SqliteOrganisations organisations_;
    SqliteAudit audit_;
    SqliteSignInFailures sign_in_failures_;
    SqliteLimiter limiter_;
    SqliteSecurityEvents security_events_;
    SqliteMaintenance maintenance_;
    SqliteEmailLinks email_links_;
};

}  // namespace contactd::storage::sqlite

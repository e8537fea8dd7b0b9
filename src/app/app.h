#pragma once
// Wires configuration, storage, services, delivery and HTTP into one running server.
// Owns every long-lived object; dependencies are passed by reference, no globals.
#include <atomic>
#include <memory>
#include <string>

#include "app/config.h"
#include "crypto/jwt.h"
#include "crypto/password.h"
#include "delivery/dispatcher.h"
#include "domain/account_recovery.h"
#include "domain/account_service.h"
#include "domain/api_key_service.h"
#include "domain/audit_trail.h"
#include "domain/auth_service.h"
#include "domain/backoffice_contacts.h"
#include "domain/backoffice_organisations.h"
#include "domain/credential_service.h"
#include "domain/email_link_tokens.h"
#include "domain/facebook_sign_in.h"
#include "domain/message_composer.h"
#include "domain/message_service.h"
#include "domain/otp_service.h"
#include "domain/outbox_writer.h"
#include "domain/password_sign_in.h"
#include "domain/profile_service.h"
#include "domain/purge_service.h"
#include "domain/request_limiter.h"
#include "domain/security_events.h"
#include "domain/session_service.h"
#include "domain/sms_budget.h"
#include "http/client_address.h"
#include "http/server.h"
#include "storage/store.h"
#include "util/clock.h"
#include "util/metrics.h"
#include "util/periodic_task.h"

namespace contactd {

// Opens the database named by the config (applying migrations).
std::unique_ptr<storage::Store> open_store(const Config& config);

// Throws std::runtime_error, saying why and what to set, when development delivery
// (no SMS or SMTP channel) would run on a listen address other clients can reach,
// unless CONTACTD_DEVELOPMENT=on.
void check_development_delivery(const Config& config);

class App {
  public:
    // Opens the database and builds every service. Throws on a bad configuration or an
    // unusable database. `clock` must outlive the App.
    App(Config config, const Clock& clock);
    ~App();

    // Binds the listening socket, starts delivery and the periodic purge; returns the port.
    // /readyz answers 200 from then on.
    int start();
    // Serves HTTP until stop(); then waits for in-flight requests.
    void serve();
    // /readyz answers 503 at once; after CONTACTD_SHUTDOWN_DELAY the server stops accepting.
    void stop();
    // True between start() and stop(), with message delivery running.
    bool ready() const { return serving_.load() && dispatcher_->running(); }
    const metrics::ServiceMetrics& metrics() const { return metrics_; }
    bool running() const { return server_->running(); }

    const Config& config() const { return config_; }
    storage::Store& store() { return *store_; }
    domain::ApiKeyService& api_keys() { return *api_keys_; }
    delivery::Dispatcher& dispatcher() { return *dispatcher_; }
    const std::string& portal_api_key() const { return portal_api_key_; }
    const crypto::PasswordHasher& password_hasher() const { return *hasher_; }
    const domain::SecurityEvents& security_events() const { return *events_; }
    const domain::PurgeService& purge() const { return *purge_; }

  private:
    void add_routes();

    Config config_;
    const Clock& clock_;
    metrics::ServiceMetrics metrics_;  // before every component that counts in it
    std::atomic<bool> serving_{false};
    std::unique_ptr<storage::Store> store_;
    std::unique_ptr<domain::SecurityEvents> events_;
    std::unique_ptr<crypto::JwtCodec> jwt_;
    std::unique_ptr<domain::ApiKeyService> api_keys_;
    std::unique_ptr<domain::MessageComposer> composer_;
    std::unique_ptr<delivery::Dispatcher> dispatcher_;
    std::unique_ptr<domain::OutboxWriter> outbox_;
    std::unique_ptr<domain::SmsBudget> sms_budget_;
    std::unique_ptr<domain::OtpService> otps_;
    std::unique_ptr<domain::SessionService> sessions_;
    std::unique_ptr<domain::AuthService> auth_;
    std::unique_ptr<crypto::PasswordHasher> hasher_;
    std::unique_ptr<domain::FacebookVerifier> facebook_;    // null unless configured
    std::unique_ptr<domain::EmailLinkTokens> email_links_;  // reset and verification links
    std::unique_ptr<domain::PasswordSignIn> password_sign_in_;
    std::unique_ptr<domain::CredentialService> credentials_;
    std::unique_ptr<domain::FacebookSignIn> facebook_sign_in_;
    std::unique_ptr<domain::AccountRecovery> recovery_;
    std::unique_ptr<domain::ProfileService> profiles_;
    std::unique_ptr<domain::AccountService> accounts_;  // guests and self-deletion
    std::unique_ptr<domain::AuditTrail> audit_;
    std::unique_ptr<domain::BackOfficeContacts> backoffice_contacts_;
    std::unique_ptr<domain::BackOfficeOrganisations> backoffice_organisations_;
    std::unique_ptr<domain::MessageService> messages_;
    std::unique_ptr<http::ClientAddressResolver> addresses_;
    std::unique_ptr<domain::RequestLimiter> limiter_;  // null when rate_limits is off
    std::unique_ptr<domain::PurgeService> purge_;
    std::unique_ptr<PeriodicTask> purge_task_;  // null when CONTACTD_PURGE_INTERVAL is 0
    // Once no request came for a whole interval, gives caches and free heap back (once
    // per quiet spell): what a burst made resident does not stay so.
    std::unique_ptr<PeriodicTask> trim_task_;
    std::uint64_t answered_at_last_look_ = 0;
    bool trimmed_ = true;
    std::unique_ptr<http::HttpServer> server_;
    std::string portal_api_key_;
};

}  // namespace contactd

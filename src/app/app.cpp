#include "app/app.h"

#include <algorithm>
#include <thread>

#include "app/channels.h"
#include "app/key_material.h"
#include "crypto/random.h"
#include "http/backoffice_routes.h"
#include "http/message_routes.h"
#include "http/ops_routes.h"
#include "http/portal_routes.h"
#include "http/security_event_routes.h"
#include "http/self_service_routes.h"
#include "integrations/facebook_graph.h"
#include "storage/sqlite/sqlite_store.h"
#include "util/heap.h"
#include "util/log.h"

namespace contactd {
namespace {

constexpr std::chrono::seconds kTrimInterval{5};

}  // namespace

std::unique_ptr<storage::Store> open_store(const Config& config) {
    return std::make_unique<storage::sqlite::SqliteStore>(config.db_path);
}

void check_development_delivery(const Config& config) {
    if (!config.development_delivery() || config.development ||
        http::is_loopback_host(config.listen_host))
        return;
    throw std::runtime_error(
        "no SMS or SMTP channel is configured, so every code would go to the development "
        "inbox and the log; refusing to listen on " +
        config.listen_host +
        ". Listen on a loopback address (CONTACTD_LISTEN=127.0.0.1:PORT), configure a channel "
        "(CONTACTD_SMS_WEBHOOK_URL or CONTACTD_TWILIO_*, and CONTACTD_SMTP_URL), or set "
        "CONTACTD_DEVELOPMENT=on to run development delivery on this address anyway (the "
        "inbox still answers only to loopback clients)");
}

App::App(Config config, const Clock& clock) : config_(std::move(config)), clock_(clock) {
    log::configure(config_.log_format, config_.log_level);
    check_development_delivery(config_);
    store_ = open_store(config_);
    events_ = std::make_unique<domain::SecurityEvents>(*store_, clock_, &metrics_);
    const auto keys = load_key_material(*store_, config_, clock_.now());
    jwt_ = std::make_unique<crypto::JwtCodec>(keys.jwt_key, config_.jwt_issuer, "self-service",
                                              keys.jwt_previous_keys);
    api_keys_ = std::make_unique<domain::ApiKeyService>(*store_, clock_, *events_);
    portal_api_key_ = "pk_portal_" + crypto::random_token(24);
    api_keys_->add_ephemeral_public_key(portal_api_key_);

    composer_ = make_composer(config_);
    dispatcher_ = std::make_unique<delivery::Dispatcher>(*store_, clock_, make_sms_channel(config_),
                                                         make_email_channel(config_),
                                                         delivery::RetryPolicy{}, &metrics_);
    outbox_ =
        std::make_unique<domain::OutboxWriter>(clock_, *composer_, [this] { dispatcher_->wake(); });
    sms_budget_ = std::make_unique<domain::SmsBudget>(
        clock_, domain::SmsPolicy{{config_.sms_countries.begin(), config_.sms_countries.end()},
                                  config_.sms_daily_limit,
                                  config_.sms_daily_limit_per_country});
    otps_ = std::make_unique<domain::OtpService>(
        clock_, keys.otp_key,
        domain::OtpPolicy{config_.otp_ttl, config_.otp_max_attempts, config_.otp_resend_interval,
                          config_.otp_max_per_hour, config_.otp_max_per_day,
                          config_.test_identities},
        *sms_budget_);
    sessions_ = std::make_unique<domain::SessionService>(
        clock_, *jwt_,
        domain::SessionPolicy{config_.access_ttl, config_.refresh_idle_ttl,
                              config_.refresh_absolute_ttl, config_.refresh_reuse_grace},
        events_.get());
    auth_ = std::make_unique<domain::AuthService>(*store_, clock_, *otps_, *sessions_, *outbox_,
                                                  *events_);
    if (config_.facebook_app_id && config_.facebook_app_secret) {
        facebook_ = std::make_unique<integrations::FacebookGraph>(
            config_.facebook_graph_url, *config_.facebook_app_id, *config_.facebook_app_secret);
    }
    crypto::PasswordHasherOptions hashing;
    hashing.max_concurrent =
        config_.password_hash_concurrency > 0
            ? config_.password_hash_concurrency
            : std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 2, 4);
    hashing.max_waiting =
        std::max(1, config_.http_threads / 4);  // the rest of the threads stay free
    hasher_ = std::make_unique<crypto::PasswordHasher>(hashing);
    email_links_ = std::make_unique<domain::EmailLinkTokens>(
        clock_, keys.otp_key,
        domain::EmailLinkPolicy{config_.public_base_url(), config_.reset_ttl, 86400,
                                config_.otp_resend_interval, config_.otp_max_per_hour,
                                config_.otp_max_per_day});
    password_sign_in_ = std::make_unique<domain::PasswordSignIn>(
        *store_, clock_, *sessions_, *hasher_,
        domain::SignInBackoff{config_.password_free_failures, config_.password_backoff_max,
                              config_.password_max_failures_per_hour},
        *events_);
    credentials_ = std::make_unique<domain::CredentialService>(
        *store_, clock_, *otps_, *sessions_, *outbox_, *hasher_, *password_sign_in_, *events_,
        facebook_.get(), config_.max_identities_per_contact, email_links_.get());
    recovery_ = std::make_unique<domain::AccountRecovery>(*store_, clock_, *email_links_,
                                                          *sessions_, *outbox_, *hasher_, *events_);
    facebook_sign_in_ = std::make_unique<domain::FacebookSignIn>(*store_, clock_, *sessions_,
                                                                 facebook_.get(), *events_);
    profiles_ = std::make_unique<domain::ProfileService>(*store_, clock_, *sessions_);
    accounts_ = std::make_unique<domain::AccountService>(*store_, clock_, *sessions_, *events_);
    if (!config_.test_identities.empty()) {
        log::warn("CONTACTD_TEST_IDENTITIES: " + std::to_string(config_.test_identities.size()) +
                  " test identities configured: codes for them are fixed and never sent");
    }
    audit_ = std::make_unique<domain::AuditTrail>(*store_, clock_);
    backoffice_contacts_ =
        std::make_unique<domain::BackOfficeContacts>(*store_, clock_, *audit_, *events_);
    backoffice_organisations_ =
        std::make_unique<domain::BackOfficeOrganisations>(*store_, clock_, *audit_);
    messages_ = std::make_unique<domain::MessageService>(*store_);
    addresses_ = std::make_unique<http::ClientAddressResolver>(config_.trusted_proxies);
    if (config_.rate_limits) {
        limiter_ = std::make_unique<domain::RequestLimiter>(
            *store_, clock_,
            domain::BucketPolicy{config_.rate_limit_send_burst,
                                 3600.0 / config_.rate_limit_send_per_hour},
            domain::BucketPolicy{config_.rate_limit_check_burst,
                                 60.0 / config_.rate_limit_check_per_minute});
    }
    domain::PurgePolicy purge_policy{config_.unverified_ttl,
                                     std::max<std::int64_t>(3600, config_.otp_resend_interval)};
    purge_policy.guest_ttl = config_.guest_ttl;
    purge_ = std::make_unique<domain::PurgeService>(*store_, clock_, purge_policy);
    if (config_.purge_interval > 0) {
        purge_task_ = std::make_unique<PeriodicTask>(
            "purge", std::chrono::seconds(config_.purge_interval), [this] {
                const auto report = purge_->run_once();
                if (report.codes > 0 || report.registrations > 0 || report.guests > 0) {
                    log::info("purge: deleted " + std::to_string(report.codes) +
                              " expired codes, " + std::to_string(report.registrations) +
                              " registrations never validated, " + std::to_string(report.guests) +
                              " guests never converted");
                }
            });
    }

    http::ServerOptions options;
    options.host = config_.listen_host;
    options.port = config_.listen_port;
    options.threads = config_.http_threads;
    options.max_body_bytes = config_.max_body_bytes;
    options.keep_alive_timeout = config_.keep_alive_timeout;
    options.keep_alive_max_count = config_.keep_alive_max_count;
    options.read_timeout = config_.read_timeout;
    options.write_timeout = config_.write_timeout;
    options.max_connections = static_cast<std::size_t>(config_.max_connections);
    options.cors_origins = config_.cors_origins;
    server_ = std::make_unique<http::HttpServer>(options);
    add_routes();
    trim_task_ = std::make_unique<PeriodicTask>("trim", kTrimInterval, [this] {
        const auto answered = server_->answered();
        if (answered != answered_at_last_look_) {
            answered_at_last_look_ = answered;
            trimmed_ = false;
            return;
        }
        if (trimmed_) return;
        store_->release_memory();
        heap::release_free();
        trimmed_ = true;
    });
}

App::~App() {
    stop();
    if (purge_task_) purge_task_->stop();
    trim_task_->stop();
    dispatcher_->stop();
}

void App::add_routes() {
    http::add_self_service_routes(
        *server_, http::SelfServiceDeps{*auth_, *profiles_, *api_keys_, *addresses_, limiter_.get(),
                                        credentials_.get(), password_sign_in_.get(),
                                        facebook_sign_in_.get(), accounts_.get(), recovery_.get()});
    http::add_message_routes(*server_, http::MessageRoutesDeps{*messages_, *api_keys_});
    http::add_backoffice_routes(
        *server_, http::BackOfficeDeps{*backoffice_contacts_, *backoffice_organisations_, *audit_,
                                       *api_keys_, *addresses_});
    http::add_security_event_routes(*server_, http::SecurityEventRoutesDeps{*events_, *api_keys_});
    http::add_portal_routes(
        *server_, http::PortalDeps{*store_, portal_api_key_, config_.development_delivery()});
    std::vector<http::Cidr> metrics_allow;
    for (const auto& cidr : config_.metrics_allow) {
        const auto parsed = http::Cidr::parse(cidr);
        if (!parsed) throw std::invalid_argument("CONTACTD_METRICS_ALLOW: bad CIDR " + cidr);
        metrics_allow.push_back(*parsed);
    }
    http::add_ops_routes(*server_, http::OpsDeps{*store_, [this] { return ready(); },
                                                 server_->metrics(), metrics_, metrics_allow});
}

int App::start() {
    const int port = server_->bind();
    dispatcher_->start();
    if (purge_task_) purge_task_->start();
    trim_task_->start();
    serving_ = true;
    return port;
}

void App::serve() {
    server_->serve();
}

void App::stop() {
    // Readiness goes first, so that a load balancer polling /readyz stops sending before
    // the listener closes.
    if (serving_.exchange(false) && config_.shutdown_delay_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(config_.shutdown_delay_ms));
    server_->stop();
    if (purge_task_) purge_task_->stop();
    trim_task_->stop();
}

}  // namespace contactd

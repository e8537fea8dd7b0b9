#pragma once
// Server configuration. Precedence: command-line flags > environment > config file >
// defaults. The config file holds the environment names, one `NAME=value` a line
// (`#` starts a comment), so one vocabulary serves all three.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/log.h"

namespace contactd {

struct Config {
    std::string listen_host = "127.0.0.1";
    int listen_port = 8080;
    std::string db_path = "./contactd.db";
    std::optional<std::string> config_file;

    std::optional<std::string> jwt_secret;  // raw bytes; generated and stored if absent
    std::string jwt_issuer = "contactd";
    std::int64_t access_ttl = 900;
    std::int64_t refresh_idle_ttl = 30 * 24 * 3600;
    std::int64_t refresh_absolute_ttl = 90 * 24 * 3600;
    // Key rotation and refresh reuse (app/key_material.h, domain/session_service.h).
    std::vector<std::string> jwt_previous_secrets;  // raw bytes; verify only, never sign
    std::int64_t refresh_reuse_grace = 10;          // seconds; 0 turns the grace off

    std::int64_t otp_ttl = 300;
    int otp_max_attempts = 5;
    std::int64_t otp_resend_interval = 60;
    int otp_max_per_hour = 5;

    std::optional<std::string> sms_webhook_url;
    std::optional<std::string> sms_webhook_secret;
    std::optional<std::string> smtp_url;
    std::optional<std::string> smtp_from;
    std::optional<std::string> smtp_username;
    std::optional<std::string> smtp_password;
    std::optional<std::string> twilio_account_sid;
    std::optional<std::string> twilio_auth_token;
    std::optional<std::string> twilio_from;
    std::string twilio_base_url = "https://api.twilio.com";
    std::optional<std::string> templates_dir;

    std::optional<std::string> facebook_app_id;
    std::optional<std::string> facebook_app_secret;
    std::string facebook_graph_url = "https://graph.facebook.com";

    bool rate_limits = true;
    std::vector<std::string> trusted_proxies;  // CIDRs

    // Passwords (domain/credential_service.h). 0 concurrent hashes: 2 to 4 by the CPUs.
    int password_hash_concurrency = 0;
    int password_free_failures = 5;
    std::int64_t password_backoff_max = 900;
    int password_max_failures_per_hour = 100;

    // Abuse limits (issue 8): SMS countries and daily caps, codes per destination a day,
    // per-address budgets (when rate_limits is on), identities per contact.
    std::vector<std::string> sms_countries;  // ISO 3166-1 alpha-3, upper case; empty: all
    int sms_daily_limit = 1000;
    int sms_daily_limit_per_country = 200;
    int otp_max_per_day = 10;
    int rate_limit_send_burst = 10;     // requests that send a message, per address
    int rate_limit_send_per_hour = 30;  // ... refilled at this rate
    int rate_limit_check_burst = 30;    // requests that check a secret, per address
    int rate_limit_check_per_minute = 30;
    int max_identities_per_contact = 10;

    int http_threads = 64;
    std::size_t max_body_bytes = 64 * 1024;
    int keep_alive_timeout = 5;  // seconds an idle connection is kept (costs no thread)
    int keep_alive_max_count = 1000;
    int read_timeout = 10;
    int write_timeout = 10;
    int max_connections = 10000;
    std::vector<std::string> cors_origins;  // CONTACTD_CORS_ORIGINS: exact origins

    // Hardening (issue 8): the periodic purge, and development delivery off loopback.
    std::int64_t unverified_ttl = 86400;  // registrations by code never validated
    std::int64_t purge_interval = 600;    // seconds between purges; 0 turns them off
    bool development = false;             // CONTACTD_DEVELOPMENT: development delivery off loopback

    // Account lifecycle (issue 9, accounts): guests and test identities.
    std::int64_t guest_ttl = 604800;  // unconverted guests are erased after this many seconds
    // CONTACTD_TEST_IDENTITIES: normalized destination (E.164 / lower-cased email) -> code.
    std::map<std::string, std::string> test_identities;
    // Operations (issue 11): who may read /metrics, the log, and the readiness drain.
    std::vector<std::string> metrics_allow;      // CONTACTD_METRICS_ALLOW: CIDRs besides loopback
    log::Format log_format = log::Format::Text;  // CONTACTD_LOG_FORMAT
    log::Level log_level = log::Level::Info;     // CONTACTD_LOG_LEVEL
    // CONTACTD_SHUTDOWN_DELAY (ms): on SIGTERM, /readyz answers 503 this long before the
    // server stops accepting, so a load balancer stops sending first. Bounded so that
    // with the in-flight grace the process still exits within 5 s.
    std::int64_t shutdown_delay_ms = 0;
    // Emailed links (issue 9): their base, and how long a password reset link works.
    std::optional<std::string> public_url;  // CONTACTD_PUBLIC_URL, without a trailing '/'
    std::int64_t reset_ttl = 1800;          // CONTACTD_RESET_TTL
    // The base of links in messages: CONTACTD_PUBLIC_URL, else http:// + the listen address.
    std::string public_base_url() const {
        if (public_url) return *public_url;
        const bool v6 = listen_host.find(':') != std::string::npos;  // "::1" -> "[::1]"
        return "http://" + (v6 ? "[" + listen_host + "]" : listen_host) + ":" +
               std::to_string(listen_port);
    }

    // True when neither SMS nor email has a real channel: messages go to the
    // development inbox and the log.
    bool development_delivery() const {
        return !sms_webhook_url && !twilio_account_sid && !smtp_url;
    }
};

// Builds the configuration from `flags` (name -> value, names as on the command line
// without dashes: listen, db, config), the process environment and the config file.
// Throws std::invalid_argument naming the bad setting.
Config load_config(const std::map<std::string, std::string>& flags);

// As load_config, with an explicit environment (for tests).
Config load_config(const std::map<std::string, std::string>& flags,
                   const std::map<std::string, std::string>& environment);

}  // namespace contactd

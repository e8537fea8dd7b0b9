#pragma once
// Server configuration. Precedence: command-line flags > environment > config file >
// defaults. The config file holds the environment names, one `NAME=value` a line
// (`#` starts a comment), so one vocabulary serves all three.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

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

    int http_threads = 64;
    std::size_t max_body_bytes = 64 * 1024;
    int keep_alive_timeout = 2;  // seconds; bounds how long shutdown waits on idle clients
    int keep_alive_max_count = 1000;
    int read_timeout = 10;
    int write_timeout = 10;

    // Hardening (issue 8): the periodic purge, and development delivery off loopback.
    std::int64_t unverified_ttl = 86400;  // registrations by code never validated
    std::int64_t purge_interval = 600;    // seconds between purges; 0 turns them off
    bool development = false;             // CONTACTD_DEVELOPMENT: development delivery off loopback

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

#include "app/config.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <stdexcept>

#include "domain/contact_points.h"
#include "http/client_address.h"
#include "util/countries.h"
#include "util/error.h"
#include "util/strings.h"

extern char** environ;

namespace contactd {
namespace {

using Settings = std::map<std::string, std::string>;

Settings read_config_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cannot read config file " + path);
    Settings out;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string text = trim(line);
        if (text.empty() || text[0] == '#') continue;
        const auto eq = text.find('=');
        if (eq == std::string::npos) {
            throw std::invalid_argument(path + ":" + std::to_string(number) +
                                        ": expected NAME=value");
        }
        std::string value = trim(text.substr(eq + 1));
        if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
            value.back() == value.front()) {
            value = value.substr(1, value.size() - 2);
        }
        out[trim(text.substr(0, eq))] = value;
    }
    return out;
}

std::int64_t parse_int(const std::string& name, const std::string& value, std::int64_t min,
                       std::int64_t max) {
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
    if (ec != std::errc() || end != value.data() + value.size() || out < min || out > max) {
        throw std::invalid_argument(name + " must be a whole number from " + std::to_string(min) +
                                    " to " + std::to_string(max));
    }
    return out;
}

std::vector<std::string> split_list(const std::string& value);

// Exact origins (scheme://host[:port]); never "*" or "null", which would let any page, or
// any sandboxed document, call the API with a contact's token.
std::vector<std::string> parse_cors_origins(const std::string& value) {
    auto origins = split_list(value);
    for (const auto& origin : origins) {
        const auto scheme = origin.find("://");
        const bool shaped = (origin.rfind("http://", 0) == 0 || origin.rfind("https://", 0) == 0) &&
                            scheme != std::string::npos && origin.size() > scheme + 3 &&
                            origin.find('/', scheme + 3) == std::string::npos &&
                            origin.find('*') == std::string::npos;
        if (!shaped)
            throw std::invalid_argument(
                "CONTACTD_CORS_ORIGINS takes exact origins such as "
                "https://app.example, not " +
                origin);
    }
    return origins;
}

bool parse_switch(const std::string& name, const std::string& value) {
    const std::string v = to_lower(value);
    if (v == "on" || v == "true" || v == "1" || v == "yes") return true;
    if (v == "off" || v == "false" || v == "0" || v == "no") return false;
    throw std::invalid_argument(name + " must be on or off");
}

void parse_listen(Config& config, const std::string& value) {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos)
        throw std::invalid_argument("CONTACTD_LISTEN must be HOST:PORT");
    std::string host = value.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    config.listen_host = host.empty() ? "0.0.0.0" : host;
    config.listen_port =
        static_cast<int>(parse_int("CONTACTD_LISTEN port", value.substr(colon + 1), 0, 65535));
}

std::vector<std::string> split_list(const std::string& value) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= value.size()) {
        const auto comma = value.find(',', start);
        const auto item = trim(
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

// CONTACTD_SMS_COUNTRIES: alpha-3 codes; an unknown one stops the start.
std::vector<std::string> parse_countries(const std::string& value) {
    std::vector<std::string> out;
    for (const auto& item : split_list(value)) {
        const auto code = to_upper(item);
        if (code.size() != 3 || !alpha2_from_alpha3(code)) {
            throw std::invalid_argument("CONTACTD_SMS_COUNTRIES: unknown country code \"" + item +
                                        "\"; use ISO 3166-1 alpha-3 codes such as CYP,GRC");
        }
        out.push_back(code);
    }
    return out;
}

// CONTACTD_TEST_IDENTITIES: "destination=code,...", an E.164 phone or an email and a
// 6-digit code. Errors name the entry by its position and destination, never its code.
std::map<std::string, std::string> parse_test_identities(const std::string& value) {
    std::map<std::string, std::string> out;
    int position = 0;
    for (const auto& item : split_list(value)) {
        ++position;
        const auto where = "CONTACTD_TEST_IDENTITIES: entry " + std::to_string(position);
        const auto eq = item.find('=');
        if (eq == std::string::npos)
            throw std::invalid_argument(where + " is not destination=code");
        const auto destination = trim(item.substr(0, eq));
        const auto code = trim(item.substr(eq + 1));
        std::string key;
        try {
            if (!destination.empty() && destination[0] == '+') {
                key = domain::normalize_phone(destination, std::nullopt);
                if (key != destination) throw invalid_value("not E.164");
            } else if (destination.find('@') != std::string::npos) {
                key = domain::normalize_email(destination).key;
            } else {
                throw invalid_value("neither");
            }
        } catch (const Error&) {
            throw std::invalid_argument(where + " (\"" + destination +
                                        "\"): the destination must be an E.164 phone such as "
                                        "+35799000000 or an email address");
        }
        if (code.size() != 6 || code.find_first_not_of("0123456789") != std::string::npos)
            throw std::invalid_argument(where + " (\"" + destination +
                                        "\"): the code must be 6 digits");
        if (!out.emplace(key, code).second)
            throw std::invalid_argument(where + " (\"" + destination + "\") is listed twice");
    }
    return out;
}

// CONTACTD_METRICS_ALLOW: CIDRs (or single addresses); a malformed one stops the start.
std::vector<std::string> parse_cidrs(const char* name, const std::string& value) {
    auto out = split_list(value);
    for (const auto& item : out) {
        if (!http::Cidr::parse(item))
            throw std::invalid_argument(std::string(name) + ": \"" + item +
                                        "\" is not an address or CIDR such as 10.0.0.0/8");
    }
    return out;
}

// CONTACTD_PUBLIC_URL: an http(s) origin with an optional path, no query or fragment.
std::string parse_public_url(const std::string& value) {
    std::string url = value;
    while (!url.empty() && url.back() == '/') url.pop_back();
    const bool scheme = url.starts_with("http://") || url.starts_with("https://");
    const auto host_start = url.find("://") + 3;
    const bool clean = std::none_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f || c == '?' || c == '#' ||
               c == '"' || c == '<' || c == '>' || c == '\\';
    });
    if (!scheme || !clean || url.size() <= host_start || url.size() > 512) {
        throw std::invalid_argument(
            "CONTACTD_PUBLIC_URL must be an http:// or https:// URL without query or fragment, "
            "such as https://accounts.example.com");
    }
    return url;
}

void apply_settings(Config& c, const Settings& s) {
    auto text = [&](const char* name) -> std::optional<std::string> {
        const auto it = s.find(name);
        if (it == s.end() || it->second.empty()) return std::nullopt;
        return it->second;
    };
    auto set_text = [&](const char* name, std::optional<std::string>& field) {
        if (auto v = text(name)) field = *v;
    };
    auto set_int = [&](const char* name, auto& field, std::int64_t min, std::int64_t max) {
        if (auto v = text(name))
            field = static_cast<std::remove_reference_t<decltype(field)>>(
                parse_int(name, *v, min, max));
    };
    if (auto v = text("CONTACTD_LISTEN")) parse_listen(c, *v);
    if (auto v = text("CONTACTD_DB")) c.db_path = *v;
    if (auto v = text("CONTACTD_JWT_SECRET")) {
        if (v->size() < 32)
            throw std::invalid_argument("CONTACTD_JWT_SECRET must be at least 32 bytes");
        c.jwt_secret = *v;
    }
    if (auto v = text("CONTACTD_JWT_ISSUER")) c.jwt_issuer = *v;
    if (auto v = text("CONTACTD_JWT_PREVIOUS_SECRETS")) {
        c.jwt_previous_secrets = split_list(*v);
        for (std::size_t i = 0; i < c.jwt_previous_secrets.size(); ++i) {
            if (c.jwt_previous_secrets[i].size() < 32)
                throw std::invalid_argument("CONTACTD_JWT_PREVIOUS_SECRETS: secret " +
                                            std::to_string(i + 1) +
                                            " is shorter than 32 bytes (each must be at least 32)");
        }
    }
    set_int("CONTACTD_REFRESH_REUSE_GRACE", c.refresh_reuse_grace, 0, 300);
    set_int("CONTACTD_ACCESS_TTL", c.access_ttl, 10, 24 * 3600);
    set_int("CONTACTD_REFRESH_IDLE_TTL", c.refresh_idle_ttl, 60, 365LL * 24 * 3600);
    set_int("CONTACTD_REFRESH_ABSOLUTE_TTL", c.refresh_absolute_ttl, 60, 3650LL * 24 * 3600);
    set_int("CONTACTD_OTP_TTL", c.otp_ttl, 30, 3600);
    set_int("CONTACTD_OTP_MAX_ATTEMPTS", c.otp_max_attempts, 1, 20);
    set_int("CONTACTD_OTP_RESEND_INTERVAL", c.otp_resend_interval, 0, 3600);
    set_int("CONTACTD_OTP_MAX_PER_HOUR", c.otp_max_per_hour, 1, 100);
    set_text("CONTACTD_SMS_WEBHOOK_URL", c.sms_webhook_url);
    set_text("CONTACTD_SMS_WEBHOOK_SECRET", c.sms_webhook_secret);
    set_text("CONTACTD_SMTP_URL", c.smtp_url);
    set_text("CONTACTD_SMTP_FROM", c.smtp_from);
    set_text("CONTACTD_SMTP_USERNAME", c.smtp_username);
    set_text("CONTACTD_SMTP_PASSWORD", c.smtp_password);
    set_text("CONTACTD_TWILIO_ACCOUNT_SID", c.twilio_account_sid);
    set_text("CONTACTD_TWILIO_AUTH_TOKEN", c.twilio_auth_token);
    set_text("CONTACTD_TWILIO_FROM", c.twilio_from);
    if (auto v = text("CONTACTD_TWILIO_BASE_URL")) c.twilio_base_url = *v;
    set_text("CONTACTD_TEMPLATES_DIR", c.templates_dir);
    set_text("CONTACTD_FACEBOOK_APP_ID", c.facebook_app_id);
    set_text("CONTACTD_FACEBOOK_APP_SECRET", c.facebook_app_secret);
    if (auto v = text("CONTACTD_FACEBOOK_GRAPH_URL")) c.facebook_graph_url = *v;
    if (auto v = text("CONTACTD_RATE_LIMITS"))
        c.rate_limits = parse_switch("CONTACTD_RATE_LIMITS", *v);
    if (auto v = text("CONTACTD_TRUSTED_PROXIES")) c.trusted_proxies = split_list(*v);
    set_int("CONTACTD_PASSWORD_HASH_CONCURRENCY", c.password_hash_concurrency, 0, 64);
    set_int("CONTACTD_PASSWORD_FREE_FAILURES", c.password_free_failures, 1, 100);
    set_int("CONTACTD_PASSWORD_BACKOFF_MAX", c.password_backoff_max, 0, 24 * 3600);
    set_int("CONTACTD_PASSWORD_MAX_FAILURES_PER_HOUR", c.password_max_failures_per_hour, 1, 100);
    set_int("CONTACTD_HTTP_THREADS", c.http_threads, 4, 4096);
    set_int("CONTACTD_KEEP_ALIVE_TIMEOUT", c.keep_alive_timeout, 1, 300);
    set_int("CONTACTD_MAX_CONNECTIONS", c.max_connections, 16, 1000000);
    if (auto v = text("CONTACTD_CORS_ORIGINS")) c.cors_origins = parse_cors_origins(*v);
    // Abuse limits (issue 8).
    if (auto v = text("CONTACTD_SMS_COUNTRIES")) c.sms_countries = parse_countries(*v);
    set_int("CONTACTD_SMS_DAILY_LIMIT", c.sms_daily_limit, 1, 10'000'000);
    set_int("CONTACTD_SMS_DAILY_LIMIT_PER_COUNTRY", c.sms_daily_limit_per_country, 1, 10'000'000);
    set_int("CONTACTD_OTP_MAX_PER_DAY", c.otp_max_per_day, 1, 1000);
    set_int("CONTACTD_RATE_LIMIT_SEND_BURST", c.rate_limit_send_burst, 1, 100'000);
    set_int("CONTACTD_RATE_LIMIT_SEND_PER_HOUR", c.rate_limit_send_per_hour, 1, 1'000'000);
    set_int("CONTACTD_RATE_LIMIT_CHECK_BURST", c.rate_limit_check_burst, 1, 100'000);
    set_int("CONTACTD_RATE_LIMIT_CHECK_PER_MINUTE", c.rate_limit_check_per_minute, 1, 1'000'000);
    set_int("CONTACTD_MAX_IDENTITIES_PER_CONTACT", c.max_identities_per_contact, 1, 100);
    // Hardening (issue 8).
    set_int("CONTACTD_UNVERIFIED_TTL", c.unverified_ttl, 600, 365LL * 24 * 3600);
    set_int("CONTACTD_PURGE_INTERVAL", c.purge_interval, 0, 24 * 3600);
    if (auto v = text("CONTACTD_DEVELOPMENT"))
        c.development = parse_switch("CONTACTD_DEVELOPMENT", *v);
    // Account lifecycle (issue 9, accounts).
    set_int("CONTACTD_GUEST_TTL", c.guest_ttl, 600, 365LL * 24 * 3600);
    if (auto v = text("CONTACTD_TEST_IDENTITIES")) c.test_identities = parse_test_identities(*v);
    // Operations (issue 11).
    if (auto v = text("CONTACTD_METRICS_ALLOW"))
        c.metrics_allow = parse_cidrs("CONTACTD_METRICS_ALLOW", *v);
    if (auto v = text("CONTACTD_LOG_FORMAT")) {
        const auto format = log::parse_format(*v);
        if (!format) throw std::invalid_argument("CONTACTD_LOG_FORMAT must be text or json");
        c.log_format = *format;
    }
    if (auto v = text("CONTACTD_LOG_LEVEL")) {
        const auto level = log::parse_level(*v);
        if (!level)
            throw std::invalid_argument("CONTACTD_LOG_LEVEL must be debug, info, warn or error");
        c.log_level = *level;
    }
    set_int("CONTACTD_SHUTDOWN_DELAY", c.shutdown_delay_ms, 0, 1500);
    // Emailed links (issue 9).
    if (auto v = text("CONTACTD_PUBLIC_URL")) c.public_url = parse_public_url(*v);
    set_int("CONTACTD_RESET_TTL", c.reset_ttl, 60, 24 * 3600);
}

Settings process_environment() {
    Settings out;
    for (char** e = environ; e && *e; ++e) {
        const std::string entry = *e;
        const auto eq = entry.find('=');
        if (eq != std::string::npos && entry.rfind("CONTACTD_", 0) == 0)
            out[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return out;
}

}  // namespace

Config load_config(const std::map<std::string, std::string>& flags) {
    return load_config(flags, process_environment());
}

Config load_config(const std::map<std::string, std::string>& flags,
                   const std::map<std::string, std::string>& environment) {
    Config config;
    std::optional<std::string> file;
    if (auto it = environment.find("CONTACTD_CONFIG");
        it != environment.end() && !it->second.empty())
        file = it->second;
    if (auto it = flags.find("config"); it != flags.end()) file = it->second;
    if (file) {
        config.config_file = file;
        apply_settings(config, read_config_file(*file));
    }
    apply_settings(config, environment);
    Settings from_flags;
    if (auto it = flags.find("listen"); it != flags.end())
        from_flags["CONTACTD_LISTEN"] = it->second;
    if (auto it = flags.find("db"); it != flags.end()) from_flags["CONTACTD_DB"] = it->second;
    apply_settings(config, from_flags);
    return config;
}

}  // namespace contactd

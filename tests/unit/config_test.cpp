// app::config: defaults, the config file, the environment, flags, in that order of
// increasing precedence; bad values rejected naming the setting.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "app/config.h"
#include "support/test_server.h"

using contactd::Config;
using contactd::load_config;
using Map = std::map<std::string, std::string>;

namespace {

// Writes `text` to a file in `dir`; returns its path.
std::string write_file(const contactd::test::TempDir& dir, const std::string& text,
                       const std::string& name = "contactd.conf") {
    const auto path = (dir.path() / name).string();
    std::ofstream(path) << text;
    return path;
}

// The message of the std::invalid_argument load_config throws; fails if none.
std::string rejection(const Map& flags, const Map& env) {
    try {
        load_config(flags, env);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    FAIL("load_config accepted a bad setting");
    return {};
}

}  // namespace

TEST_SUITE("app::config") {
    TEST_CASE("config::load_config: defaults of the contract") {
        const Config c = load_config({}, {});
        CHECK(c.listen_host == "127.0.0.1");
        CHECK(c.listen_port == 8080);
        CHECK(c.db_path == "./contactd.db");
        CHECK_FALSE(c.config_file.has_value());
        CHECK_FALSE(c.jwt_secret.has_value());
        CHECK(c.access_ttl == 900);
        CHECK(c.otp_ttl == 300);
        CHECK(c.otp_max_attempts == 5);
        CHECK(c.otp_resend_interval == 60);
        CHECK(c.rate_limits);
        CHECK(c.trusted_proxies.empty());
        CHECK(c.facebook_graph_url == "https://graph.facebook.com");
        CHECK(c.development_delivery());
        CHECK(c.max_body_bytes == 64 * 1024);
    }

    TEST_CASE("config::load_config: precedence is flags > environment > file > defaults") {
        contactd::test::TempDir dir;
        const auto file = write_file(dir,
                                     "# a comment\n"
                                     "\n"
                                     "CONTACTD_LISTEN=127.0.0.1:7001\n"
                                     "CONTACTD_DB = /from/file.db\n"
                                     "CONTACTD_OTP_TTL=120\n"
                                     "CONTACTD_ACCESS_TTL=\"600\"\n"
                                     "CONTACTD_OTP_MAX_ATTEMPTS=3\n");
        SUBCASE("file over defaults") {
            const Config c = load_config({}, {{"CONTACTD_CONFIG", file}});
            CHECK(c.config_file == file);
            CHECK(c.listen_port == 7001);
            CHECK(c.db_path == "/from/file.db");
            CHECK(c.otp_ttl == 120);
            CHECK(c.access_ttl == 600);  // quotes stripped
            CHECK(c.otp_max_attempts == 3);
            CHECK(c.otp_resend_interval == 60);  // default kept
        }
        SUBCASE("environment over file") {
            const Config c = load_config({}, {{"CONTACTD_CONFIG", file},
                                              {"CONTACTD_OTP_TTL", "200"},
                                              {"CONTACTD_DB", "/from/env.db"},
                                              {"CONTACTD_LISTEN", "0.0.0.0:7002"}});
            CHECK(c.otp_ttl == 200);
            CHECK(c.db_path == "/from/env.db");
            CHECK(c.listen_host == "0.0.0.0");
            CHECK(c.listen_port == 7002);
            CHECK(c.otp_max_attempts == 3);  // still from the file
        }
        SUBCASE("flags over environment and file") {
            const Config c = load_config({{"listen", "127.0.0.2:7003"}, {"db", "/from/flag.db"}},
                                         {{"CONTACTD_CONFIG", file},
                                          {"CONTACTD_DB", "/from/env.db"},
                                          {"CONTACTD_LISTEN", "0.0.0.0:7002"}});
            CHECK(c.db_path == "/from/flag.db");
            CHECK(c.listen_host == "127.0.0.2");
            CHECK(c.listen_port == 7003);
            CHECK(c.otp_ttl == 120);
        }
        SUBCASE("the --config flag names the file over CONTACTD_CONFIG") {
            const auto other = write_file(dir, "CONTACTD_OTP_TTL=90\n", "other.conf");
            const Config c = load_config({{"config", other}}, {{"CONTACTD_CONFIG", file}});
            CHECK(c.config_file == other);
            CHECK(c.otp_ttl == 90);
            CHECK(c.db_path == "./contactd.db");
        }
    }

    TEST_CASE("config::load_config reads every documented name") {
        const Config c = load_config({}, {{"CONTACTD_JWT_SECRET", std::string(32, 's')},
                                          {"CONTACTD_JWT_ISSUER", "issuer"},
                                          {"CONTACTD_ACCESS_TTL", "60"},
                                          {"CONTACTD_REFRESH_IDLE_TTL", "3600"},
                                          {"CONTACTD_REFRESH_ABSOLUTE_TTL", "7200"},
                                          {"CONTACTD_OTP_RESEND_INTERVAL", "30"},
                                          {"CONTACTD_OTP_MAX_PER_HOUR", "7"},
                                          {"CONTACTD_SMS_WEBHOOK_URL", "http://127.0.0.1:9/sms"},
                                          {"CONTACTD_SMS_WEBHOOK_SECRET", "whsec"},
                                          {"CONTACTD_RATE_LIMITS", "off"},
                                          {"CONTACTD_TRUSTED_PROXIES", "10.0.0.0/8, ::1/128 ,"},
                                          {"CONTACTD_HTTP_THREADS", "8"},
                                          {"CONTACTD_FACEBOOK_GRAPH_URL", "http://127.0.0.1:9"},
                                          {"CONTACTD_LISTEN", "[::1]:8081"}});
        CHECK(c.jwt_secret == std::string(32, 's'));
        CHECK(c.jwt_issuer == "issuer");
        CHECK(c.access_ttl == 60);
        CHECK(c.refresh_idle_ttl == 3600);
        CHECK(c.refresh_absolute_ttl == 7200);
        CHECK(c.otp_resend_interval == 30);
        CHECK(c.otp_max_per_hour == 7);
        CHECK(c.sms_webhook_url == "http://127.0.0.1:9/sms");
        CHECK(c.sms_webhook_secret == "whsec");
        CHECK_FALSE(c.development_delivery());
        CHECK_FALSE(c.rate_limits);
        CHECK(c.trusted_proxies == std::vector<std::string>{"10.0.0.0/8", "::1/128"});
        CHECK(c.http_threads == 8);
        CHECK(c.facebook_graph_url == "http://127.0.0.1:9");
        CHECK(c.listen_host == "::1");
        CHECK(c.listen_port == 8081);
    }

    TEST_CASE("config::load_config rejects bad values, naming the setting") {
        CHECK(rejection({}, {{"CONTACTD_OTP_TTL", "abc"}}).find("CONTACTD_OTP_TTL") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_OTP_TTL", "5"}}).find("CONTACTD_OTP_TTL") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_OTP_TTL", "300s"}}).find("CONTACTD_OTP_TTL") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_OTP_TTL", "-300"}}).find("CONTACTD_OTP_TTL") !=
              std::string::npos);
        CHECK(
            rejection({}, {{"CONTACTD_OTP_MAX_ATTEMPTS", "0"}}).find("CONTACTD_OTP_MAX_ATTEMPTS") !=
            std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_ACCESS_TTL", "99999999999999999999"}})
                  .find("CONTACTD_ACCESS_TTL") != std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_LISTEN", "8080"}}).find("CONTACTD_LISTEN") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_LISTEN", "127.0.0.1:70000"}}).find("CONTACTD_LISTEN") !=
              std::string::npos);
        CHECK(rejection({{"listen", "127.0.0.1:http"}}, {}).find("CONTACTD_LISTEN") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_JWT_SECRET", std::string(31, 's')}})
                  .find("CONTACTD_JWT_SECRET") != std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_RATE_LIMITS", "maybe"}}).find("CONTACTD_RATE_LIMITS") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_HTTP_THREADS", "1"}}).find("CONTACTD_HTTP_THREADS") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_CONFIG", "/nonexistent/contactd.conf"}}).find("config") !=
              std::string::npos);
    }

    TEST_CASE(
        "config::load_config rejects a config file line without NAME=value, with its line number") {
        contactd::test::TempDir dir;
        const auto file = write_file(dir, "CONTACTD_OTP_TTL=120\nthis is not a setting\n");
        const auto message = rejection({{"config", file}}, {});
        CHECK(message.find(":2:") != std::string::npos);
    }

    TEST_CASE(
        "config::load_config: a bad value in the file is rejected even if the environment is "
        "fine") {
        contactd::test::TempDir dir;
        const auto file = write_file(dir, "CONTACTD_OTP_MAX_ATTEMPTS=many\n");
        CHECK(rejection({}, {{"CONTACTD_CONFIG", file}}).find("CONTACTD_OTP_MAX_ATTEMPTS") !=
              std::string::npos);
    }

    TEST_CASE("config::load_config: abuse limits, their defaults and bounds") {
        const Config d = load_config({}, {});
        CHECK(d.sms_countries.empty());  // every country
        CHECK(d.sms_daily_limit == 1000);
        CHECK(d.sms_daily_limit_per_country == 200);
        CHECK(d.otp_max_per_day == 10);
        CHECK(d.rate_limit_send_burst == 10);
        CHECK(d.rate_limit_send_per_hour == 30);
        CHECK(d.rate_limit_check_burst == 30);
        CHECK(d.rate_limit_check_per_minute == 30);
        CHECK(d.max_identities_per_contact == 10);
        CHECK(d.rate_limit_send_per_hour < d.rate_limit_check_per_minute * 60);  // stricter

        const Config c = load_config({}, {{"CONTACTD_SMS_COUNTRIES", "cyp, GRC ,"},
                                          {"CONTACTD_SMS_DAILY_LIMIT", "50"},
                                          {"CONTACTD_SMS_DAILY_LIMIT_PER_COUNTRY", "20"},
                                          {"CONTACTD_OTP_MAX_PER_DAY", "4"},
                                          {"CONTACTD_RATE_LIMIT_SEND_BURST", "2"},
                                          {"CONTACTD_RATE_LIMIT_SEND_PER_HOUR", "6"},
                                          {"CONTACTD_RATE_LIMIT_CHECK_BURST", "5"},
                                          {"CONTACTD_RATE_LIMIT_CHECK_PER_MINUTE", "10"},
                                          {"CONTACTD_MAX_IDENTITIES_PER_CONTACT", "3"}});
        CHECK(c.sms_countries == std::vector<std::string>{"CYP", "GRC"});
        CHECK(c.sms_daily_limit == 50);
        CHECK(c.sms_daily_limit_per_country == 20);
        CHECK(c.otp_max_per_day == 4);
        CHECK(c.rate_limit_send_burst == 2);
        CHECK(c.rate_limit_send_per_hour == 6);
        CHECK(c.rate_limit_check_burst == 5);
        CHECK(c.rate_limit_check_per_minute == 10);
        CHECK(c.max_identities_per_contact == 3);

        // An unknown code stops the start, naming the setting and the code.
        for (const char* bad : {"CYP,XYZ", "CY", "CYPR", "C1P"}) {
            CAPTURE(bad);
            const auto message = rejection({}, {{"CONTACTD_SMS_COUNTRIES", bad}});
            CHECK(message.find("CONTACTD_SMS_COUNTRIES") != std::string::npos);
            CHECK(message.find("unknown country code") != std::string::npos);
        }
        CHECK(rejection({}, {{"CONTACTD_SMS_COUNTRIES", "CYP,XYZ"}}).find("XYZ") !=
              std::string::npos);
        for (const char* name :
             {"CONTACTD_SMS_DAILY_LIMIT", "CONTACTD_SMS_DAILY_LIMIT_PER_COUNTRY",
              "CONTACTD_OTP_MAX_PER_DAY", "CONTACTD_RATE_LIMIT_SEND_BURST",
              "CONTACTD_RATE_LIMIT_SEND_PER_HOUR", "CONTACTD_RATE_LIMIT_CHECK_BURST",
              "CONTACTD_RATE_LIMIT_CHECK_PER_MINUTE", "CONTACTD_MAX_IDENTITIES_PER_CONTACT"}) {
            CAPTURE(name);
            CHECK(rejection({}, {{name, "0"}}).find(name) != std::string::npos);
            CHECK(rejection({}, {{name, "many"}}).find(name) != std::string::npos);
        }
        CHECK(rejection({}, {{"CONTACTD_MAX_IDENTITIES_PER_CONTACT", "101"}})
                  .find("CONTACTD_MAX_IDENTITIES_PER_CONTACT") != std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_OTP_MAX_PER_DAY", "1001"}})
                  .find("CONTACTD_OTP_MAX_PER_DAY") != std::string::npos);
    }
}

TEST_SUITE("app::config") {
    TEST_CASE("config::load_config reads the connection settings and exact CORS origins") {
        const auto c = load_config(
            {}, {{"CONTACTD_CORS_ORIGINS", "https://app.example, http://localhost:3000"},
                 {"CONTACTD_KEEP_ALIVE_TIMEOUT", "30"},
                 {"CONTACTD_MAX_CONNECTIONS", "500"}});
        CHECK(c.cors_origins ==
              std::vector<std::string>{"https://app.example", "http://localhost:3000"});
        CHECK(c.keep_alive_timeout == 30);
        CHECK(c.max_connections == 500);
        CHECK(load_config({}, {}).cors_origins.empty());
        for (const std::string bad : {"*", "null", "https://*.example", "app.example",
                                      "https://app.example/path", "ftp://app.example"}) {
            CAPTURE(bad);
            CHECK(rejection({}, {{"CONTACTD_CORS_ORIGINS", bad}}).find("CONTACTD_CORS_ORIGINS") !=
                  std::string::npos);
        }
        CHECK(rejection({}, {{"CONTACTD_KEEP_ALIVE_TIMEOUT", "0"}})
                  .find("CONTACTD_KEEP_ALIVE_TIMEOUT") != std::string::npos);
    }

    TEST_CASE("config::load_config: previous JWT secrets and the refresh reuse grace") {
        const Config defaults = load_config({}, {});
        CHECK(defaults.jwt_previous_secrets.empty());
        CHECK(defaults.refresh_reuse_grace == 10);

        const std::string a(32, 'a'), b(40, 'b');
        const Config c = load_config({}, {{"CONTACTD_JWT_PREVIOUS_SECRETS", a + ", " + b + ","},
                                          {"CONTACTD_REFRESH_REUSE_GRACE", "0"}});
        CHECK(c.jwt_previous_secrets == std::vector<std::string>{a, b});
        CHECK(c.refresh_reuse_grace == 0);
        CHECK(load_config({}, {{"CONTACTD_REFRESH_REUSE_GRACE", "300"}}).refresh_reuse_grace ==
              300);

        // A short previous secret, wherever it is in the list, stops the start.
        for (const std::string& list : {std::string(31, 'p'), a + "," + std::string(31, 'p'),
                                        std::string(31, 'p') + "," + b}) {
            CAPTURE(list);
            CHECK(rejection({}, {{"CONTACTD_JWT_PREVIOUS_SECRETS", list}})
                      .find("CONTACTD_JWT_PREVIOUS_SECRETS") != std::string::npos);
        }
        for (const char* grace : {"-1", "301", "ten", "1.5"}) {
            CAPTURE(grace);
            CHECK(rejection({}, {{"CONTACTD_REFRESH_REUSE_GRACE", grace}})
                      .find("CONTACTD_REFRESH_REUSE_GRACE") != std::string::npos);
        }
    }

    TEST_CASE("config::load_config: the purge, the unverified TTL and CONTACTD_DEVELOPMENT") {
        const Config defaults = load_config({}, {});
        CHECK(defaults.unverified_ttl == 86400);
        CHECK(defaults.purge_interval == 600);
        CHECK_FALSE(defaults.development);
        const Config set = load_config({}, {{"CONTACTD_UNVERIFIED_TTL", "3600"},
                                            {"CONTACTD_PURGE_INTERVAL", "0"},
                                            {"CONTACTD_DEVELOPMENT", "on"}});
        CHECK(set.unverified_ttl == 3600);
        CHECK(set.purge_interval == 0);
        CHECK(set.development);
        CHECK(rejection({}, {{"CONTACTD_UNVERIFIED_TTL", "599"}}).find("CONTACTD_UNVERIFIED_TTL") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_UNVERIFIED_TTL", "31536001"}})
                  .find("CONTACTD_UNVERIFIED_TTL") != std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_PURGE_INTERVAL", "-1"}}).find("CONTACTD_PURGE_INTERVAL") !=
              std::string::npos);
        CHECK(
            rejection({}, {{"CONTACTD_PURGE_INTERVAL", "86401"}}).find("CONTACTD_PURGE_INTERVAL") !=
            std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_DEVELOPMENT", "maybe"}}).find("CONTACTD_DEVELOPMENT") !=
              std::string::npos);
    }

    TEST_CASE("config::load_config: CONTACTD_GUEST_TTL and CONTACTD_TEST_IDENTITIES") {
        const Config defaults = load_config({}, {});
        CHECK(defaults.guest_ttl == 604800);
        CHECK(defaults.test_identities.empty());
        const Config set = load_config(
            {}, {{"CONTACTD_GUEST_TTL", "3600"},
                 {"CONTACTD_TEST_IDENTITIES",
                  " +35799000001=123456 , Review@Example.com=654321,+306912345678=000000"}});
        CHECK(set.guest_ttl == 3600);
        // Keyed as destinations are looked up: E.164, and the email lower-cased.
        CHECK(set.test_identities ==
              std::map<std::string, std::string>{{"+35799000001", "123456"},
                                                 {"review@example.com", "654321"},
                                                 {"+306912345678", "000000"}});
        CHECK(rejection({}, {{"CONTACTD_GUEST_TTL", "599"}}).find("CONTACTD_GUEST_TTL") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_GUEST_TTL", "31536001"}}).find("CONTACTD_GUEST_TTL") !=
              std::string::npos);
        // Bad entries stop the start, saying which and why, and never echo the code.
        for (const auto& [value, why] : std::vector<std::pair<std::string, std::string>>{
                 {"+35799000001", "destination=code"},
                 {"+35799000001=12345", "6 digits"},
                 {"+35799000001=1234567", "6 digits"},
                 {"+35799000001=12a456", "6 digits"},
                 {"99000001=123456", "E.164"},
                 {"+357 99 000001=123456", "E.164"},
                 {"+999123=123456", "E.164"},
                 {"not-an-email=123456", "E.164"},
                 {"a@example.com=111111,A@example.com=222222", "twice"}}) {
            CAPTURE(value);
            const auto message = rejection({}, {{"CONTACTD_TEST_IDENTITIES", value}});
            CHECK(message.find("CONTACTD_TEST_IDENTITIES") != std::string::npos);
            CHECK(message.find(why) != std::string::npos);
            for (const char* code : {"123456", "12345", "1234567", "12a456", "222222"})
                CHECK(message.find(code) == std::string::npos);
        }
    }

    TEST_CASE("config::load_config: operations settings (metrics allowlist, log, shutdown delay)") {
        const Config defaults = load_config({}, {});
        CHECK(defaults.metrics_allow.empty());
        CHECK(defaults.log_format == contactd::log::Format::Text);
        CHECK(defaults.log_level == contactd::log::Level::Info);
        CHECK(defaults.shutdown_delay_ms == 0);
        const Config set = load_config({}, {{"CONTACTD_METRICS_ALLOW", "10.0.0.0/8, 192.0.2.7"},
                                            {"CONTACTD_LOG_FORMAT", "json"},
                                            {"CONTACTD_LOG_LEVEL", "warn"},
                                            {"CONTACTD_SHUTDOWN_DELAY", "1500"}});
        CHECK(set.metrics_allow == std::vector<std::string>{"10.0.0.0/8", "192.0.2.7"});
        CHECK(set.log_format == contactd::log::Format::Json);
        CHECK(set.log_level == contactd::log::Level::Warn);
        CHECK(set.shutdown_delay_ms == 1500);
        CHECK(rejection({}, {{"CONTACTD_METRICS_ALLOW", "10.0.0.0/33"}})
                  .find("CONTACTD_METRICS_ALLOW") != std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_METRICS_ALLOW", "everyone"}})
                  .find("CONTACTD_METRICS_ALLOW") != std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_LOG_FORMAT", "xml"}}).find("CONTACTD_LOG_FORMAT") !=
              std::string::npos);
        CHECK(rejection({}, {{"CONTACTD_LOG_LEVEL", "trace"}}).find("CONTACTD_LOG_LEVEL") !=
              std::string::npos);
        // With the in-flight grace (3 s) the process must still exit within 5 s.
        CHECK(
            rejection({}, {{"CONTACTD_SHUTDOWN_DELAY", "1501"}}).find("CONTACTD_SHUTDOWN_DELAY") !=
            std::string::npos);
    }
    TEST_CASE("config::load_config: CONTACTD_PUBLIC_URL and CONTACTD_RESET_TTL") {
        const Config defaults = load_config({}, {{"CONTACTD_LISTEN", "127.0.0.1:9090"}});
        CHECK_FALSE(defaults.public_url);
        CHECK(defaults.public_base_url() == "http://127.0.0.1:9090");
        CHECK(load_config({}, {{"CONTACTD_LISTEN", "[::1]:9090"}}).public_base_url() ==
              "http://[::1]:9090");
        CHECK(defaults.reset_ttl == 1800);
        const Config set =
            load_config({}, {{"CONTACTD_PUBLIC_URL", "https://accounts.example.com/"},
                             {"CONTACTD_RESET_TTL", "600"}});
        CHECK(set.public_base_url() == "https://accounts.example.com");
        CHECK(set.reset_ttl == 600);
        CHECK(load_config({}, {{"CONTACTD_PUBLIC_URL", "http://example.com/portal"}})
                  .public_base_url() == "http://example.com/portal");
        for (const char* url : {"ftp://example.com", "example.com", "https://", "https://a b",
                                "https://example.com/?x=1", "https://example.com/#top",
                                "javascript:alert(1)", "https://exa\"mple.com"}) {
            CAPTURE(url);
            CHECK(rejection({}, {{"CONTACTD_PUBLIC_URL", url}}).find("CONTACTD_PUBLIC_URL") !=
                  std::string::npos);
        }
        for (const char* ttl : {"59", "86401", "-1", "soon"}) {
            CAPTURE(ttl);
            CHECK(rejection({}, {{"CONTACTD_RESET_TTL", ttl}}).find("CONTACTD_RESET_TTL") !=
                  std::string::npos);
        }
    }
}

// app::config: the CONTACTD_PASSWORD_* settings (issue 3).
#include <doctest/doctest.h>

#include <map>
#include <stdexcept>
#include <string>

#include "app/config.h"

using contactd::load_config;
using Map = std::map<std::string, std::string>;

TEST_SUITE("app::config passwords") {
    TEST_CASE(
        "config::password settings default to auto concurrency, 5 free failures, 900 s, 100 an "
        "hour") {
        const auto c = load_config({}, {});
        CHECK(c.password_hash_concurrency == 0);
        CHECK(c.password_free_failures == 5);
        CHECK(c.password_backoff_max == 900);
        CHECK(c.password_max_failures_per_hour == 100);
    }

    TEST_CASE("config::password settings come from the environment") {
        const auto c = load_config({}, {{"CONTACTD_PASSWORD_HASH_CONCURRENCY", "3"},
                                        {"CONTACTD_PASSWORD_FREE_FAILURES", "10"},
                                        {"CONTACTD_PASSWORD_BACKOFF_MAX", "0"},
                                        {"CONTACTD_PASSWORD_MAX_FAILURES_PER_HOUR", "50"}});
        CHECK(c.password_hash_concurrency == 3);
        CHECK(c.password_free_failures == 10);
        CHECK(c.password_backoff_max == 0);
        CHECK(c.password_max_failures_per_hour == 50);
    }

    TEST_CASE("config::password tries an hour cannot be set above 100") {
        CHECK_THROWS_AS(load_config({}, {{"CONTACTD_PASSWORD_MAX_FAILURES_PER_HOUR", "101"}}),
                        std::invalid_argument);
        CHECK_THROWS_AS(load_config({}, {{"CONTACTD_PASSWORD_FREE_FAILURES", "0"}}),
                        std::invalid_argument);
        CHECK_THROWS_AS(load_config({}, {{"CONTACTD_PASSWORD_HASH_CONCURRENCY", "-1"}}),
                        std::invalid_argument);
    }
}

// Hostile traffic (issue 8): the SMS country allowlist, the daily SMS caps in all and per
// country, the daily cap per destination, per-address limits on every endpoint that sends
// a message or checks a secret, the identity cap, and limits that hold after a restart.
#include <doctest/doctest.h>

#include <string>

#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";
const std::string kPassword = "purple-otter-42-climbs";

// The seconds from the server's clock to the next 00:00 UTC.
std::int64_t until_next_utc_day(TestServer& server) {
    const auto now = server.clock().now();
    return (now / 86400 + 1) * 86400 - now;
}

httplib::Result request_code(TestServer& server, const std::string& e164,
                             const std::string& path = "/request-otp") {
    return server.post(kContacts + path, {{"send_method", "SMS"},
                                          {"credentials", {{{"name", "PHONE"}, {"value", e164}}}}});
}

httplib::Result request_email_code(TestServer& server, const std::string& email) {
    return server.post(
        kContacts + "/request-otp",
        {{"send_method", "EMAIL"}, {"credentials", {{{"name", "EMAIL"}, {"value", email}}}}});
}

// A 429 with the CRM error shape whose Retry-After is exactly `seconds`.
void check_limited(const httplib::Result& result, std::int64_t seconds) {
    check_error(result, 429);
    REQUIRE(result);
    CHECK(result->get_header_value("Retry-After") == std::to_string(seconds));
}

// A 400 naming `field`.
void check_refused_field(const httplib::Result& result, const std::string& field) {
    const Json body = check_error(result, 400);
    CHECK(body["parameters"] == Json::array({field}));
}

// How many SMS the outbox holds (codes and notices).
int sms_in_outbox(TestServer& server) {
    return static_cast<int>(server.app().store().read([](storage::Repositories& repos) {
        int n = 0;
        for (const auto& m : repos.outbox().list({}, 0, 100)) n += m.channel == "SMS";
        return n;
    }));
}

Json identities_of(TestServer& server, const std::string& access_token) {
    return json_of(server.get(kContacts + "/me", access_token))["identities"];
}

}  // namespace

TEST_SUITE("http::abuse_limits") {
    TEST_CASE("abuse: one SMS more than CONTACTD_SMS_DAILY_LIMIT is 429 until the next UTC day") {
        TestServer server([](Config& c) { c.sms_daily_limit = 3; });
        // Two real codes and one decoy (nobody has +35799000003): all three count.
        REQUIRE(register_phone(server, "99000001")->status == 201);
        REQUIRE(register_phone(server, "99000002")->status == 201);
        REQUIRE(request_code(server, "+35799000003")->status == 200);
        CHECK(sms_in_outbox(server) == 2);

        server.clock().advance(61);  // past the resend interval
        const auto wait = until_next_utc_day(server);
        check_limited(register_phone(server, "99000004"), wait);
        check_limited(request_code(server, "+35799000001"), wait);  // registered
        check_limited(request_code(server, "+35799000005"), wait);  // nobody's: the same answer
        CHECK(sms_in_outbox(server) == 2);
        CHECK(request_email_code(server, "someone@example.com")->status == 200);  // email goes on

        server.clock().advance(wait);
        CHECK(register_phone(server, "99000004")->status == 201);
        CHECK(sms_in_outbox(server) == 3);
    }

    TEST_CASE(
        "abuse: one SMS more than CONTACTD_SMS_DAILY_LIMIT_PER_COUNTRY is 429, other countries go "
        "on") {
        TestServer server([](Config& c) { c.sms_daily_limit_per_country = 2; });
        REQUIRE(register_phone(server, "99000001")->status == 201);
        REQUIRE(request_code(server, "+35799000002")->status == 200);  // a decoy counts too
        check_limited(register_phone(server, "99000003"), until_next_utc_day(server));
        check_limited(request_code(server, "+35799000004"), until_next_utc_day(server));
        CHECK(register_phone(server, "6912345678", "GRC")->status == 201);
        CHECK(request_code(server, "+447400123456")->status == 200);
        server.clock().advance(until_next_utc_day(server));
        CHECK(register_phone(server, "99000003")->status == 201);
    }

    TEST_CASE(
        "abuse: one code more than CONTACTD_OTP_MAX_PER_DAY to a destination is 429, registered or "
        "not") {
        TestServer server([](Config& c) {
            c.otp_max_per_day = 3;
            c.otp_max_per_hour = 100;
        });
        const auto registered = register_phone(server, "99000001");
        REQUIRE(registered->status == 201);
        REQUIRE(request_code(server, "+35799000009")->status == 200);  // nobody's
        for (int i = 0; i < 2; ++i) {
            server.clock().advance(61);
            CHECK(request_code(server, "+35799000001")->status == 200);
            CHECK(request_code(server, "+35799000009")->status == 200);
        }
        server.clock().advance(61);
        const auto wait = until_next_utc_day(server);
        check_limited(request_code(server, "+35799000001"), wait);
        check_limited(request_code(server, "+35799000009"), wait);
        // Another route to the same phone is the same destination.
        check_limited(server.post(kContacts + "/authenticate", {{"provider", "PHONE"},
                                                                {"phone_number", "99000001"},
                                                                {"country_code", "CYP"}}),
                      wait);
        CHECK(request_code(server, "+35799000002")->status == 200);  // other phones are not
        server.clock().advance(wait);
        CHECK(request_code(server, "+35799000001")->status == 200);
    }

    TEST_CASE(
        "abuse: a phone outside CONTACTD_SMS_COUNTRIES is 400 naming the phone field wherever it "
        "would get an SMS") {
        TestServer server([](Config& c) { c.sms_countries = {"CYP", "GRC"}; });
        const std::string uk = "+447400123456";
        check_refused_field(register_phone(server, "7400123456", "GBR"), "phone_number");
        check_refused_field(
            server.post(kContacts + "/register", {{"first_name", "Andy"},
                                                  {"last_name", "Steward"},
                                                  {"phone_number", uk}}),  // a v1 flat body
            "phone_number");
        for (const char* path : {"/request-otp", "/otp", "/validate"}) {
            CAPTURE(path);
            check_refused_field(request_code(server, uk, path), "value");
        }
        check_refused_field(request_code(server, "+37121234567"), "value");  // Latvia
        check_refused_field(request_code(server, "+88216123456"),
                            "value");  // satellite, no country
        check_refused_field(
            server.post(kContacts + "/authenticate", {{"provider", "PHONE"}, {"phone_number", uk}}),
            "phone_number");
        CHECK(sms_in_outbox(server) == 0);

        const auto s = sign_up_by_phone(server, "99478230");
        for (const char* alias : {"/identities", "/credentials"}) {
            CAPTURE(alias);
            check_refused_field(server.post(kContacts + "/" + s.contact_id + alias,
                                            {{"provider", "PHONE"},
                                             {"phone_number", "7400123456"},
                                             {"country_code", "GBR"}},
                                            s.access_token),
                                "phone_number");
        }
        CHECK(identities_of(server, s.access_token).size() == 1);  // nothing was written
        CHECK(sms_in_outbox(server) == 1);                         // the sign-up code only
        // Allowed countries, and email, go on.
        CHECK(register_phone(server, "6912345678", "GRC")->status == 201);
        CHECK(request_code(server, "+35799478231")->status == 200);
        CHECK(request_email_code(server, "andy@example.com")->status == 200);
    }

    TEST_CASE("abuse: adding identities and credentials is limited per address") {
        TestServer server([](Config& c) {
            c.rate_limits = true;
            c.rate_limit_send_burst = 4;
            c.rate_limit_send_per_hour = 6;  // a token every 10 minutes
        });
        const auto s = sign_up_by_phone(server, "99478230");  // one request that sends
        const auto add = [&](const std::string& alias, const Json& body) {
            return server.post(kContacts + "/" + s.contact_id + alias, body, s.access_token);
        };
        CHECK(add("/identities", {{"provider", "EMAIL"}, {"email", "one@example.com"}})->status ==
              201);
        CHECK(add("/credentials", {{"username", "two@example.com"}, {"password", kPassword}})
                  ->status == 201);
        CHECK(add("/identities",
                  {{"provider", "PHONE"}, {"phone_number", "99478231"}, {"country_code", "CYP"}})
                  ->status == 201);
        const auto limited =
            add("/identities", {{"provider", "EMAIL"}, {"email", "four@example.com"}});
        check_error(limited, 429);
        CHECK(std::stoll(limited->get_header_value("Retry-After")) == 600);
        check_error(
            add("/credentials", {{"username", "five@example.com"}, {"password", kPassword}}), 429);
        CHECK(identities_of(server, s.access_token).size() ==
              4);  // the refused ones were not added
        // The budget of requests that only check a secret is apart: refresh still works.
        CHECK(server.post(kContacts + "/refresh", {{"refresh_token", s.refresh_token}})->status ==
              200);
        server.clock().advance(600);  // within the access token's life
        CHECK(add("/identities", {{"provider", "EMAIL"}, {"email", "four@example.com"}})->status ==
              201);
    }

    TEST_CASE(
        "abuse: requests that check a secret have their own per-address budget, off with "
        "CONTACTD_RATE_LIMITS") {
        for (const bool limits : {true, false}) {
            CAPTURE(limits);
            TestServer server([&](Config& c) {
                c.rate_limits = limits;
                c.rate_limit_check_burst = 3;
                c.rate_limit_check_per_minute = 1;
            });
            int refused = 0;
            for (int i = 0; i < 2; ++i) {
                refused += validate_otp(server, "no-such-code", "123456")->status == 429;
                refused += authenticate(server, "nobody@example.com", kPassword)->status == 429;
                refused +=
                    server.post(kContacts + "/refresh", {{"refresh_token", "nope"}})->status == 429;
            }
            CHECK(refused == (limits ? 3 : 0));
            if (limits) {
                const auto result = validate_otp(server, "no-such-code", "123456");
                check_error(result, 429);
                CHECK(result->get_header_value("Retry-After") == "60");
            }
            // Sending has its own budget; per-destination limits hold either way.
            CHECK(request_code(server, "+35799478230")->status == 200);
            check_error(request_code(server, "+35799478230"), 429);
        }
    }

    TEST_CASE(
        "abuse: CONTACTD_MAX_IDENTITIES_PER_CONTACT holds, and the refused identity is not "
        "written") {
        TestServer server([](Config& c) { c.max_identities_per_contact = 3; });
        const auto s = sign_up_by_phone(server, "99478230");
        const auto add = [&](const std::string& alias, const Json& body) {
            return server.post(kContacts + "/" + s.contact_id + alias, body, s.access_token);
        };
        REQUIRE(add("/identities", {{"provider", "EMAIL"}, {"email", "one@example.com"}})->status ==
                201);
        REQUIRE(add("/identities",
                    {{"provider", "PHONE"}, {"phone_number", "99478231"}, {"country_code", "CYP"}})
                    ->status == 201);  // unproven identities count
        const int sms_before = sms_in_outbox(server);
        check_refused_field(
            add("/identities",
                {{"provider", "PHONE"}, {"phone_number", "99478232"}, {"country_code", "CYP"}}),
            "identity");
        check_refused_field(
            add("/credentials", {{"username", "two@example.com"}, {"password", kPassword}}),
            "identity");
        CHECK(identities_of(server, s.access_token).size() == 3);
        CHECK(sms_in_outbox(server) == sms_before);  // no code, no notice
        // Nobody else was blocked: the refused phone registers on its own.
        CHECK(register_phone(server, "99478232")->status == 201);
        // A password on an identity the contact has is a change, not an addition.
        CHECK(add("/identities",
                  {{"provider", "EMAIL"}, {"email", "one@example.com"}, {"password", kPassword}})
                  ->status == 201);
    }

    TEST_CASE("abuse: limits hold after a restart on the same database") {
        TempDir dir;
        const auto db = dir.path() / "contactd.db";
        const auto configure = [](Config& c) {
            c.rate_limits = true;
            c.rate_limit_send_burst = 2;
            c.rate_limit_send_per_hour = 2;  // a token every 30 minutes
            c.sms_daily_limit = 2;
        };
        {
            TestServer server(db, configure);
            REQUIRE(register_phone(server, "99000001")->status == 201);
            REQUIRE(request_email_code(server, "one@example.com")->status == 200);
            check_error(request_email_code(server, "two@example.com"), 429);  // per address
        }
        {
            TestServer server(db, configure);  // the same clock time, a new process state
            check_error(request_email_code(server, "two@example.com"), 429);
            server.clock().advance(1800);  // a token back for this address
            REQUIRE(register_phone(server, "99000002")->status == 201);  // the 2nd SMS today
        }
        {
            TestServer server(db, configure);
            server.clock().advance(3600);  // the same UTC day (it ends 6400 s after the start)
            // The address has a token, but the day's SMS are spent.
            check_limited(register_phone(server, "99000003"), until_next_utc_day(server));
        }
    }

    TEST_CASE("abuse: behind a trusted proxy, IPv6 clients of one /64 share a budget") {
        TestServer server([](Config& c) {
            c.rate_limits = true;
            c.rate_limit_send_burst = 2;
            c.trusted_proxies = {"127.0.0.1/32"};
        });
        int n = 0;
        const auto from = [&](const std::string& address) {
            const Json body = {
                {"credentials",
                 {{{"name", "EMAIL"}, {"value", "user" + std::to_string(++n) + "@example.com"}}}}};
            const auto result = server.client().Post(
                kContacts + "/request-otp",
                {{"api_key", server.public_key()}, {"X-Forwarded-For", address}}, body.dump(),
                "application/json");
            REQUIRE(result);
            return result->status;
        };
        CHECK(from("2001:db8:1:2::1") == 200);
        CHECK(from("2001:db8:1:2:ffff:ffff:ffff:fffe") == 200);
        CHECK(from("2001:db8:1:2::77") == 429);  // the same /64
        CHECK(from("2001:db8:1:3::1") == 200);   // the next /64
        CHECK(from("203.0.113.9") == 200);
    }

    TEST_CASE("abuse: SMS notices of an added identity count toward the daily SMS limit") {
        TestServer server([](Config& c) { c.sms_daily_limit = 3; });
        const auto s = sign_up_by_phone(server, "99478230");  // SMS 1: the sign-up code
        const auto add = [&](const std::string& email) {
            return server.post(kContacts + "/" + s.contact_id + "/identities",
                               {{"provider", "EMAIL"}, {"email", email}}, s.access_token);
        };
        CHECK(add("one@example.com")->status == 201);  // SMS 2: the notice to the phone
        CHECK(add("two@example.com")->status == 201);  // SMS 3
        check_limited(add("three@example.com"), until_next_utc_day(server));
        CHECK(sms_in_outbox(server) == 3);
        CHECK(identities_of(server, s.access_token).size() == 3);  // the refused one is not added
    }
}

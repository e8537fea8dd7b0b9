// CRM.COM v1/v2 request forms the contract keeps working: the v2 identification object,
// the flat v1 register body, /contacts/validate and /contacts/otp as request-otp,
// "method" for "send_method", ignored credential names, boolean strings.
#include <doctest/doctest.h>

#include <string>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";

// Validates the newest code sent to `recipient` for `auth_otp`; returns the session.
Json validate_latest(TestServer& server, const Json& challenge, const std::string& recipient) {
    const auto code = server.last_code_for(recipient);
    const auto validated = validate_otp(server, challenge["auth_otp"], code);
    REQUIRE(validated);
    REQUIRE_MESSAGE(validated->status == 200, validated->body);
    return json_of(validated);
}

Json profile_of(TestServer& server, const Json& session) {
    const auto me = server.get(kContacts + "/me", session["access_token"].get<std::string>());
    REQUIRE(me);
    REQUIRE(me->status == 200);
    return json_of(me);
}

}  // namespace

TEST_SUITE("http::compatibility") {
    TEST_CASE("compat: v2 identification object with a nested phone") {
        TestServer server;
        const auto registered =
            server.post(kContacts + "/register",
                        {{"first_name", "Andy"},
                         {"last_name", "Steward"},
                         {"identification",
                          {{"provider", "PHONE"},
                           {"phone", {{"number", "99478230"}, {"country_code", "CYP"}}}}}});
        REQUIRE(registered);
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const Json session = validate_latest(server, json_of(registered), "+35799478230");
        CHECK(profile_of(server, session)["phone"] == "+35799478230");
    }

    TEST_CASE("compat: v2 identification object with an email") {
        TestServer server;
        const auto registered =
            server.post(kContacts + "/register",
                        {{"first_name", "E"},
                         {"last_name", "M"},
                         {"identification", {{"provider", "EMAIL"}, {"email", "v2@example.com"}}}});
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const Json session = validate_latest(server, json_of(registered), "v2@example.com");
        CHECK(profile_of(server, session)["email"] == "v2@example.com");
    }

    TEST_CASE("compat: flat v1 register body by phone, with boolean strings") {
        TestServer server;
        const auto registered =
            server.post(kContacts + "/register", {{"first_name", "Andy"},
                                                  {"last_name", "Steward"},
                                                  {"phone_number", "99478230"},
                                                  {"phone_country_code", "CYP"},
                                                  {"service_acceptance", "true"},
                                                  {"sms_opt_out", "false"},
                                                  {"email_opt_out", "TRUE"}});
        REQUIRE(registered);
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const Json session = validate_latest(server, json_of(registered), "+35799478230");
        const Json profile = profile_of(server, session);
        CHECK(profile["phone"] == "+35799478230");
        CHECK(profile["service_acceptance"] == true);
        CHECK(profile["sms_opt_out"] == false);
        CHECK(profile["email_opt_out"] == true);
        CHECK(profile["identities"][0]["provider"] == "PHONE");
    }

    TEST_CASE("compat: flat v1 register body by email records the phone on the contact") {
        TestServer server;
        const auto registered =
            server.post(kContacts + "/register", {{"first_name", "Emma"},
                                                  {"last_name", "Mail"},
                                                  {"email", "flat@example.com"},
                                                  {"service_acceptance", "false"}});
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const Json session = validate_latest(server, json_of(registered), "flat@example.com");
        const Json profile = profile_of(server, session);
        CHECK(profile["email"] == "flat@example.com");
        CHECK(profile["service_acceptance"] == false);
    }

    TEST_CASE(
        "compat: /contacts/validate and /contacts/otp are request-otp, \"method\" stands for "
        "send_method") {
        TestServer server;
        sign_up_by_phone(server, "99478230");
        sign_up_by_email(server, "alias@example.com");
        SUBCASE("/contacts/validate (v1) with method SMS") {
            server.clock().advance(60);
            const auto r = server.post(
                kContacts + "/validate",
                {{"method", "SMS"},
                 {"credentials",
                  {{{"name", "PHONE"}, {"value", "99478230"}, {"country_code", "CYP"}}}}});
            REQUIRE_MESSAGE(r->status == 200, r->body);
            validate_latest(server, json_of(r), "+35799478230");
        }
        SUBCASE("/contacts/otp with method EMAIL") {
            server.clock().advance(60);
            const auto r = server.post(
                kContacts + "/otp",
                {{"method", "EMAIL"},
                 {"credentials", {{{"name", "EMAIL"}, {"value", "alias@example.com"}}}}});
            REQUIRE_MESSAGE(r->status == 200, r->body);
            validate_latest(server, json_of(r), "alias@example.com");
        }
        SUBCASE("/contacts/validate_otp is validate-otp") {
            server.clock().advance(60);
            const auto r = server.post(
                kContacts + "/request-otp",
                {{"credentials", {{{"name", "EMAIL"}, {"value", "alias@example.com"}}}}});
            REQUIRE(r->status == 200);
            const auto code = server.last_code_for("alias@example.com");
            const auto v = server.post(
                kContacts + "/validate_otp",
                {{"auth_otp", json_of(r)["auth_otp"]}, {"code", code}, {"remember_me", "true"}});
            CHECK(v->status == 200);
        }
    }

    TEST_CASE(
        "compat: credentials other than PHONE and EMAIL are ignored, send_method picks the "
        "channel") {
        TestServer server;
        sign_up_by_phone(server, "99478230");
        server.clock().advance(60);
        const auto r = server.post(kContacts + "/request-otp",
                                   {{"send_method", "SMS"},
                                    {"credentials",
                                     {{{"name", "CARD"}, {"value", "4111111111111111"}},
                                      {{"name", "BIRTHDATE"}, {"value", "1990-01-01"}},
                                      {{"name", "EMAIL"}, {"value", "someone@example.com"}},
                                      {{"name", "PHONE"}, {"value", "+35799478230"}}}}});
        REQUIRE_MESSAGE(r->status == 200, r->body);
        CHECK(json_of(r)["obfuscated_value"] == "+357*****230");
        validate_latest(server, json_of(r), "+35799478230");
        // Only unknown names: 400 naming credentials.
        check_error(server.post(kContacts + "/request-otp",
                                {{"credentials", {{{"name", "CARD"}, {"value", "1"}}}}}),
                    400);
    }

    TEST_CASE("compat: a numeric code is accepted as the six digits it stands for") {
        TestServer server;
        const auto registered = register_phone(server, "99478230");
        REQUIRE(registered->status == 201);
        const auto code = server.last_code_for("+35799478230");
        const auto v = server.post(
            kContacts + "/validate-otp",
            {{"auth_otp", json_of(registered)["auth_otp"]}, {"code", std::stoul(code)}});
        CHECK(v->status == 200);
    }

    TEST_CASE("compat: PUT accepts boolean strings") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        REQUIRE(server
                    .put(kContacts + "/me", {{"email_opt_out", "true"}, {"sms_opt_out", "false"}},
                         s.access_token)
                    ->status == 200);
        const Json profile = json_of(server.get(kContacts + "/me", s.access_token));
        CHECK(profile["email_opt_out"] == true);
        CHECK(profile["sms_opt_out"] == false);
        check_error(server.put(kContacts + "/me", {{"email_opt_out", "yes"}}, s.access_token), 400);
    }
}

// The profile fields of issue 9 on the self-service API: middle_name, language_code
// (ISO 639-1, checked) and custom_fields on register and PUT, shown by GET; the session
// response's "communities"; and the contact's language choosing its messages (Greek SMS
// through an SMS gateway, Greek email through a real SMTP server).
#include <doctest/doctest.h>

#include <string>

#include "support/delivery_helpers.h"
#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/sms_gateway.h"
#include "support/smtp_sink.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";
const std::string kPassword = "purple-otter-42-climbs";

Json me(TestServer& server, const std::string& access_token) {
    const auto result = server.get(kContacts + "/me", access_token);
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == 200, result->body);
    return json_of(result);
}

Json fields(std::initializer_list<std::pair<const char*, const char*>> items) {
    Json out = Json::array();
    for (const auto& [key, value] : items) out.push_back({{"key", key}, {"value", value}});
    return out;
}

// A PUT of `body` on oneself; its status.
int put_me(TestServer& server, const std::string& access_token, const Json& body) {
    const auto result = server.put(kContacts + "/me", body, access_token);
    REQUIRE(result);
    return result->status;
}

std::string sms_text(const GatewayRequest& request) {
    return Json::parse(request.body)["text"];
}

}  // namespace

TEST_SUITE("http::profile_fields") {
    TEST_CASE("profile: register by code takes middle_name, language_code and custom_fields") {
        TestServer server;
        const auto registered = server.post(
            kContacts + "/register",
            {{"first_name", "Eleni"},
             {"middle_name", "  Maria "},
             {"last_name", "Georgiou"},
             {"language_code", "EL"},
             {"custom_fields", fields({{"loyalty_tier", "gold"}, {"referrer", "ABC-1"}})},
             {"identity", {{"provider", "EMAIL"}, {"email", "eleni@example.org"}}}});
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const auto session = validate_otp(server, json_of(registered)["auth_otp"],
                                          server.last_code_for("eleni@example.org"));
        REQUIRE_MESSAGE(session->status == 200, session->body);
        const Json body = json_of(session);
        CHECK(body["communities"] == Json::array());
        CHECK(body.contains("organisations"));

        const Json contact = me(server, body["access_token"]);
        CHECK(contact["middle_name"] == "Maria");
        CHECK(contact["language_code"] == "el");
        CHECK(contact["custom_fields"] ==
              fields({{"loyalty_tier", "gold"}, {"referrer", "ABC-1"}}));
        // The back office sees the same custom fields (one storage).
        const Json bo =
            json_of(server.get("/backoffice/v1/contacts/" + contact["id"].get<std::string>(), "",
                               server.secret_key()));
        CHECK(bo["custom_fields"] == contact["custom_fields"]);
        CHECK(bo["middle_name"] == "Maria");
    }

    TEST_CASE("profile: register with a password (v2 identification) answers with communities") {
        TestServer server;
        const auto registered = server.post(
            kContacts + "/register",
            {{"first_name", "Ivan"},
             {"last_name", "Petrov"},
             {"middle_name", "Ilyich"},
             {"language_code", "ru"},
             {"custom_fields", fields({{"segment", "B2C"}})},
             {"identification",
              {{"provider", "EMAIL"}, {"email", "ivan@example.org"}, {"password", kPassword}}}});
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const Json body = json_of(registered);
        CHECK(body["communities"] == Json::array());
        const Json contact = me(server, body["access_token"]);
        CHECK(contact["middle_name"] == "Ilyich");
        CHECK(contact["language_code"] == "ru");
        CHECK(contact["custom_fields"] == fields({{"segment", "B2C"}}));
        // Sign-in and refresh answers carry it too.
        const Json signed_in = json_of(authenticate(server, "ivan@example.org", kPassword));
        CHECK(signed_in["communities"] == Json::array());
        const Json refreshed = json_of(
            server.post(kContacts + "/refresh", {{"refresh_token", signed_in["refresh_token"]}}));
        CHECK(refreshed["communities"] == Json::array());
    }

    TEST_CASE("profile: PUT sets, changes and clears the three fields, GET shows them") {
        TestServer server;
        const auto andy = sign_up_by_phone(server, "99478230");
        const Json before = me(server, andy.access_token);
        CHECK(before["middle_name"].is_null());
        CHECK(before["language_code"].is_null());
        CHECK(before["custom_fields"] == Json::array());

        REQUIRE(put_me(server, andy.access_token,
                       {{"middle_name", "James"},
                        {"language_code", "el"},
                        {"custom_fields", fields({{"a", "1"}, {"b", "2"}})}}) == 200);
        Json after = me(server, andy.access_token);
        CHECK(after["middle_name"] == "James");
        CHECK(after["language_code"] == "el");
        CHECK(after["custom_fields"] == fields({{"a", "1"}, {"b", "2"}}));
        CHECK(after["first_name"] == before["first_name"]);  // untouched

        // The list is replaced whole; fields left out stay.
        REQUIRE(put_me(server, andy.access_token, {{"custom_fields", fields({{"c", "3"}})}}) ==
                200);
        after = me(server, andy.access_token);
        CHECK(after["custom_fields"] == fields({{"c", "3"}}));
        CHECK(after["language_code"] == "el");

        // In Self-Service requests null is the field left out (API.md, "Existing CRM.COM
        // apps"): nothing changes.
        REQUIRE(put_me(server, andy.access_token,
                       {{"middle_name", nullptr}, {"language_code", nullptr}}) == 200);
        after = me(server, andy.access_token);
        CHECK(after["language_code"] == "el");
        CHECK_FALSE(after["middle_name"].is_null());

        // An empty value clears, as does an empty list.
        REQUIRE(put_me(server, andy.access_token,
                       {{"middle_name", ""},
                        {"language_code", ""},
                        {"custom_fields", Json::array()}}) == 200);
        after = me(server, andy.access_token);
        CHECK(after["middle_name"].is_null());
        CHECK(after["language_code"].is_null());
        CHECK(after["custom_fields"] == Json::array());
    }

    TEST_CASE(
        "profile: a language_code that is not ISO 639-1 is 400 naming it, and changes nothing") {
        TestServer server;
        const auto andy = sign_up_by_phone(server, "99478231");
        REQUIRE(put_me(server, andy.access_token, {{"language_code", "en"}}) == 200);
        for (const Json& bad :
             {Json("xx"), Json("ell"), Json("el-CY"), Json("e"), Json("qq"), Json(5), Json("Ελ")}) {
            CAPTURE(bad.dump());
            const Json error = check_error(
                server.put(kContacts + "/me", {{"middle_name", "Changed"}, {"language_code", bad}},
                           andy.access_token),
                400);
            CHECK(error["parameters"] == Json::array({"language_code"}));
        }
        const Json contact = me(server, andy.access_token);
        CHECK(contact["language_code"] == "en");
        CHECK(contact["middle_name"].is_null());

        // On register too, by code and by password, before anything is written.
        const Json by_code = check_error(
            server.post(kContacts + "/register",
                        {{"first_name", "A"},
                         {"last_name", "B"},
                         {"language_code", "english"},
                         {"identity", {{"provider", "EMAIL"}, {"email", "ab@example.org"}}}}),
            400);
        CHECK(by_code["parameters"] == Json::array({"language_code"}));
        const Json by_password = check_error(
            server.post(
                kContacts + "/register",
                {{"first_name", "A"},
                 {"last_name", "B"},
                 {"language_code", "zz"},
                 {"identity",
                  {{"provider", "EMAIL"}, {"email", "ab@example.org"}, {"password", kPassword}}}}),
            400);
        CHECK(by_password["parameters"] == Json::array({"language_code"}));
        CHECK(message_kinds_to(server, "ab@example.org").empty());
        CHECK(authenticate(server, "ab@example.org", kPassword)->status == 401);
    }

    TEST_CASE("profile: custom_fields are checked as the back office checks them") {
        TestServer server;
        const auto andy = sign_up_by_phone(server, "99478232");
        auto put_error = [&](const Json& body) {
            return check_error(server.put(kContacts + "/me", body, andy.access_token), 400);
        };
        CHECK(put_error({{"custom_fields", "gold"}})["parameters"] ==
              Json::array({"custom_fields"}));
        CHECK(put_error({{"custom_fields", Json::array({"gold"})}})["parameters"] ==
              Json::array({"custom_fields"}));
        CHECK(put_error({{"custom_fields", fields({{"a", "1"}, {"a", "2"}})}})["parameters"] ==
              Json::array({"key"}));
        CHECK(put_error({{"custom_fields", Json::array({{{"value", "1"}}})}})["parameters"] ==
              Json::array({"key"}));
        CHECK(put_error({{"custom_fields",
                          Json::array({{{"key", "a"}, {"colour", "1"}}})}})["parameters"] ==
              Json::array({"colour"}));
        CHECK(put_error({{"custom_fields", fields({{"a", "line\nbreak"}})}})["parameters"] ==
              Json::array({"value"}));
        // Still not every field: credentials and unknown ones are refused.
        CHECK(put_error({{"email", "x@example.org"}})["parameters"] == Json::array({"email"}));
        CHECK(me(server, andy.access_token)["custom_fields"] == Json::array());
        // A null value is kept as null.
        REQUIRE(put_me(server, andy.access_token,
                       {{"custom_fields", Json::array({{{"key", "k"}, {"value", nullptr}}})}}) ==
                200);
        CHECK(me(server, andy.access_token)["custom_fields"] ==
              Json::array({{{"key", "k"}, {"value", nullptr}}}));
    }

    TEST_CASE("profile: a Greek contact gets the Greek SMS, an English one the English") {
        SmsGateway gateway;
        TestServer server([&](Config& c) { c.sms_webhook_url = gateway.url("/sms"); });
        const auto greek = server.post(
            kContacts + "/register",
            {{"first_name", "Ελένη"},
             {"last_name", "Γεωργίου"},
             {"language_code", "el"},
             {"identity",
              {{"provider", "PHONE"}, {"phone_number", "99478233"}, {"country_code", "CYP"}}}});
        REQUIRE_MESSAGE(greek->status == 201, greek->body);
        const auto english = test::delivery::register_phone(server, "99478234");
        server.app().dispatcher().run_once();
        REQUIRE(gateway.count() == 2);
        std::string greek_text, english_text;
        for (const auto& request : gateway.requests()) {
            const Json body = Json::parse(request.body);
            (body["to"] == "+35799478233" ? greek_text : english_text) = body["text"];
        }
        const std::string code = test::delivery::code_in(greek_text);
        REQUIRE(code.size() == 6);
        CHECK(greek_text ==
              "Ο κωδικός εγγραφής σας είναι " + code + ". Λήγει σε 5 λεπτά. Μην τον μοιραστείτε.");
        CHECK(english_text.starts_with("Your sign-up code is "));
        REQUIRE(test::delivery::validate_status(server, json_of(greek)["auth_otp"], code) == 200);

        // The English contact switches to Greek with PUT; its next code comes in Greek,
        // and back in English once it clears the field.
        const auto session = json_of(
            validate_otp(server, english["auth_otp"], test::delivery::code_in(english_text)));
        REQUIRE(put_me(server, session["access_token"], {{"language_code", "el"}}) == 200);
        server.clock().advance(61);
        const auto requested =
            server.post(kContacts + "/request-otp",
                        {{"send_method", "SMS"},
                         {"credentials",
                          {{{"name", "PHONE"}, {"value", "99478234"}, {"country_code", "CYP"}}}}});
        REQUIRE(requested->status == 200);
        server.app().dispatcher().run_once();
        REQUIRE(gateway.count() == 3);
        CHECK(sms_text(gateway.requests()[2]).starts_with("Ο κωδικός σύνδεσής σας"));

        // A language without templates (French) falls back to English.
        REQUIRE(put_me(server, session["access_token"], {{"language_code", "fr"}}) == 200);
        server.clock().advance(61);
        REQUIRE(server
                    .post(kContacts + "/request-otp",
                          {{"send_method", "SMS"},
                           {"credentials",
                            {{{"name", "PHONE"}, {"value", "99478234"}, {"country_code", "CYP"}}}}})
                    ->status == 200);
        server.app().dispatcher().run_once();
        REQUIRE(gateway.count() == 4);
        CHECK(sms_text(gateway.requests()[3]).starts_with("Your sign-in code is "));
    }

    TEST_CASE("profile: a Greek contact's sign-up email is Greek, through a real SMTP server") {
        SmtpSink sink;
        TestServer server([&](Config& c) {
            c.smtp_url = sink.url();
            c.smtp_from = "no-reply@contactd.test";
        });
        const auto registered =
            server.post(kContacts + "/register",
                        {{"first_name", "Ελένη"},
                         {"last_name", "Γεωργίου"},
                         {"language_code", "el"},
                         {"identity", {{"provider", "EMAIL"}, {"email", "eleni@example.org"}}}});
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        server.app().dispatcher().run_once();
        const auto mails = sink.wait_for(1);
        REQUIRE(mails.size() == 1);
        const auto& info = mails[0].info;
        INFO(mails[0].raw);
        CHECK(info["subject"] == "Ο κωδικός εγγραφής σας");
        const std::string text = info["parts"][0]["text"];
        const std::string html = info["parts"][1]["text"];
        CHECK(text.find("Ελένη") != std::string::npos);
        CHECK(html.find("<html lang=\"el\">") != std::string::npos);
        const std::string code = test::delivery::code_in(text);
        REQUIRE(code.size() == 6);
        CHECK(test::delivery::validate_status(server, json_of(registered)["auth_otp"], code) ==
              200);
    }
}

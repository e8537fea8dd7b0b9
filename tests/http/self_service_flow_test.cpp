// The whole Self-Service flow over HTTP against the real server: register by phone and
// by email, read the code, validate, read and edit the contact, refresh, sign out.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd::test;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;  // TestServer's clock starts here

// A session response as the contract describes it.
void check_session_response(const httplib::Result& result, const std::string& contact_id,
                            std::int64_t now) {
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == 200, result->body);
    CHECK(result->get_header_value("Cache-Control") == "no-store");
    const Json body = json_of(result);
    CHECK(body["contact"]["id"] == contact_id);
    CHECK(body["contact"]["type"] == "PERSON");
    CHECK(body["contact"]["is_verified"] == true);
    for (const char* field :
         {"code", "title", "avatar", "first_name", "last_name", "company_name"}) {
        CAPTURE(field);
        CHECK(body["contact"].contains(field));
    }
    CHECK(body["organisations"].is_array());
    CHECK(std::regex_match(body["access_token"].get<std::string>(),
                           std::regex("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$")));
    CHECK(body["refresh_token"].get<std::string>().size() >= 43);
    CHECK(body["expiration_date"] == now + 900);  // seconds
    CHECK(body["exp"] == (now + 900) * 1000);     // milliseconds (CRM.COM v1)
}

}  // namespace

TEST_SUITE("http::self_service_flow") {
    TEST_CASE("flow: by phone, register, validate, me, edit, refresh, sign out") {
        TestServer server;
        const std::string contacts = kSelfService + "/contacts";

        // 1. Register by phone.
        const auto registered = register_phone(server, "99478230");
        REQUIRE(registered);
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const Json challenge = json_of(registered);
        const std::string contact_id = challenge["id"];
        CHECK_FALSE(contact_id.empty());
        CHECK_FALSE(challenge["auth_otp"].get<std::string>().empty());
        CHECK(challenge["obfuscated_value"] == "+357*****230");
        CHECK(registered->body.find("99478230") == std::string::npos);  // never the whole number

        // 2. The code went to the E.164 number.
        const auto code = server.last_code_for("+35799478230");
        CHECK(code.size() == 6);

        // 3. Validate.
        const auto validated = validate_otp(server, challenge["auth_otp"], code);
        check_session_response(validated, contact_id, kStart);
        const Json session = json_of(validated);
        const std::string access = session["access_token"];
        const std::string refresh = session["refresh_token"];

        // 4. Who am I? Both "me" and the id.
        for (const std::string& id : {std::string("me"), contact_id}) {
            CAPTURE(id);
            const auto me = server.get(contacts + "/" + id, access);
            REQUIRE(me);
            REQUIRE_MESSAGE(me->status == 200, me->body);
            const Json profile = json_of(me);
            CHECK(profile["id"] == contact_id);
            CHECK(profile["first_name"] == "Andy");
            CHECK(profile["last_name"] == "Steward");
            CHECK(profile["phone"] == "+35799478230");
            CHECK(profile["email"].is_null());
            CHECK(profile["is_verified"] == true);
            CHECK(profile["organisations"].is_array());
            REQUIRE(profile["identities"].size() == 1);
            CHECK(profile["identities"][0]["provider"] == "PHONE");
            CHECK(profile["identities"][0]["value"] == "+35799478230");
            CHECK(profile["identities"][0]["is_verified"] == true);
            for (const char* secret : {"password", "password_hash", "code_hmac", "refresh_token"}) {
                CHECK_FALSE(profile.contains(secret));
            }
        }

        // 5. Edit the profile.
        const auto put =
            server.put(contacts + "/" + contact_id,
                       {{"first_name", "Andreas"}, {"title", "Mr"}, {"sms_opt_out", true}}, access);
        REQUIRE(put);
        REQUIRE_MESSAGE(put->status == 200, put->body);
        CHECK(json_of(put) == Json{{"id", contact_id}});
        const Json edited = json_of(server.get(contacts + "/me", access));
        CHECK(edited["first_name"] == "Andreas");
        CHECK(edited["last_name"] == "Steward");
        CHECK(edited["title"] == "Mr");
        CHECK(edited["sms_opt_out"] == true);
        // Fields a contact may not set here are 400, naming the field, and nothing changes.
        const auto bad_put =
            server.put(contacts + "/me", {{"first_name", "X"}, {"phone", "+35799000000"}}, access);
        CHECK(check_error(bad_put, 400)["parameters"] == Json::array({"phone"}));
        CHECK(json_of(server.get(contacts + "/me", access))["first_name"] == "Andreas");

        // 6. Refresh: a new pair; the old refresh token is spent.
        server.clock().advance(60);
        const auto refreshed = server.client().Post(
            contacts + "/refresh", {{"api_key", server.public_key()}, {"refresh_token", refresh}},
            "", "application/json");
        check_session_response(refreshed, contact_id, kStart + 60);
        const Json next = json_of(refreshed);
        CHECK(next["refresh_token"] != refresh);
        const std::string access2 = next["access_token"];
        CHECK(server.get(contacts + "/me", access2)->status == 200);

        // 7. Sign out: 204, then the session's tokens stop working.
        const auto out =
            server.post(contacts + "/" + contact_id + "/sign_out", Json::object(), access2);
        REQUIRE(out);
        CHECK(out->status == 204);
        CHECK(out->body.empty());
        check_error(server.get(contacts + "/me", access2), 401);
        check_error(server.get(contacts + "/me", access), 401);
        check_error(server.post(contacts + "/refresh", {{"refresh_token", next["refresh_token"]}}),
                    401);
    }

    TEST_CASE(
        "flow: by email, register, validate, me, refresh, sign out, email compared "
        "case-insensitively") {
        TestServer server;
        const std::string contacts = kSelfService + "/contacts";
        const auto registered = register_email(server, "  Emma.Mail@Example.COM ");
        REQUIRE(registered);
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const Json challenge = json_of(registered);
        CHECK(challenge["obfuscated_value"] == "E***@E***.COM");
        const auto code = server.last_code_for("emma.mail@example.com");
        const auto validated = validate_otp(server, challenge["auth_otp"], code);
        check_session_response(validated, challenge["id"], kStart);
        const Json session = json_of(validated);

        const Json profile = json_of(server.get(contacts + "/me", session["access_token"]));
        CHECK(profile["email"] == "Emma.Mail@Example.COM");  // stored as given, trimmed
        CHECK(profile["phone"].is_null());
        REQUIRE(profile["identities"].size() == 1);
        CHECK(profile["identities"][0]["provider"] == "EMAIL");
        CHECK(profile["identities"][0]["is_verified"] == true);

        // Sign in again later by code, naming the email in another case.
        server.clock().advance(61);
        const auto requested = server.post(
            contacts + "/request-otp",
            {{"send_method", "EMAIL"},
             {"credentials", {{{"name", "EMAIL"}, {"value", "EMMA.MAIL@example.com"}}}}});
        REQUIRE(requested);
        REQUIRE_MESSAGE(requested->status == 200, requested->body);
        const auto second_code = server.last_code_for("emma.mail@example.com");
        const auto second = validate_otp(server, json_of(requested)["auth_otp"], second_code);
        check_session_response(second, challenge["id"], kStart + 61);

        const auto refreshed = server.post(contacts + "/refresh",
                                           {{"refresh_token", json_of(second)["refresh_token"]}});
        check_session_response(refreshed, challenge["id"], kStart + 61);
        const std::string access = json_of(refreshed)["access_token"];
        CHECK(server.post(contacts + "/me/sign_out", Json::object(), access)->status == 204);
        check_error(server.get(contacts + "/me", access), 401);
        // The first session (another device) is untouched by signing out the second.
        CHECK(server.get(contacts + "/me", session["access_token"])->status == 200);
    }

    TEST_CASE(
        "flow: sign in again by phone with validate-otp naming the credentials instead of "
        "auth_otp") {
        TestServer server;
        const auto first = sign_up_by_phone(server, "99478230");
        server.clock().advance(60);
        const auto requested =
            server.post(kSelfService + "/contacts/request-otp",
                        {{"send_method", "SMS"},
                         {"credentials",
                          {{{"name", "PHONE"}, {"value", "99478230"}, {"country_code", "CYP"}}}}});
        REQUIRE(requested);
        REQUIRE_MESSAGE(requested->status == 200, requested->body);
        const auto code = server.last_code_for("+35799478230");
        const auto validated = server.post(
            kSelfService + "/contacts/validate-otp",
            {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}, {"code", code}});
        check_session_response(validated, first.contact_id, kStart + 60);
        // The email form too.
        const auto by_email = sign_up_by_email(server, "second@example.com");
        server.clock().advance(60);
        REQUIRE(server
                    .post(kSelfService + "/contacts/request-otp",
                          {{"send_method", "EMAIL"},
                           {"credentials", {{{"name", "EMAIL"}, {"value", "second@example.com"}}}}})
                    ->status == 200);
        const auto email_code = server.last_code_for("second@example.com");
        const auto validated_email =
            server.post(kSelfService + "/contacts/validate-otp",
                        {{"credentials", {{{"name", "EMAIL"}, {"value", "Second@Example.com"}}}},
                         {"code", email_code}});
        check_session_response(validated_email, by_email.contact_id, kStart + 120);
    }

    TEST_CASE(
        "flow: registering an existing phone signs that contact in by code and changes nothing "
        "else") {
        TestServer server;
        const auto first = sign_up_by_phone(server, "99478230");
        server.clock().advance(60);
        const auto again =
            server.post(kSelfService + "/contacts/register",
                        {{"first_name", "Mallory"},
                         {"last_name", "Other"},
                         {"identity", {{"provider", "PHONE"}, {"phone_number", "+35799478230"}}}});
        REQUIRE(again);
        REQUIRE_MESSAGE(again->status == 201, again->body);
        const auto code = server.last_code_for("+35799478230");
        const auto validated = validate_otp(server, json_of(again)["auth_otp"], code);
        REQUIRE(validated->status == 200);
        CHECK(json_of(validated)["contact"]["id"] == first.contact_id);
        const Json profile = json_of(server.get(kSelfService + "/contacts/me", first.access_token));
        CHECK(profile["first_name"] == "Andy");
        CHECK(profile["last_name"] == "Steward");
    }

    TEST_CASE("flow: GET /contacts/{id}/sessions lists live sessions, DELETE revokes one") {
        TestServer server;
        const auto a = sign_up_by_phone(server, "99478230");
        server.clock().advance(60);
        REQUIRE(server
                    .post(kSelfService + "/contacts/request-otp",
                          {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}})
                    ->status == 200);
        const auto code = server.last_code_for("+35799478230");
        const auto latest = server.post(
            kSelfService + "/contacts/validate-otp",
            {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}, {"code", code}});
        REQUIRE(latest->status == 200);
        const std::string b_access = json_of(latest)["access_token"];

        const auto listed = server.get(kSelfService + "/contacts/me/sessions", a.access_token);
        REQUIRE(listed);
        REQUIRE_MESSAGE(listed->status == 200, listed->body);
        const Json content = json_of(listed)["content"];
        REQUIRE(content.size() == 2);
        int current = 0;
        std::string other_id;
        for (const auto& s : content) {
            for (const char* field :
                 {"id", "created_at", "last_used_at", "user_agent", "ip_address", "current"}) {
                CAPTURE(field);
                CHECK(s.contains(field));
            }
            CHECK(s["ip_address"] == "127.0.0.1");
            if (s["current"] == true) {
                ++current;
            } else {
                other_id = s["id"];
            }
        }
        CHECK(current == 1);
        const auto revoked =
            server.del(kSelfService + "/contacts/me/sessions/" + other_id, a.access_token);
        REQUIRE(revoked);
        CHECK(revoked->status == 204);
        check_error(server.get(kSelfService + "/contacts/me", b_access), 401);
        CHECK(server.get(kSelfService + "/contacts/me", a.access_token)->status == 200);
        check_error(server.del(kSelfService + "/contacts/me/sessions/" + other_id, a.access_token),
                    404);
    }
}

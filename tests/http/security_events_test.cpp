// Security events (issue 8): each flow records its event in the transaction of what it
// describes, with the contact, the client's address and the request's id, and
// GET /backoffice/v1/security_events lists them (secret key only, filters, paging).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/fake_facebook.h"
#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";
const std::string kEvents = "/backoffice/v1/security_events";
const std::string kPassword = "purple-otter-42-climbs";

// A request with its own X-Request-Id (and a bearer, when given).
httplib::Result post_as(TestServer& server, const std::string& path, const Json& body,
                        const std::string& request_id, const std::string& bearer = "") {
    httplib::Headers headers{{"api_key", server.public_key()}, {"X-Request-Id", request_id}};
    if (!bearer.empty()) headers.emplace("Authorization", "Bearer " + bearer);
    return server.client().Post(path, headers, body.dump(), "application/json");
}

// Every event (newest first) matching the query, through the endpoint with the secret key.
Json events(TestServer& server, const std::string& query = "") {
    const auto result = server.get(kEvents + "?size=100" + query, "", server.secret_key());
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == 200, result->body);
    CHECK(result->get_header_value("Cache-Control") == "no-store");
    return json_of(result);
}

// The newest event of `type` recorded under `request_id`; REQUIREs there is one.
Json event_of(TestServer& server, const std::string& type, const std::string& request_id) {
    const auto found = events(server, "&type=" + type);
    for (const auto& e : found["content"]) {
        if (e["request_id"] == request_id) return e;
    }
    FAIL("no " << type << " event for request " << request_id);
    return {};
}

void check_event(const Json& e, const std::string& type, const Json& contact_id) {
    CAPTURE(e.dump());
    CHECK(e["type"] == type);
    CHECK(e["contact_id"] == contact_id);
    CHECK(e["ip_address"] == "127.0.0.1");
    CHECK(e["id"].is_string());
    CHECK(e["created_at"].is_number_integer());
    CHECK(e["detail"].is_object());
    for (const char* field : {"user_agent", "request_id"}) CHECK(e.contains(field));
}

}  // namespace

TEST_SUITE("http::security_events") {
    TEST_CASE(
        "security_events: codes sent, failed, burned and validated, refresh reuse, sign-out") {
        TestServer server;
        const auto registered = post_as(
            server, kContacts + "/register",
            {{"first_name", "Ev"},
             {"last_name", "Ents"},
             {"identity",
              {{"provider", "PHONE"}, {"phone_number", "99478230"}, {"country_code", "CYP"}}}},
            "req-register");
        REQUIRE(registered->status == 201);
        const std::string contact_id = json_of(registered)["id"];
        const std::string auth_otp = json_of(registered)["auth_otp"];
        const auto code = server.last_code_for("+35799478230");

        auto sent = event_of(server, "CODE_SENT", "req-register");
        check_event(sent, "CODE_SENT", contact_id);
        CHECK(sent["detail"]["channel"] == "SMS");
        CHECK(sent["detail"]["purpose"] == "REGISTER");
        CHECK(sent["detail"]["destination"] != "+35799478230");  // obfuscated

        // A wrong code: its event survives the 401.
        REQUIRE(post_as(server, kContacts + "/validate-otp",
                        {{"auth_otp", auth_otp}, {"code", other_code(code)}}, "req-wrong")
                    ->status == 401);
        const auto failed = event_of(server, "CODE_FAILED", "req-wrong");
        check_event(failed, "CODE_FAILED", contact_id);
        CHECK(failed["detail"]["reason"] == "WRONG");

        const auto validated = post_as(server, kContacts + "/validate-otp",
                                       {{"auth_otp", auth_otp}, {"code", code}}, "req-validate");
        REQUIRE_MESSAGE(validated->status == 200, validated->body);
        const auto session = json_of(validated);
        const auto signed_in = event_of(server, "SIGN_IN_SUCCEEDED", "req-validate");
        check_event(signed_in, "SIGN_IN_SUCCEEDED", contact_id);
        CHECK(signed_in["detail"]["method"] == "OTP");

        // A spent refresh token presented again.
        const std::string first_refresh = session["refresh_token"];
        REQUIRE(post_as(server, kContacts + "/refresh", {{"refresh_token", first_refresh}},
                        "req-refresh")
                    ->status == 200);
        REQUIRE(
            post_as(server, kContacts + "/refresh", {{"refresh_token", first_refresh}}, "req-reuse")
                ->status == 401);
        check_event(event_of(server, "REFRESH_TOKEN_REUSED", "req-reuse"), "REFRESH_TOKEN_REUSED",
                    contact_id);

        // Sign out of a fresh session.
        server.clock().advance(61);
        const auto again = post_as(
            server, kContacts + "/request-otp",
            {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}}, "req-request");
        REQUIRE(again->status == 200);
        const auto request_sent = event_of(server, "CODE_SENT", "req-request");
        check_event(request_sent, "CODE_SENT", contact_id);
        CHECK(request_sent["detail"]["purpose"] == "SIGN_IN");
        const auto second = json_of(
            validate_otp(server, json_of(again)["auth_otp"], server.last_code_for("+35799478230")));
        REQUIRE(post_as(server, kContacts + "/me/sign_out", Json::object(), "req-out",
                        second["access_token"])
                    ->status == 204);
        const auto revoked = event_of(server, "SESSION_REVOKED", "req-out");
        check_event(revoked, "SESSION_REVOKED", contact_id);
        CHECK(revoked["detail"]["reason"] == "SIGN_OUT");

        // Five wrong codes burn a code: LOCKED_OUT once.
        server.clock().advance(61);
        const auto third = post_as(
            server, kContacts + "/request-otp",
            {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}}, "req-third");
        const std::string third_otp = json_of(third)["auth_otp"];
        const auto third_code = server.last_code_for("+35799478230");
        for (int i = 0; i < 5; ++i) {
            post_as(server, kContacts + "/validate-otp",
                    {{"auth_otp", third_otp}, {"code", other_code(third_code)}},
                    "req-burn-" + std::to_string(i));
        }
        const auto locked = event_of(server, "LOCKED_OUT", "req-burn-4");
        check_event(locked, "LOCKED_OUT", contact_id);
        CHECK(locked["detail"]["what"] == "CODE");
        CHECK(events(server, "&type=LOCKED_OUT")["paging"]["total"] == 1);
        post_as(server, kContacts + "/validate-otp",
                {{"auth_otp", third_otp}, {"code", third_code}}, "req-burned");
        CHECK(event_of(server, "CODE_FAILED", "req-burned")["detail"]["reason"] == "BURNED");

        // A code for nobody: recorded without a contact.
        const auto decoy = post_as(
            server, kContacts + "/request-otp",
            {{"credentials", {{{"name", "EMAIL"}, {"value", "nobody@example.com"}}}}}, "req-decoy");
        REQUIRE(decoy->status == 200);
        const auto decoy_event = event_of(server, "CODE_SENT", "req-decoy");
        check_event(decoy_event, "CODE_SENT", nullptr);
        CHECK(decoy_event["detail"]["matched"] == false);
    }

    TEST_CASE("security_events: password sign-in, its failures and lock-out, a password change") {
        TestServer server([](Config& c) { c.password_free_failures = 2; });
        const auto registered = post_as(
            server, kContacts + "/register",
            {{"first_name", "Pat"},
             {"last_name", "Word"},
             {"identity",
              {{"provider", "EMAIL"}, {"email", "pat@example.com"}, {"password", kPassword}}}},
            "req-signup");
        REQUIRE(registered->status == 201);
        const auto session = json_of(registered);
        const std::string contact_id = session["contact"]["id"];
        CHECK(event_of(server, "SIGN_IN_SUCCEEDED", "req-signup")["detail"]["method"] ==
              "PASSWORD");
        CHECK(event_of(server, "CODE_SENT", "req-signup")["contact_id"] == contact_id);

        auto sign_in = [&](const std::string& password, const std::string& request_id) {
            return post_as(
                server, kContacts + "/authenticate",
                {{"provider", "EMAIL"}, {"username", "pat@example.com"}, {"password", password}},
                request_id);
        };
        REQUIRE(sign_in(kPassword, "req-signin")->status == 200);
        check_event(event_of(server, "SIGN_IN_SUCCEEDED", "req-signin"), "SIGN_IN_SUCCEEDED",
                    contact_id);

        CHECK(sign_in("wrong-password-123", "req-bad-1")->status == 401);
        const auto failed = event_of(server, "SIGN_IN_FAILED", "req-bad-1");
        check_event(failed, "SIGN_IN_FAILED", contact_id);
        CHECK(failed["detail"]["method"] == "PASSWORD");
        CHECK(events(server, "&type=LOCKED_OUT")["paging"]["total"] == 0);
        CHECK(sign_in("wrong-password-456", "req-bad-2")->status == 401);
        const auto locked = event_of(server, "LOCKED_OUT", "req-bad-2");
        check_event(locked, "LOCKED_OUT", contact_id);
        CHECK(locked["detail"]["what"] == "PASSWORD");

        // An unknown name: failed, with no contact, and the name typed is not kept.
        server.clock().advance(3600);
        CHECK(
            post_as(
                server, kContacts + "/authenticate",
                {{"provider", "EMAIL"}, {"username", "ghost@example.com"}, {"password", kPassword}},
                "req-unknown")
                ->status == 401);
        const auto ghost = event_of(server, "SIGN_IN_FAILED", "req-unknown");
        check_event(ghost, "SIGN_IN_FAILED", nullptr);
        CHECK(ghost.dump().find("ghost") == std::string::npos);

        // A password change with the current password.
        const auto fresh = json_of(sign_in(kPassword, "req-signin-2"));
        const auto changed = post_as(server, kContacts + "/me/identities",
                                     {{"provider", "EMAIL"},
                                      {"email", "pat@example.com"},
                                      {"password", "another-otter-99-swims"},
                                      {"current_password", kPassword}},
                                     "req-change", fresh["access_token"]);
        REQUIRE_MESSAGE(changed->status == 201, changed->body);
        check_event(event_of(server, "PASSWORD_CHANGED", "req-change"), "PASSWORD_CHANGED",
                    contact_id);
        const auto others = event_of(server, "SESSION_REVOKED", "req-change");
        CHECK(others["detail"]["reason"] == "PASSWORD_CHANGED");
        CHECK(others["detail"]["count"].get<int>() >= 1);

        // No event holds a password or a token.
        const auto all = events(server).dump();
        for (const std::string& secret :
             {kPassword, std::string("wrong-password-123"), std::string("another-otter-99-swims"),
              session["access_token"].get<std::string>(),
              session["refresh_token"].get<std::string>()})
            CHECK(all.find(secret) == std::string::npos);
    }

    TEST_CASE("security_events: Facebook sign-in, sessions revoked, a contact deleted, API keys") {
        FakeFacebook facebook("app-secret");
        facebook.add_token("fb-token", {"10001", "Andy", "Steward", "andy@example.com", "app-1"});
        TestServer server([url = facebook.base_url()](Config& c) {
            c.facebook_app_id = "app-1";
            c.facebook_app_secret = "app-secret";
            c.facebook_graph_url = url;
        });
        const auto registered = post_as(
            server, kContacts + "/register",
            {{"identity", {{"provider", "FACEBOOK"}, {"token", "fb-token"}}}}, "req-fb-register");
        REQUIRE(registered->status == 201);
        const auto session = json_of(registered);
        const std::string contact_id = session["contact"]["id"];
        CHECK(event_of(server, "SIGN_IN_SUCCEEDED", "req-fb-register")["detail"]["method"] ==
              "FACEBOOK");
        REQUIRE(post_as(server, kContacts + "/authenticate",
                        {{"provider", "FACEBOOK"}, {"token", "fb-token"}}, "req-fb")
                    ->status == 200);
        check_event(event_of(server, "SIGN_IN_SUCCEEDED", "req-fb"), "SIGN_IN_SUCCEEDED",
                    contact_id);
        REQUIRE(post_as(server, kContacts + "/authenticate",
                        {{"provider", "FACEBOOK"}, {"token", "not-a-token"}}, "req-fb-bad")
                    ->status == 401);
        CHECK(event_of(server, "SIGN_IN_FAILED", "req-fb-bad")["detail"]["method"] == "FACEBOOK");
        CHECK(events(server).dump().find("fb-token") == std::string::npos);

        // One session revoked by the contact itself.
        const auto list = json_of(server.get(kContacts + "/me/sessions", session["access_token"]));
        REQUIRE(list["content"].size() == 2);
        std::string other;
        for (const auto& s : list["content"])
            if (!s["current"].get<bool>()) other = s["id"];
        const auto revoked = server.client().Delete(
            kContacts + "/me/sessions/" + other,
            {{"api_key", server.public_key()},
             {"Authorization", "Bearer " + session["access_token"].get<std::string>()},
             {"X-Request-Id", "req-revoke"}});
        REQUIRE(revoked->status == 204);
        const auto one = event_of(server, "SESSION_REVOKED", "req-revoke");
        check_event(one, "SESSION_REVOKED", contact_id);
        CHECK(one["detail"]["session_id"] == other);

        // The back office revokes the rest, then deletes the contact.
        httplib::Headers office{{"api_key", server.secret_key()},
                                {"X-Request-Id", "req-bo-revoke"}};
        REQUIRE(server.client()
                    .Delete("/backoffice/v1/contacts/" + contact_id + "/sessions", office)
                    ->status == 204);
        CHECK(event_of(server, "SESSION_REVOKED", "req-bo-revoke")["detail"]["reason"] ==
              "BACKOFFICE");
        office = {{"api_key", server.secret_key()}, {"X-Request-Id", "req-bo-delete"}};
        REQUIRE(server.client().Delete("/backoffice/v1/contacts/" + contact_id, office)->status ==
                204);
        check_event(event_of(server, "CONTACT_DELETED", "req-bo-delete"), "CONTACT_DELETED",
                    contact_id);
        // The contact's events outlive it.
        CHECK(events(server, "&contact_id=" + contact_id)["paging"]["total"].get<int>() >= 5);

        // API keys (the test server made two at start; the CLI goes through the same service).
        const auto created = server.app().api_keys().create(domain::ApiKeyType::Public, "app");
        REQUIRE(server.app().api_keys().revoke(created.record.id));
        const auto keys = events(server, "&type=APIKEY_CREATED")["content"];
        CHECK(keys.size() == 3);
        CHECK(keys[0]["detail"]["key_id"] == created.record.id);
        CHECK(keys[0]["detail"]["type"] == "public");
        const auto gone = events(server, "&type=APIKEY_REVOKED")["content"];
        REQUIRE(gone.size() == 1);
        CHECK(gone[0]["detail"]["key_id"] == created.record.id);
        const auto all = events(server).dump();
        for (const auto& key : {created.key, server.public_key(), server.secret_key()})
            CHECK(all.find(key) == std::string::npos);
    }

    TEST_CASE("security_events: secret key only, filters, paging, newest first, bad queries") {
        TestServer server;
        // A public key is 403, none is 401.
        check_error(server.get(kEvents), 403);
        check_error(server.get(kEvents, "", "-"), 401);

        std::vector<std::string> contacts;
        for (int i = 0; i < 3; ++i) {
            const auto r = register_phone(server, "9947823" + std::to_string(i));
            REQUIRE(r->status == 201);
            contacts.push_back(json_of(r)["id"]);
            server.clock().advance(1);
        }
        // 2 APIKEY_CREATED at start, 3 CODE_SENT.
        const auto all = events(server);
        CHECK(all["paging"]["total"] == 5);
        CHECK(all["content"][0]["contact_id"] == contacts[2]);  // newest first
        CHECK(all["content"][0]["created_at"].get<std::int64_t>() >=
              all["content"][1]["created_at"].get<std::int64_t>());

        const auto page =
            json_of(server.get(kEvents + "?type=CODE_SENT&page=2&size=2", "", server.secret_key()));
        CHECK(page["paging"] == Json{{"page", 2}, {"size", 2}, {"total", 3}, {"has_more", false}});
        REQUIRE(page["content"].size() == 1);
        CHECK(page["content"][0]["contact_id"] == contacts[0]);
        const auto first =
            json_of(server.get(kEvents + "?type=CODE_SENT&size=2", "", server.secret_key()));
        CHECK(first["paging"]["has_more"] == true);

        const auto one = events(server, "&contact_id=" + contacts[1]);
        CHECK(one["paging"]["total"] == 1);
        CHECK(one["content"][0]["type"] == "CODE_SENT");
        CHECK(events(server, "&contact_id=" + contacts[1] +
                                 "&type=SIGN_IN_SUCCEEDED")["paging"]["total"] == 0);

        CHECK(check_error(server.get(kEvents + "?type=NOPE", "", server.secret_key()),
                          400)["parameters"] == Json::array({"type"}));
        CHECK(check_error(server.get(kEvents + "?size=101", "", server.secret_key()),
                          400)["parameters"] == Json::array({"size"}));
        check_error(server.get(kEvents + "?page=0", "", server.secret_key()), 400);
    }
}

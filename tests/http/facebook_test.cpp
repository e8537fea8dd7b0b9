#include <doctest/doctest.h>

#include "support/fake_facebook.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using contactd::Config;
using contactd::test::FakeFacebook;
using contactd::test::json_of;
using contactd::test::TestServer;

namespace {

const char* kRegister = "/self-service/v1/contacts/register";
const char* kAuthenticate = "/self-service/v1/contacts/authenticate";

auto with_facebook(const FakeFacebook& facebook) {
    return [url = facebook.base_url()](Config& config) {
        config.facebook_app_id = "app-1";
        config.facebook_app_secret = "app-secret";
        config.facebook_graph_url = url;
    };
}

}  // namespace

TEST_SUITE("http::facebook") {
    TEST_CASE("register with FACEBOOK signs in at once, authenticate signs in again") {
        FakeFacebook facebook("app-secret");
        facebook.add_token("fb-token", {"10001", "Andy", "Steward", "andy@example.com", "app-1"});
        TestServer server(with_facebook(facebook));

        const auto registered = server.post(
            kRegister, {{"identity", {{"provider", "FACEBOOK"}, {"token", "fb-token"}}}});
        REQUIRE(registered);
        CHECK(registered->status == 201);
        const auto session = json_of(registered);
        CHECK(session["contact"]["first_name"] == "Andy");
        CHECK(session["contact"]["is_verified"] == true);
        CHECK(registered->get_header_value("Cache-Control") == "no-store");
        const std::string contact_id = session["contact"]["id"];

        const auto me =
            json_of(server.get("/self-service/v1/contacts/me", session["access_token"]));
        REQUIRE(me["identities"].size() == 1);
        CHECK(me["identities"][0] == contactd::test::Json{{"provider", "FACEBOOK"},
                                                          {"value", "10001"},
                                                          {"is_verified", true}});
        CHECK(me["email"] == "andy@example.com");

        const auto again =
            server.post(kAuthenticate, {{"provider", "FACEBOOK"}, {"token", "fb-token"}});
        REQUIRE(again);
        CHECK(again->status == 200);
        CHECK(json_of(again)["contact"]["id"] == contact_id);

        // Registering the same Facebook user again signs the same contact in.
        const auto twice = server.post(
            kRegister, {{"identity", {{"provider", "FACEBOOK"}, {"token", "fb-token"}}}});
        REQUIRE(twice);
        CHECK(json_of(twice)["contact"]["id"] == contact_id);
    }

    TEST_CASE("the v2 identification form and names from the body take precedence") {
        FakeFacebook facebook("app-secret");
        facebook.add_token("fb-token", {"10002", "Fb", "Name", "", "app-1"});
        TestServer server(with_facebook(facebook));
        const auto registered = server.post(
            kRegister, {{"first_name", "Maria"},
                        {"last_name", "Ioannou"},
                        {"identification", {{"provider", "FACEBOOK"}, {"token", "fb-token"}}}});
        REQUIRE(registered);
        CHECK(registered->status == 201);
        CHECK(json_of(registered)["contact"]["first_name"] == "Maria");
    }

    TEST_CASE("bad, foreign-app and unknown tokens are 401, Facebook down is 503") {
        FakeFacebook facebook("app-secret");
        facebook.add_token("foreign", {"10003", "Eve", "X", "", "another-app"});
        facebook.add_token("unregistered", {"10004", "Bob", "Y", "", "app-1"});
        TestServer server(with_facebook(facebook));
        for (const char* token : {"nonsense", "foreign"}) {
            const auto r = server.post(
                kRegister, {{"identity", {{"provider", "FACEBOOK"}, {"token", token}}}});
            REQUIRE(r);
            CHECK(r->status == 401);
            CHECK(json_of(r)["error"] == "CRM.EXCEPTIONS.NOTAUTHENTICATEDEXCEPTION");
        }
        const auto unknown =
            server.post(kAuthenticate, {{"provider", "FACEBOOK"}, {"token", "unregistered"}});
        REQUIRE(unknown);
        CHECK(unknown->status == 401);

        TestServer offline([](Config& config) {
            config.facebook_app_id = "app-1";
            config.facebook_app_secret = "app-secret";
            config.facebook_graph_url = "http://127.0.0.1:9";
        });
        const auto down = offline.post(kAuthenticate, {{"provider", "FACEBOOK"}, {"token", "t"}});
        REQUIRE(down);
        CHECK(down->status == 503);
    }

    TEST_CASE("without app settings FACEBOOK is 400 and nothing is called") {
        TestServer server;
        const auto r =
            server.post(kRegister, {{"identity", {{"provider", "FACEBOOK"}, {"token", "t"}}}});
        REQUIRE(r);
        CHECK(r->status == 400);
        CHECK(json_of(r)["parameters"] == contactd::test::Json::array({"provider"}));
    }

    TEST_CASE("a signed-in contact adds its Facebook account, then signs in with it") {
        FakeFacebook facebook("app-secret");
        facebook.add_token("fb-token", {"10005", "Andy", "Steward", "", "app-1"});
        TestServer server(with_facebook(facebook));
        const auto contact = contactd::test::sign_up_by_phone(server, "99478231");
        const auto path = "/self-service/v1/contacts/" + contact.contact_id + "/identities";
        const auto added = server.post(path, {{"provider", "FACEBOOK"}, {"token", "fb-token"}},
                                       contact.access_token);
        REQUIRE(added);
        CHECK(added->status == 201);
        const auto again = server.post(path, {{"provider", "FACEBOOK"}, {"token", "fb-token"}},
                                       contact.access_token);
        REQUIRE(again);
        CHECK(again->status == 409);
        const auto signed_in =
            server.post(kAuthenticate, {{"provider", "FACEBOOK"}, {"token", "fb-token"}});
        REQUIRE(signed_in);
        CHECK(signed_in->status == 200);
        CHECK(json_of(signed_in)["contact"]["id"] == contact.contact_id);
    }
}

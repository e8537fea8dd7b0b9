// Added credentials sign in at once (issue 9; the contract's "An EMAIL+password identity
// added by a signed-in contact ... signs in with that password at once"): through
// POST /contacts/{id}/identities and through /credentials, unverified until proven. And
// the pre-hijacking rule for them: a stranger who adds someone else's email with a
// password keeps nothing once the email's owner proves it, while the one who added it
// and proves it through its own code keeps password and sessions.
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
const std::string kSquatterPassword = "squatters-passphrase-9";

Json identity_for(TestServer& server, const std::string& access_token, const std::string& value) {
    const auto result = server.get(kContacts + "/me", access_token);
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == 200, result->body);
    const Json contact = json_of(result);  // kept: the loop must not outlive it
    for (const auto& identity : contact["identities"]) {
        if (identity["value"] == value) return identity;
    }
    return nullptr;
}

int me_status(TestServer& server, const std::string& access_token) {
    const auto result = server.get(kContacts + "/me", access_token);
    REQUIRE(result);
    return result->status;
}

// A contact signed in by phone adds `email` with `password` through `route`
// ("identities" or "credentials"); REQUIREs 201 and returns its body.
Json add_email_password(TestServer& server, const SignedInContact& who, const std::string& route,
                        const std::string& email, const std::string& password) {
    const Json body = route == "credentials"
                          ? Json{{"username", email}, {"password", password}}
                          : Json{{"provider", "EMAIL"}, {"email", email}, {"password", password}};
    const auto added =
        server.post(kContacts + "/" + who.contact_id + "/" + route, body, who.access_token);
    REQUIRE(added);
    REQUIRE_MESSAGE(added->status == 201, added->body);
    return json_of(added);
}

}  // namespace

TEST_SUITE("http::added_credentials") {
    TEST_CASE("added_credentials: an EMAIL+password added through either route signs in at once") {
        for (const std::string route : {"identities", "credentials"}) {
            CAPTURE(route);
            TestServer server;
            const auto andy = sign_up_by_phone(server, "99478250");
            const Json added =
                add_email_password(server, andy, route, "Andy.New@example.org", kPassword);
            CHECK(added.contains("auth_otp"));  // a code to prove it went out

            // The very next call signs in with it: the same contact, the email unproven.
            const auto signed_in = authenticate(server, "andy.new@example.org", kPassword);
            REQUIRE_MESSAGE(signed_in->status == 200, signed_in->body);
            const Json session = json_of(signed_in);
            CHECK(session["contact"]["id"] == andy.contact_id);
            CHECK(session["communities"] == Json::array());
            const Json identity =
                identity_for(server, session["access_token"], "Andy.New@example.org");
            REQUIRE(identity.is_object());
            CHECK(identity["is_verified"] == false);
            // A wrong password is still wrong.
            check_error(authenticate(server, "andy.new@example.org", "not-the-password-1"), 401);

            // Proven through its own code: verified, and password and sessions all stay.
            const auto proven = validate_otp(server, added["auth_otp"],
                                             server.last_code_for("andy.new@example.org"));
            REQUIRE_MESSAGE(proven->status == 200, proven->body);
            CHECK(identity_for(server, session["access_token"],
                               "Andy.New@example.org")["is_verified"] == true);
            CHECK(me_status(server, session["access_token"]) == 200);
            CHECK(me_status(server, andy.access_token) == 200);
            CHECK(authenticate(server, "andy.new@example.org", kPassword)->status == 200);
        }
    }

    TEST_CASE(
        "added_credentials: pre-hijacking, the owner registering the email by code takes it from a "
        "stranger who added it") {
        TestServer server;
        const auto squatter = sign_up_by_phone(server, "99478251");
        const Json parked = add_email_password(server, squatter, "credentials",
                                               "victim@example.org", kSquatterPassword);
        // The stranger signs in with it (it works at once) before the owner comes.
        const auto squatter_session = authenticate(server, "victim@example.org", kSquatterPassword);
        REQUIRE(squatter_session->status == 200);

        server.clock().advance(61);
        const auto registered = register_email(server, "victim@example.org");
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        const auto owner = validate_otp(server, json_of(registered)["auth_otp"],
                                        server.last_code_for("victim@example.org"));
        REQUIRE_MESSAGE(owner->status == 200, owner->body);
        const Json owner_session = json_of(owner);
        // The owner has a contact of its own, never the stranger's.
        CHECK(owner_session["contact"]["id"] != squatter.contact_id);
        CHECK(identity_for(server, owner_session["access_token"],
                           "victim@example.org")["is_verified"] == true);
        // The stranger's password no longer signs anyone in, its claim is gone from its
        // contact, and its code for the email is dead.
        check_error(authenticate(server, "victim@example.org", kSquatterPassword), 401);
        CHECK(identity_for(server, squatter.access_token, "victim@example.org").is_null());
        check_error(
            validate_otp(server, parked["auth_otp"], server.last_code_for("victim@example.org")),
            401);
        // The stranger's password session holds nothing of the owner's: it is its own contact.
        const Json stranger_me =
            json_of(server.get(kContacts + "/me", json_of(squatter_session)["access_token"]));
        CHECK(stranger_me["id"] == squatter.contact_id);
        CHECK(stranger_me["email"] != "victim@example.org");
    }

    TEST_CASE(
        "added_credentials: pre-hijacking, the owner adding the email to its own contact drops the "
        "stranger's password") {
        TestServer server;
        const auto squatter = sign_up_by_phone(server, "99478252");
        add_email_password(server, squatter, "identities", "victim@example.org", kSquatterPassword);
        REQUIRE(authenticate(server, "victim@example.org", kSquatterPassword)->status == 200);

        const auto owner = sign_up_by_phone(server, "99478253");
        server.clock().advance(61);
        const Json added =
            add_email_password(server, owner, "identities", "victim@example.org", kPassword);
        // The owner's own addition now holds the address: its password works, the stranger's not.
        check_error(authenticate(server, "victim@example.org", kSquatterPassword), 401);
        const auto owner_password = authenticate(server, "victim@example.org", kPassword);
        REQUIRE(owner_password->status == 200);
        CHECK(json_of(owner_password)["contact"]["id"] == owner.contact_id);
        CHECK(identity_for(server, squatter.access_token, "victim@example.org").is_null());
        // Proving it keeps the owner's password and session.
        REQUIRE(validate_otp(server, added["auth_otp"], server.last_code_for("victim@example.org"))
                    ->status == 200);
        CHECK(authenticate(server, "victim@example.org", kPassword)->status == 200);
        CHECK(me_status(server, owner.access_token) == 200);
    }

    TEST_CASE(
        "added_credentials: an unproven addition signs in by password only, never by a sign-in "
        "code") {
        TestServer server;
        const auto squatter = sign_up_by_phone(server, "99478254");
        add_email_password(server, squatter, "identities", "victim@example.org", kSquatterPassword);
        server.clock().advance(61);
        const auto requested =
            server.post(kContacts + "/request-otp",
                        {{"credentials", {{{"name", "EMAIL"}, {"value", "victim@example.org"}}}}});
        REQUIRE(requested->status == 200);  // answers alike, but sends nothing
        CHECK(message_kinds_to(server, "victim@example.org") ==
              std::vector<std::string>{"VERIFY_IDENTITY_CODE"});
    }

    TEST_CASE("added_credentials: changing an added password needs proof once it signs in") {
        TestServer server;
        const auto andy = sign_up_by_phone(server, "99478255");
        add_email_password(server, andy, "identities", "andy@example.org", kPassword);
        const auto by_password = json_of(authenticate(server, "andy@example.org", kPassword));
        // Over 10 minutes after the sign-in by code, without the current password: 403.
        server.clock().advance(11 * 60);
        check_error(add_identity(server, "me",
                                 {{"provider", "EMAIL"},
                                  {"email", "andy@example.org"},
                                  {"password", "a-new-passphrase-77"}},
                                 andy.access_token),
                    403);
        CHECK(authenticate(server, "andy@example.org", kPassword)->status == 200);
        // With it: changed, and the other sessions end.
        const auto changed = server.post(kContacts + "/me/identities",
                                         {{"provider", "EMAIL"},
                                          {"email", "andy@example.org"},
                                          {"password", "a-new-passphrase-77"},
                                          {"current_password", kPassword}},
                                         andy.access_token);
        REQUIRE_MESSAGE(changed->status == 201, changed->body);
        CHECK(authenticate(server, "andy@example.org", "a-new-passphrase-77")->status == 200);
        check_error(authenticate(server, "andy@example.org", kPassword), 401);
        CHECK(me_status(server, by_password["access_token"]) == 401);
        CHECK(me_status(server, andy.access_token) == 200);
    }
}

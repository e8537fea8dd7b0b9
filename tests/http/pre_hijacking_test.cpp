// Account pre-hijacking (issue 8): a stranger who registered someone's email with a
// password keeps nothing once the email's owner proves it by code; the registrant who
// proves it through the registration's own auth_otp keeps password and session.
#include <doctest/doctest.h>

#include <string>

#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";
const std::string kEmail = "owner@example.com";
const std::string kPassword = "strangers-otter-42-climbs";

int me_status(TestServer& server, const std::string& access_token) {
    const auto result = server.get(kContacts + "/me", access_token);
    REQUIRE(result);
    return result->status;
}

int refresh_status(TestServer& server, const std::string& refresh_token) {
    const auto result = server.post(kContacts + "/refresh", {{"refresh_token", refresh_token}});
    REQUIRE(result);
    return result->status;
}

// The stranger's sign-up: a session, and the auth_otp of the code sent to the email.
struct Registration {
    SignedInContact session;
    std::string auth_otp;
};

// The auth_otp of the newest code sent to `recipient`, as the outbox links it.
std::string auth_otp_sent_to(TestServer& server, const std::string& recipient) {
    const auto messages = server.app().store().read([](storage::Repositories& repos) {
        return repos.outbox().list(storage::OutboxRepository::Filter{}, 0, 100);
    });
    for (const auto& m : messages) {  // newest first
        if (m.recipient == recipient && m.otp_id) return *m.otp_id;
    }
    FAIL("no code was sent to " << recipient);
    return {};
}

Registration stranger_registers(TestServer& server) {
    const auto registered = register_with_password(server, kEmail, kPassword);
    REQUIRE(registered);
    REQUIRE_MESSAGE(registered->status == 201, registered->body);
    const auto body = json_of(registered);
    return {{body["contact"]["id"], body["access_token"], body["refresh_token"], body},
            auth_otp_sent_to(server, kEmail)};
}

void check_stranger_locked_out(TestServer& server, const Registration& stranger) {
    CHECK(me_status(server, stranger.session.access_token) == 401);
    CHECK(refresh_status(server, stranger.session.refresh_token) == 401);
    check_error(authenticate(server, kEmail, kPassword), 401);
}

}  // namespace

TEST_SUITE("http::pre_hijacking") {
    TEST_CASE("pre_hijacking: the owner's first code ends a stranger's password and sessions") {
        TestServer server;
        const auto stranger = stranger_registers(server);
        // The stranger even signs in again with the password: a second session.
        const auto second = authenticate(server, kEmail, kPassword);
        REQUIRE(second->status == 200);
        const std::string second_access = json_of(second)["access_token"];
        CHECK(me_status(server, stranger.session.access_token) == 200);

        // The owner asks for a code to the email and proves it.
        server.clock().advance(61);
        const auto requested =
            server.post(kContacts + "/request-otp",
                        {{"credentials", {{{"name", "EMAIL"}, {"value", kEmail}}}}});
        REQUIRE(requested->status == 200);
        const auto owner =
            validate_otp(server, json_of(requested)["auth_otp"], server.last_code_for(kEmail));
        REQUIRE_MESSAGE(owner->status == 200, owner->body);
        const auto owner_session = json_of(owner);
        CHECK(owner_session["contact"]["id"] == stranger.session.contact_id);
        CHECK(owner_session["contact"]["is_verified"] == true);

        check_stranger_locked_out(server, stranger);
        CHECK(me_status(server, second_access) == 401);
        // The owner is signed in, and stays so.
        CHECK(me_status(server, owner_session["access_token"]) == 200);
        CHECK(refresh_status(server, owner_session["refresh_token"]) == 200);
        const auto sessions =
            json_of(server.get(kContacts + "/me/sessions", owner_session["access_token"]));
        CHECK(sessions["content"].size() == 1);
        // Recorded as sessions revoked by the proof.
        const auto events = json_of(server.get(
            "/backoffice/v1/security_events?type=SESSION_REVOKED", "", server.secret_key()));
        REQUIRE(events["content"].size() == 1);
        CHECK(events["content"][0]["detail"]["reason"] == "IDENTITY_PROVEN");
        CHECK(events["content"][0]["detail"]["count"] == 2);
    }

    TEST_CASE(
        "pre_hijacking: the registration's own code validated by email and code keeps password "
        "and session") {
        TestServer server;
        const auto registrant = stranger_registers(server);
        const auto proven = server.post(kContacts + "/validate-otp",
                                        {{"credentials", {{{"name", "EMAIL"}, {"value", kEmail}}}},
                                         {"code", server.last_code_for(kEmail)}});
        REQUIRE_MESSAGE(proven->status == 200, proven->body);
        CHECK(me_status(server, registrant.session.access_token) == 200);
        CHECK(authenticate(server, kEmail, kPassword)->status == 200);
    }

    TEST_CASE("pre_hijacking: registering the email by code also takes it from the stranger") {
        TestServer server;
        const auto stranger = stranger_registers(server);
        server.clock().advance(61);
        const auto registered = register_email(server, kEmail);
        REQUIRE(registered->status == 201);
        const auto owner =
            validate_otp(server, json_of(registered)["auth_otp"], server.last_code_for(kEmail));
        REQUIRE_MESSAGE(owner->status == 200, owner->body);
        check_stranger_locked_out(server, stranger);
    }

    TEST_CASE(
        "pre_hijacking: the registrant proving through the registration's own auth_otp keeps "
        "password and session") {
        TestServer server;
        const auto registrant = stranger_registers(server);
        const auto proven = validate_otp(server, registrant.auth_otp, server.last_code_for(kEmail));
        REQUIRE_MESSAGE(proven->status == 200, proven->body);
        CHECK(json_of(proven)["contact"]["is_verified"] == true);
        CHECK(me_status(server, registrant.session.access_token) == 200);
        CHECK(refresh_status(server, registrant.session.refresh_token) == 200);
        CHECK(authenticate(server, kEmail, kPassword)->status == 200);
        const auto events = json_of(server.get(
            "/backoffice/v1/security_events?type=SESSION_REVOKED", "", server.secret_key()));
        CHECK(events["content"].empty());

        // Once proven, a later code sign-in is no first proof: nothing is revoked.
        server.clock().advance(61);
        const auto later = sign_in_by_email_code(server, kEmail);
        CHECK(me_status(server, registrant.session.access_token) == 200);
        CHECK(authenticate(server, kEmail, kPassword)->status == 200);
        CHECK(me_status(server, later.access_token) == 200);
    }
}

// Adding identities to one's own contact, changing the password, and claiming a contact
// the back office created (issue 3).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";
const std::string kPassword = "purple-otter-42-climbs";
const std::string kNewPassword = "green-heron-17-wades";

// A contact as the back office makes it: a recorded email and phone, no identity.
std::string create_backoffice_contact(TestServer& server, const std::optional<std::string>& email,
                                      const std::optional<std::string>& phone) {
    return server.app().store().write([&](storage::Repositories& repos) {
        storage::ContactRecord contact;
        contact.id = crypto::uuid_v7();
        contact.first_name = "Claire";
        contact.last_name = "Claimant";
        contact.email = email;
        contact.phone = phone;
        contact.created_at = server.clock().now();
        contact.updated_at = contact.created_at;
        repos.contacts().insert(contact);
        return contact.id;
    });
}

bool contains(const std::vector<std::string>& kinds, const std::string& kind) {
    return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

Json identities_of(TestServer& server, const std::string& access_token) {
    return json_of(server.get(kContacts + "/me", access_token))["identities"];
}

}  // namespace

TEST_SUITE("http::identities") {
    TEST_CASE(
        "identities: the back-office claim flow: code to the recorded email, add a password, sign "
        "in") {
        TestServer server;
        const auto id = create_backoffice_contact(server, "Claire@Example.com", "+35799478240");

        // No password yet: password sign-in fails like any other.
        check_error(authenticate(server, "claire@example.com", kPassword), 401);

        const auto by_code = sign_in_by_email_code(server, "claire@example.com");
        CHECK(by_code.contact_id == id);
        CHECK(by_code.body["contact"]["is_verified"] == true);

        const auto added = add_identity(
            server, "me",
            {{"provider", "EMAIL"}, {"email", "claire@example.com"}, {"password", kPassword}},
            by_code.access_token);
        REQUIRE_MESSAGE(added->status == 201, added->body);
        CHECK(json_of(added).contains("id"));
        CHECK_FALSE(json_of(added).contains("auth_otp"));  // the email is proven already

        const auto signed_in = authenticate(server, "claire@example.com", kPassword);
        REQUIRE_MESSAGE(signed_in->status == 200, signed_in->body);
        CHECK(json_of(signed_in)["contact"]["id"] == id);
        CHECK(contains(message_kinds_to(server, "claire@example.com"), "PASSWORD_SET"));
        // The same contact, claimed: one EMAIL identity, verified.
        const Json identities = identities_of(server, json_of(signed_in)["access_token"]);
        REQUIRE(identities.size() == 1);
        CHECK(identities[0]["is_verified"] == true);
    }

    TEST_CASE(
        "identities: claim by the recorded phone, then add an email and password proven by its "
        "code") {
        TestServer server;
        const auto id = create_backoffice_contact(server, std::nullopt, "+35799478241");
        const auto requested =
            server.post(kContacts + "/request-otp",
                        {{"send_method", "SMS"},
                         {"credentials",
                          {{{"name", "PHONE"}, {"value", "99478241"}, {"country_code", "CYP"}}}}});
        REQUIRE(requested->status == 200);
        const auto session = json_of(validate_otp(server, json_of(requested)["auth_otp"],
                                                  server.last_code_for("+35799478241")));
        REQUIRE(session["contact"]["id"] == id);
        const std::string access = session["access_token"];

        // v1 alias: /credentials with {"username", "password"}.
        const auto added =
            server.post(kContacts + "/" + id + "/credentials",
                        {{"username", "New.Mail@example.com"}, {"password", kPassword}}, access);
        REQUIRE_MESSAGE(added->status == 201, added->body);
        const Json challenge = json_of(added);
        REQUIRE(challenge.contains("auth_otp"));
        CHECK(challenge["obfuscated_value"] == "N***@e***.com");
        CHECK(message_kinds_to(server, "new.mail@example.com") ==
              std::vector<std::string>{"VERIFY_IDENTITY_CODE"});
        CHECK(contains(message_kinds_to(server, "+35799478241"), "IDENTITY_ADDED"));

        // Not proven yet: its password signs in at once (the contract's added credentials),
        // but no code signs in with it.
        const auto early = authenticate(server, "new.mail@example.com", kPassword);
        REQUIRE_MESSAGE(early->status == 200, early->body);
        CHECK(json_of(early)["contact"]["id"] == id);
        server.clock().advance(60);
        const auto otp = server.post(
            kContacts + "/request-otp",
            {{"credentials", {{{"name", "EMAIL"}, {"value", "new.mail@example.com"}}}}});
        REQUIRE(otp->status == 200);
        CHECK(message_kinds_to(server, "new.mail@example.com").size() ==
              1);  // no sign-in code went out

        const auto code = server.last_code_for("new.mail@example.com");
        const auto verified = validate_otp(server, challenge["auth_otp"], code);
        REQUIRE_MESSAGE(verified->status == 200, verified->body);
        CHECK(json_of(verified)["contact"]["id"] == id);

        const auto signed_in = authenticate(server, "new.mail@example.com", kPassword);
        REQUIRE_MESSAGE(signed_in->status == 200, signed_in->body);
        CHECK(json_of(signed_in)["contact"]["id"] == id);
        const Json identities = identities_of(server, access);
        CHECK(identities.size() == 2);
        for (const auto& identity : identities) CHECK(identity["is_verified"] == true);
    }

    TEST_CASE("identities: adding a phone, v2 shapes, validation_required ignored") {
        TestServer server;
        const auto pat = sign_up_with_password(server, "pat@example.com", kPassword);
        const auto added =
            add_identity(server, pat.contact_id,
                         {{"identification",
                           {{"provider", "PHONE"},
                            {"phone", {{"number", "99478242"}, {"country_code", "CYP"}}}}},
                          {"validation_required", true}},
                         pat.access_token);
        REQUIRE_MESSAGE(added->status == 201, added->body);
        const Json challenge = json_of(added);
        CHECK(challenge["obfuscated_value"] == "+357*****242");

        // Before the code comes back, a sign-in code request for the phone reaches nobody.
        server.clock().advance(60);
        const auto before = server.post(kContacts + "/authenticate",
                                        {{"provider", "PHONE"}, {"phone_number", "+35799478242"}});
        REQUIRE_MESSAGE(before->status == 200, before->body);
        check_error(
            validate_otp(server, json_of(before)["auth_otp"], server.last_code_for("+35799478242")),
            401);

        // Ask again: the same POST sends a new code for an unproven identity.
        server.clock().advance(60);
        const auto again = add_identity(
            server, "me",
            {{"provider", "PHONE"}, {"phone_number", "99478242"}, {"country_code", "CYP"}},
            pat.access_token);
        REQUIRE_MESSAGE(again->status == 201, again->body);
        CHECK(json_of(again)["id"] == challenge["id"]);
        CHECK(json_of(again)["auth_otp"] != challenge["auth_otp"]);
        const auto verified =
            validate_otp(server, json_of(again)["auth_otp"], server.last_code_for("+35799478242"));
        REQUIRE_MESSAGE(verified->status == 200, verified->body);
        CHECK(json_of(verified)["contact"]["id"] == pat.contact_id);

        server.clock().advance(60);
        const auto after = server.post(kContacts + "/authenticate",
                                       {{"provider", "PHONE"}, {"phone_number", "+35799478242"}});
        REQUIRE_MESSAGE(after->status == 200, after->body);
        const auto by_phone =
            validate_otp(server, json_of(after)["auth_otp"], server.last_code_for("+35799478242"));
        REQUIRE_MESSAGE(by_phone->status == 200, by_phone->body);
        CHECK(json_of(by_phone)["contact"]["id"] == pat.contact_id);

        // Once proven, adding it again is 409.
        check_error(
            add_identity(server, "me", {{"provider", "PHONE"}, {"phone_number", "+35799478242"}},
                         pat.access_token),
            409);
    }

    TEST_CASE(
        "identities: 409 when the identity belongs to another contact, 403 for another's id") {
        TestServer server;
        const auto owner = sign_up_with_password(server, "owner@example.com", kPassword);
        const auto phone_owner = sign_up_by_phone(server, "99478243");
        const auto other = sign_up_by_email(server, "other@example.com");
        const Json conflict =
            check_error(add_identity(server, other.contact_id,
                                     {{"provider", "EMAIL"}, {"email", "OWNER@example.com"}},
                                     other.access_token),
                        409);
        CHECK(conflict["error"] == "CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION");
        check_error(add_identity(server, other.contact_id,
                                 {{"provider", "EMAIL"},
                                  {"email", "owner@example.com"},
                                  {"password", "a-takeover-attempt"}},
                                 other.access_token),
                    409);
        check_error(
            add_identity(
                server, other.contact_id,
                {{"provider", "PHONE"}, {"phone_number", "99478243"}, {"country_code", "CYP"}},
                other.access_token),
            409);
        // The owner's password is untouched.
        CHECK(authenticate(server, "owner@example.com", kPassword)->status == 200);
        CHECK(authenticate(server, "owner@example.com", "a-takeover-attempt")->status == 401);
        // One's own verified email again, without a password: 409.
        check_error(
            add_identity(server, "me", {{"provider", "EMAIL"}, {"email", "other@example.com"}},
                         other.access_token),
            409);

        check_error(
            add_identity(
                server, owner.contact_id,
                {{"provider", "PHONE"}, {"phone_number", "99478244"}, {"country_code", "CYP"}},
                other.access_token),
            403);
        check_error(server.post(kContacts + "/me/identities", {{"provider", "PHONE"},
                                                               {"phone_number", "99478244"},
                                                               {"country_code", "CYP"}}),
                    401);
        const Json facebook =
            check_error(add_identity(server, "me", {{"provider", "FACEBOOK"}, {"token", "abc"}},
                                     other.access_token),
                        400);
        CHECK(facebook["parameters"] == Json::array({"provider"}));
        const Json phone_password = check_error(add_identity(server, "me",
                                                             {{"provider", "PHONE"},
                                                              {"phone_number", "99478245"},
                                                              {"country_code", "CYP"},
                                                              {"password", kPassword}},
                                                             other.access_token),
                                                400);
        CHECK(phone_password["parameters"] == Json::array({"password"}));
        const Json weak = check_error(
            add_identity(
                server, "me",
                {{"provider", "EMAIL"}, {"email", "fresh@example.com"}, {"password", "short"}},
                other.access_token),
            400);
        CHECK(weak["parameters"] == Json::array({"password"}));
        (void)phone_owner;
    }

    TEST_CASE(
        "identities: an unproven addition holds nothing: the email's owner can still register it") {
        TestServer server;
        const auto squatter = sign_up_by_phone(server, "99478246");
        const auto parked = add_identity(server, squatter.contact_id,
                                         {{"provider", "EMAIL"},
                                          {"email", "real.owner@example.com"},
                                          {"password", "squatters-passphrase"}},
                                         squatter.access_token);
        REQUIRE(parked->status == 201);
        // The owner registers with a password (201), and also one by code works later.
        const auto owner = sign_up_with_password(server, "real.owner@example.com", kPassword);
        CHECK(owner.contact_id != squatter.contact_id);
        CHECK(identities_of(server, squatter.access_token).size() == 1);  // the parked one is gone
        CHECK(authenticate(server, "real.owner@example.com", kPassword)->status == 200);
        check_error(authenticate(server, "real.owner@example.com", "squatters-passphrase"), 401);
        // The squatter's code for it is dead too, even the right one.
        check_error(validate_otp(server, json_of(parked)["auth_otp"],
                                 server.last_code_for("real.owner@example.com")),
                    401);
    }

    TEST_CASE(
        "identities: a sign-up never proven loses its password to whoever proves the email by "
        "code") {
        TestServer server;
        // Someone registers another person's email with a password and keeps a session.
        const auto squatter =
            sign_up_with_password(server, "victim@example.com", "squatters-passphrase");
        // The email's owner signs in by code.
        server.clock().advance(60);
        const auto owner = sign_in_by_email_code(server, "victim@example.com");
        CHECK(owner.contact_id == squatter.contact_id);
        // The squatter's password and session are gone; the owner's session works.
        check_error(authenticate(server, "victim@example.com", "squatters-passphrase"), 401);
        check_error(server.get(kContacts + "/me", squatter.access_token), 401);
        CHECK(server.get(kContacts + "/me", owner.access_token)->status == 200);
        // The owner may now set a password (a code sign-in just now).
        REQUIRE(
            add_identity(
                server, "me",
                {{"provider", "EMAIL"}, {"email", "victim@example.com"}, {"password", kPassword}},
                owner.access_token)
                ->status == 201);
        CHECK(authenticate(server, "victim@example.com", kPassword)->status == 200);
    }

    TEST_CASE(
        "identities: changing the password needs the current one, and ends the other sessions") {
        TestServer server;
        const auto pat = sign_up_with_password(server, "change@example.com", kPassword);
        const auto other_session = json_of(authenticate(server, "change@example.com", kPassword));
        const std::string other_access = other_session["access_token"];
        auto change = [&](Json body) {
            body["provider"] = "EMAIL";
            body["email"] = "change@example.com";
            body["password"] = kNewPassword;
            return add_identity(server, pat.contact_id, body, pat.access_token);
        };

        // A password session is not a recent code sign-in: the current password is needed.
        Json refused = check_error(change(Json::object()), 403);
        CHECK(refused["error"] == "CRM.EXCEPTIONS.FORBIDDENEXCEPTION");
        check_error(change({{"current_password", "not-the-current-one"}}), 403);
        CHECK(authenticate(server, "change@example.com", kNewPassword)->status == 401);

        const auto changed = change({{"current_password", kPassword}});
        REQUIRE_MESSAGE(changed->status == 201, changed->body);
        CHECK(authenticate(server, "change@example.com", kPassword)->status == 401);
        CHECK(authenticate(server, "change@example.com", kNewPassword)->status == 200);
        // The session that changed it lives; the other one and the sign-up's refresh token do not.
        CHECK(server.get(kContacts + "/me", pat.access_token)->status == 200);
        check_error(server.get(kContacts + "/me", other_access), 401);
        check_error(server.post(kContacts + "/refresh",
                                {{"refresh_token", other_session["refresh_token"]}}),
                    401);
        CHECK(contains(message_kinds_to(server, "change@example.com"), "PASSWORD_SET"));

        // "old_password" is accepted for "current_password"; so is the /credentials alias.
        const auto again = server.post(kContacts + "/me/credentials",
                                       {{"username", "change@example.com"},
                                        {"password", "third-pass-phrase-x"},
                                        {"old_password", kNewPassword}},
                                       pat.access_token);
        REQUIRE_MESSAGE(again->status == 201, again->body);
        CHECK(authenticate(server, "change@example.com", "third-pass-phrase-x")->status == 200);
        // The new password obeys the policy.
        const Json weak = check_error(server.post(kContacts + "/me/credentials",
                                                  {{"username", "change@example.com"},
                                                   {"password", "password1234"},
                                                   {"current_password", "third-pass-phrase-x"}},
                                                  pat.access_token),
                                      400);
        CHECK(weak["parameters"] == Json::array({"password"}));
    }

    TEST_CASE(
        "identities: a code sign-in in the last 10 minutes may change the password without the "
        "current one") {
        TestServer server;
        const auto pat = sign_up_with_password(server, "recent@example.com", kPassword);
        // Prove the email with the sign-up code, then sign in by code a minute later.
        REQUIRE(server
                    .post(kContacts + "/validate-otp",
                          {{"credentials", {{{"name", "EMAIL"}, {"value", "recent@example.com"}}}},
                           {"code", server.last_code_for("recent@example.com")}})
                    ->status == 200);
        server.clock().advance(60);
        const auto by_code = sign_in_by_email_code(server, "recent@example.com");
        CHECK(authenticate(server, "recent@example.com", kPassword)->status ==
              200);  // the password still holds
        CHECK(server.get(kContacts + "/me", pat.access_token)->status == 200);
        auto change = [&](const std::string& password) {
            return add_identity(
                server, "me",
                {{"provider", "EMAIL"}, {"email", "recent@example.com"}, {"password", password}},
                by_code.access_token);
        };
        server.clock().advance(600);
        REQUIRE_MESSAGE(change(kNewPassword)->status == 201, "at 600 s");
        CHECK(authenticate(server, "recent@example.com", kNewPassword)->status == 200);
        check_error(server.get(kContacts + "/me", pat.access_token),
                    401);  // the other session ended

        server.clock().advance(1);
        check_error(change("yet-another-passphrase"), 403);
        CHECK(authenticate(server, "recent@example.com", "yet-another-passphrase")->status == 401);
    }

    TEST_CASE("identities: wrong current passwords count toward the account's backoff") {
        TestServer server;
        const auto pat = sign_up_with_password(server, "guess@example.com", kPassword);
        for (int i = 0; i < 5; ++i) {
            check_error(add_identity(server, "me",
                                     {{"provider", "EMAIL"},
                                      {"email", "guess@example.com"},
                                      {"password", kNewPassword},
                                      {"current_password", "guess-number-" + std::to_string(i)}},
                                     pat.access_token),
                        403);
        }
        check_error(add_identity(server, "me",
                                 {{"provider", "EMAIL"},
                                  {"email", "guess@example.com"},
                                  {"password", kNewPassword},
                                  {"current_password", kPassword}},
                                 pat.access_token),
                    429);
        check_error(authenticate(server, "guess@example.com", kPassword), 429);
    }
}

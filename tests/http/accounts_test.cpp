// The account lifecycle (issue 9, accounts): self-deletion and the back-office delete erase
// every row of a contact (checked by reading the database file), self-deletion only soon
// after a sign-in, guests that convert by adding an identity and are purged otherwise, and
// test identities whose fixed codes sign in while nothing is sent.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/sms_gateway.h"
#include "support/smtp_sink.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";
const std::string kBackOffice = "/backoffice/v1";

std::int64_t count(TestServer& server, const std::string& sql, const std::string& bound = "") {
    SQLite::Database db(server.db_path().string(), SQLite::OPEN_READONLY);
    SQLite::Statement s(db, sql);
    if (!bound.empty()) s.bind(1, bound);
    REQUIRE(s.executeStep());
    return s.getColumn(0).getInt64();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

// A contact with something in every table that can hold a contact's rows: sessions and
// spent refresh tokens, codes and messages (sign-up SMS, an added email's code, the notice
// of that addition), an added email identity, a counted wrong password for it, back-office
// phones and custom fields, and an organisation membership.
struct Populated {
    std::string id;
    std::string access_token;
    std::string refresh_token;
};

Populated populate(TestServer& server) {
    auto signed_in = sign_up_by_phone(server, "99478230");
    const auto added = add_identity(server, signed_in.contact_id,
                                    {{"provider", "EMAIL"}, {"email", "Erase.Me@Example.com"}},
                                    signed_in.access_token);
    REQUIRE_MESSAGE(added->status == 201, added->body);
    CHECK(authenticate(server, "erase.me@example.com", "not-the-password-at-all")->status == 401);

    const auto refreshed =
        server.post(kContacts + "/refresh", {{"refresh_token", signed_in.refresh_token}});
    REQUIRE(refreshed->status == 200);
    const Json session = json_of(refreshed);

    const auto organisation =
        server.post(kBackOffice + "/organisations", {{"name", "DropHop"}, {"org_type", "BUSINESS"}},
                    "", server.secret_key());
    REQUIRE(organisation->status == 201);
    const auto joined =
        server.post(kBackOffice + "/contacts/" + signed_in.contact_id + "/organisations",
                    {{"organisation_id", json_of(organisation)["id"]}, {"action", "SIGNUP"}}, "",
                    server.secret_key());
    REQUIRE_MESSAGE(joined->status == 200, joined->body);
    const auto updated = server.put(kBackOffice + "/contacts/" + signed_in.contact_id,
                                    {{"custom_fields", {{{"key", "tier"}, {"value", "gold"}}}},
                                     {"phones",
                                      {{{"phone_type", "MOBILE"},
                                        {"country_code", "CYP"},
                                        {"number", "99478230"},
                                        {"is_primary", true}}}}},
                                    "", server.secret_key());
    REQUIRE_MESSAGE(updated->status == 200, updated->body);

    // Every kind of row is there before the erasure, so the checks after it can fail.
    const auto& id = signed_in.contact_id;
    for (const char* sql : {"SELECT count(*) FROM identities WHERE contact_id = ?",
                            "SELECT count(*) FROM sessions WHERE contact_id = ?",
                            "SELECT count(*) FROM refresh_tokens r JOIN sessions s"
                            " ON s.id = r.session_id WHERE s.contact_id = ?",
                            "SELECT count(*) FROM one_time_codes WHERE contact_id = ?",
                            "SELECT count(*) FROM outbox WHERE contact_id = ?",
                            "SELECT count(*) FROM contact_phones WHERE contact_id = ?",
                            "SELECT count(*) FROM contact_custom_fields WHERE contact_id = ?",
                            "SELECT count(*) FROM contact_organisations WHERE contact_id = ?",
                            "SELECT count(*) FROM security_events WHERE contact_id = ?"
                            " AND ip_address IS NOT NULL AND user_agent IS NOT NULL"}) {
        CAPTURE(sql);
        REQUIRE(count(server, sql, id) >= 1);
    }
    REQUIRE(count(server, "SELECT count(*) FROM sign_in_failures") >= 1);
    REQUIRE(count(server, "SELECT count(*) FROM message_attempts") >= 1);
    REQUIRE(count(server,
                  "SELECT count(*) FROM security_events WHERE contact_id = ?"
                  " AND json_extract(detail, '$.destination') IS NOT NULL",
                  id) >= 1);
    return {id, session["access_token"], session["refresh_token"]};
}

// Nothing of the contact is left but its id on security events (with no address, user
// agent or destination) and on the back office's audit trail.
void check_erased(TestServer& server, const std::string& id) {
    const auto dump = dump_database(server.db_path().string());
    REQUIRE(dump.find("settings|") != std::string::npos);  // the dump reads the tables
    for (const auto& line : lines_of(dump)) {
        CAPTURE(line);
        CHECK(line.find("99478230") == std::string::npos);  // the phone, in any form
        CHECK(line.find("erase.me") == std::string::npos);
        CHECK(line.find("Erase.Me") == std::string::npos);
        CHECK(line.find("gold") == std::string::npos);
        if (line.find(id) == std::string::npos) continue;
        const bool event = line.rfind("security_events|", 0) == 0;
        const bool audit = line.rfind("audit_log|", 0) == 0;
        CHECK((event || audit));
        if (event) {
            CHECK(line.find("destination") == std::string::npos);
            // The deletion's own event may name the back office's caller, never the contact.
            if (line.find("|type=CONTACT_DELETED|") == std::string::npos)
                CHECK(line.find("|ip_address=|user_agent=|") != std::string::npos);
        }
    }
    // Rows that name the contact only through another row went with that row.
    CHECK(count(server, "SELECT count(*) FROM sign_in_failures") == 0);
    CHECK(count(server,
                "SELECT count(*) FROM message_attempts WHERE message_id NOT IN"
                " (SELECT id FROM outbox)") == 0);
    CHECK(count(server,
                "SELECT count(*) FROM refresh_tokens WHERE session_id NOT IN"
                " (SELECT id FROM sessions)") == 0);
    CHECK(count(server,
                "SELECT count(*) FROM security_events WHERE contact_id = ?"
                " AND type = 'CONTACT_DELETED'",
                id) == 1);
}

Json contact_deleted_event(TestServer& server, const std::string& id) {
    const auto events =
        server.get(kBackOffice + "/security_events?type=CONTACT_DELETED&contact_id=" + id, "",
                   server.secret_key());
    REQUIRE(events->status == 200);
    const auto content = json_of(events)["content"];
    REQUIRE(content.size() == 1);
    return content[0];
}

SignedInContact sign_in_by_phone_code(TestServer& server, const std::string& e164) {
    const auto challenge = server.post(
        kContacts + "/request-otp",
        {{"send_method", "SMS"}, {"credentials", {{{"name", "PHONE"}, {"value", e164}}}}});
    REQUIRE_MESSAGE(challenge->status == 200, challenge->body);
    const auto validated =
        validate_otp(server, json_of(challenge)["auth_otp"], server.last_code_for(e164));
    REQUIRE_MESSAGE(validated->status == 200, validated->body);
    const auto body = json_of(validated);
    return {body["contact"]["id"], body["access_token"], body["refresh_token"], body};
}

httplib::Result guest(TestServer& server, const Json& login_as_guest = true) {
    return server.post(kContacts + "/authenticate", {{"login_as_guest", login_as_guest}});
}

}  // namespace

TEST_SUITE("http::accounts") {
    TEST_CASE("self-deletion: 204, every row of the contact is gone from the database file") {
        TestServer server([](Config& c) { c.purge_interval = 0; });
        const auto other = sign_up_by_phone(server, "99478299");
        const auto contact = populate(server);

        // Only the token's own contact ("me" too).
        check_error(server.del(kContacts + "/" + other.contact_id, contact.access_token), 403);
        const auto deleted = server.del(kContacts + "/me", contact.access_token);
        REQUIRE_MESSAGE(deleted->status == 204, deleted->body);

        check_erased(server, contact.id);
        const auto event = contact_deleted_event(server, contact.id);
        CHECK(event["detail"] == Json{{"by", "SELF"}});
        CHECK(event["ip_address"].is_null());
        CHECK(event["user_agent"].is_null());
        // Its tokens are dead; the other contact is untouched; the phone may sign up anew.
        CHECK(server.get(kContacts + "/me", contact.access_token)->status == 401);
        CHECK(server.post(kContacts + "/refresh", {{"refresh_token", contact.refresh_token}})
                  ->status == 401);
        CHECK(server.get(kContacts + "/me", other.access_token)->status == 200);
        const auto again = sign_up_by_phone(server, "99478230");
        CHECK(again.contact_id != contact.id);
    }

    TEST_CASE(
        "self-deletion: 11 minutes after the sign-in is 403, a refresh does not help, a "
        "new sign-in does") {
        TestServer server([](Config& c) { c.purge_interval = 0; });
        const auto contact = sign_up_by_phone(server, "99478230");
        server.clock().advance(10 * 60);  // exactly 10 minutes: still allowed, but not used
        server.clock().advance(60);
        const auto refreshed =
            server.post(kContacts + "/refresh", {{"refresh_token", contact.refresh_token}});
        REQUIRE(refreshed->status == 200);
        const std::string access = json_of(refreshed)["access_token"];
        const auto refused =
            check_error(server.del(kContacts + "/" + contact.contact_id, access), 403);
        CHECK(refused["error"] == "CRM.EXCEPTIONS.REAUTHENTICATIONREQUIREDEXCEPTION");
        CHECK(count(server, "SELECT count(*) FROM contacts WHERE id = ?", contact.contact_id) == 1);

        const auto fresh = sign_in_by_phone_code(server, "+35799478230");
        REQUIRE(fresh.contact_id == contact.contact_id);
        server.clock().advance(10 * 60);  // the edge of the window
        CHECK(server.del(kContacts + "/" + contact.contact_id, fresh.access_token)->status == 204);
        CHECK(count(server, "SELECT count(*) FROM contacts WHERE id = ?", contact.contact_id) == 0);
    }

    TEST_CASE("back-office delete: the same erasure as self-deletion") {
        TestServer server([](Config& c) { c.purge_interval = 0; });
        const auto contact = populate(server);
        server.clock().advance(3600);  // long after the sign-in: the back office may still
        const auto deleted =
            server.del(kBackOffice + "/contacts/" + contact.id, "", server.secret_key());
        REQUIRE_MESSAGE(deleted->status == 204, deleted->body);
        check_erased(server, contact.id);
        CHECK(contact_deleted_event(server, contact.id)["detail"]["by"] == "BACKOFFICE");
        CHECK(
            server.get(kBackOffice + "/contacts/" + contact.id, "", server.secret_key())->status ==
            404);
        CHECK(server.get(kContacts + "/me", contact.access_token)->status == 401);
    }

    TEST_CASE(
        "guest: login_as_guest signs in a new guest contact and adding an email converts it, "
        "same id") {
        TestServer server;
        const auto answer = guest(server);
        REQUIRE_MESSAGE(answer->status == 200, answer->body);
        CHECK(answer->get_header_value("Cache-Control") == "no-store");
        const auto session = json_of(answer);
        const std::string id = session["contact"]["id"];
        const std::string access = session["access_token"];
        CHECK(session["contact"]["is_guest"] == true);
        CHECK(session["refresh_token"].is_string());
        auto me = json_of(server.get(kContacts + "/me", access));
        CHECK(me["id"] == id);
        CHECK(me["is_guest"] == true);
        CHECK(me["identities"].empty());
        CHECK(count(server, "SELECT count(*) FROM identities WHERE contact_id = ?", id) == 0);
        // Each guest is a new contact; CRM.COM clients send the boolean as a string.
        const auto second = guest(server, "true");
        REQUIRE(second->status == 200);
        CHECK(json_of(second)["contact"]["id"] != id);
        // A guest sign-in with credentials is a mistake, not a guest.
        check_error(server.post(kContacts + "/authenticate",
                                {{"login_as_guest", true}, {"username", "a@example.com"}}),
                    400);
        // Anyone else is not a guest.
        const auto person = sign_up_by_email(server, "person@example.com");
        CHECK(person.body["contact"]["is_guest"] == false);

        const auto added =
            add_identity(server, id, {{"provider", "EMAIL"}, {"email", "g@example.com"}}, access);
        REQUIRE_MESSAGE(added->status == 201, added->body);
        me = json_of(server.get(kContacts + "/me", access));
        CHECK(me["id"] == id);
        CHECK(me["is_guest"] == false);
        REQUIRE(me["identities"].size() == 1);
        CHECK(me["identities"][0]["value"] == "g@example.com");
        // The code sent to the email proves it and signs in the same contact.
        const auto validated =
            validate_otp(server, json_of(added)["auth_otp"], server.last_code_for("g@example.com"));
        REQUIRE_MESSAGE(validated->status == 200, validated->body);
        CHECK(json_of(validated)["contact"]["id"] == id);
        CHECK(json_of(validated)["contact"]["is_guest"] == false);
    }

    TEST_CASE(
        "guest: unconverted guests are erased after CONTACTD_GUEST_TTL, converted ones stay") {
        TestServer server([](Config& c) {
            c.purge_interval = 0;  // run by hand
            c.guest_ttl = 3600;
        });
        const auto stale = json_of(guest(server));
        const auto kept = json_of(guest(server));
        const std::string stale_id = stale["contact"]["id"];
        const std::string kept_id = kept["contact"]["id"];
        REQUIRE(add_identity(server, kept_id,
                             {{"provider", "EMAIL"}, {"email", "kept@example.com"}},
                             kept["access_token"])
                    ->status == 201);
        const auto person = sign_up_by_phone(server, "99478230");

        server.clock().advance(3599);
        CHECK(server.app().purge().run_once().guests == 0);
        const auto fresh = json_of(guest(server));  // younger than the TTL at the next purge
        server.clock().advance(2);
        const auto report = server.app().purge().run_once();
        CHECK(report.guests == 1);
        CHECK(count(server, "SELECT count(*) FROM contacts WHERE id = ?", stale_id) == 0);
        CHECK(count(server, "SELECT count(*) FROM sessions WHERE contact_id = ?", stale_id) == 0);
        CHECK(count(server, "SELECT count(*) FROM contacts WHERE id = ?", kept_id) == 1);
        CHECK(count(server, "SELECT count(*) FROM contacts WHERE id = ?",
                    fresh["contact"]["id"].get<std::string>()) == 1);
        CHECK(count(server, "SELECT count(*) FROM contacts WHERE id = ?", person.contact_id) == 1);
        CHECK(server
                  .post(kContacts + "/refresh",
                        {{"refresh_token", stale["refresh_token"].get<std::string>()}})
                  ->status == 401);
    }

    TEST_CASE("guest: sign-ins take from the per-address budget of calls that make contacts") {
        TestServer server([](Config& c) {
            c.rate_limits = true;
            c.rate_limit_send_burst = 2;
        });
        CHECK(guest(server)->status == 200);
        CHECK(guest(server)->status == 200);
        const auto refused = guest(server);
        check_error(refused, 429);
        CHECK_FALSE(refused->get_header_value("Retry-After").empty());
        CHECK(count(server, "SELECT count(*) FROM contacts WHERE is_guest = 1") == 2);
    }

    TEST_CASE(
        "test identities: the fixed code signs in, nothing is sent, resend limits do not "
        "apply, the attempt limit does") {
        SmsGateway gateway;
        SmtpSink smtp;
        TestServer server([&](Config& c) {
            c.sms_webhook_url = gateway.url("/hooks/sms");
            c.smtp_url = smtp.url();
            c.smtp_from = "contactd@example.com";
            c.test_identities = {{"+35799000001", "123456"}, {"review@example.com", "654321"}};
        });

        // Sign-up by phone and by email (any case) with the fixed codes.
        const auto phone = register_phone(server, "99000001");
        REQUIRE(phone->status == 201);
        const auto phone_in = validate_otp(server, json_of(phone)["auth_otp"], "123456");
        REQUIRE_MESSAGE(phone_in->status == 200, phone_in->body);
        const auto email = register_email(server, "Review@Example.com");
        REQUIRE(email->status == 201);
        CHECK(validate_otp(server, json_of(email)["auth_otp"], "654321")->status == 200);

        // Codes again at once, more than the hourly cap: no resend wait for them.
        std::string auth_otp;
        for (int i = 0; i < 7; ++i) {
            const auto again =
                server.post(kContacts + "/request-otp",
                            {{"send_method", "SMS"},
                             {"credentials", {{{"name", "PHONE"}, {"value", "+35799000001"}}}}});
            REQUIRE_MESSAGE(again->status == 200, again->body);
            auth_otp = json_of(again)["auth_otp"];
        }
        // The code is stored hashed like any other.
        CHECK(count(server,
                    "SELECT count(*) FROM one_time_codes WHERE code_hmac LIKE '%123456%'"
                    " OR code_hmac LIKE '%654321%'") == 0);
        // The attempt limit holds: five wrong codes burn it, and then the right one fails.
        for (int i = 0; i < 5; ++i) CHECK(validate_otp(server, auth_otp, "000000")->status == 401);
        const auto burned = check_error(validate_otp(server, auth_otp, "123456"), 401);
        CHECK(burned["error"] == "CRM.EXCEPTIONS.OTPATTEMPTSEXCEEDEDEXCEPTION");

        // Nothing was queued, and nothing reached the SMS gateway or the SMTP server.
        server.app().dispatcher().run_once();
        CHECK(count(server, "SELECT count(*) FROM outbox") == 0);
        CHECK(gateway.count() == 0);
        CHECK(smtp.messages().empty());
        // CODE_SENT says so.
        CHECK(count(server,
                    "SELECT count(*) FROM security_events WHERE type = 'CODE_SENT'"
                    " AND json_extract(detail, '$.test_identity') = 1") == 9);

        // Any other destination is sent its code as usual.
        REQUIRE(register_phone(server, "99000002")->status == 201);
        server.app().dispatcher().run_once();
        CHECK(count(server, "SELECT count(*) FROM outbox") == 1);
        CHECK(gateway.count() == 1);
    }
}

// The periodic purge (issue 8), with a manual clock: registrations by code never validated
// go after CONTACTD_UNVERIFIED_TTL with everything of theirs; validated, password and
// back-office contacts stay; expired codes and decoys are gone. Checked in the database.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";

// A number from the database, through a separate read-only connection.
std::int64_t count(TestServer& server, const std::string& sql, const std::string& bound = "") {
    SQLite::Database db(server.db_path().string(), SQLite::OPEN_READONLY);
    SQLite::Statement s(db, sql);
    if (!bound.empty()) s.bind(1, bound);
    REQUIRE(s.executeStep());
    return s.getColumn(0).getInt64();
}

bool contact_exists(TestServer& server, const std::string& id) {
    return count(server, "SELECT count(*) FROM contacts WHERE id = ?", id) == 1;
}

std::string backoffice_contact(TestServer& server, const std::string& email) {
    const auto created =
        server.post("/backoffice/v1/contacts",
                    {{"first_name", "Office"}, {"last_name", "Made"}, {"email_address", email}}, "",
                    server.secret_key());
    REQUIRE(created);
    REQUIRE_MESSAGE(created->status == 201, created->body);
    return json_of(created)["id"];
}

}  // namespace

TEST_SUITE("http::purge") {
    TEST_CASE(
        "purge: a stale unvalidated registration goes with everything of its own, while validated, "
        "password and back-office contacts stay, and expired codes and decoys go") {
        TestServer server([](Config& c) { c.purge_interval = 0; });  // run by hand
        const auto stale = register_phone(server, "99478230");
        REQUIRE(stale->status == 201);
        const std::string stale_id = json_of(stale)["id"];
        const auto validated = sign_up_by_phone(server, "99478231");
        const auto password =
            sign_up_with_password(server, "pat@example.com", "purple-otter-42-climbs");
        const auto office = backoffice_contact(server, "office@example.com");
        // A code asked for an address nobody has: a decoy.
        const auto decoy =
            server.post(kContacts + "/request-otp",
                        {{"credentials", {{{"name", "EMAIL"}, {"value", "nobody@example.com"}}}}});
        REQUIRE(decoy->status == 200);
        REQUIRE(count(server, "SELECT count(*) FROM one_time_codes WHERE contact_id IS NULL") == 1);
        REQUIRE(count(server, "SELECT count(*) FROM outbox WHERE contact_id = ?", stale_id) == 1);
        REQUIRE(count(server, "SELECT count(*) FROM identities WHERE contact_id = ?", stale_id) ==
                1);

        // Before the TTL no contact goes; expired codes still count within their hour.
        server.clock().advance(3000);
        auto report = server.app().purge().run_once();
        CHECK(report.registrations == 0);
        CHECK(report.codes == 0);
        CHECK(contact_exists(server, stale_id));

        server.clock().advance(86400 - 3000 + 1);
        // A registration made just now is not stale.
        const auto fresh = register_phone(server, "99478232");
        REQUIRE(fresh->status == 201);
        const std::string fresh_id = json_of(fresh)["id"];

        report = server.app().purge().run_once();
        CHECK(report.registrations == 1);
        CHECK(report.codes >= 4);
        CHECK_FALSE(contact_exists(server, stale_id));
        CHECK(count(server, "SELECT count(*) FROM identities WHERE contact_id = ?", stale_id) == 0);
        CHECK(count(server, "SELECT count(*) FROM one_time_codes WHERE contact_id = ?", stale_id) ==
              0);
        CHECK(count(server, "SELECT count(*) FROM outbox WHERE contact_id = ?", stale_id) == 0);
        CHECK(count(server, "SELECT count(*) FROM outbox WHERE recipient = '+35799478230'") == 0);
        CHECK(contact_exists(server, validated.contact_id));
        CHECK(contact_exists(server, password.contact_id));
        CHECK(contact_exists(server, office));
        CHECK(contact_exists(server, fresh_id));
        // Expired codes and the decoy are gone; the fresh registration's code stays.
        CHECK(count(server, "SELECT count(*) FROM one_time_codes WHERE contact_id IS NULL") == 0);
        CHECK(count(server, "SELECT count(*) FROM one_time_codes WHERE expires_at <= ?",
                    std::to_string(server.clock().now())) == 0);
        CHECK(count(server, "SELECT count(*) FROM one_time_codes WHERE contact_id = ?", fresh_id) ==
              1);
        // The validated contact's session lives on (its access token expired meanwhile).
        CHECK(server.post(kContacts + "/refresh", {{"refresh_token", validated.refresh_token}})
                  ->status == 200);
        // The fresh one can still be validated.
        CHECK(validate_otp(server, json_of(fresh)["auth_otp"], server.last_code_for("+35799478232"))
                  ->status == 200);
    }

    TEST_CASE("purge: App runs it on its own thread every CONTACTD_PURGE_INTERVAL") {
        TestServer server([](Config& c) {
            c.purge_interval = 1;
            c.unverified_ttl = 600;
        });
        const auto stale = register_email(server, "stale@example.com");
        REQUIRE(stale->status == 201);
        const std::string stale_id = json_of(stale)["id"];
        server.clock().advance(601);
        bool gone = false;
        for (int i = 0; i < 60 && !gone; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            gone = !contact_exists(server, stale_id);
        }
        CHECK(gone);
    }
}

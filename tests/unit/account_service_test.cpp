// domain::AccountService, erase_contact and the guest purge against a real SqliteStore with
// a manual clock: guests, the self-deletion window (a refresh does not reopen it), what the
// erasure removes and what the trail keeps.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

#include "crypto/jwt.h"
#include "domain/account_service.h"
#include "domain/contact_erasure.h"
#include "domain/credential_service.h"
#include "domain/purge_service.h"
#include "domain/security_events.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"
#include "util/error.h"

using namespace contactd;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;

struct AccountFixture {
    test::TempDir dir;
    std::string db_path = (dir.path() / "accounts.db").string();
    storage::sqlite::SqliteStore store{db_path};
    ManualClock clock{kStart};
    crypto::JwtCodec jwt{"a jwt signing key of at least 32 bytes", "contactd", "self-service"};
    domain::SecurityEvents events{store, clock};
    domain::SessionService sessions{clock, jwt, domain::SessionPolicy{}, &events};
    domain::AccountService accounts{store, clock, sessions, events};
    const domain::ClientInfo client{"agent/1.0", "203.0.113.7", "req-1", std::nullopt};

    std::int64_t count(const std::string& sql, const std::string& bound) {
        SQLite::Database db(db_path, SQLite::OPEN_READONLY);
        SQLite::Statement s(db, sql);
        s.bind(1, bound);
        REQUIRE(s.executeStep());
        return s.getColumn(0).getInt64();
    }

    domain::Bearer bearer_of(const domain::SignedIn& signed_in) {
        return {signed_in.tokens.contact_id, signed_in.tokens.session_id, std::nullopt};
    }

    // The error code delete_self throws, or "" when it deleted.
    std::string delete_self(const domain::Bearer& bearer) {
        try {
            accounts.delete_self(bearer, client);
            return "";
        } catch (const Error& e) {
            return e.code();
        }
    }
};

}  // namespace

TEST_SUITE("domain::account_service") {
    TEST_CASE("account_service: a guest is a new contact with no identity and a GUEST session") {
        AccountFixture f;
        const auto first = f.accounts.sign_in_as_guest(f.client);
        const auto second = f.accounts.sign_in_as_guest(f.client);
        CHECK(first.contact.is_guest);
        CHECK(first.contact.id != second.contact.id);
        CHECK_FALSE(first.tokens.access_token.empty());
        CHECK(f.count("SELECT count(*) FROM identities WHERE contact_id = ?", first.contact.id) ==
              0);
        CHECK(
            f.count("SELECT count(*) FROM sessions WHERE contact_id = ? AND auth_method = 'GUEST'",
                    first.contact.id) == 1);
        // convert_guest makes it a normal contact, once.
        f.store.write([&](storage::Repositories& repos) {
            CHECK(repos.contacts().convert_guest(first.contact.id, kStart));
            CHECK_FALSE(repos.contacts().convert_guest(first.contact.id, kStart));
            CHECK_FALSE(repos.contacts().find(first.contact.id)->is_guest);
        });
    }

    TEST_CASE(
        "account_service: self-deletion within 10 minutes of the sign-in only and a refresh "
        "does not count") {
        AccountFixture f;
        const auto guest = f.accounts.sign_in_as_guest(f.client);
        f.clock.advance(601);
        const auto refreshed = f.store.write([&](storage::Repositories& repos) {
            return f.sessions.refresh(repos, guest.tokens.refresh_token, f.client);
        });
        REQUIRE(refreshed.has_value());
        CHECK(f.delete_self({refreshed->claims.subject, refreshed->claims.session_id,
                             std::nullopt}) == "REAUTHENTICATIONREQUIREDEXCEPTION");
        CHECK(f.count("SELECT count(*) FROM contacts WHERE id = ?", guest.contact.id) == 1);

        const auto other = f.accounts.sign_in_as_guest(f.client);
        f.clock.advance(600);
        CHECK(f.delete_self(f.bearer_of(other)).empty());
        CHECK(f.count("SELECT count(*) FROM contacts WHERE id = ?", other.contact.id) == 0);
        // The event keeps the id and the request id, not the client's address or agent.
        const auto page = f.events.list({other.contact.id, "CONTACT_DELETED"}, {1, 10});
        REQUIRE(page.items.size() == 1);
        CHECK(page.items[0].request_id == "req-1");
        CHECK_FALSE(page.items[0].ip_address);
        CHECK_FALSE(page.items[0].user_agent);
        // A session that is gone cannot delete anything.
        CHECK(f.delete_self(f.bearer_of(other)) == "NOTAUTHENTICATEDEXCEPTION");
    }

    TEST_CASE(
        "contact_erasure: the contact's rows go, its password failures too and its events "
        "lose the address, agent and destination") {
        AccountFixture f;
        const auto guest = f.accounts.sign_in_as_guest(f.client);
        const auto& id = guest.contact.id;
        f.store.write([&](storage::Repositories& repos) {
            storage::IdentityRecord identity;
            identity.id = "identity-1";
            identity.contact_id = id;
            identity.provider = "EMAIL";
            identity.value = "someone@example.com";
            identity.display_value = "Someone@example.com";
            identity.created_at = kStart;
            repos.identities().insert(identity);
            repos.sign_in_failures().insert(
                {"failure-1", domain::sign_in_failure_key("someone@example.com"), kStart});
            repos.sign_in_failures().insert(
                {"failure-2", domain::sign_in_failure_key("else@example.com"), kStart});
            f.events.record(repos, domain::security_event::kCodeSent, id, f.client,
                            {{"destination", "s***@e***.com"}, {"channel", "EMAIL"}});
        });
        REQUIRE(f.count("SELECT count(*) FROM security_events WHERE contact_id = ?"
                        " AND ip_address IS NOT NULL",
                        id) == 2);

        CHECK(f.store.write(
            [&](storage::Repositories& repos) { return domain::erase_contact(repos, id); }));
        for (const char* sql : {"SELECT count(*) FROM contacts WHERE id = ?",
                                "SELECT count(*) FROM identities WHERE contact_id = ?",
                                "SELECT count(*) FROM sessions WHERE contact_id = ?",
                                "SELECT count(*) FROM security_events WHERE contact_id = ?"
                                " AND (ip_address IS NOT NULL OR user_agent IS NOT NULL"
                                " OR detail LIKE '%destination%')"}) {
            CAPTURE(sql);
            CHECK(f.count(sql, id) == 0);
        }
        CHECK(f.count("SELECT count(*) FROM security_events WHERE contact_id = ?"
                      " AND json_extract(detail, '$.channel') = 'EMAIL'",
                      id) == 1);
        CHECK(f.count("SELECT count(*) FROM sign_in_failures WHERE id = ?", "failure-1") == 0);
        CHECK(f.count("SELECT count(*) FROM sign_in_failures WHERE id = ?", "failure-2") == 1);
        CHECK_FALSE(f.store.write(
            [&](storage::Repositories& repos) { return domain::erase_contact(repos, id); }));
    }

    TEST_CASE("purge_service: guests with no identity go after guest_ttl and converted ones stay") {
        AccountFixture f;
        domain::PurgePolicy policy;
        policy.guest_ttl = 3600;
        policy.batch = 1;  // several batches
        const domain::PurgeService purge{f.store, f.clock, policy};
        const auto a = f.accounts.sign_in_as_guest(f.client);
        const auto b = f.accounts.sign_in_as_guest(f.client);
        const auto converted = f.accounts.sign_in_as_guest(f.client);
        f.store.write([&](storage::Repositories& repos) {
            repos.contacts().convert_guest(converted.contact.id, kStart);
        });
        f.clock.advance(3599);
        CHECK(purge.run_once().guests == 0);
        f.clock.advance(1);
        CHECK(purge.run_once().guests == 2);
        for (const auto* id : {&a.contact.id, &b.contact.id})
            CHECK(f.count("SELECT count(*) FROM contacts WHERE id = ?", *id) == 0);
        CHECK(f.count("SELECT count(*) FROM contacts WHERE id = ?", converted.contact.id) == 1);
    }
}

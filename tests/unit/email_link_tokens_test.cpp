// domain::EmailLinkTokens against a real SqliteStore with a manual clock: a token is 256
// random bits stored only as its SHA-256, redeems once, expires, is replaced by a newer
// one, never redeems as a decoy or for the other purpose, and issuing obeys the
// per-destination limits (decoys counted alike).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "domain/email_link_tokens.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"
#include "util/error.h"

using namespace contactd;
using contactd::domain::EmailLinkPolicy;
using contactd::domain::EmailLinkTokens;
using contactd::domain::IssuedLink;
using contactd::domain::LinkFailure;
using contactd::domain::LinkRequest;
namespace link_purpose = contactd::domain::link_purpose;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;
const std::string kEmail = "andy@example.com";

struct LinkFixture {
    test::TempDir dir;
    storage::sqlite::SqliteStore store{(dir.path() / "links.db").string()};
    ManualClock clock{kStart};
    EmailLinkTokens links{clock, "a limiter key for link tokens, 32+ bytes",
                          EmailLinkPolicy{"https://accounts.example.com", 1800, 86400, 60, 5, 10}};

    LinkFixture() {
        store.write([&](storage::Repositories& repos) {
            storage::ContactRecord c;
            c.id = "contact-1";
            c.created_at = c.updated_at = kStart;
            repos.contacts().insert(c);
            storage::IdentityRecord i;
            i.id = "identity-1";
            i.contact_id = c.id;
            i.provider = "EMAIL";
            i.value = i.display_value = kEmail;
            i.created_at = kStart;
            repos.identities().insert(i);
        });
    }

    IssuedLink issue(const std::string& purpose = link_purpose::kResetPassword, bool decoy = false,
                     const std::string& destination = kEmail) {
        return store.write([&](storage::Repositories& repos) {
            return links.issue(
                repos,
                LinkRequest{purpose, destination,
                            decoy ? std::nullopt : std::optional<std::string>("contact-1"),
                            decoy ? std::nullopt : std::optional<std::string>("identity-1")});
        });
    }
    tl::expected<storage::EmailLinkTokenRecord, LinkFailure> redeem(
        const std::string& token, const std::string& purpose = link_purpose::kResetPassword) {
        return store.write(
            [&](storage::Repositories& repos) { return links.redeem(repos, purpose, token); });
    }
    std::int64_t retry_after_of_next_issue(bool decoy = false) {
        try {
            issue(link_purpose::kResetPassword, decoy);
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::RateLimited);
            return e.retry_after();
        }
        return 0;
    }
};

}  // namespace

TEST_SUITE("domain::email_link_tokens") {
    TEST_CASE(
        "a token is 256 random bits in base64url, in a link to its page, stored only hashed") {
        LinkFixture f;
        std::set<std::string> seen;
        for (int i = 0; i < 3; ++i) {
            const auto issued = f.issue();
            CHECK(issued.token.size() == 43);
            CHECK(crypto::base64url_decode(issued.token).value_or("").size() == 32);
            CHECK(issued.url ==
                  "https://accounts.example.com/reset-password?token=" + issued.token);
            CHECK(issued.minutes == 30);
            CHECK(issued.record.token_hash == crypto::to_hex(crypto::sha256(issued.token)));
            CHECK(seen.insert(issued.token).second);
            f.clock.advance(61);
        }
        const auto verify = f.issue(link_purpose::kVerifyEmail);
        CHECK(verify.url == "https://accounts.example.com/verify-email?token=" + verify.token);
        CHECK(verify.record.expires_at == f.clock.now() + 86400);
        // Nothing in the database holds a token.
        const auto dump = test::dump_database((f.dir.path() / "links.db").string());
        for (const auto& token : seen) CHECK(dump.find(token) == std::string::npos);
        CHECK(dump.find(verify.token) == std::string::npos);
    }

    TEST_CASE("a token redeems once, and a second redemption is spent") {
        LinkFixture f;
        const auto issued = f.issue();
        const auto first = f.redeem(issued.token);
        REQUIRE(first);
        CHECK(first->contact_id == std::optional<std::string>("contact-1"));
        CHECK(first->identity_id == std::optional<std::string>("identity-1"));
        CHECK(first->used_at == f.clock.now());
        const auto second = f.redeem(issued.token);
        REQUIRE_FALSE(second);
        CHECK(second.error() == LinkFailure::Spent);
    }

    TEST_CASE("find checks a token without using it up") {
        LinkFixture f;
        const auto issued = f.issue();
        const auto found = f.store.read([&](storage::Repositories& repos) {
            return f.links.find(repos, link_purpose::kResetPassword, issued.token);
        });
        CHECK(found);
        CHECK(f.redeem(issued.token));
    }

    TEST_CASE("a token expires after its purpose's TTL") {
        LinkFixture f;
        const auto issued = f.issue();
        f.clock.advance(1800);
        const auto late = f.redeem(issued.token);
        REQUIRE_FALSE(late);
        CHECK(late.error() == LinkFailure::Expired);

        const auto fresh = (f.clock.advance(61), f.issue());
        f.clock.advance(1799);
        CHECK(f.redeem(fresh.token));
    }

    TEST_CASE("a newer token replaces the older ones of its destination and purpose") {
        LinkFixture f;
        const auto older = f.issue();
        f.clock.advance(61);
        const auto verify = f.issue(link_purpose::kVerifyEmail);  // another purpose: kept
        const auto newer = f.issue();
        const auto replaced = f.redeem(older.token);
        REQUIRE_FALSE(replaced);
        CHECK(replaced.error() == LinkFailure::Spent);
        CHECK(f.redeem(newer.token));
        CHECK(f.redeem(verify.token, link_purpose::kVerifyEmail));
    }

    TEST_CASE("a token does not redeem for the other purpose, nor a decoy, nor a made-up token") {
        LinkFixture f;
        const auto reset = f.issue();
        const auto other = f.redeem(reset.token, link_purpose::kVerifyEmail);
        REQUIRE_FALSE(other);
        CHECK(other.error() == LinkFailure::Unknown);
        CHECK(f.redeem(reset.token));  // still good for its own purpose

        const auto decoy = f.issue(link_purpose::kResetPassword, true, "nobody@example.com");
        const auto from_decoy = f.redeem(decoy.token);
        REQUIRE_FALSE(from_decoy);
        CHECK(from_decoy.error() == LinkFailure::Unknown);

        for (const std::string& made_up :
             {std::string(), std::string(43, 'A'), reset.token + "x", std::string("a b")}) {
            const auto result = f.redeem(made_up);
            REQUIRE_FALSE(result);
            CHECK(result.error() == LinkFailure::Unknown);
        }
    }

    TEST_CASE("issuing obeys the resend interval and the hourly cap, decoys counted alike") {
        for (const bool decoy : {false, true}) {
            CAPTURE(decoy);
            LinkFixture f;
            f.issue(link_purpose::kResetPassword, decoy);
            CHECK(f.retry_after_of_next_issue(decoy) == 60);
            f.clock.advance(30);
            CHECK(f.retry_after_of_next_issue(decoy) == 30);
            for (int i = 1; i < 5; ++i) {
                f.clock.advance(60);
                f.issue(link_purpose::kResetPassword, decoy);
            }
            f.clock.advance(60);
            // Five in the last hour: the sixth waits until the first leaves the window.
            const auto wait = f.retry_after_of_next_issue(decoy);
            CHECK(wait == kStart + 3600 - f.clock.now());
            f.clock.advance(wait);
            CHECK_NOTHROW(f.issue(link_purpose::kResetPassword, decoy));
        }
    }

    TEST_CASE("issuing obeys the daily cap per destination") {
        LinkFixture f;
        f.clock.set(1'700'006'400);  // the start of a UTC day
        for (int i = 0; i < 10; ++i) {
            f.issue();
            f.clock.advance(3600 / 5 + 1);
        }
        CHECK(f.retry_after_of_next_issue() == 1'700'006'400 + 86400 - f.clock.now());
        // Another address is not held up.
        CHECK_NOTHROW(f.issue(link_purpose::kResetPassword, true, "other@example.com"));
    }
}

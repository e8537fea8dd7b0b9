// domain::SessionService against a real SqliteStore: refresh rotation, reuse
// detection (RFC 9700), idle and absolute lifetimes, revocation of access tokens.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/jwt.h"
#include "domain/session_service.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"
#include "util/error.h"

using namespace contactd;
using contactd::domain::IssuedTokens;
using contactd::domain::SessionPolicy;
using contactd::domain::SessionService;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;

struct SessionFixture {
    test::TempDir dir;
    storage::sqlite::SqliteStore store{(dir.path() / "sessions.db").string()};
    ManualClock clock{kStart};
    crypto::JwtCodec jwt{"a jwt signing key of at least 32 bytes", "contactd", "self-service"};
    SessionService sessions;
    std::string contact_id = "contact-1";

    explicit SessionFixture(SessionPolicy policy = {}) : sessions(clock, jwt, policy) {
        store.write([&](storage::Repositories& repos) {
            storage::ContactRecord c;
            c.id = contact_id;
            c.created_at = c.updated_at = kStart;
            repos.contacts().insert(c);
        });
    }

    IssuedTokens start() {
        return sessions.sign(store.write([&](storage::Repositories& repos) {
            return sessions.start(repos, contact_id, domain::auth_method::kOtp, {});
        }));
    }

    // Refreshes in a committed transaction; the error (if any) is returned, not thrown.
    tl::expected<IssuedTokens, Error> refresh(const std::string& token) {
        return store
            .write([&](storage::Repositories& repos) { return sessions.refresh(repos, token, {}); })
            .map([&](domain::UnsignedTokens tokens) { return sessions.sign(std::move(tokens)); });
    }

    // The error kind authenticate() throws, or nullopt when the token is accepted.
    std::optional<ErrorKind> authenticate(const std::string& access_token) {
        try {
            const auto bearer = store.read([&](storage::Repositories& repos) {
                return sessions.authenticate(repos, access_token);
            });
            CHECK(bearer.contact_id == contact_id);
            return std::nullopt;
        } catch (const Error& e) {
            return e.kind();
        }
    }

    storage::SessionRecord session(const std::string& id) {
        return store.read(
            [&](storage::Repositories& repos) { return repos.sessions().find(id).value(); });
    }
};

}  // namespace

TEST_SUITE("domain::session_service") {
    TEST_CASE(
        "session_service::start issues an access token for its session and a random refresh "
        "token") {
        SessionFixture f;
        const auto tokens = f.start();
        CHECK(tokens.contact_id == "contact-1");
        // 15 hex digits of issue time, then 43 characters (256 bits) of base64url.
        REQUIRE(tokens.refresh_token.size() == 58);
        CHECK(tokens.refresh_token.find_first_not_of("0123456789abcdef") >= 15);
        CHECK(tokens.access_expires_at == kStart + 900);
        const auto claims = f.jwt.verify(tokens.access_token, kStart);
        REQUIRE(claims.has_value());
        CHECK(claims->session_id == tokens.session_id);
        CHECK(claims->subject == "contact-1");
        CHECK(f.authenticate(tokens.access_token) == std::nullopt);
        // Only the time prefix and the SHA-256 of the refresh token are stored.
        f.store.read([&](storage::Repositories& repos) {
            CHECK_FALSE(repos.sessions().find_refresh_token(tokens.refresh_token).has_value());
            const auto row = repos.sessions().find_refresh_token(
                tokens.refresh_token.substr(0, 15) +
                crypto::to_hex(crypto::sha256(tokens.refresh_token)));
            REQUIRE(row.has_value());
            CHECK(row->session_id == tokens.session_id);
        });
    }

    TEST_CASE(
        "session_service: refresh tokens sort by issue time, and ones from before still refresh") {
        SessionFixture f;
        const auto first = f.start();
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        const auto second = f.start();
        CHECK(first.refresh_token.substr(0, 15) < second.refresh_token.substr(0, 15));
        // A token issued before the time prefix: 43 characters, stored as its SHA-256.
        const std::string legacy = "legacy-refresh-token-0123456789abcdefghijkl";
        REQUIRE(legacy.size() == 43);
        f.store.write([&](storage::Repositories& repos) {
            storage::RefreshTokenRecord record;
            record.token_hash = crypto::to_hex(crypto::sha256(legacy));
            record.session_id = first.session_id;
            record.created_at = kStart;
            record.expires_at = kStart + 3600;
            repos.sessions().insert_refresh_token(record);
        });
        const auto refreshed = f.refresh(legacy);
        REQUIRE(refreshed.has_value());
        CHECK(refreshed->session_id == first.session_id);
        CHECK(refreshed->refresh_token.size() == 58);
        CHECK_FALSE(f.refresh(legacy).has_value());  // spent
    }

    TEST_CASE("session_service::refresh rotates: each token gives a new one and is spent") {
        SessionFixture f;
        const auto first = f.start();
        f.clock.advance(10);
        const auto second = f.refresh(first.refresh_token);
        REQUIRE(second.has_value());
        CHECK(second->refresh_token != first.refresh_token);
        CHECK(second->access_token != first.access_token);
        CHECK(second->session_id == first.session_id);
        CHECK(second->access_expires_at == kStart + 10 + 900);
        const auto third = f.refresh(second->refresh_token);
        REQUIRE(third.has_value());
        CHECK(third->session_id == first.session_id);
        CHECK(f.session(first.session_id).last_used_at == kStart + 10);
        CHECK(f.authenticate(third->access_token) == std::nullopt);
    }

    TEST_CASE(
        "session_service::refresh: reusing a spent token revokes the session and all its tokens") {
        SessionFixture f;
        const auto first = f.start();
        const auto second = f.refresh(first.refresh_token);
        REQUIRE(second.has_value());
        // The attacker (or the victim) presents the spent token again, after the grace.
        f.clock.advance(SessionPolicy{}.refresh_reuse_grace);
        const auto reuse = f.refresh(first.refresh_token);
        REQUIRE_FALSE(reuse.has_value());
        CHECK(reuse.error().kind() == ErrorKind::NotAuthenticated);
        CHECK(f.session(first.session_id).revoked_at.has_value());
        // The successor no longer refreshes, and no access token of the session works.
        CHECK_FALSE(f.refresh(second->refresh_token).has_value());
        CHECK(f.authenticate(second->access_token) == ErrorKind::NotAuthenticated);
        CHECK(f.authenticate(first.access_token) == ErrorKind::NotAuthenticated);
    }

    TEST_CASE("session_service::refresh: other sessions survive a reuse revocation") {
        SessionFixture f;
        const auto a = f.start();
        const auto b = f.start();
        REQUIRE(f.refresh(a.refresh_token).has_value());
        f.clock.advance(SessionPolicy{}.refresh_reuse_grace);
        REQUIRE_FALSE(f.refresh(a.refresh_token).has_value());
        CHECK(f.session(a.session_id).revoked_at.has_value());
        CHECK(f.authenticate(b.access_token) == std::nullopt);
        CHECK(f.refresh(b.refresh_token).has_value());
    }

    TEST_CASE("session_service::refresh rejects unknown tokens") {
        SessionFixture f;
        f.start();
        const auto result = f.refresh("not-a-token");
        REQUIRE_FALSE(result.has_value());
        CHECK(result.error().kind() == ErrorKind::NotAuthenticated);
    }

    TEST_CASE("session_service::refresh: a refresh token dies after the idle lifetime") {
        SessionFixture f(SessionPolicy{900, 1000, 100000});
        const auto first = f.start();
        SUBCASE("used just in time, the chain lives on") {
            f.clock.advance(999);
            const auto second = f.refresh(first.refresh_token);
            REQUIRE(second.has_value());
            f.clock.advance(999);
            CHECK(f.refresh(second->refresh_token).has_value());
        }
        SUBCASE("unused for the idle lifetime, it is refused") {
            f.clock.advance(1000);
            const auto result = f.refresh(first.refresh_token);
            REQUIRE_FALSE(result.has_value());
            CHECK(result.error().kind() == ErrorKind::NotAuthenticated);
        }
    }

    TEST_CASE("session_service: a session ends at its absolute lifetime, however it is refreshed") {
        SessionFixture f(SessionPolicy{900, 600, 1000});
        const auto first = f.start();
        f.clock.advance(500);
        const auto second = f.refresh(first.refresh_token);
        REQUIRE(second.has_value());
        f.clock.advance(499);  // +999
        const auto third = f.refresh(second->refresh_token);
        REQUIRE(third.has_value());
        // Neither token outlives the session.
        CHECK(third->access_expires_at == kStart + 1000);
        CHECK(f.authenticate(third->access_token) == std::nullopt);
        f.clock.advance(1);  // +1000
        const auto fourth = f.refresh(third->refresh_token);
        REQUIRE_FALSE(fourth.has_value());
        CHECK(fourth.error().kind() == ErrorKind::NotAuthenticated);
        CHECK(f.authenticate(third->access_token).has_value());
    }

    TEST_CASE("session_service::authenticate: an expired access token is ExpiredToken") {
        SessionFixture f;
        const auto tokens = f.start();
        f.clock.advance(899);
        CHECK(f.authenticate(tokens.access_token) == std::nullopt);
        f.clock.advance(1);
        CHECK(f.authenticate(tokens.access_token) == ErrorKind::ExpiredToken);
    }

    TEST_CASE(
        "session_service::revoke: the revoked session's access and refresh tokens stop working") {
        SessionFixture f;
        const auto tokens = f.start();
        const auto other = f.start();
        f.store.write([&](storage::Repositories& repos) {
            f.sessions.revoke(repos, tokens.session_id, {}, "SIGN_OUT");
        });
        CHECK(f.authenticate(tokens.access_token) == ErrorKind::NotAuthenticated);
        CHECK_FALSE(f.refresh(tokens.refresh_token).has_value());
        CHECK(f.authenticate(other.access_token) == std::nullopt);
    }

    TEST_CASE("session_service::authenticate rejects garbage and foreign tokens") {
        SessionFixture f;
        f.start();
        CHECK(f.authenticate("") == ErrorKind::NotAuthenticated);
        CHECK(f.authenticate("a.b.c") == ErrorKind::NotAuthenticated);
        crypto::JwtCodec foreign("another signing key, also 32 bytes+", "contactd", "self-service");
        CHECK(f.authenticate(foreign.sign({"contact-1", "s", "j", kStart, kStart + 900})) ==
              ErrorKind::NotAuthenticated);
        // A validly signed token for a session that does not exist.
        CHECK(f.authenticate(f.jwt.sign({"contact-1", "no-session", "j", kStart, kStart + 900})) ==
              ErrorKind::NotAuthenticated);
    }

    TEST_CASE(
        "session_service::authenticate: a token naming another contact than its session is "
        "refused") {
        SessionFixture f;
        const auto tokens = f.start();
        CHECK(f.authenticate(f.jwt.sign({"contact-2", tokens.session_id, "j", kStart,
                                         kStart + 900})) == ErrorKind::NotAuthenticated);
    }

    TEST_CASE(
        "session_service::refresh: a reuse within the grace of the first use is refused and "
        "revokes nothing") {
        SessionFixture f;  // the default grace, 10 s
        REQUIRE(SessionPolicy{}.refresh_reuse_grace == 10);
        const auto first = f.start();
        f.clock.advance(100);
        const auto second = f.refresh(first.refresh_token);  // first use at kStart + 100
        REQUIRE(second.has_value());
        for (int late : {0, 5, 9}) {
            CAPTURE(late);
            f.clock.set(kStart + 100 + late);
            const auto racing = f.refresh(first.refresh_token);
            REQUIRE_FALSE(racing.has_value());
            CHECK(racing.error().kind() == ErrorKind::NotAuthenticated);
            CHECK_FALSE(f.session(first.session_id).revoked_at.has_value());
        }
        // The winner's tokens work, and its successor refreshes again.
        CHECK(f.authenticate(second->access_token) == std::nullopt);
        const auto third = f.refresh(second->refresh_token);
        REQUIRE(third.has_value());
        CHECK(f.authenticate(third->access_token) == std::nullopt);
        // The grace runs from the first use, not from the refused attempts: at 10 s the
        // spent token is a reuse and the session goes.
        f.clock.set(kStart + 100 + 10);
        const auto reuse = f.refresh(first.refresh_token);
        REQUIRE_FALSE(reuse.has_value());
        CHECK(reuse.error().kind() == ErrorKind::NotAuthenticated);
        CHECK(f.session(first.session_id).revoked_at.has_value());
        CHECK_FALSE(f.refresh(third->refresh_token).has_value());
        CHECK(f.authenticate(third->access_token) == ErrorKind::NotAuthenticated);
    }

    TEST_CASE("session_service::refresh: with a grace of 0 every reuse revokes, at once") {
        SessionPolicy policy;
        policy.refresh_reuse_grace = 0;
        SessionFixture f(policy);
        const auto first = f.start();
        const auto second = f.refresh(first.refresh_token);
        REQUIRE(second.has_value());
        REQUIRE_FALSE(f.refresh(first.refresh_token).has_value());  // same second
        CHECK(f.session(first.session_id).revoked_at.has_value());
        CHECK_FALSE(f.refresh(second->refresh_token).has_value());
        CHECK(f.authenticate(second->access_token) == ErrorKind::NotAuthenticated);
    }

    TEST_CASE("session_service::refresh: the grace does not bring back a revoked session") {
        SessionFixture f;
        const auto first = f.start();
        const auto second = f.refresh(first.refresh_token);
        REQUIRE(second.has_value());
        f.store.write([&](storage::Repositories& repos) {
            f.sessions.revoke(repos, first.session_id, {}, "SIGN_OUT");
        });
        const auto within = f.refresh(first.refresh_token);
        REQUIRE_FALSE(within.has_value());
        CHECK(within.error().kind() == ErrorKind::NotAuthenticated);
        CHECK_FALSE(f.refresh(second->refresh_token).has_value());
    }
}

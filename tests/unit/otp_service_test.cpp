// domain::OtpService against a real SqliteStore in a temporary folder, with a manual
// clock: issuing, redeeming once, attempt counting, expiry, resend limits, decoys and
// the stored form of a code.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>
#include <string>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "domain/otp_service.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/test_server.h"
#include "util/error.h"

using namespace contactd;
using contactd::domain::IssuedCode;
using contactd::domain::OtpFailure;
using contactd::domain::OtpPolicy;
using contactd::domain::OtpRequest;
using contactd::domain::OtpService;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;
const std::string kOtpKey = "a server key for one-time codes, 32+ bytes";
const std::string kPhone = "+35799478230";

struct OtpFixture {
    test::TempDir dir;
    storage::sqlite::SqliteStore store{(dir.path() / "otp.db").string()};
    ManualClock clock{kStart};
    domain::SmsBudget sms{clock, domain::SmsPolicy{}};
    OtpService otps{clock, kOtpKey, OtpPolicy{}, sms};
    std::string contact_id = "contact-1";

    OtpFixture() {
        store.write([&](storage::Repositories& repos) {
            storage::ContactRecord c;
            c.id = contact_id;
            c.first_name = "Andy";
            c.created_at = c.updated_at = kStart;
            repos.contacts().insert(c);
        });
    }

    OtpRequest request(const std::string& destination = kPhone, bool decoy = false) const {
        return OtpRequest{"SMS", destination, domain::otp_purpose::kSignIn,
                          decoy ? std::nullopt : std::optional<std::string>(contact_id),
                          std::nullopt};
    }

    IssuedCode issue(const std::string& destination = kPhone, bool decoy = false) {
        return store.write([&](storage::Repositories& repos) {
            return otps.issue(repos, request(destination, decoy));
        });
    }

    // Redeems in a committed transaction (as AuthService does with write_then_raise):
    // the failure, or nullopt on success.
    std::optional<OtpFailure> redeem(const std::string& id, const std::string& code) {
        return store.write([&](storage::Repositories& repos) -> std::optional<OtpFailure> {
            const auto result = otps.redeem(repos, id, code);
            if (result) {
                CHECK(result->used_at.has_value());
                return std::nullopt;
            }
            return result.error();
        });
    }

    storage::OtpRecord row(const std::string& id) {
        return store.read(
            [&](storage::Repositories& repos) { return repos.otps().find(id).value(); });
    }

    // The seconds to wait that issue() asks for, or 0 when it issued.
    std::int64_t retry_after_of_issue(const std::string& destination = kPhone) {
        try {
            issue(destination);
            return 0;
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::RateLimited);
            return e.retry_after();
        }
    }
};

std::string wrong_code(const std::string& code) {
    std::string w = code;
    w[5] = static_cast<char>('0' + ((w[5] - '0' + 1) % 10));
    return w;
}

}  // namespace

TEST_SUITE("domain::otp_service") {
    TEST_CASE("otp_service::issue then redeem signs in once") {
        OtpFixture f;
        const auto issued = f.issue();
        CHECK(issued.code.size() == 6);
        CHECK(issued.record.expires_at == kStart + 300);
        CHECK(issued.record.destination == kPhone);
        CHECK(f.redeem(issued.record.id, issued.code) == std::nullopt);
        const auto row = f.row(issued.record.id);
        CHECK(row.used_at == kStart);
        CHECK(row.attempts == 1);
    }

    TEST_CASE("otp_service::redeem counts a wrong code") {
        OtpFixture f;
        const auto issued = f.issue();
        CHECK(f.redeem(issued.record.id, wrong_code(issued.code)) == OtpFailure::Wrong);
        CHECK(f.row(issued.record.id).attempts == 1);
        CHECK(f.redeem(issued.record.id, "abcdef") == OtpFailure::Wrong);  // not digits
        CHECK(f.redeem(issued.record.id, "12345") == OtpFailure::Wrong);   // too short
        CHECK(f.redeem(issued.record.id, "") == OtpFailure::Wrong);
        CHECK(f.row(issued.record.id).attempts == 4);
        CHECK_FALSE(f.row(issued.record.id).used_at.has_value());
        // Still below the limit: the right code works.
        CHECK(f.redeem(issued.record.id, issued.code) == std::nullopt);
    }

    TEST_CASE("otp_service::redeem burns the code after max attempts, even for the right code") {
        OtpFixture f;
        const auto issued = f.issue();
        for (int i = 0; i < 5; ++i) {
            CHECK(f.redeem(issued.record.id, wrong_code(issued.code)) == OtpFailure::Wrong);
        }
        CHECK(f.redeem(issued.record.id, issued.code) == OtpFailure::Burned);
        CHECK(f.redeem(issued.record.id, issued.code) == OtpFailure::Burned);
        CHECK_FALSE(f.row(issued.record.id).used_at.has_value());
    }

    TEST_CASE("otp_service::redeem accepts the right code on the last allowed attempt") {
        OtpFixture f;
        const auto issued = f.issue();
        for (int i = 0; i < 4; ++i) f.redeem(issued.record.id, wrong_code(issued.code));
        CHECK(f.redeem(issued.record.id, issued.code) == std::nullopt);
    }

    TEST_CASE("otp_service::redeem: a code expires at exactly its lifetime") {
        OtpFixture f;
        SUBCASE("one second before: valid") {
            const auto issued = f.issue();
            f.clock.advance(299);
            CHECK(f.redeem(issued.record.id, issued.code) == std::nullopt);
        }
        SUBCASE("at ttl: expired") {
            const auto issued = f.issue();
            f.clock.advance(300);
            CHECK(f.redeem(issued.record.id, issued.code) == OtpFailure::Expired);
            CHECK_FALSE(f.row(issued.record.id).used_at.has_value());
        }
    }

    TEST_CASE("otp_service::redeem: a code is single use") {
        OtpFixture f;
        const auto issued = f.issue();
        CHECK(f.redeem(issued.record.id, issued.code) == std::nullopt);
        CHECK(f.redeem(issued.record.id, issued.code) == OtpFailure::Used);
        CHECK(f.redeem("no-such-code", issued.code) == OtpFailure::Unknown);
    }

    TEST_CASE("otp_service::redeem: a cancelled code (undeliverable) never works") {
        OtpFixture f;
        const auto issued = f.issue();
        f.store.write([&](storage::Repositories& repos) { repos.otps().cancel(issued.record.id); });
        CHECK(f.redeem(issued.record.id, issued.code) == OtpFailure::Used);
    }

    TEST_CASE(
        "otp_service::issue refuses a resend within the interval, with the right retry_after") {
        OtpFixture f;
        f.issue();
        f.clock.advance(10);
        CHECK(f.retry_after_of_issue() == 50);
        f.clock.advance(49);
        CHECK(f.retry_after_of_issue() == 1);
        f.clock.advance(1);
        CHECK(f.retry_after_of_issue() == 0);  // 60 s later: allowed
        // Other destinations are not affected.
        CHECK(f.retry_after_of_issue("+35799478231") == 0);
    }

    TEST_CASE("otp_service::issue: a refused resend stores nothing") {
        OtpFixture f;
        f.issue();
        CHECK(f.retry_after_of_issue() > 0);
        const auto count = f.store.read([&](storage::Repositories& repos) {
            return repos.otps().issued_since(kPhone, 0).count;
        });
        CHECK(count == 1);
    }

    TEST_CASE("otp_service::issue allows at most max_per_hour codes per destination per hour") {
        OtpFixture f;
        for (int i = 0; i < 5; ++i) {
            CHECK(f.retry_after_of_issue() == 0);
            f.clock.advance(60);
        }
        // Sixth code at +300 s: the oldest (at +0) leaves the window at +3600.
        CHECK(f.retry_after_of_issue() == 3300);
        f.clock.set(kStart + 3599);
        CHECK(f.retry_after_of_issue() == 1);
        f.clock.set(kStart + 3600);
        CHECK(f.retry_after_of_issue() == 0);
    }

    TEST_CASE("otp_service::redeem: a decoy code (no contact) never signs anyone in") {
        OtpFixture f;
        const auto issued = f.issue("+35799000001", true);
        CHECK_FALSE(issued.record.contact_id.has_value());
        CHECK(f.redeem(issued.record.id, issued.code) == OtpFailure::Wrong);
        CHECK(f.redeem(issued.record.id, wrong_code(issued.code)) == OtpFailure::Wrong);
        CHECK_FALSE(f.row(issued.record.id).used_at.has_value());
        // Decoys are rate limited like real codes, so timing and 429s tell nothing.
        CHECK(f.retry_after_of_issue("+35799000001") > 0);
    }

    TEST_CASE(
        "otp_service: the code is stored only as an HMAC bound to id, destination and purpose") {
        OtpFixture f;
        const auto issued = f.issue();
        const auto row = f.row(issued.record.id);
        CHECK(row.code_hmac.size() == 64);
        CHECK(row.code_hmac != issued.code);
        const std::string expected = crypto::to_hex(
            crypto::hmac_sha256(kOtpKey, issued.record.id + "|" + kPhone + "|" +
                                             domain::otp_purpose::kSignIn + "|" + issued.code));
        CHECK(row.code_hmac == expected);
        // No column of the raw row holds the code.
        auto& db = f.store.writer_connection_for_tests();
        SQLite::Statement s(db, "SELECT * FROM one_time_codes WHERE id = ?");
        s.bind(1, issued.record.id);
        REQUIRE(s.executeStep());
        for (int i = 0; i < s.getColumnCount(); ++i) {
            CAPTURE(s.getColumnName(i));
            if (s.getColumn(i).isText()) CHECK(s.getColumn(i).getString() != issued.code);
            if (s.getColumn(i).isInteger())
                CHECK(std::to_string(s.getColumn(i).getInt64()) != issued.code);
        }
        // And a code issued under another key does not verify here.
        OtpService other(f.clock, "another key for one-time codes, 32+ b", OtpPolicy{}, f.sms);
        const auto second = f.store.write([&](storage::Repositories& repos) {
            return other.issue(repos, f.request("+35799478299"));
        });
        CHECK(f.redeem(second.record.id, second.code) == OtpFailure::Wrong);
    }

    TEST_CASE("otp_service: codes are 6 digits and vary") {
        OtpFixture f;
        std::set<std::string> codes;
        for (int i = 0; i < 20; ++i) {
            const auto issued = f.issue("+3579947820" + std::to_string(i % 10) + std::to_string(i));
            CHECK(issued.code.size() == 6);
            CHECK(issued.code.find_first_not_of("0123456789") == std::string::npos);
            codes.insert(issued.code);
        }
        CHECK(codes.size() > 15);
    }

    TEST_CASE("otp_service::issue caps codes per destination per UTC day, decoys alike") {
        OtpFixture f;
        OtpPolicy policy;
        policy.resend_interval = 0;
        policy.max_per_hour = 100;
        policy.max_per_day = 3;
        OtpService capped(f.clock, kOtpKey, policy, f.sms);
        auto issue = [&](const std::string& destination, bool decoy) {
            return f.store.write([&](storage::Repositories& repos) {
                return capped.issue(repos, f.request(destination, decoy));
            });
        };
        const std::string stranger = "+35799000111";  // nobody's: decoy codes
        for (int i = 0; i < 3; ++i) {
            CHECK_NOTHROW(issue(kPhone, false));
            CHECK_NOTHROW(issue(stranger, true));
            f.clock.advance(600);
        }
        const std::int64_t next_day = (f.clock.now() / 86400 + 1) * 86400;
        for (const auto& [destination, decoy] :
             {std::pair{kPhone, false}, std::pair{stranger, true}}) {
            CAPTURE(destination);
            try {
                issue(destination, decoy);
                FAIL("a fourth code the same day was issued");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::RateLimited);
                CHECK(e.retry_after() == next_day - f.clock.now());
            }
        }
        CHECK_NOTHROW(issue("+35799000222", true));  // another destination is not affected
        f.clock.set(next_day);
        CHECK_NOTHROW(issue(kPhone, false));  // a new UTC day
        // The limiter's rows name no destination.
        SQLite::Database db((f.dir.path() / "otp.db").string(), SQLite::OPEN_READONLY);
        SQLite::Statement rows(db, "SELECT key FROM limiter_counters");
        while (rows.executeStep()) {
            const auto key = rows.getColumn(0).getString();
            CHECK(key.find("99478230") == std::string::npos);
            CHECK(key.find("99000111") == std::string::npos);
        }
    }

    TEST_CASE(
        "otp_service: a test identity gets its fixed code, hashed, with no resend limits, and "
        "the attempt limit still holds") {
        OtpFixture f;
        OtpPolicy policy;
        policy.fixed_codes = {{kPhone, "246810"}};
        const OtpService otps{f.clock, kOtpKey, policy, f.sms};
        auto issue = [&] {
            return f.store.write(
                [&](storage::Repositories& repos) { return otps.issue(repos, f.request()); });
        };
        // Far more than the resend interval, the hourly and the daily caps allow.
        std::vector<IssuedCode> issued;
        for (int i = 0; i < 12; ++i) issued.push_back(issue());
        for (const auto& code : issued) {
            CHECK(code.fixed);
            CHECK(code.code == "246810");
            CHECK(f.row(code.record.id).code_hmac.find("246810") == std::string::npos);
        }
        // Any other destination is limited as before and gets a random code.
        const auto other = f.store.write([&](storage::Repositories& repos) {
            return otps.issue(repos, f.request("+35799478231"));
        });
        CHECK_FALSE(other.fixed);
        CHECK_THROWS_AS(f.store.write([&](storage::Repositories& repos) {
            return otps.issue(repos, f.request("+35799478231"));
        }),
                        Error);

        auto redeem = [&](const std::string& id, const std::string& code) {
            return f.store.write([&](storage::Repositories& repos) -> std::optional<OtpFailure> {
                const auto result = otps.redeem(repos, id, code);
                if (result) return std::nullopt;
                return result.error();
            });
        };
        CHECK_FALSE(redeem(issued[0].record.id, "246810").has_value());
        const auto& limited = issued[1].record.id;
        for (int i = 0; i < policy.max_attempts; ++i)
            CHECK(redeem(limited, "000000") == OtpFailure::Wrong);
        CHECK(redeem(limited, "246810") == OtpFailure::Burned);
    }
}

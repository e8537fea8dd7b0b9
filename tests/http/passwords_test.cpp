// Email and password sign-up and sign-in (issue 3): the policy, one answer for every
// failure, timing parity, per-account backoff and its hourly cap, the hashing gate, and
// no password at rest.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/sqlite_store.h"
#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";
const std::string kPassword = "purple-otter-42-climbs";

double seconds_for(const std::function<void()>& fn) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

// 128 code points: ASCII, two-, three- and four-byte characters, not repeating.
std::vector<std::string> mixed_code_points() {
    const std::vector<std::string> alphabet = {
        "a", "\xce\xb2", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "Z",
        "7", "\xc3\xa9", "\xe6\xbc\xa2", "\xf0\x9f\x8c\x8d", "-",
        "q", "\xd0\x96", "\xe2\x9c\x93"};
    std::vector<std::string> out;
    for (std::size_t i = 0; out.size() < 129; ++i)
        out.push_back(alphabet[(i * 5 + i / 13) % alphabet.size()]);
    return out;
}

}  // namespace

TEST_SUITE("http::passwords") {
    TEST_CASE(
        "passwords: sign-up with email and password signs in, the code sent proves the email") {
        TestServer server;
        const auto registered = register_with_password(server, "Pat.Word@Example.com", kPassword);
        REQUIRE(registered);
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        CHECK(registered->get_header_value("Cache-Control") == "no-store");
        const Json session = json_of(registered);
        CHECK(session["contact"]["is_verified"] == false);
        CHECK(session["contact"]["first_name"] == "Pat");
        CHECK(session["exp"].get<std::int64_t>() ==
              session["expiration_date"].get<std::int64_t>() * 1000);
        CHECK_FALSE(session.contains("auth_otp"));
        const std::string access = session["access_token"];

        Json me = json_of(server.get(kContacts + "/me", access));
        CHECK(me["email"] == "Pat.Word@Example.com");
        REQUIRE(me["identities"].size() == 1);
        CHECK(me["identities"][0] == Json{{"provider", "EMAIL"},
                                          {"value", "Pat.Word@Example.com"},
                                          {"is_verified", false}});

        // The password signs in at once, in any case of the email.
        const auto signed_in = authenticate(server, "PAT.WORD@example.COM", kPassword);
        REQUIRE_MESSAGE(signed_in->status == 200, signed_in->body);
        CHECK(json_of(signed_in)["contact"]["id"] == session["contact"]["id"]);
        CHECK(signed_in->get_header_value("Cache-Control") == "no-store");
        // No provider is EMAIL (v1 apps).
        CHECK(server
                  .post(kContacts + "/authenticate",
                        {{"username", "pat.word@example.com"}, {"password", kPassword}})
                  ->status == 200);

        // The sign-up code came by email; validating it verifies the identity and contact.
        CHECK(message_kinds_to(server, "pat.word@example.com") ==
              std::vector<std::string>{"SIGN_UP_CODE"});
        const auto code = server.last_code_for("pat.word@example.com");
        const auto validated =
            server.post(kContacts + "/validate-otp",
                        {{"credentials", {{{"name", "EMAIL"}, {"value", "pat.word@example.com"}}}},
                         {"code", code}});
        REQUIRE_MESSAGE(validated->status == 200, validated->body);
        CHECK(json_of(validated)["contact"]["is_verified"] == true);
        me = json_of(server.get(kContacts + "/me", access));
        CHECK(me["is_verified"] == true);
        CHECK(me["identities"][0]["is_verified"] == true);
        // ... and the password keeps working.
        CHECK(authenticate(server, "pat.word@example.com", kPassword)->status == 200);
    }

    TEST_CASE(
        "passwords: the v1 flat register body and the v2 identification object take a password") {
        TestServer server;
        const auto flat = server.post(kContacts + "/register", {{"first_name", "Flat"},
                                                                {"last_name", "Body"},
                                                                {"email", "flat@example.com"},
                                                                {"password", kPassword},
                                                                {"phone_country_code", "CYP"},
                                                                {"phone_number", "99478231"},
                                                                {"service_acceptance", "true"}});
        REQUIRE_MESSAGE(flat->status == 201, flat->body);
        const Json me = json_of(server.get(kContacts + "/me", json_of(flat)["access_token"]));
        CHECK(me["phone"] == "+35799478231");
        CHECK(me["identities"].size() == 1);
        CHECK(authenticate(server, "flat@example.com", kPassword)->status == 200);

        const auto v2 = server.post(
            kContacts + "/register",
            {{"first_name", "Vee"},
             {"last_name", "Two"},
             {"identification",
              {{"provider", "EMAIL"}, {"email", "v2@example.com"}, {"password", kPassword}}}});
        REQUIRE_MESSAGE(v2->status == 201, v2->body);
        CHECK(authenticate(server, "v2@example.com", kPassword)->status == 200);
    }

    TEST_CASE("passwords: registering an email someone has is 409, whatever its case or kind") {
        TestServer server;
        sign_up_with_password(server, "taken@example.com", kPassword);
        Json body = check_error(
            register_with_password(server, "TAKEN@example.com", "another-fine-passphrase"), 409);
        CHECK(body["error"] == "CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION");
        // An email registered by code is taken too.
        sign_up_by_email(server, "bycode@example.com");
        check_error(register_with_password(server, "bycode@example.com", kPassword), 409);
        // The first password still holds; the refused one does not.
        CHECK(authenticate(server, "taken@example.com", kPassword)->status == 200);
        CHECK(authenticate(server, "taken@example.com", "another-fine-passphrase")->status == 401);
    }

    TEST_CASE(
        "passwords: the policy at sign-up: 12 to 128 code points, not common, not the email") {
        TestServer server;
        auto refused = [&](const std::string& email, const std::string& password) {
            const Json body = check_error(register_with_password(server, email, password), 400);
            CHECK(body["error"] == "CRM.EXCEPTIONS.INVALIDVALUEEXCEPTION");
            CHECK(body["parameters"] == Json::array({"password"}));
        };
        refused("short@example.com", "Xq7#mLp2vR9");    // 11
        refused("common@example.com", "password1234");  // two list words
        refused("common@example.com", "QWERTYQWERTY");  // case-insensitive
        refused("common@example.com", "WinnieThePooh");
        refused("self@example.com", "Self@Example.com");
        const auto points = mixed_code_points();
        refused("long@example.com", join_code_points(points, 129));
        // 11 two-byte letters are 22 bytes but 11 characters: too short; 12 are enough.
        refused("greek@example.com", "αβγδεζηθικλ");
        CHECK(register_with_password(server, "greek@example.com", "αβγδεζηθικλμ")->status == 201);
        CHECK(register_with_password(server, "long@example.com", join_code_points(points, 128))
                  ->status == 201);
        CHECK(register_with_password(server, "short@example.com", "Xq7#mLp2vR9z")->status == 201);
        // A password goes with EMAIL only.
        const Json phone =
            check_error(server.post(kContacts + "/register", {{"first_name", "P"},
                                                              {"last_name", "H"},
                                                              {"identity",
                                                               {{"provider", "PHONE"},
                                                                {"phone_number", "99478232"},
                                                                {"country_code", "CYP"},
                                                                {"password", kPassword}}}}),
                        400);
        CHECK(phone["parameters"] == Json::array({"password"}));
        // Nothing refused was created.
        for (const char* email : {"common@example.com", "self@example.com"}) {
            check_error(authenticate(server, email, kPassword), 401);
        }
    }

    TEST_CASE("passwords: a 127-code-point prefix of a 128-code-point password does not sign in") {
        TestServer server;
        const auto points = mixed_code_points();
        const std::string full = join_code_points(points, 128);
        const std::string prefix = join_code_points(points, 127);
        REQUIRE(full.size() > 128 + 100);  // many more bytes than characters
        sign_up_with_password(server, "long@example.com", full);
        check_error(authenticate(server, "long@example.com", prefix), 401);
        check_error(authenticate(server, "long@example.com", full + "a"), 401);
        CHECK(authenticate(server, "long@example.com", full)->status == 200);
    }

    TEST_CASE(
        "passwords: the same characters in another Unicode form are the same password (NFC)") {
        TestServer server;
        sign_up_with_password(server, "cafe@example.com", "cafe\xcc\x81 au lait, s'il vous plait");
        CHECK(authenticate(server, "cafe@example.com", "caf\xc3\xa9 au lait, s'il vous plait")
                  ->status == 200);
        CHECK(authenticate(server, "cafe@example.com", "cafe au lait, s'il vous plait")->status ==
              401);
    }

    TEST_CASE(
        "passwords: an unknown email, a code-only identity and a wrong password get one answer") {
        TestServer server;
        sign_up_with_password(server, "known@example.com", kPassword);
        sign_up_by_email(server, "codeonly@example.com");
        const auto wrong = authenticate(server, "known@example.com", "not-the-right-password");
        const auto unknown = authenticate(server, "nobody@example.com", "not-the-right-password");
        const auto code_only =
            authenticate(server, "codeonly@example.com", "not-the-right-password");
        const Json body = check_error(wrong, 401);
        CHECK(body["error"] == "CRM.EXCEPTIONS.NOTAUTHENTICATEDEXCEPTION");
        CHECK(unknown->status == wrong->status);
        CHECK(unknown->body == wrong->body);
        CHECK(code_only->status == wrong->status);
        CHECK(code_only->body == wrong->body);
        // An empty password is a wrong one, not a request for a code.
        CHECK(authenticate(server, "known@example.com", "")->body == wrong->body);
    }

    TEST_CASE(
        "passwords: timing parity: unknown email and wrong password take about as long (medians)") {
        TestServer server;
        sign_up_with_password(server, "timed@example.com", kPassword);
        std::vector<double> unknown, wrong;
        for (int i = 0; i < 15; ++i) {
            // Each try in a fresh hour, so that no backoff shortens either kind.
            server.clock().advance(3600);
            unknown.push_back(seconds_for([&] {
                CHECK(authenticate(server, "nobody" + std::to_string(i) + "@example.com",
                                   "a-wrong-password-1")
                          ->status == 401);
            }));
            wrong.push_back(seconds_for([&] {
                CHECK(authenticate(server, "timed@example.com", "a-wrong-password-1")->status ==
                      401);
            }));
        }
        const double ratio = median(unknown) / median(wrong);
        INFO("median unknown " << median(unknown) << " s, median wrong password " << median(wrong)
                               << " s");
        CHECK(ratio > 0.5);
        CHECK(ratio < 2.0);
        // Both pay for an argon2id check (tens of milliseconds), not a quick "no such user".
        CHECK(median(unknown) > 0.005);
    }

    TEST_CASE(
        "passwords: backoff after repeated failures, during it the right password gets the same "
        "429") {
        TestServer server;
        sign_up_with_password(server, "victim@example.com", kPassword);
        for (int i = 0; i < 5; ++i)
            check_error(
                authenticate(server, "victim@example.com", "wrong-password-" + std::to_string(i)),
                401);

        const auto blocked_wrong = authenticate(server, "victim@example.com", "wrong-password-x");
        const auto blocked_right = authenticate(server, "victim@example.com", kPassword);
        const Json body = check_error(blocked_right, 429);
        CHECK(body["error"] == "CRM.EXCEPTIONS.TOOMANYREQUESTSEXCEPTION");
        CHECK(blocked_right->get_header_value("Retry-After") == "1");
        CHECK(blocked_wrong->status == 429);
        CHECK(blocked_wrong->body == blocked_right->body);
        CHECK(blocked_wrong->get_header_value("Retry-After") == "1");

        // The wait doubles with each further failure.
        server.clock().advance(1);
        check_error(authenticate(server, "victim@example.com", "wrong-password-6"), 401);
        const auto second = authenticate(server, "victim@example.com", kPassword);
        check_error(second, 429);
        CHECK(second->get_header_value("Retry-After") == "2");
        server.clock().advance(2);
        check_error(authenticate(server, "victim@example.com", "wrong-password-7"), 401);
        CHECK(authenticate(server, "victim@example.com", kPassword)
                  ->get_header_value("Retry-After") == "4");

        // Once the wait is over the right password signs in, and the count starts again.
        server.clock().advance(4);
        REQUIRE(authenticate(server, "victim@example.com", kPassword)->status == 200);
        for (int i = 0; i < 5; ++i)
            check_error(authenticate(server, "victim@example.com", "wrong-again"), 401);
        check_error(authenticate(server, "victim@example.com", "wrong-again"), 429);

        // Names nobody has back off alike, so the 429 tells nothing about who is registered.
        for (int i = 0; i < 5; ++i)
            check_error(authenticate(server, "ghost@example.com", "wrong-password"), 401);
        const auto ghost = authenticate(server, "ghost@example.com", "wrong-password");
        check_error(ghost, 429);
        CHECK(ghost->get_header_value("Retry-After") == "1");
        // Another account is not affected.
        sign_up_with_password(server, "bystander@example.com", kPassword);
        CHECK(authenticate(server, "bystander@example.com", kPassword)->status == 200);
    }

    TEST_CASE("passwords: never more than 100 failed tries an hour for one account") {
        // No delays between tries: only the hourly cap stands.
        TestServer server([](Config& c) { c.password_backoff_max = 0; });
        sign_up_with_password(server, "capped@example.com", kPassword);
        for (int i = 0; i < 100; ++i) {
            CAPTURE(i);
            REQUIRE(authenticate(server, "capped@example.com", "wrong-password-guess")->status ==
                    401);
            server.clock().advance(30);  // 100 tries over 3000 s
        }
        const auto refused = authenticate(server, "capped@example.com", kPassword);
        check_error(refused, 429);
        // The first failure leaves the hour in 3600 - 3000 = 600 s.
        CHECK(refused->get_header_value("Retry-After") == "600");
        CHECK(authenticate(server, "capped@example.com", "wrong-password-guess")->body ==
              refused->body);
        server.clock().advance(599);
        check_error(authenticate(server, "capped@example.com", kPassword), 429);
        server.clock().advance(1);
        CHECK(authenticate(server, "capped@example.com", kPassword)->status == 200);
    }

    TEST_CASE("passwords: authenticate without a password sends a code, as request-otp does") {
        TestServer server;
        sign_up_with_password(server, "coded@example.com", kPassword);
        server.clock().advance(60);  // past the resend interval of the sign-up code
        const auto by_email =
            server.post(kContacts + "/authenticate",
                        {{"provider", "EMAIL"}, {"username", "coded@example.com"}});
        REQUIRE_MESSAGE(by_email->status == 200, by_email->body);
        const Json challenge = json_of(by_email);
        CHECK(challenge.size() == 2);
        CHECK(challenge["obfuscated_value"] == "c***@e***.com");
        const auto validated =
            validate_otp(server, challenge["auth_otp"], server.last_code_for("coded@example.com"));
        REQUIRE_MESSAGE(validated->status == 200, validated->body);

        sign_up_by_phone(server, "99478233");
        server.clock().advance(60);
        const auto by_phone = server.post(
            kContacts + "/authenticate",
            {{"provider", "PHONE"}, {"phone_number", "99478233"}, {"country_code", "CYP"}});
        REQUIRE_MESSAGE(by_phone->status == 200, by_phone->body);
        CHECK(validate_otp(server, json_of(by_phone)["auth_otp"],
                           server.last_code_for("+35799478233"))
                  ->status == 200);

        // Unknown: the same shape, and nothing sent.
        const auto unknown =
            server.post(kContacts + "/authenticate", {{"username", "unknown@example.com"}});
        REQUIRE(unknown->status == 200);
        CHECK(json_of(unknown).size() == 2);
        CHECK(message_kinds_to(server, "unknown@example.com").empty());

        const Json facebook = check_error(
            server.post(kContacts + "/authenticate", {{"provider", "FACEBOOK"}, {"token", "abc"}}),
            400);
        CHECK(facebook["parameters"] == Json::array({"provider"}));
    }

    TEST_CASE(
        "passwords: a burst of sign-ins is held to the hashing gate and other endpoints still "
        "answer") {
        TestServer server([](Config& c) { c.password_hash_concurrency = 2; });
        std::atomic<int> unauthorized{0}, busy{0}, other{0};
        std::vector<std::thread> burst;
        for (int i = 0; i < 24; ++i) {
            burst.emplace_back([&, i] {
                const auto started = std::chrono::steady_clock::now();
                const auto r = authenticate(server, "burst" + std::to_string(i) + "@example.com",
                                            "wrong-password-burst");
                const double took =
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
                        .count();
                if (r && r->status == 401) {
                    ++unauthorized;
                } else if (r && r->status == 429 && r->get_header_value("Retry-After") == "1") {
                    ++busy;
                } else {
                    ++other;
                    MESSAGE("unexpected answer after "
                            << took << " s: "
                            << (r ? std::to_string(r->status) + " " + r->body
                                  : httplib::to_string(r.error())));
                }
            });
        }
        std::vector<double> health;
        for (int i = 0; i < 5; ++i) {
            health.push_back(seconds_for([&] {
                const auto r = server.get("/healthz", "", "-");
                CHECK((r && r->status == 200));
            }));
        }
        for (auto& t : burst) t.join();
        CHECK(other == 0);
        CHECK(unauthorized + busy == 24);
        CHECK(unauthorized > 0);
        CHECK(server.app().password_hasher().peak_concurrent() <= 2);
        CHECK(median(health) < 1.0);
    }

    TEST_CASE("passwords: a sign-in that meets a full hashing gate is refused and writes nothing") {
        // One hash at a time, room for 16 / 4 = 4 to wait.
        TestServer server([](Config& c) { c.password_hash_concurrency = 1; });
        sign_up_with_password(server, "gated@example.com", kPassword);
        const auto& hasher = server.app().password_hasher();
        auto held = hasher.acquire();
        // Four waiters fill the queue; each gives up after the gate's wait.
        std::vector<std::thread> waiters;
        std::atomic<int> gave_up{0};
        for (int i = 0; i < 4; ++i) {
            waiters.emplace_back([&] {
                try {
                    (void)hasher.acquire();
                } catch (const Error&) {
                    ++gave_up;
                }
            });
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const auto count_rows = [&](const char* sql) {
            SQLite::Database db(server.db_path().string(), SQLite::OPEN_READONLY);
            return db.execAndGet(sql).getInt();
        };
        const int failures_before = count_rows("SELECT count(*) FROM sign_in_failures");
        const int events_before = count_rows("SELECT count(*) FROM security_events");
        // Counting a try and uncounting it would be two transactions per refusal; the
        // dispatcher delivering the sign-up's email may take one or two meanwhile.
        const auto& store = dynamic_cast<storage::sqlite::SqliteStore&>(server.app().store());
        const auto batches_before = store.batches();
        for (int i = 0; i < 5; ++i) {
            const auto refused = authenticate(server, "gated@example.com", kPassword);
            check_error(refused, 429);
            CHECK(refused->get_header_value("Retry-After") == "1");
        }
        CHECK(store.batches() - batches_before < 5);
        CHECK(count_rows("SELECT count(*) FROM sign_in_failures") == failures_before);
        CHECK(count_rows("SELECT count(*) FROM security_events") == events_before);
        for (auto& t : waiters) t.join();
        CHECK(gave_up == 4);
    }

    TEST_CASE("passwords: no password is stored in plain text anywhere") {
        TestServer server;
        const std::string first = "first-Secret-passphrase-9";
        const std::string second = "second-Secret-passphrase-8";
        const std::string added = "third-Secret-passphrase-7";
        const std::string wrong = "wrong-Secret-passphrase-6";
        const auto pat = sign_up_with_password(server, "atrest@example.com", first);
        check_error(authenticate(server, "atrest@example.com", wrong), 401);
        check_error(authenticate(server, "nobody-at-rest@example.com", wrong), 401);
        REQUIRE(add_identity(server, pat.contact_id,
                             {{"provider", "EMAIL"},
                              {"email", "atrest@example.com"},
                              {"password", second},
                              {"current_password", first}},
                             pat.access_token)
                    ->status == 201);
        const auto other = sign_up_by_phone(server, "99478234");
        REQUIRE(add_identity(
                    server, other.contact_id,
                    {{"provider", "EMAIL"}, {"email", "added@example.com"}, {"password", added}},
                    other.access_token)
                    ->status == 201);
        CHECK(authenticate(server, "atrest@example.com", second)->status == 200);

        const std::string dump = dump_database(server.db_path().string());
        REQUIRE(dump.find("identities|") != std::string::npos);
        REQUIRE(dump.find("sign_in_failures|") != std::string::npos);
        REQUIRE(dump.find("$argon2id$v=19$m=19456,t=2,p=1$") != std::string::npos);
        for (const auto& password : {first, second, added, wrong}) {
            CAPTURE(password);
            CHECK(dump.find(password) == std::string::npos);
            CHECK(dump.find(password.substr(0, 12)) == std::string::npos);
        }
        CHECK(dump.find("Secret-passphrase") == std::string::npos);
        // The backoff keeps no sign-in name in clear either.
        CHECK(dump.find("nobody-at-rest") == std::string::npos);
    }
}

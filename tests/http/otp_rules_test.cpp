// One-time-code rules over HTTP: same answer for known and unknown destinations,
// single use, wrong codes, expiry, attempt and resend limits, and exactly one winner
// among concurrent submissions of one correct code.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd::test;

namespace {

const std::string kRequestOtp = kSelfService + "/contacts/request-otp";

Json phone_request(const std::string& number) {
    return {{"send_method", "SMS"},
            {"credentials", {{{"name", "PHONE"}, {"value", number}, {"country_code", "CYP"}}}}};
}

int count_rows(TestServer& server, const std::string& sql) {
    SQLite::Database db(server.db_path().string(), SQLite::OPEN_READONLY);
    return db.execAndGet(sql).getInt();
}

// Registers 99478230, returns its auth_otp and code.
std::pair<std::string, std::string> registered_code(TestServer& server) {
    const auto registered = register_phone(server, "99478230");
    REQUIRE(registered);
    REQUIRE_MESSAGE(registered->status == 201, registered->body);
    return {json_of(registered)["auth_otp"], server.last_code_for("+35799478230")};
}

}  // namespace

TEST_SUITE("http::otp_rules") {
    TEST_CASE(
        "otp: request-otp answers the same shape and status for a registered and an unknown "
        "destination") {
        TestServer server;
        sign_up_by_phone(server, "99478230");
        server.clock().advance(60);
        const auto known = server.post(kRequestOtp, phone_request("99478230"));
        const auto unknown = server.post(kRequestOtp, phone_request("99478231"));
        REQUIRE(known);
        REQUIRE(unknown);
        CHECK(known->status == 200);
        CHECK(unknown->status == known->status);
        const Json a = json_of(known);
        const Json b = json_of(unknown);
        std::set<std::string> keys_a, keys_b;
        for (const auto& [k, v] : a.items()) keys_a.insert(k);
        for (const auto& [k, v] : b.items()) keys_b.insert(k);
        CHECK(keys_a == keys_b);
        CHECK(keys_a == std::set<std::string>{"auth_otp", "obfuscated_value"});
        CHECK(a["auth_otp"].get<std::string>().size() == b["auth_otp"].get<std::string>().size());
        CHECK(a["obfuscated_value"] == "+357*****230");
        CHECK(b["obfuscated_value"] == "+357*****231");
        CHECK(known->get_header_value("Content-Type") == unknown->get_header_value("Content-Type"));
        // Only the real contact is sent a message.
        CHECK_THROWS(server.last_code_for("+35799478231"));
        // The unknown destination is limited like a real one: a second request is 429 too.
        const auto again_known = server.post(kRequestOtp, phone_request("99478230"));
        const auto again_unknown = server.post(kRequestOtp, phone_request("99478231"));
        check_error(again_known, 429);
        check_error(again_unknown, 429);
        CHECK(again_known->get_header_value("Retry-After") ==
              again_unknown->get_header_value("Retry-After"));
    }

    TEST_CASE("otp: the same for email, and a decoy auth_otp never signs in") {
        TestServer server;
        sign_up_by_email(server, "known@example.com");
        server.clock().advance(60);
        auto email_request = [](const std::string& email) {
            return Json{{"send_method", "EMAIL"},
                        {"credentials", {{{"name", "EMAIL"}, {"value", email}}}}};
        };
        const auto known = server.post(kRequestOtp, email_request("known@example.com"));
        const auto unknown = server.post(kRequestOtp, email_request("nobody@example.com"));
        REQUIRE(known->status == 200);
        REQUIRE(unknown->status == 200);
        CHECK(json_of(known).size() == json_of(unknown).size());
        // Guessing codes on the decoy: never 200, whatever the code.
        const std::string decoy = json_of(unknown)["auth_otp"];
        for (const char* guess : {"000000", "123456", "999999"}) {
            check_error(validate_otp(server, decoy, guess), 401);
        }
    }

    TEST_CASE("otp: a code signs in once, reusing it is 401") {
        TestServer server;
        const auto [auth_otp, code] = registered_code(server);
        REQUIRE(validate_otp(server, auth_otp, code)->status == 200);
        const Json body = check_error(validate_otp(server, auth_otp, code), 401);
        CHECK(body["error"].get<std::string>().rfind("CRM.EXCEPTIONS.", 0) == 0);
        CHECK(count_rows(server, "SELECT count(*) FROM sessions") == 1);
    }

    TEST_CASE("otp: wrong codes are 401 and the right one still works below the limit") {
        TestServer server;
        const auto [auth_otp, code] = registered_code(server);
        check_error(validate_otp(server, auth_otp, other_code(code)), 401);
        check_error(validate_otp(server, auth_otp, "12345"), 401);
        check_error(validate_otp(server, "no-such-auth-otp", code), 401);
        check_error(server.post(kSelfService + "/contacts/validate-otp",
                                {{"auth_otp", auth_otp}, {"code", "abcdef"}}),
                    401);
        CHECK(validate_otp(server, auth_otp, code)->status == 200);
    }

    TEST_CASE("otp: a missing code or auth_otp is 400 naming the field") {
        TestServer server;
        const auto [auth_otp, code] = registered_code(server);
        CHECK(check_error(
                  server.post(kSelfService + "/contacts/validate-otp", {{"auth_otp", auth_otp}}),
                  400)["parameters"] == Json::array({"code"}));
        CHECK(check_error(server.post(kSelfService + "/contacts/validate-otp", {{"code", code}}),
                          400)["parameters"] == Json::array({"auth_otp"}));
    }

    TEST_CASE("otp: a code expires after CONTACTD_OTP_TTL (300 s), by the clock") {
        TestServer server;
        SUBCASE("at 299 s it still works") {
            const auto [auth_otp, code] = registered_code(server);
            server.clock().advance(299);
            CHECK(validate_otp(server, auth_otp, code)->status == 200);
        }
        SUBCASE("at 300 s it is refused") {
            const auto [auth_otp, code] = registered_code(server);
            server.clock().advance(300);
            check_error(validate_otp(server, auth_otp, code), 401);
        }
    }

    TEST_CASE("otp: after 5 wrong tries the code is burned and even the right code fails") {
        TestServer server;
        const auto [auth_otp, code] = registered_code(server);
        for (int i = 0; i < 5; ++i) {
            CAPTURE(i);
            check_error(validate_otp(server, auth_otp, other_code(code)), 401);
        }
        check_error(validate_otp(server, auth_otp, code), 401);
        CHECK(count_rows(server, "SELECT count(*) FROM sessions") == 0);
        // The credentials form names the same (latest) code: also burned.
        check_error(server.post(kSelfService + "/contacts/validate-otp",
                                {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}},
                                 {"code", code}}),
                    401);
    }

    TEST_CASE("otp: a new code within 60 s is 429 with Retry-After, later it is allowed") {
        TestServer server;
        registered_code(server);
        server.clock().advance(15);
        const auto refused = server.post(kRequestOtp, phone_request("99478230"));
        check_error(refused, 429);
        CHECK(refused->get_header_value("Retry-After") == "45");
        server.clock().advance(44);
        CHECK(server.post(kRequestOtp, phone_request("+35799478230"))
                  ->get_header_value("Retry-After") == "1");
        server.clock().advance(1);
        const auto allowed = server.post(kRequestOtp, phone_request("99478230"));
        REQUIRE(allowed);
        CHECK(allowed->status == 200);
    }

    TEST_CASE("otp: at most 5 codes per destination per hour") {
        TestServer server;
        registered_code(server);  // code 1 at +0
        for (int i = 2; i <= 5; ++i) {
            server.clock().advance(60);
            REQUIRE(server.post(kRequestOtp, phone_request("99478230"))->status == 200);
        }
        server.clock().advance(60);  // +300
        const auto refused = server.post(kRequestOtp, phone_request("99478230"));
        check_error(refused, 429);
        CHECK(refused->get_header_value("Retry-After") == "3300");
        server.clock().advance(3300);
        CHECK(server.post(kRequestOtp, phone_request("99478230"))->status == 200);
    }

    TEST_CASE("otp: a registration refused by the resend limit writes nothing") {
        TestServer server;
        registered_code(server);
        const int contacts_before = count_rows(server, "SELECT count(*) FROM contacts");
        const auto again =
            server.post(kSelfService + "/contacts/register",
                        {{"first_name", "A"},
                         {"last_name", "B"},
                         {"identity", {{"provider", "PHONE"}, {"phone_number", "+35799478230"}}}});
        check_error(again, 429);
        CHECK(count_rows(server, "SELECT count(*) FROM contacts") == contacts_before);
        CHECK(count_rows(server, "SELECT count(*) FROM one_time_codes") == 1);
    }

    TEST_CASE("otp: 20 concurrent submissions of one correct code give exactly one session") {
        TestServer server;
        const auto issued = registered_code(server);
        const std::string auth_otp = issued.first;
        const std::string code = issued.second;
        constexpr int kThreads = 20;
        std::atomic<int> ready{0};
        std::atomic<bool> go{false};
        std::vector<int> statuses(kThreads, 0);
        std::vector<std::thread> threads;
        for (int i = 0; i < kThreads; ++i) {
            threads.emplace_back([&, i] {
                auto client = server.client();
                httplib::Headers headers{{"api_key", server.public_key()}};
                const std::string body = Json{{"auth_otp", auth_otp}, {"code", code}}.dump();
                ++ready;
                while (!go.load()) std::this_thread::yield();
                const auto result = client.Post(kSelfService + "/contacts/validate-otp", headers,
                                                body, "application/json");
                statuses[i] = result ? result->status : -1;
            });
        }
        while (ready.load() < kThreads) std::this_thread::yield();
        go = true;
        for (auto& t : threads) t.join();
        int ok = 0, unauthorized = 0;
        for (int s : statuses) {
            if (s == 200) ++ok;
            if (s == 401) ++unauthorized;
        }
        CHECK(ok == 1);
        CHECK(unauthorized == kThreads - 1);
        CHECK(count_rows(server, "SELECT count(*) FROM sessions") == 1);
        CHECK(count_rows(server, "SELECT count(*) FROM refresh_tokens") == 1);
    }
}

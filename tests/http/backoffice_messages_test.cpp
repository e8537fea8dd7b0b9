// GET /backoffice/v1/messages: delivery state for the back office, filtered and paged,
// behind the secret key, and never the text or the code.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "support/delivery_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;
using namespace contactd::test::delivery;

namespace {

const std::string kMessages = "/backoffice/v1/messages";

Json list(TestServer& server, const std::string& query, int expected_status = 200) {
    const auto result = server.get(kMessages + query, "", server.secret_key());
    REQUIRE(result);
    REQUIRE_MESSAGE(result->status == expected_status, result->body);
    return json_of(result);
}

}  // namespace

TEST_SUITE("http::backoffice_messages") {
    TEST_CASE("messages: listed newest first with their delivery state, never their text") {
        TestServer server;
        const auto phone = register_phone(server, "99478230");
        server.clock().advance(1);
        const auto email = register_email(server, "andy@example.org");
        const std::string sms_code = server.last_code_for("+35799478230");
        const std::string email_code = server.last_code_for("andy@example.org");

        const auto result = server.get(kMessages, "", server.secret_key());
        REQUIRE(result);
        REQUIRE_MESSAGE(result->status == 200, result->body);
        CHECK(result->get_header_value("Cache-Control") == "no-store");
        CHECK(result->body.find(sms_code) == std::string::npos);
        CHECK(result->body.find(email_code) == std::string::npos);
        CHECK(result->body.find("sign-up code") == std::string::npos);  // no subject, no text

        const Json body = json_of(result);
        CHECK(body["paging"] ==
              Json({{"page", 1}, {"size", 20}, {"total", 2}, {"has_more", false}}));
        REQUIRE(body["content"].size() == 2);
        const Json& newest = body["content"][0];
        const Json& oldest = body["content"][1];
        std::set<std::string> keys;
        for (const auto& [key, value] : newest.items()) keys.insert(key);
        CHECK(keys == std::set<std::string>{"id", "channel", "recipient", "kind", "contact_id",
                                            "status", "attempts", "last_error", "created_at",
                                            "sent_at"});
        CHECK(newest["channel"] == "EMAIL");
        CHECK(newest["recipient"] == "andy@example.org");
        CHECK(newest["contact_id"] == email["id"]);
        CHECK(newest["kind"] == "SIGN_UP_CODE");
        CHECK(newest["status"] == "DEVELOPMENT");
        CHECK(newest["attempts"] == 1);
        CHECK(newest["last_error"].is_null());
        CHECK(newest["created_at"] == 1'700'000'001);
        CHECK(newest["sent_at"] == 1'700'000'001);
        CHECK(oldest["channel"] == "SMS");
        CHECK(oldest["recipient"] == "+35799478230");
        CHECK(oldest["contact_id"] == phone["id"]);
    }

    TEST_CASE("messages: filters by contact and status, and pages") {
        TestServer server;
        const auto phone = register_phone(server, "99478230");
        register_email(server, "andy@example.org");
        register_email(server, "bea@example.org");
        server.app().dispatcher().run_once();

        auto page = list(server, "?contact_id=" + phone["id"].get<std::string>());
        REQUIRE(page["content"].size() == 1);
        CHECK(page["content"][0]["recipient"] == "+35799478230");
        CHECK(page["paging"]["total"] == 1);

        CHECK(list(server, "?status=DEVELOPMENT")["paging"]["total"] == 3);
        CHECK(list(server, "?status=SENT")["content"].empty());
        CHECK(list(server, "?contact_id=nobody")["paging"]["total"] == 0);

        std::set<std::string> seen;
        for (int n = 1; n <= 3; ++n) {
            page = list(server, "?size=1&page=" + std::to_string(n));
            REQUIRE(page["content"].size() == 1);
            CHECK(page["paging"] ==
                  Json({{"page", n}, {"size", 1}, {"total", 3}, {"has_more", n < 3}}));
            seen.insert(page["content"][0]["id"].get<std::string>());
        }
        CHECK(seen.size() == 3);
        CHECK(list(server, "?size=1&page=4")["content"].empty());
    }

    TEST_CASE("messages: an abandoned message shows why, and attempts are counted") {
        TestServer server([](Config& c) { c.sms_webhook_url = "http://127.0.0.1:1/unused"; });
        register_email(server, "andy@example.org");  // no email channel while SMS has one
        server.app().dispatcher().run_once();
        const auto page = list(server, "?status=ABANDONED");
        REQUIRE(page["content"].size() == 1);
        CHECK(page["content"][0]["last_error"] == "no EMAIL channel is configured");
        CHECK(page["content"][0]["attempts"] == 1);
        CHECK(page["content"][0]["sent_at"].is_null());
    }

    TEST_CASE("messages: the secret key only, and bad filters are 400") {
        TestServer server;
        auto result = server.get(kMessages);  // public key
        REQUIRE(result);
        CHECK(result->status == 403);
        result = server.get(kMessages, "", "-");
        REQUIRE(result);
        CHECK(result->status == 401);
        for (const std::string query :
             {"?status=LOST", "?size=101", "?size=0", "?page=0", "?page=x", "?size=1.5"}) {
            CAPTURE(query);
            const auto error = list(server, query, 400);
            CHECK(error["error"].get<std::string>().starts_with("CRM.EXCEPTIONS."));
        }
    }
}

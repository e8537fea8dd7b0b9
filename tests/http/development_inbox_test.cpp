// Development delivery and channel choice: with no provider, messages are kept for the
// portal's development inbox (with their text); with any provider, there is no inbox and
// a kind without a channel is abandoned. Templates can be overridden from a folder.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/delivery_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;
using namespace contactd::test::delivery;

TEST_SUITE("http::development_inbox") {
    TEST_CASE("inbox: without providers, codes are shown in the development inbox and work") {
        TestServer server;
        const auto phone = register_phone(server, "99478230");
        const auto email = register_email(server, "andy@example.org");
        server.app().dispatcher().run_once();

        const auto config = server.get("/portal/config.json", "", "-");
        REQUIRE(config);
        CHECK(json_of(config)["development"] == true);
        const auto inbox = server.get("/portal/dev/messages", "", "-");
        REQUIRE(inbox);
        REQUIRE(inbox->status == 200);
        const Json content = json_of(inbox)["content"];
        REQUIRE(content.size() == 2);
        CHECK(content[0]["channel"] == "EMAIL");  // newest first
        CHECK(content[0]["subject"] == "Your sign-up code");
        CHECK(content[1]["channel"] == "SMS");
        CHECK(content[1]["subject"].is_null());
        const std::string sms_code = code_in(content[1]["body"]);
        const std::string email_code = code_in(content[0]["body"]);
        CHECK(content[1]["body"] ==
              "Your sign-up code is " + sms_code + ". It expires in 5 minutes. Do not share it.");
        CHECK(content[0]["body"].get<std::string>().starts_with(
            "Hello Andy,\n\nYour sign-up code is:"));
        CHECK(validate_status(server, phone["auth_otp"], sms_code) == 200);
        CHECK(validate_status(server, email["auth_otp"], email_code) == 200);
        for (const auto& message : outbox(server)) {
            CHECK(message.status == "DEVELOPMENT");
            CHECK(message.body);  // kept: that is the point of the inbox
            CHECK(attempts_of(server, message.id).at(0).outcome == "KEPT");
        }
    }

    TEST_CASE("inbox: with a provider there is no inbox, and email without SMTP is abandoned") {
        TestServer server([](Config& c) { c.sms_webhook_url = "http://127.0.0.1:1/unused"; });
        const auto email = register_email(server, "andy@example.org");
        server.app().dispatcher().run_once();

        const auto inbox = server.get("/portal/dev/messages", "", "-");
        REQUIRE(inbox);
        CHECK(inbox->status == 404);
        CHECK(json_of(server.get("/portal/config.json", "", "-"))["development"] == false);
        const auto message = only_message(server);
        CHECK(message.status == "ABANDONED");
        CHECK(message.last_error == "no EMAIL channel is configured");
        CHECK_FALSE(message.body);
        const auto otp = server.app().store().read(
            [&](storage::Repositories& repos) { return repos.otps().find(*message.otp_id); });
        REQUIRE(otp);
        CHECK(otp->cancelled);
    }

    TEST_CASE("templates: CONTACTD_TEMPLATES_DIR overrides a file, a broken one stops the start") {
        TempDir dir;
        std::filesystem::create_directories(dir.path() / "en");
        std::ofstream(dir.path() / "en" / "sign_up_code.sms.txt") << "ACME sign-up: {{code}}\n";
        {
            TestServer server([&](Config& c) { c.templates_dir = dir.path().string(); });
            register_phone(server, "99478230");
            server.app().dispatcher().run_once();
            const auto message = only_message(server);
            REQUIRE(message.body);
            CHECK(*message.body == "ACME sign-up: " + code_in(*message.body));
        }
        std::ofstream(dir.path() / "en" / "sign_in_code.sms.txt")
            << "Sign in now\n";  // no {{code}}
        CHECK_THROWS_WITH_AS(TestServer([&](Config& c) { c.templates_dir = dir.path().string(); }),
                             doctest::Contains("sign_in_code.sms.txt must contain {{code}}"),
                             std::invalid_argument);
    }

    TEST_CASE("channels: incomplete provider settings stop the start") {
        CHECK_THROWS_WITH_AS(TestServer([](Config& c) { c.smtp_url = "smtp://127.0.0.1:2525"; }),
                             doctest::Contains("CONTACTD_SMTP_FROM"), std::invalid_argument);
        CHECK_THROWS_WITH_AS(TestServer([](Config& c) {
                                 c.smtp_url = "http://127.0.0.1:2525";
                                 c.smtp_from = "a@example.com";
                             }),
                             doctest::Contains("smtp://"), std::invalid_argument);
        CHECK_THROWS_WITH_AS(TestServer([](Config& c) {
                                 c.smtp_url = "smtp://127.0.0.1:2525";
                                 c.smtp_from = "not an address";
                             }),
                             doctest::Contains("CONTACTD_SMTP_FROM"), std::invalid_argument);
        CHECK_THROWS_WITH_AS(TestServer([](Config& c) { c.twilio_account_sid = "AC1"; }),
                             doctest::Contains("CONTACTD_TWILIO_AUTH_TOKEN"),
                             std::invalid_argument);
    }
}

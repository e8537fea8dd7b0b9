// Email delivery against a real SMTP server (Debian's python3-aiosmtpd, started by the
// test): the message a mail reader gets, its headers and both parts, a Greek subject,
// retries while the server is down, permanent refusals, and authentication.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "support/delivery_helpers.h"
#include "support/smtp_sink.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;
using namespace contactd::test::delivery;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;  // TestServer's clock starts here
const std::string kFrom = "Contactd Café <no-reply@contactd.test>";

std::function<void(Config&)> smtp_config(const std::string& url) {
    return [url](Config& c) {
        c.smtp_url = url;
        c.smtp_from = kFrom;
    };
}

std::string header_of(const std::string& raw, const std::string& name) {
    std::smatch match;
    if (std::regex_search(raw, match,
                          std::regex("(^|\r\n)" + name + ": ([^\r]*(\r\n [^\r]*)*)\r\n"))) {
        return match[2].str();
    }
    return {};
}

}  // namespace

TEST_SUITE("http::delivery_smtp") {
    TEST_CASE("smtp: a sign-up code arrives as a proper MIME message and the code in it works") {
        SmtpSink sink;
        TestServer server(smtp_config(sink.url()));
        const auto challenge = register_email(server, "andy@example.org");
        server.app().dispatcher().run_once();

        const auto mails = sink.wait_for(1);
        REQUIRE(mails.size() == 1);
        const auto& info = mails[0].info;
        const auto& raw = mails[0].raw;
        INFO(raw);
        CHECK(info["mail_from"] == "no-reply@contactd.test");
        CHECK(info["rcpt_tos"] == Json::array({"andy@example.org"}));
        CHECK(info["defects"].empty());
        CHECK(info["mime_version"] == "1.0");
        CHECK(info["content_type"] == "multipart/alternative");
        CHECK(info["subject"] == "Your sign-up code");
        CHECK(info["from_display_name"] == "Contactd Café");
        CHECK(info["to"].get<std::string>().find("andy@example.org") != std::string::npos);

        // Headers as written: a non-ASCII display name is an RFC 2047 word; Date and
        // Message-ID in their RFC 5322 forms.
        CHECK(header_of(raw, "From").starts_with("=?UTF-8?B?"));
        CHECK(header_of(raw, "From").ends_with(" <no-reply@contactd.test>"));
        CHECK(std::regex_match(
            header_of(raw, "Date"),
            std::regex(
                R"((Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000)")));
        CHECK(std::regex_match(header_of(raw, "Message-ID"),
                               std::regex("<[0-9a-f]{32}@contactd\\.test>")));
        CHECK(header_of(raw, "MIME-Version") == "1.0");

        REQUIRE(info["parts"].size() == 2);
        const auto& text = info["parts"][0];
        const auto& html = info["parts"][1];
        CHECK(text["content_type"] == "text/plain");
        CHECK(text["charset"] == "utf-8");
        CHECK(text["cte"] == "quoted-printable");
        CHECK(html["content_type"] == "text/html");
        CHECK(html["charset"] == "utf-8");
        CHECK(html["cte"] == "quoted-printable");
        const std::string code = code_in(text["text"]);
        REQUIRE(code.size() == 6);
        CHECK(text["text"].get<std::string>().find("Hello Andy,") != std::string::npos);
        CHECK(html["text"].get<std::string>().find(">" + code + "<") != std::string::npos);

        CHECK(validate_status(server, challenge["auth_otp"], code) == 200);
        const auto message = only_message(server);
        CHECK(message.status == "SENT");
        CHECK(message.attempts == 1);
        CHECK_FALSE(message.body);  // the text held the code: erased once sent
        CHECK_FALSE(message.html_body);
        const auto attempts = attempts_of(server, message.id);
        REQUIRE(attempts.size() == 1);
        CHECK(attempts[0].outcome == "DELIVERED");
        CHECK(attempts[0].detail.value_or("").starts_with("SMTP 250"));
    }

    TEST_CASE("smtp: a Greek contact gets Greek text and an RFC 2047 subject") {
        SmtpSink sink;
        TestServer server(smtp_config(sink.url()));
        const auto signed_up = register_email(server, "eleni@example.org", "Ελένη");
        server.app().dispatcher().run_once();
        REQUIRE(sink.wait_for(1).size() == 1);
        server.app().store().write([&](storage::Repositories& repos) {
            auto contact = repos.contacts().find(signed_up["id"]);
            REQUIRE(contact);
            contact->language_code = "el-CY";
            repos.contacts().update(*contact);
        });

        server.clock().advance(61);  // past the resend interval
        const auto requested =
            server.post(kContacts + "/request-otp",
                        {{"send_method", "EMAIL"},
                         {"credentials", {{{"name", "EMAIL"}, {"value", "eleni@example.org"}}}}});
        REQUIRE(requested);
        REQUIRE_MESSAGE(requested->status == 200, requested->body);
        server.app().dispatcher().run_once();

        const auto mails = sink.wait_for(2);
        REQUIRE(mails.size() == 2);
        const auto& raw = mails[1].raw;
        const auto& info = mails[1].info;
        INFO(raw);
        CHECK(header_of(raw, "Subject").starts_with("=?UTF-8?B?"));
        CHECK(info["subject"] == "Ο κωδικός σύνδεσής σας");
        CHECK(info["defects"].empty());
        const std::string text = info["parts"][0]["text"];
        const std::string html = info["parts"][1]["text"];
        CHECK(text.find("Γεια σας Ελένη,") != std::string::npos);
        CHECK(text.find("Ο κωδικός σύνδεσής σας είναι:") != std::string::npos);
        CHECK(html.find("<html lang=\"el\">") != std::string::npos);
        const std::string code = code_in(text);
        REQUIRE(code.size() == 6);
        CHECK(html.find(code) != std::string::npos);
        CHECK(validate_status(server, json_of(requested)["auth_otp"], code) == 200);
    }

    TEST_CASE("smtp: retried while the server is down, delivered once it is up") {
        SmtpSink sink;
        sink.stop();
        TestServer server(smtp_config(sink.url()));
        const auto challenge = register_email(server, "andy@example.org");
        server.app().dispatcher().run_once();

        auto message = only_message(server);
        CHECK(message.status == "PENDING");
        CHECK(message.attempts == 1);
        REQUIRE(message.last_error);
        CHECK(message.last_error->starts_with("SMTP"));
        CHECK(message.body);  // kept for the next attempt
        CHECK(message.next_attempt_at > kStart);
        CHECK(message.next_attempt_at <= kStart + 2);      // base delay 2 s, jittered
        CHECK(server.app().dispatcher().run_once() == 0);  // not due yet

        sink.start();
        server.clock().advance(2);
        server.app().dispatcher().run_once();
        const auto mails = sink.wait_for(1);
        REQUIRE(mails.size() == 1);
        const std::string code = code_in(mails[0].info["parts"][0]["text"]);
        CHECK(validate_status(server, challenge["auth_otp"], code) == 200);

        message = only_message(server);
        CHECK(message.status == "SENT");
        CHECK(message.attempts == 2);
        const auto attempts = attempts_of(server, message.id);
        REQUIRE(attempts.size() == 2);
        CHECK(attempts[0].outcome == "RETRY");
        CHECK(attempts[0].at == kStart);
        CHECK(attempts[1].outcome == "DELIVERED");
        CHECK(attempts[1].at == kStart + 2);
    }

    TEST_CASE("smtp: 550 abandons the message and cancels its code, 451 is retried") {
        SmtpSink sink;
        TestServer server(smtp_config(sink.url()));
        register_email(server, "reject-me@example.org");
        register_email(server, "later@example.org");
        server.app().dispatcher().run_once();
        CHECK(sink.messages().empty());

        for (const auto& message : outbox(server)) {
            CAPTURE(message.recipient);
            REQUIRE(message.last_error);
            CHECK(message.attempts == 1);
            if (message.recipient == "reject-me@example.org") {
                CHECK(message.status == "ABANDONED");
                CHECK(message.last_error->find("550") != std::string::npos);
                CHECK_FALSE(message.body);
                const auto otp = server.app().store().read([&](storage::Repositories& repos) {
                    return repos.otps().find(*message.otp_id);
                });
                REQUIRE(otp);
                CHECK(otp->cancelled);
                CHECK(attempts_of(server, message.id).at(0).outcome == "FAILED");
            } else {
                CHECK(message.status == "PENDING");
                CHECK(message.last_error->find("451") != std::string::npos);
                CHECK(message.body);
                CHECK(attempts_of(server, message.id).at(0).outcome == "RETRY");
            }
        }
    }

    TEST_CASE("smtp: authenticates with the configured credentials, or the URL's") {
        SmtpSink sink(SmtpSink::Options{0, "mailer", "s3cret pass"});
        SUBCASE("CONTACTD_SMTP_USERNAME and CONTACTD_SMTP_PASSWORD") {
            TestServer server([&](Config& c) {
                smtp_config(sink.url())(c);
                c.smtp_username = "mailer";
                c.smtp_password = "s3cret pass";
            });
            register_email(server, "andy@example.org");
            server.app().dispatcher().run_once();
            const auto mails = sink.wait_for(1);
            REQUIRE(mails.size() == 1);
            CHECK(mails[0].info["login"] == "mailer");
            CHECK(mails[0].info["password"] == "s3cret pass");
            CHECK(only_message(server).status == "SENT");
        }
        SUBCASE("userinfo in CONTACTD_SMTP_URL") {
            TestServer server(smtp_config("smtp://mailer:s3cret%20pass@127.0.0.1:" +
                                          std::to_string(sink.port())));
            register_email(server, "andy@example.org");
            server.app().dispatcher().run_once();
            const auto mails = sink.wait_for(1);
            REQUIRE(mails.size() == 1);
            CHECK(mails[0].info["login"] == "mailer");
            CHECK(only_message(server).status == "SENT");
        }
        SUBCASE("a refused password is retried, not a reason to drop the message") {
            TestServer server([&](Config& c) {
                smtp_config(sink.url())(c);
                c.smtp_username = "mailer";
                c.smtp_password = "wrong";
            });
            register_email(server, "andy@example.org");
            server.app().dispatcher().run_once();
            CHECK(sink.messages().empty());
            const auto message = only_message(server);
            CHECK(message.status == "PENDING");
            REQUIRE(message.last_error);
            CHECK(message.last_error->find("535") != std::string::npos);
            CHECK(message.last_error->find("wrong") == std::string::npos);
        }
    }
}

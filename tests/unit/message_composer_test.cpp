#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "domain/message_composer.h"
#include "domain/message_templates.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::domain;

namespace {

const std::map<std::string, std::string> kCodeValues = {
    {"code", "493817"}, {"minutes", "5"}, {"first_name", "Andy"}};

void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

}  // namespace

TEST_SUITE("domain::message_composer") {
    TEST_CASE(
        "render_template fills values, keeps sections only for non-empty values, escapes HTML") {
        const std::string text = "{{#first_name}}Hi {{first_name}}, {{/first_name}}code {{ code }}";
        CHECK(render_template(text, {{"first_name", "Andy"}, {"code", "1"}}, false) ==
              "Hi Andy, code 1");
        CHECK(render_template(text, {{"first_name", ""}, {"code", "1"}}, false) == "code 1");
        CHECK(render_template("<b>{{first_name}}</b>", {{"first_name", "<i>&\"'"}}, true) ==
              "<b>&lt;i&gt;&amp;&quot;&#39;</b>");
        // A value is never read as a template.
        CHECK(render_template("{{first_name}} {{code}}",
                              {{"first_name", "{{code}}"}, {"code", "1"}}, false) == "{{code}} 1");
    }

    TEST_CASE("the link emails carry the link and the token, in English and Greek") {
        const MessageComposer composer;
        const std::map<std::string, std::string> values = {
            {"link", "https://accounts.example.com/reset-password?token=T0KEN_abc-123"},
            {"token", "T0KEN_abc-123"},
            {"minutes", "30"},
            {"first_name", "Andy"}};
        for (const auto kind : {MessageKind::PasswordReset, MessageKind::VerifyEmail}) {
            for (const std::string language : {"en", "el"}) {
                CAPTURE(to_string(kind));
                CAPTURE(language);
                const auto mail = composer.compose(kind, "EMAIL", language, values);
                REQUIRE(mail.subject);
                REQUIRE(mail.html_body);
                CHECK(mail.subject->find("T0KEN") == std::string::npos);
                for (const auto& part : {mail.body, *mail.html_body}) {
                    CHECK(part.find("{{") == std::string::npos);
                    CHECK(part.find(values.at("link")) != std::string::npos);
                    CHECK(part.find("Andy") != std::string::npos);
                    CHECK(part.find("30") != std::string::npos);
                }
                // The reset email also gives the token itself, for apps.
                CHECK((mail.body.find("    T0KEN_abc-123") != std::string::npos) ==
                      (kind == MessageKind::PasswordReset));
                CHECK(mail.html_body->find("<html lang=\"" + language + "\">") !=
                      std::string::npos);
            }
        }
        CHECK(*composer.compose(MessageKind::PasswordReset, "EMAIL", "el", values).subject !=
              *composer.compose(MessageKind::PasswordReset, "EMAIL", "en", values).subject);
    }

    TEST_CASE("the sign-up email carries the verification link only when one is given") {
        const MessageComposer composer;
        auto values = kCodeValues;
        values["link"] = "https://accounts.example.com/verify-email?token=abc";
        for (const std::string language : {"en", "el"}) {
            CAPTURE(language);
            const auto with = composer.compose(MessageKind::SignUpCode, "EMAIL", language, values);
            CHECK(with.body.find(values["link"]) != std::string::npos);
            CHECK(with.body.find("493817") != std::string::npos);
            CHECK(with.html_body->find("href=\"" + values["link"] + "\"") != std::string::npos);
            const auto without =
                composer.compose(MessageKind::SignUpCode, "EMAIL", language, kCodeValues);
            CHECK(without.body.find("token") == std::string::npos);
            CHECK(without.html_body->find("href") == std::string::npos);
        }
    }

    TEST_CASE("check_template names unknown placeholders and unbalanced sections") {
        const std::set<std::string> allowed{"code", "first_name"};
        CHECK_FALSE(check_template("{{#first_name}}x{{/first_name}} {{code}}", allowed));
        CHECK(check_template("{{pin}}", allowed).value().find("pin") != std::string::npos);
        CHECK(check_template("{{#first_name}}open", allowed));
        CHECK(check_template("{{/first_name}}", allowed));
        CHECK(check_template("{{code", allowed));
    }

    TEST_CASE("every embedded template renders completely, in every language, with the code") {
        const MessageComposer composer;
        for (const auto kind :
             {MessageKind::SignUpCode, MessageKind::SignInCode, MessageKind::VerifyIdentityCode,
              MessageKind::PasswordSet, MessageKind::IdentityAdded}) {
            const bool code = kind == MessageKind::SignUpCode || kind == MessageKind::SignInCode ||
                              kind == MessageKind::VerifyIdentityCode;
            for (const std::string language : {"en", "el"}) {
                CAPTURE(to_string(kind));
                CAPTURE(language);
                const auto sms = composer.compose(kind, "SMS", language, kCodeValues);
                CHECK_FALSE(sms.subject);
                CHECK_FALSE(sms.html_body);
                CHECK(sms.body.find("{{") == std::string::npos);
                CHECK((sms.body.find("493817") != std::string::npos) == code);
                const auto mail = composer.compose(kind, "EMAIL", language, kCodeValues);
                REQUIRE(mail.subject);
                REQUIRE(mail.html_body);
                CHECK(mail.subject->find('\n') == std::string::npos);
                CHECK_FALSE(mail.subject->empty());
                CHECK(mail.subject->find("493817") ==
                      std::string::npos);  // no code on lock screens
                for (const auto& part : {mail.body, *mail.html_body}) {
                    CHECK(part.find("{{") == std::string::npos);
                    CHECK((part.find("493817") != std::string::npos) == code);
                    CHECK(part.find("Andy") != std::string::npos);
                }
                CHECK(mail.html_body->find("<html lang=\"" + language + "\">") !=
                      std::string::npos);
            }
        }
    }

    TEST_CASE("the contact's language picks the templates, with English as the fallback") {
        const MessageComposer composer;
        const auto greek = composer.compose(MessageKind::SignInCode, "EMAIL", "el-CY", kCodeValues);
        CHECK(*greek.subject == "Ο κωδικός σύνδεσής σας");
        CHECK(greek.body.find("Γεια σας Andy,") != std::string::npos);
        CHECK(composer.compose(MessageKind::SignInCode, "EMAIL", "EL", kCodeValues).subject ==
              greek.subject);
        for (const auto& language :
             {std::optional<std::string>("fr"), std::optional<std::string>("../../etc"),
              std::optional<std::string>(), std::optional<std::string>("")}) {
            CHECK(*composer.compose(MessageKind::SignInCode, "EMAIL", language, kCodeValues)
                       .subject == "Your sign-in code");
        }
    }

    TEST_CASE("values are HTML-escaped in the HTML part only, and the greeting needs a name") {
        const MessageComposer composer;
        auto values = kCodeValues;
        values["first_name"] = "<script>alert(1)</script>";
        const auto mail = composer.compose(MessageKind::SignUpCode, "EMAIL", "en", values);
        CHECK(mail.html_body->find("<script>") == std::string::npos);
        CHECK(mail.html_body->find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
        CHECK(mail.body.find("Hello <script>alert(1)</script>,") != std::string::npos);
        values["first_name"] = "";
        const auto nameless = composer.compose(MessageKind::SignUpCode, "EMAIL", "en", values);
        CHECK(nameless.body.find("Hello") == std::string::npos);
        CHECK(nameless.body.starts_with("Your sign-up code is:"));
        CHECK(nameless.html_body->find("Hello") == std::string::npos);
    }

    TEST_CASE("an override folder replaces single files, the rest stays embedded") {
        test::TempDir dir;
        write(dir.path() / "en" / "sign_in_code.sms.txt", "ACME: {{code}} ({{minutes}} min)\n");
        write(dir.path() / "fr" / "sign_in_code.sms.txt", "Votre code : {{code}}\n");
        write(dir.path() / "fr" / "sign_in_code.subject.txt", "Votre code de connexion\n");
        write(dir.path() / "README.md", "operator notes are ignored");
        const MessageComposer composer(dir.path().string());
        CHECK(composer.compose(MessageKind::SignInCode, "SMS", "en", kCodeValues).body ==
              "ACME: 493817 (5 min)");
        CHECK(composer.compose(MessageKind::SignInCode, "SMS", std::nullopt, kCodeValues).body ==
              "ACME: 493817 (5 min)");
        CHECK(composer.compose(MessageKind::SignInCode, "SMS", "fr-FR", kCodeValues).body ==
              "Votre code : 493817");
        const auto french_mail =
            composer.compose(MessageKind::SignInCode, "EMAIL", "fr", kCodeValues);
        CHECK(*french_mail.subject == "Votre code de connexion");
        CHECK(french_mail.body.find("Your sign-in code is:") !=
              std::string::npos);  // English text part
        // Greek is untouched by the English override.
        CHECK(composer.compose(MessageKind::SignInCode, "SMS", "el", kCodeValues)
                  .body.starts_with("Ο κωδικός"));
        CHECK(composer.compose(MessageKind::SignUpCode, "SMS", "en", kCodeValues)
                  .body.starts_with("Your sign-up"));
    }

    TEST_CASE("a broken override stops the start, naming the file") {
        auto refused = [](const std::string& relative, const std::string& text,
                          const std::string& expected) {
            test::TempDir dir;
            write(dir.path() / relative, text);
            try {
                const MessageComposer composer(dir.path().string());
                FAIL("accepted " << relative);
            } catch (const std::invalid_argument& e) {
                CAPTURE(e.what());
                CHECK(std::string(e.what()).find(expected) != std::string::npos);
            }
        };
        refused("en/sign_in_code.sms.txt", "Welcome!", "must contain {{code}}");
        refused("en/sign_in_code.html", "<p>{{pin}}</p>", "unknown placeholder {{pin}}");
        refused("en/password_set.txt", "Your code {{code}}", "unknown placeholder {{code}}");
        refused("en/sign_in_code.sms", "{{code}}", "unknown template file");
        refused("EN/sign_in_code.sms.txt", "{{code}}", "not a language code");
        refused("en/sign_in_code.txt", "{{code}} \xff\xfe", "not valid UTF-8");
        refused("en/sign_up_code.txt", "{{#first_name}}{{code}}", "is not closed");
        CHECK_THROWS_AS(
            MessageComposer(std::optional<std::string>("/nonexistent/contactd-templates")),
            std::invalid_argument);
    }
}

// Password reset, password change and email verification by link (issue 9, the
// contract's "Account lifecycle"), through the real server and a real client: the links
// are read from the emails a real SMTP server (tests/support/smtp_sink) received, or from
// the development outbox where no channel is configured.
#include <doctest/doctest.h>

#include <regex>
#include <string>

#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/smtp_sink.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";
const std::string kPublicUrl = "https://accounts.example.test";
const std::string kPassword = "purple-otter-42-climbs";
const std::string kNewPassword = "seven-quiet-herons-fly";
const std::string kOtherPassword = "amber-lantern-9-drifts";

std::function<void(Config&)> smtp_config(const SmtpSink& sink) {
    return [url = sink.url()](Config& c) {
        c.smtp_url = url;
        c.smtp_from = "contactd <no-reply@contactd.test>";
        c.public_url = kPublicUrl;
    };
}

void development_config(Config& c) {
    c.public_url = kPublicUrl;
}

// The text part of a received email.
std::string text_of(const ReceivedMail& mail) {
    for (const auto& part : mail.info["parts"]) {
        if (part["content_type"] == "text/plain") return part["text"].get<std::string>();
    }
    return {};
}
std::string html_of(const ReceivedMail& mail) {
    for (const auto& part : mail.info["parts"]) {
        if (part["content_type"] == "text/html") return part["text"].get<std::string>();
    }
    return {};
}

// The token of the first `{kPublicUrl}{page}?token=…` link in `text`; empty when none.
std::string token_in(const std::string& text, const std::string& page) {
    std::smatch match;
    const std::regex link(std::regex_replace(kPublicUrl, std::regex("\\."), "\\.") + page +
                          "\\?token=([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])");
    if (std::regex_search(text, match, link)) return match[1].str();
    return {};
}

// Waits for `count` emails in all and returns the last one, which must go to `to`.
ReceivedMail nth_mail(TestServer& server, SmtpSink& sink, std::size_t count,
                      const std::string& to) {
    server.app().dispatcher().run_once();
    const auto mails = sink.wait_for(count);
    REQUIRE(mails.size() >= count);
    const auto& mail = mails[count - 1];
    CHECK(mail.info["rcpt_tos"] == Json::array({to}));
    return mail;
}

// The newest development-outbox text to `recipient` of `kind`.
std::string outbox_text(TestServer& server, const std::string& recipient, const std::string& kind) {
    server.app().dispatcher().run_once();
    const auto messages = server.app().store().read(
        [](storage::Repositories& repos) { return repos.outbox().list_development(100); });
    for (const auto& m : messages) {
        if (m.recipient == recipient && m.kind == kind && m.body) return *m.body;
    }
    return {};
}

httplib::Result forgot(TestServer& server, const std::string& email) {
    return server.post(kContacts + "/forgot_password", {{"username", email}});
}
httplib::Result reset(TestServer& server, const std::string& token, const std::string& password) {
    return server.post(kContacts + "/change_password", {{"token", token}, {"password", password}});
}
httplib::Result request_verification(TestServer& server, const std::string& email) {
    return server.post(kContacts + "/request_email_verification", {{"email_address", email}});
}
httplib::Result verify(TestServer& server, const std::string& token) {
    return server.get(kContacts + "/verify_email?token=" + token);
}
httplib::Result change(TestServer& server, const SignedInContact& who, const Json& body) {
    return server.post(kContacts + "/" + who.contact_id + "/change_password", body,
                       who.access_token);
}

int status_of(const httplib::Result& result) {
    REQUIRE(result);
    return result->status;
}

// The security events of `type` for `contact_id`, newest first.
Json events_of(TestServer& server, const std::string& type, const std::string& contact_id = "") {
    std::string path = "/backoffice/v1/security_events?type=" + type;
    if (!contact_id.empty()) path += "&contact_id=" + contact_id;
    return json_of(server.get(path, "", server.secret_key()))["content"];
}

// Status, body and the headers that could tell two answers apart.
struct Answer {
    int status = 0;
    std::string body;
    std::string content_type;
    std::string retry_after;
    bool operator==(const Answer&) const = default;
};
Answer answer_of(const httplib::Result& result) {
    REQUIRE(result);
    return {result->status, result->body, result->get_header_value("Content-Type"),
            result->get_header_value("Retry-After")};
}

}  // namespace

TEST_SUITE("http::account_recovery") {
    TEST_CASE("reset: the link in the email sets a new password, verifies and ends every session") {
        SmtpSink sink;
        TestServer server(smtp_config(sink));
        const auto andy = sign_up_with_password(server, "andy@example.org", kPassword);
        const auto signup = nth_mail(server, sink, 1, "andy@example.org");
        const auto other_session = json_of(authenticate(server, "andy@example.org", kPassword));

        const auto asked = forgot(server, "  Andy@Example.org ");
        REQUIRE(asked);
        CHECK(asked->status == 204);
        CHECK(asked->body.empty());
        const auto mail = nth_mail(server, sink, 2, "andy@example.org");
        CHECK(mail.info["subject"] == "Reset your password");
        const auto text = text_of(mail);
        INFO(text);
        const auto token = token_in(text, "/reset-password");
        REQUIRE(token.size() == 43);
        CHECK(token_in(html_of(mail), "/reset-password") == token);
        CHECK(text.find("    " + token) != std::string::npos);  // the token itself too
        CHECK(text.find("30 minutes") != std::string::npos);
        const auto requested = events_of(server, "PASSWORD_RESET_REQUESTED", andy.contact_id);
        REQUIRE(requested.size() == 1);
        CHECK(requested[0]["detail"]["matched"] == true);
        CHECK(requested[0].dump().find(token) == std::string::npos);

        const auto done = reset(server, token, kNewPassword);
        REQUIRE(done);
        CHECK_MESSAGE(done->status == 204, done->body);
        // Every session ended, the one of the sign-up and the other sign-in alike.
        check_error(server.get(kContacts + "/me", andy.access_token), 401);
        check_error(server.get(kContacts + "/me", other_session["access_token"].get<std::string>()),
                    401);
        check_error(server.post(kContacts + "/refresh", {{"refresh_token", andy.refresh_token}}),
                    401);
        check_error(authenticate(server, "andy@example.org", kPassword), 401);
        const auto signed_in = authenticate(server, "andy@example.org", kNewPassword);
        REQUIRE(status_of(signed_in) == 200);
        const auto me = json_of(
            server.get(kContacts + "/me", json_of(signed_in)["access_token"].get<std::string>()));
        CHECK(me["identities"][0]["is_verified"] == true);  // the email proved it
        CHECK(events_of(server, "PASSWORD_CHANGED", andy.contact_id).size() == 1);
        // A notice that the password was set.
        CHECK(nth_mail(server, sink, 3, "andy@example.org").info["subject"] ==
              "Your password was set");
        // The link works once.
        check_error(reset(server, token, kOtherPassword), 401);
        CHECK(status_of(authenticate(server, "andy@example.org", kNewPassword)) == 200);
        (void)signup;
    }

    TEST_CASE("reset: a spent, an expired, a replaced and a made-up token are 401") {
        TestServer server(development_config);
        sign_up_with_password(server, "bea@example.org", kPassword);
        const auto token_of_forgot = [&] {
            REQUIRE(status_of(forgot(server, "bea@example.org")) == 204);
            const auto token = token_in(outbox_text(server, "bea@example.org", "PASSWORD_RESET"),
                                        "/reset-password");
            REQUIRE(token.size() == 43);
            return token;
        };
        SUBCASE("spent") {
            const auto token = token_of_forgot();
            REQUIRE(status_of(reset(server, token, kNewPassword)) == 204);
            const auto body = check_error(reset(server, token, kOtherPassword), 401);
            CHECK(body["error"] == "CRM.EXCEPTIONS.INVALIDTOKENEXCEPTION");
            CHECK(status_of(authenticate(server, "bea@example.org", kNewPassword)) == 200);
        }
        SUBCASE("expired after CONTACTD_RESET_TTL") {
            const auto token = token_of_forgot();
            server.clock().advance(1800);
            check_error(reset(server, token, kNewPassword), 401);
            CHECK(status_of(authenticate(server, "bea@example.org", kPassword)) == 200);
        }
        SUBCASE("just before CONTACTD_RESET_TTL it still works") {
            const auto token = token_of_forgot();
            server.clock().advance(1799);
            CHECK(status_of(reset(server, token, kNewPassword)) == 204);
        }
        SUBCASE("replaced by a newer one") {
            const auto older = token_of_forgot();
            server.clock().advance(61);
            const auto newer = token_of_forgot();
            REQUIRE(newer != older);
            check_error(reset(server, older, kNewPassword), 401);
            CHECK(status_of(reset(server, newer, kNewPassword)) == 204);
        }
        SUBCASE("made up, or missing") {
            check_error(reset(server, std::string(43, 'A'), kNewPassword), 401);
            check_error(reset(server, "not a token", kNewPassword), 401);
            const auto missing = check_error(
                server.post(kContacts + "/change_password", {{"password", kNewPassword}}), 400);
            CHECK(missing["parameters"] == Json::array({"token"}));
        }
        SUBCASE("a weak password is 400 and leaves the token usable") {
            const auto token = token_of_forgot();
            const auto weak = check_error(reset(server, token, "short"), 400);
            CHECK(weak["parameters"] == Json::array({"password"}));
            check_error(reset(server, token, "bea@example.org"), 400);  // the email itself
            CHECK(status_of(reset(server, token, kNewPassword)) == 204);
        }
    }

    TEST_CASE("forgot_password answers alike for known and unknown addresses, limits included") {
        SmtpSink sink;
        TestServer server(smtp_config(sink));
        sign_up_with_password(server, "cara@example.org", kPassword);
        nth_mail(server, sink, 1, "cara@example.org");

        const auto known = answer_of(forgot(server, "cara@example.org"));
        const auto unknown = answer_of(forgot(server, "nobody@example.org"));
        CHECK(known.status == 204);
        CHECK(known == unknown);
        // Asked again at once: the per-destination resend interval holds for both alike.
        const auto known_again = answer_of(forgot(server, "cara@example.org"));
        const auto unknown_again = answer_of(forgot(server, "nobody@example.org"));
        CHECK(known_again.status == 429);
        CHECK(known_again.retry_after == "60");
        CHECK(known_again == unknown_again);
        // Only the contact's address got an email.
        server.app().dispatcher().run_once();
        const auto mails = sink.wait_for(2);
        CHECK(mails.size() == 2);
        for (const auto& mail : sink.messages())
            CHECK(mail.info["rcpt_tos"] == Json::array({"cara@example.org"}));
        // The unknown address's request is recorded as unmatched, with no contact.
        const auto events = events_of(server, "PASSWORD_RESET_REQUESTED");
        REQUIRE(events.size() == 2);
        CHECK(events[0]["contact_id"].is_null());
        CHECK(events[0]["detail"]["matched"] == false);
        // Five in an hour per address, known or unknown: the sixth is refused alike.
        for (int i = 0; i < 4; ++i) {
            server.clock().advance(61);
            CHECK(answer_of(forgot(server, "cara@example.org")) ==
                  answer_of(forgot(server, "nobody@example.org")));
        }
        server.clock().advance(61);
        const auto capped = answer_of(forgot(server, "cara@example.org"));
        CHECK(capped.status == 429);
        CHECK(capped == answer_of(forgot(server, "nobody@example.org")));
        // An invalid address is 400 for anyone.
        const auto bad = check_error(forgot(server, "not-an-email"), 400);
        CHECK(bad["parameters"] == Json::array({"username"}));
        check_error(server.post(kContacts + "/forgot_password", Json::object()), 400);
    }

    TEST_CASE("verify: the link in the sign-up email verifies and keeps the registrant's access") {
        SmtpSink sink;
        TestServer server(smtp_config(sink));
        const auto dana = sign_up_with_password(server, "dana@example.org", kPassword);
        const auto mail = nth_mail(server, sink, 1, "dana@example.org");
        const auto text = text_of(mail);
        INFO(text);
        CHECK(std::regex_search(text, std::regex("\\b[0-9]{6}\\b")));  // the code, beside
        const auto token = token_in(text, "/verify-email");
        REQUIRE(token.size() == 43);
        CHECK(token_in(html_of(mail), "/verify-email") == token);
        CHECK(json_of(server.get(kContacts + "/me",
                                 dana.access_token))["identities"][0]["is_verified"] == false);

        const auto verified = verify(server, token);
        REQUIRE(verified);
        CHECK_MESSAGE(verified->status == 200, verified->body);
        CHECK(json_of(verified) == Json({{"id", dana.contact_id}, {"is_verified", true}}));
        CHECK(verified->get_header_value("Cache-Control") == "no-store");
        // The link came to whoever registered: their session and password hold.
        const auto me = json_of(server.get(kContacts + "/me", dana.access_token));
        CHECK(me["identities"][0]["is_verified"] == true);
        CHECK(status_of(authenticate(server, "dana@example.org", kPassword)) == 200);
        // Once only; unknown tokens are 401 too.
        check_error(verify(server, token), 401);
        check_error(verify(server, std::string(43, 'x')), 401);
        check_error(server.get(kContacts + "/verify_email"), 400);
    }

    TEST_CASE("verify: a requested link is the owner's first proof and ends a stranger's access") {
        SmtpSink sink;
        TestServer server(smtp_config(sink));
        // A stranger registers someone else's email with a password of their own.
        const auto stranger = sign_up_with_password(server, "erin@example.org", kPassword);
        nth_mail(server, sink, 1, "erin@example.org");
        server.clock().advance(61);  // the sign-up email's link was the last one sent there
        // The owner asks for a verification link and follows it.
        REQUIRE(status_of(request_verification(server, "erin@example.org")) == 204);
        const auto mail = nth_mail(server, sink, 2, "erin@example.org");
        CHECK(mail.info["subject"] == "Confirm your email address");
        const auto token = token_in(text_of(mail), "/verify-email");
        REQUIRE(token.size() == 43);
        const auto verified = verify(server, token);
        REQUIRE(status_of(verified) == 200);
        CHECK(json_of(verified)["id"] == stranger.contact_id);
        check_error(server.get(kContacts + "/me", stranger.access_token), 401);
        check_error(authenticate(server, "erin@example.org", kPassword), 401);
    }

    TEST_CASE("request_email_verification answers alike for known, verified and unknown") {
        TestServer server(development_config);
        sign_up_with_password(server, "finn@example.org", kPassword);
        sign_up_by_email(server, "gail@example.org");  // verified by its code
        // The sign-up email sent finn a link just now: a request at once would wait out
        // the resend interval like any second email to one address.
        server.clock().advance(61);
        const auto unverified = answer_of(request_verification(server, "finn@example.org"));
        const auto verified = answer_of(request_verification(server, "gail@example.org"));
        const auto unknown = answer_of(request_verification(server, "nobody@example.org"));
        CHECK(unverified.status == 204);
        CHECK(unverified == verified);
        CHECK(unverified == unknown);
        CHECK(token_in(outbox_text(server, "finn@example.org", "VERIFY_EMAIL"), "/verify-email")
                  .size() == 43);
        CHECK(outbox_text(server, "gail@example.org", "VERIFY_EMAIL").empty());
        const auto again = answer_of(request_verification(server, "finn@example.org"));
        CHECK(again.status == 429);
        CHECK(again == answer_of(request_verification(server, "nobody@example.org")));
        CHECK(again == answer_of(request_verification(server, "gail@example.org")));
        const auto bad = check_error(request_verification(server, "nope"), 400);
        CHECK(bad["parameters"] == Json::array({"email_address"}));
    }

    TEST_CASE("verify: a link expires after a day") {
        TestServer server(development_config);
        sign_up_with_password(server, "hana@example.org", kPassword);
        const auto token =
            token_in(outbox_text(server, "hana@example.org", "SIGN_UP_CODE"), "/verify-email");
        REQUIRE(token.size() == 43);
        server.clock().advance(86400);
        check_error(verify(server, token), 401);
    }

    TEST_CASE("change_password signed in: current_password, the 10-minute rule and the bearer") {
        TestServer server(development_config);
        SUBCASE("after a password sign-in the current password is needed") {
            sign_up_with_password(server, "ivan@example.org", kPassword);
            const auto first = json_of(authenticate(server, "ivan@example.org", kPassword));
            const SignedInContact ivan{first["contact"]["id"], first["access_token"],
                                       first["refresh_token"], first};
            const auto second = json_of(authenticate(server, "ivan@example.org", kPassword));
            check_error(change(server, ivan, {{"password", kNewPassword}}), 403);
            check_error(change(server, ivan,
                               {{"password", kNewPassword}, {"current_password", kOtherPassword}}),
                        403);
            check_error(
                change(server, ivan, {{"password", "short"}, {"current_password", kPassword}}),
                400);
            const auto changed =
                change(server, ivan, {{"password", kNewPassword}, {"current_password", kPassword}});
            REQUIRE(changed);
            CHECK_MESSAGE(changed->status == 204, changed->body);
            // This session stays; the other one ends.
            CHECK(status_of(server.get(kContacts + "/me", ivan.access_token)) == 200);
            check_error(server.get(kContacts + "/me", second["access_token"].get<std::string>()),
                        401);
            check_error(authenticate(server, "ivan@example.org", kPassword), 401);
            CHECK(status_of(authenticate(server, "ivan@example.org", kNewPassword)) == 200);
            // "me" names oneself; another contact's id is 403.
            const auto other = sign_up_by_email(server, "jo@example.org");
            check_error(
                server.post(kContacts + "/" + other.contact_id + "/change_password",
                            {{"password", kOtherPassword}, {"current_password", kNewPassword}},
                            ivan.access_token),
                403);
            CHECK(status_of(server.post(
                      kContacts + "/me/change_password",
                      {{"password", kOtherPassword}, {"current_password", kNewPassword}},
                      ivan.access_token)) == 204);
            check_error(
                server.post(kContacts + "/me/change_password", {{"password", kOtherPassword}}),
                401);
        }
        SUBCASE("within 10 minutes of a sign-in by code it is not needed, later it is") {
            const auto kim = sign_up_by_email(server, "kim@example.org");
            server.clock().advance(599);
            CHECK(status_of(change(server, kim, {{"password", kNewPassword}})) == 204);
            CHECK(status_of(authenticate(server, "kim@example.org", kNewPassword)) == 200);
            server.clock().advance(61);  // 11 minutes after the sign-in
            check_error(change(server, kim, {{"password", kOtherPassword}}), 403);
            CHECK(status_of(change(
                      server, kim,
                      {{"password", kOtherPassword}, {"current_password", kNewPassword}})) == 204);
        }
        SUBCASE("a contact without an email identity has nothing to hold a password") {
            const auto phone = sign_up_by_phone(server, "99478230");
            const auto body = check_error(change(server, phone, {{"password", kNewPassword}}), 400);
            CHECK(body["parameters"] == Json::array({"password"}));
        }
    }

    TEST_CASE("the sending calls obey the per-address Send budget, the reset the Check budget") {
        TestServer server([](Config& c) {
            development_config(c);
            c.rate_limits = true;
            c.rate_limit_send_burst = 2;
            c.rate_limit_send_per_hour = 2;
            c.rate_limit_check_burst = 2;
            c.rate_limit_check_per_minute = 1;
        });
        CHECK(status_of(forgot(server, "a@example.org")) == 204);
        CHECK(status_of(request_verification(server, "b@example.org")) == 204);
        // The budget is the address's, whatever the destination.
        check_error(forgot(server, "c@example.org"), 429);
        check_error(request_verification(server, "d@example.org"), 429);
        for (int i = 0; i < 2; ++i)
            check_error(reset(server, std::string(43, 'A'), kPassword), 401);
        check_error(reset(server, std::string(43, 'A'), kPassword), 429);
        check_error(verify(server, std::string(43, 'A')), 429);
    }

    TEST_CASE("portal: the link pages are served with the portal's CSP and no inline script") {
        TestServer server;
        for (const std::string page : {"/reset-password?token=abc", "/verify-email?token=abc"}) {
            CAPTURE(page);
            const auto result = server.get(page, "", "-");
            REQUIRE(result);
            CHECK(result->status == 200);
            CHECK(result->get_header_value("Content-Type").rfind("text/html", 0) == 0);
            const auto csp = result->get_header_value("Content-Security-Policy");
            CHECK(csp.find("script-src 'self'") != std::string::npos);
            CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
            CHECK(csp.find("unsafe-inline") == std::string::npos);
            CHECK(result->get_header_value("Referrer-Policy") == "no-referrer");
            // Every script comes from a file; no event-handler attributes.
            const std::regex script("<script([^>]*)>");
            for (auto it = std::sregex_iterator(result->body.begin(), result->body.end(), script);
                 it != std::sregex_iterator(); ++it) {
                CHECK((*it)[1].str().find("src=\"/assets/") != std::string::npos);
            }
            CHECK_FALSE(std::regex_search(result->body, std::regex("\\son[a-z]+=")));
        }
        CHECK(server.get("/assets/links.js", "", "-")->status == 200);
        const auto portal = server.get("/", "", "-");
        REQUIRE(portal);
        CHECK(portal->body.find("Forgot your password?") != std::string::npos);
        // The API reference lists the new calls.
        const auto openapi = json_of(server.get("/openapi.json", "", "-"));
        for (const char* path :
             {"/self-service/v1/contacts/forgot_password",
              "/self-service/v1/contacts/change_password",
              "/self-service/v1/contacts/{contact_id}/change_password",
              "/self-service/v1/contacts/request_email_verification",
              "/self-service/v1/contacts/verify_email", "/reset-password", "/verify-email"}) {
            CAPTURE(path);
            CHECK(openapi["paths"].contains(path));
        }
    }
}

// A database dump holds no one-time code, refresh token, access token or API key in
// plain text. With a real SMS channel configured (the contract's rule; development
// delivery keeps messages for its inbox on purpose), after a whole sign-up, refresh
// and sign-out, every table is read and searched.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/delivery_helpers.h"
#include "support/password_helpers.h"
#include "support/self_service_helpers.h"
#include "support/smtp_sink.h"
#include "support/test_server.h"
#include "util/log.h"

using namespace contactd::test;

namespace {

// A stand-in for an SMS provider's webhook: records every POSTed body.
class WebhookSink {
  public:
    WebhookSink() {
        server_.Post("/sms", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex_);
            bodies_.push_back(req.body);
            signatures_.push_back(req.get_header_value("X-Contactd-Signature"));
            res.status = 202;
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        for (int i = 0; i < 200 && !server_.is_running(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ~WebhookSink() {
        server_.stop();
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/sms"; }
    std::vector<std::string> bodies() {
        std::lock_guard lock(mutex_);
        return bodies_;
    }
    std::vector<std::string> signatures() {
        std::lock_guard lock(mutex_);
        return signatures_;
    }

  private:
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::string> bodies_;
    std::vector<std::string> signatures_;
};

// The code in the newest SMS the webhook received for `to`.
std::string code_from_webhook(TestServer& server, WebhookSink& sink, const std::string& to) {
    server.app().dispatcher().run_once();
    const auto bodies = sink.bodies();
    for (auto it = bodies.rbegin(); it != bodies.rend(); ++it) {
        const Json message = Json::parse(*it);
        if (message["to"] != to) continue;
        std::smatch match;
        const std::string text = message["text"];
        if (std::regex_search(text, match, std::regex("\\b([0-9]{6})\\b"))) return match[1].str();
    }
    FAIL("the webhook received no code for " << to);
    return {};
}

// True when `code` appears in `text` as a token of its own (not inside a longer run of
// digits or hex, as in a timestamp or a hash).
bool contains_code(const std::string& text, const std::string& code) {
    return std::regex_search(text, std::regex("(^|[^0-9A-Za-z])" + code + "([^0-9A-Za-z]|$)"));
}

// Sends this process's standard error (where the server logs) to a file while alive.
class StderrCapture {
  public:
    explicit StderrCapture(std::filesystem::path path) : path_(std::move(path)) {
        std::fflush(stderr);
        saved_ = ::dup(2);
        const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        REQUIRE(fd >= 0);
        ::dup2(fd, 2);
        ::close(fd);
    }
    ~StderrCapture() { restore(); }
    // Restores standard error and returns what was written meanwhile.
    std::string finish() {
        restore();
        return read_file(path_);
    }
    static std::string read_file(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }

  private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }
    std::filesystem::path path_;
    int saved_ = -1;
};

}  // namespace

TEST_SUITE("http::secrets_at_rest") {
    TEST_CASE(
        "secrets: after every flow with real SMS and SMTP channels, no code, password, token or "
        "API key is in the log, the database, its WAL or its shared memory") {
        WebhookSink sms;
        SmtpSink smtp;
        TempDir logs;
        StderrCapture capture(logs.path() / "server.log");
        std::vector<std::string> secrets;  // everything that must appear nowhere
        std::vector<std::string> codes;    // 6 digits: searched as tokens of their own
        std::string db_path;
        {
            TestServer server([&](contactd::Config& c) {
                c.sms_webhook_url = sms.url();
                c.sms_webhook_secret = "webhook-secret-0123456789";
                c.smtp_url = smtp.url();
                c.smtp_from = "contactd@example.com";
            });
            REQUIRE_FALSE(server.app().config().development_delivery());
            db_path = server.db_path().string();
            const std::string contacts = kSelfService + "/contacts";
            secrets.insert(secrets.end(),
                           {server.public_key(), server.secret_key(), server.app().portal_api_key(),
                            "webhook-secret-0123456789"});
            auto keep_session = [&](const httplib::Result& result) {
                REQUIRE(result);
                REQUIRE_MESSAGE((result->status == 200 || result->status == 201), result->body);
                const auto body = json_of(result);
                secrets.push_back(body["access_token"]);
                secrets.push_back(body["refresh_token"]);
                return body;
            };
            // The code in the newest mail to `to`, once `count` mails arrived in all.
            auto email_code = [&](const std::string& to, std::size_t count) {
                server.app().dispatcher().run_once();
                const auto mails = smtp.wait_for(count);
                std::string code;
                for (const auto& mail : mails) {
                    if (mail.info["rcpt_tos"].dump().find(to) == std::string::npos) continue;
                    const auto found = contactd::test::delivery::code_in(
                        mail.info["parts"][0]["text"].get<std::string>());
                    if (!found.empty()) code = found;
                }
                REQUIRE(code.size() == 6);
                return code;
            };
            contactd::log::info("capture-marker");

            // By phone: register, a wrong code, the code, refresh (header and body).
            const auto phone = register_phone(server, "99478230");
            REQUIRE(phone->status == 201);
            codes.push_back(code_from_webhook(server, sms, "+35799478230"));
            CHECK(validate_otp(server, json_of(phone)["auth_otp"], other_code(codes.back()))
                      ->status == 401);
            const auto by_phone =
                keep_session(validate_otp(server, json_of(phone)["auth_otp"], codes.back()));
            const auto refreshed = keep_session(server.client().Post(
                contacts + "/refresh",
                {{"api_key", server.public_key()},
                 {"refresh_token", by_phone["refresh_token"].get<std::string>()}},
                "{}", "application/json"));
            // A spent refresh token again, after the reuse grace: the session is revoked.
            server.clock().advance(11);
            CHECK(
                server.post(contacts + "/refresh", {{"refresh_token", by_phone["refresh_token"]}})
                    ->status == 401);

            // By email with a password: the sign-up code by email, password sign-ins.
            const std::string password = "Secret-Otter-42-Climbs-Hills";
            secrets.push_back(password);

            keep_session(register_with_password(server, "pat.word@example.com", password));
            codes.push_back(email_code("pat.word@example.com", 1));
            keep_session(server.post(
                contacts + "/validate-otp",
                {{"credentials", {{{"name", "EMAIL"}, {"value", "pat.word@example.com"}}}},
                 {"code", codes.back()}}));
            const auto by_password =
                keep_session(authenticate(server, "pat.word@example.com", password));
            const std::string wrong = "Wrong-Otter-42-Climbs-Hills";
            secrets.push_back(wrong);
            CHECK(authenticate(server, "pat.word@example.com", wrong)->status == 401);
            // A password typed where the email goes must not be logged either.
            const std::string misplaced = "Misplaced-Otter-42-Climbs";
            secrets.push_back(misplaced);
            CHECK(authenticate(server, misplaced, password)->status >= 400);
            // A new password, with the current one.
            const std::string next = "Next-Otter-42-Climbs-Hills";
            secrets.push_back(next);
            CHECK(add_identity(server, "me",
                               {{"provider", "EMAIL"},
                                {"email", "pat.word@example.com"},
                                {"password", next},
                                {"current_password", password}},
                               by_password["access_token"])
                      ->status == 201);
            keep_session(authenticate(server, "pat.word@example.com", next));
            // An email registration by code, and a sign-in code asked by email.
            const auto by_email = register_email(server, "andy@example.com");
            REQUIRE(by_email->status == 201);
            codes.push_back(email_code("andy@example.com", 3));  // and the password notice
            keep_session(validate_otp(server, json_of(by_email)["auth_otp"], codes.back()));
            server.clock().advance(61);
            const auto asked = server.post(
                contacts + "/request-otp",
                {{"credentials", {{{"name", "EMAIL"}, {"value", "andy@example.com"}}}}});
            REQUIRE(asked->status == 200);
            codes.push_back(email_code("andy@example.com", 4));
            // Left unused; a bearer call and sign-out with the refreshed session.
            CHECK(server.get(contacts + "/me", refreshed["access_token"])->status == 401);
            CHECK(
                server.post(contacts + "/me/sign_out", Json::object(), by_password["access_token"])
                    ->status == 204);

            // API keys: made and revoked through the service the CLI uses.
            const auto made =
                server.app().api_keys().create(contactd::domain::ApiKeyType::Secret, "integration");
            secrets.push_back(made.key);
            CHECK(server.get("/backoffice/v1/security_events", "", made.key)->status == 200);
            REQUIRE(server.app().api_keys().revoke(made.record.id));
            CHECK(server.get("/backoffice/v1/security_events", "", made.key)->status == 401);

            server.app().dispatcher().run_once();  // delivers what is left, then checkpoints
            const auto wal = StderrCapture::read_file(db_path + "-wal");
            const auto shm = StderrCapture::read_file(db_path + "-shm");
            const auto db = StderrCapture::read_file(db_path);
            REQUIRE(db.size() > 4096);
            CHECK(db.find("pat.word@example.com") != std::string::npos);  // the search can see
            for (const auto* file : {&db, &wal, &shm}) {
                for (const auto& secret : secrets) {
                    CAPTURE(secret);
                    CHECK(file->find(secret) == std::string::npos);
                }
                for (const auto& code : codes) {
                    CAPTURE(code);
                    CHECK(file->find("code is " + code) == std::string::npos);
                    CHECK(file->find(": " + code) == std::string::npos);
                    CHECK_FALSE(contains_code(*file, code));
                }
            }
            // Every message text was erased once delivered.
            CHECK(dump_database(db_path).find("code is") == std::string::npos);
        }
        const std::string log = capture.finish();
        CAPTURE(log.substr(0, 2000));
        CHECK(log.find("capture-marker") != std::string::npos);  // the capture sees the log
        for (const auto& secret : secrets) {
            CAPTURE(secret);
            CHECK(log.find(secret) == std::string::npos);
        }
        for (const auto& code : codes) {
            CAPTURE(code);
            CHECK_FALSE(contains_code(log, code));
        }
        // Every code came through the channels.
        CHECK(codes.size() == 4);
        CHECK_FALSE(sms.bodies().empty());
    }

    TEST_CASE(
        "secrets: a database dump holds no code, refresh token, access token or API key in plain "
        "text") {
        WebhookSink sink;
        TestServer server([&](contactd::Config& c) {
            c.sms_webhook_url = sink.url();
            c.sms_webhook_secret = "webhook-secret";
        });
        REQUIRE_FALSE(server.app().config().development_delivery());
        const std::string contacts = kSelfService + "/contacts";
        std::vector<std::string> codes, refresh_tokens, access_tokens;

        const auto registered = register_phone(server, "99478230");
        REQUIRE_MESSAGE(registered->status == 201, registered->body);
        codes.push_back(code_from_webhook(server, sink, "+35799478230"));
        const auto validated = validate_otp(server, json_of(registered)["auth_otp"], codes.back());
        REQUIRE_MESSAGE(validated->status == 200, validated->body);
        refresh_tokens.push_back(json_of(validated)["refresh_token"]);
        access_tokens.push_back(json_of(validated)["access_token"]);

        const auto refreshed =
            server.post(contacts + "/refresh", {{"refresh_token", refresh_tokens.back()}});
        REQUIRE(refreshed->status == 200);
        refresh_tokens.push_back(json_of(refreshed)["refresh_token"]);
        access_tokens.push_back(json_of(refreshed)["access_token"]);

        // A second code, requested and left unused; and a wrong guess at it.
        server.clock().advance(60);
        const auto requested =
            server.post(contacts + "/request-otp",
                        {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}});
        REQUIRE(requested->status == 200);
        codes.push_back(code_from_webhook(server, sink, "+35799478230"));
        CHECK(validate_otp(server, json_of(requested)["auth_otp"], other_code(codes.back()))
                  ->status == 401);

        REQUIRE(
            server.post(contacts + "/me/sign_out", Json::object(), access_tokens.back())->status ==
            204);

        // The webhook got signed messages with the code.
        for (const auto& signature : sink.signatures()) CHECK(signature.rfind("sha256=", 0) == 0);

        const std::string dump = dump_database(server.db_path().string());
        REQUIRE(dump.find("contacts|") != std::string::npos);     // the dump did read rows
        REQUIRE(dump.find("+35799478230") != std::string::npos);  // ... of every kind
        REQUIRE(dump.find("one_time_codes|") != std::string::npos);
        REQUIRE(dump.find("refresh_tokens|") != std::string::npos);
        REQUIRE(dump.find("outbox|") != std::string::npos);
        for (const auto& code : codes) {
            CAPTURE(code);
            CHECK_FALSE(contains_code(dump, code));
        }
        for (const auto& token : refresh_tokens) CHECK(dump.find(token) == std::string::npos);
        for (const auto& token : access_tokens) {
            CHECK(dump.find(token) == std::string::npos);
            CHECK(dump.find(token.substr(token.rfind('.') + 1)) ==
                  std::string::npos);  // its signature
        }
        CHECK(dump.find(server.public_key()) == std::string::npos);
        CHECK(dump.find(server.secret_key()) == std::string::npos);
        CHECK(dump.find(server.app().portal_api_key()) == std::string::npos);
        CHECK(dump.find("webhook-secret") == std::string::npos);
        // Sent messages lost their text.
        CHECK(dump.find("code is") == std::string::npos);
    }
}

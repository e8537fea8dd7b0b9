// A database dump holds no one-time code, refresh token, access token or API key in
// plain text. With a real SMS channel configured (the contract's rule; development
// delivery keeps messages for its inbox on purpose), after a whole sign-up, refresh
// and sign-out, every table is read and searched.
#include <doctest/doctest.h>

#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

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

}  // namespace

TEST_SUITE("http::secrets_at_rest") {
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

// SMS delivery against a local HTTP server standing in for the provider: the contract's
// signed webhook and Twilio's Messages API. Failures, retries on the manual clock,
// abandonment (and the code it cancels), a restart in the middle of retries, and a
// provider that hangs while the API keeps answering.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>

#include "support/delivery_helpers.h"
#include "support/sms_gateway.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;
using namespace contactd::test::delivery;

namespace {

constexpr std::int64_t kStart = 1'700'000'000;
const std::string kSecret = "webhook-secret";
const std::string kSid = "AC0123456789abcdef";
const std::string kToken = "tok-secret";

std::function<void(Config&)> webhook_config(const SmsGateway& gateway) {
    return [url = gateway.url("/hooks/sms")](Config& c) {
        c.sms_webhook_url = url;
        c.sms_webhook_secret = kSecret;
    };
}

std::function<void(Config&)> twilio_config(const std::string& base) {
    return [base](Config& c) {
        c.twilio_account_sid = kSid;
        c.twilio_auth_token = kToken;
        c.twilio_from = "+15005550006";
        c.twilio_base_url = base;
    };
}

// The longest wait the dispatcher may choose after failed attempt n (2 s doubling).
std::int64_t max_backoff(int n) {
    return std::min<std::int64_t>(600, std::int64_t{2} << (n - 1));
}

std::string webhook_text(const GatewayRequest& request) {
    return Json::parse(request.body)["text"];
}

}  // namespace

TEST_SUITE("http::delivery_sms") {
    TEST_CASE("webhook: the contract's JSON, signed with HMAC-SHA-256 of the body") {
        SmsGateway gateway;
        TestServer server(webhook_config(gateway));
        const auto challenge = register_phone(server, "99478230");
        server.app().dispatcher().run_once();

        REQUIRE(gateway.count() == 1);
        const auto request = gateway.requests()[0];
        CHECK(request.method == "POST");
        CHECK(request.path == "/hooks/sms");
        CHECK(request.header("Content-Type") == "application/json");
        CHECK(request.header("X-Contactd-Signature") ==
              "sha256=" + hmac_sha256_hex(kSecret, request.body));
        const Json body = Json::parse(request.body);
        CHECK(body.size() == 3);
        const auto message = only_message(server);
        CHECK(body["id"] == message.id);
        CHECK(body["to"] == "+35799478230");
        const std::string code = code_in(body["text"]);
        REQUIRE(code.size() == 6);
        CHECK(body["text"] ==
              "Your sign-up code is " + code + ". It expires in 5 minutes. Do not share it.");

        CHECK(validate_status(server, challenge["auth_otp"], code) == 200);
        CHECK(message.status == "SENT");
        CHECK_FALSE(message.body);  // erased once sent
    }

    TEST_CASE("webhook: without a secret there is no signature header") {
        SmsGateway gateway;
        TestServer server([&](Config& c) { c.sms_webhook_url = gateway.url("/sms"); });
        register_phone(server, "99478230");
        server.app().dispatcher().run_once();
        REQUIRE(gateway.count() == 1);
        CHECK(gateway.requests()[0].header("X-Contactd-Signature").empty());
    }

    TEST_CASE("webhook: a 500 is retried on the backoff schedule until the gateway accepts") {
        SmsGateway gateway;
        gateway.answer(500);
        TestServer server(webhook_config(gateway));
        const auto challenge = register_phone(server, "99478230");
        server.app().dispatcher().run_once();
        server.app().dispatcher().run_once();  // not due again yet
        CHECK(gateway.count() == 1);

        auto message = only_message(server);
        CHECK(message.status == "PENDING");
        CHECK(message.last_error == "HTTP 500");
        CHECK(message.body);

        server.clock().advance(max_backoff(1));
        server.app().dispatcher().run_once();
        CHECK(gateway.count() == 2);
        message = only_message(server);
        CHECK(message.attempts == 2);
        CHECK(message.next_attempt_at > server.clock().now());
        CHECK(message.next_attempt_at <= server.clock().now() + max_backoff(2));
        CHECK(message.next_attempt_at >= server.clock().now() + max_backoff(2) / 2);

        gateway.answer(204);
        server.clock().advance(max_backoff(2));
        server.app().dispatcher().run_once();
        REQUIRE(gateway.count() == 3);
        message = only_message(server);
        CHECK(message.status == "SENT");
        CHECK(message.attempts == 3);
        CHECK_FALSE(message.last_error);
        // Every attempt carried the same message (same id, same code).
        const auto requests = gateway.requests();
        CHECK(requests[0].body == requests[2].body);
        CHECK(validate_status(server, challenge["auth_otp"], code_in(webhook_text(requests[2]))) ==
              200);

        const auto attempts = attempts_of(server, message.id);
        REQUIRE(attempts.size() == 3);
        CHECK(attempts[0].outcome == "RETRY");
        CHECK(attempts[1].outcome == "RETRY");
        CHECK(attempts[2].outcome == "DELIVERED");
        CHECK(attempts[0].detail == "HTTP 500");
        CHECK(attempts[2].detail == "HTTP 204");
    }

    TEST_CASE("webhook: a 400 is retried too (the contract: anything but a 2xx is retried)") {
        SmsGateway gateway;
        gateway.answer(400);
        TestServer server(webhook_config(gateway));
        register_phone(server, "99478230");
        server.app().dispatcher().run_once();
        const auto message = only_message(server);
        CHECK(message.status == "PENDING");
        CHECK(message.last_error == "HTTP 400");
    }

    TEST_CASE("webhook: abandoned after the last attempt, its code can no longer be used") {
        SmsGateway gateway;
        gateway.answer(503);
        TestServer server(webhook_config(gateway));
        const auto challenge = register_phone(server, "99478230");
        server.app().dispatcher().run_once();
        for (int n = 1; n < 6; ++n) {
            server.clock().advance(max_backoff(n));
            server.app().dispatcher().run_once();
        }
        REQUIRE(gateway.count() == 6);
        CHECK(server.clock().now() - kStart <= 62);  // well inside the code's 300 s lifetime

        const auto message = only_message(server);
        CHECK(message.status == "ABANDONED");
        CHECK(message.attempts == 6);
        CHECK(message.last_error == "HTTP 503");
        CHECK_FALSE(message.body);  // erased once abandoned
        CHECK(attempts_of(server, message.id).size() == 6);

        // The gateway saw the code, but the message was abandoned: the code is dead.
        const std::string code = code_in(webhook_text(gateway.requests()[0]));
        REQUIRE(code.size() == 6);
        CHECK(validate_status(server, challenge["auth_otp"], code) == 401);

        server.clock().advance(3600);
        server.app().dispatcher().run_once();
        CHECK(gateway.count() == 6);  // no attempt after abandonment
    }

    TEST_CASE("twilio: the Messages API form, with HTTP basic auth") {
        SmsGateway gateway;
        gateway.answer(201, R"({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"})");
        TestServer server(twilio_config(gateway.url()));
        const auto challenge = register_phone(server, "99478230");
        server.app().dispatcher().run_once();

        REQUIRE(gateway.count() == 1);
        const auto request = gateway.requests()[0];
        CHECK(request.method == "POST");
        CHECK(request.path == "/2010-04-01/Accounts/" + kSid + "/Messages.json");
        CHECK(request.header("Content-Type") == "application/x-www-form-urlencoded");
        CHECK(request.header("Authorization") == "Basic QUMwMTIzNDU2Nzg5YWJjZGVmOnRvay1zZWNyZXQ=");
        CHECK(request.body.starts_with("To=%2B35799478230&From=%2B15005550006&Body="));
        CHECK(request.param("To") == "+35799478230");
        CHECK(request.param("From") == "+15005550006");
        const std::string code = code_in(request.param("Body"));
        REQUIRE(code.size() == 6);
        CHECK(request.param("Body").starts_with("Your sign-up code is " + code + "."));

        CHECK(validate_status(server, challenge["auth_otp"], code) == 200);
        const auto message = only_message(server);
        CHECK(message.status == "SENT");
        const auto attempts = attempts_of(server, message.id);
        REQUIRE(attempts.size() == 1);
        CHECK(attempts[0].detail == "HTTP 201 SM0123456789abcdef0123456789abcdef");
    }

    TEST_CASE("twilio: a base URL with a path prefix") {
        SmsGateway gateway;
        gateway.answer(201);
        TestServer server(twilio_config(gateway.url("/twilio/")));
        register_phone(server, "99478230");
        server.app().dispatcher().run_once();
        REQUIRE(gateway.count() == 1);
        CHECK(gateway.requests()[0].path ==
              "/twilio/2010-04-01/Accounts/" + kSid + "/Messages.json");
    }

    TEST_CASE("twilio: a 400 (invalid number) abandons at once and cancels the code") {
        SmsGateway gateway;
        gateway.answer(
            400,
            R"({"code": 21211, "message": "The 'To' number is not a valid phone number.", "status": 400})");
        TestServer server(twilio_config(gateway.url()));
        const auto challenge = register_phone(server, "99478230");
        server.app().dispatcher().run_once();
        REQUIRE(gateway.count() == 1);
        const auto message = only_message(server);
        CHECK(message.status == "ABANDONED");
        CHECK(message.attempts == 1);
        CHECK(message.last_error == "HTTP 400 (Twilio error 21211)");
        CHECK_FALSE(message.body);
        CHECK(attempts_of(server, message.id).at(0).outcome == "FAILED");
        const std::string code = code_in(gateway.requests()[0].param("Body"));
        CHECK(validate_status(server, challenge["auth_otp"], code) == 401);
    }

    TEST_CASE("twilio: a 500 is retried, then delivered") {
        SmsGateway gateway;
        gateway.answer(500);
        TestServer server(twilio_config(gateway.url()));
        register_phone(server, "99478230");
        server.app().dispatcher().run_once();
        CHECK(only_message(server).status == "PENDING");
        gateway.answer(201);
        server.clock().advance(max_backoff(1));
        server.app().dispatcher().run_once();
        CHECK(gateway.count() == 2);
        const auto message = only_message(server);
        CHECK(message.status == "SENT");
        CHECK(message.attempts == 2);
    }

    TEST_CASE("restart: a message in the middle of retries is delivered by the next process") {
        TempDir dir;
        const auto db = dir.path() / "contactd.db";
        SmsGateway gateway;
        gateway.answer(500);
        std::string auth_otp;
        std::string message_id;
        {
            TestServer first(db, twilio_config(gateway.url()));
            auth_otp = register_phone(first, "99478230")["auth_otp"];
            first.app().dispatcher().run_once();
            const auto message = only_message(first);
            CHECK(message.status == "PENDING");
            CHECK(message.attempts == 1);
            message_id = message.id;
        }  // the whole App goes away between two attempts

        gateway.answer(201);
        TestServer second(db, twilio_config(gateway.url()));
        second.clock().advance(
            max_backoff(1));  // the new process's clock starts at the same instant
        second.app().dispatcher().run_once();

        REQUIRE(gateway.count() == 2);
        const auto message = only_message(second);
        CHECK(message.id == message_id);
        CHECK(message.status == "SENT");
        CHECK(message.attempts == 2);
        const auto attempts = attempts_of(second, message_id);
        REQUIRE(attempts.size() == 2);
        CHECK(attempts[0].outcome == "RETRY");
        CHECK(attempts[1].outcome == "DELIVERED");
        const auto requests = gateway.requests();
        CHECK(requests[0].body == requests[1].body);  // the same text, the same code
        CHECK(validate_status(second, auth_otp, code_in(requests[1].param("Body"))) == 200);
    }

    TEST_CASE("delivery never blocks a request: the API answers while the provider hangs") {
        SmsGateway gateway;
        gateway.hold();
        TestServer server(webhook_config(gateway));
        register_phone(server, "99478230");
        // The dispatcher thread is now inside the provider call, which does not answer.
        for (int i = 0; i < 500 && gateway.count() == 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        REQUIRE(gateway.count() == 1);

        const auto started = std::chrono::steady_clock::now();
        const auto second = register_phone(server, "99478231");
        const auto health = server.get("/healthz", "", "-");
        const auto elapsed = std::chrono::steady_clock::now() - started;
        REQUIRE(health);
        CHECK(health->status == 200);
        CHECK(elapsed < std::chrono::seconds(2));
        CHECK(gateway.count() == 1);  // still held

        gateway.release();
        server.app().dispatcher().run_once();
        CHECK(gateway.count() == 2);
        for (const auto& message : outbox(server)) CHECK(message.status == "SENT");
    }
}

// Request framing and input errors over HTTP: malformed JSON, wrong content type,
// oversized, chunked and compressed bodies, long paths, unknown routes, wrong methods,
// spoofed client addresses. Every error in the CRM.COM shape.
#include <doctest/doctest.h>

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd::test;

namespace {

const std::string kRegister = kSelfService + "/contacts/register";

std::string request_head(const std::string& method, const std::string& path,
                         const std::string& api_key, const std::string& extra_headers) {
    return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\napi_key: " + api_key +
           "\r\nConnection: close\r\n" + extra_headers + "\r\n";
}

// Checks a raw response is a CRM.COM error with `status`.
void check_raw_error(const std::string& raw, int status) {
    CAPTURE(raw.substr(0, 400));
    CHECK(raw_status(raw) == status);
    const Json body = Json::parse(raw_body(raw), nullptr, false);
    REQUIRE(body.is_object());
    CHECK(body["status"] == status);
    CHECK(body["error"].get<std::string>().rfind("CRM.EXCEPTIONS.", 0) == 0);
    CHECK(body["message"].is_string());
    CHECK(body["parameters"].is_array());
}

}  // namespace

TEST_SUITE("http::framing") {
    TEST_CASE("framing: malformed JSON is 400") {
        TestServer server;
        for (const std::string bad :
             {"{", "{\"first_name\": }", "not json", "{\"a\":1}}", "\xff\xfe"}) {
            CAPTURE(bad);
            const auto result = server.client().Post(kRegister, {{"api_key", server.public_key()}},
                                                     bad, "application/json");
            check_error(result, 400);
        }
        // JSON that is not an object.
        for (const std::string not_object : {"[]", "\"text\"", "42", "null"}) {
            CAPTURE(not_object);
            check_error(server.client().Post(kRegister, {{"api_key", server.public_key()}},
                                             not_object, "application/json"),
                        400);
        }
    }

    TEST_CASE("framing: a body that is not application/json is 415") {
        TestServer server;
        const std::string body = R"({"first_name":"A"})";
        for (const char* type : {"text/plain", "application/x-www-form-urlencoded",
                                 "application/jsonx", "multipart/form-data; boundary=x"}) {
            CAPTURE(type);
            check_error(
                server.client().Post(kRegister, {{"api_key", server.public_key()}}, body, type),
                415);
        }
        // With parameters and in another case, JSON is JSON.
        const auto charset = server.client().Post(kRegister, {{"api_key", server.public_key()}},
                                                  body, "Application/JSON; charset=utf-8");
        REQUIRE(charset);
        CHECK(charset->status != 415);
        // No Content-Type at all with a body.
        const auto raw = raw_http(
            server.port(), request_head("POST", kRegister, server.public_key(),
                                        "Content-Length: " + std::to_string(body.size()) + "\r\n") +
                               body);
        check_raw_error(raw, 415);
    }

    TEST_CASE("framing: bodies over 64 KiB are 413, 64 KiB exactly is read") {
        TestServer server;
        std::string big = R"({"first_name":")" + std::string(64 * 1024, 'a') + R"("})";
        check_error(server.client().Post(kRegister, {{"api_key", server.public_key()}}, big,
                                         "application/json"),
                    413);
        // A lying small Content-Length cannot smuggle more: the server reads only that much.
        std::string exact = R"({"first_name":")";
        exact += std::string(64 * 1024 - exact.size() - 2, 'a') + "\"}";
        REQUIRE(exact.size() == 64 * 1024);
        const auto at_limit = server.client().Post(kRegister, {{"api_key", server.public_key()}},
                                                   exact, "application/json");
        REQUIRE(at_limit);
        CHECK(at_limit->status == 400);  // read and judged: no identity
        // A huge Content-Length is refused before any body is sent.
        const auto raw =
            raw_http(server.port(), request_head("POST", kRegister, server.public_key(),
                                                 "Content-Type: application/json\r\n"
                                                 "Content-Length: 99999999999999999999\r\n"));
        check_raw_error(raw, 413);
        const auto not_number =
            raw_http(server.port(), request_head("POST", kRegister, server.public_key(),
                                                 "Content-Type: application/json\r\n"
                                                 "Content-Length: 12abc\r\n"));
        CHECK(raw_status(not_number) == 400);
    }

    TEST_CASE("framing: a chunked request body is 411, judged from the headers alone") {
        // Only the headers are sent: the answer must not depend on reading a body the server
        // refuses (a client still writing it could be reset before it reads the answer).
        TestServer server;
        const auto raw =
            raw_http(server.port(), request_head("POST", kRegister, server.public_key(),
                                                 "Content-Type: application/json\r\n"
                                                 "Transfer-Encoding: chunked\r\n"));
        check_raw_error(raw, 411);
        // Any transfer coding, whatever its case.
        const auto gzip_chunked =
            raw_http(server.port(), request_head("POST", kRegister, server.public_key(),
                                                 "Content-Type: application/json\r\n"
                                                 "transfer-encoding: gzip, chunked\r\n"));
        check_raw_error(gzip_chunked, 411);
    }

    TEST_CASE("framing: a POST with no Content-Length has an empty body and is answered at once") {
        // As `curl -X POST .../refresh -H 'refresh_token: …'` sends it (the README's step 5).
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        const auto started = std::chrono::steady_clock::now();
        const auto raw =
            raw_http(server.port(),
                     "POST " + kSelfService +
                         "/contacts/refresh HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                         "api_key: " +
                         server.public_key() + "\r\nrefresh_token: " + s.refresh_token + "\r\n\r\n",
                     3000);
        const auto elapsed = std::chrono::steady_clock::now() - started;
        CAPTURE(raw.substr(0, 300));
        CHECK(raw_status(raw) == 200);
        CHECK(elapsed < std::chrono::seconds(2));
        CHECK(Json::parse(raw_body(raw), nullptr, false).contains("refresh_token"));
    }

    TEST_CASE(
        "framing: a compressed request body (Content-Encoding gzip) is 415, judged from the "
        "headers") {
        TestServer server;
        for (const std::string coding : {"gzip", "deflate", "br", "GZIP"}) {
            CAPTURE(coding);
            const auto raw =
                raw_http(server.port(), request_head("POST", kRegister, server.public_key(),
                                                     "Content-Type: application/json\r\n"
                                                     "Content-Encoding: " +
                                                         coding + "\r\nContent-Length: 22\r\n"));
            check_raw_error(raw, 415);
        }
    }

    TEST_CASE("framing: a path longer than 2048 characters is 414") {
        TestServer server;
        const std::string long_path = kSelfService + "/contacts/" + std::string(2100, 'a');
        check_error(server.get(long_path), 414);
        // Much longer still (where std::regex would recurse deeply): 414, the server lives.
        const std::string huge = "/" + std::string(7000, 'a');
        const auto raw = raw_http(
            server.port(), "GET " + huge + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        CHECK(raw_status(raw) == 414);
        CHECK(server.get("/healthz")->status == 200);
        // At 2048 it is routed normally (and here simply not found).
        const std::string edge = "/" + std::string(2047, 'b');
        REQUIRE(edge.size() == 2048);
        check_error(server.get(edge), 404);
    }

    TEST_CASE("framing: an unknown route is 404 in the CRM.COM shape") {
        TestServer server;
        for (const std::string path :
             {"/nope", "/self-service/v1/nope", "/self-service/v3/contacts/me",
              "/self-service/v1/contacts/a/b/c"}) {
            CAPTURE(path);
            const Json body = check_error(server.get(path), 404);
            CHECK(body["error"] == "CRM.EXCEPTIONS.NOTFOUNDEXCEPTION");
        }
        check_error(server.post("/self-service/v1/contacts/nothing-here/x", Json::object()), 404);
    }

    TEST_CASE("framing: a wrong method on a known path is 405 in the CRM.COM shape") {
        TestServer server;
        // (DELETE /contacts/{id} is self-deletion, so "register" there is an id.)
        check_error(server.client().Patch(kRegister, "{}", "application/json"), 405);
        check_error(
            server.client().Patch(kSelfService + "/contacts/refresh", "{}", "application/json"),
            405);
        check_error(server.client().Patch(kSelfService + "/contacts/me", "{}", "application/json"),
                    405);
        check_error(server.post("/healthz", Json::object()), 405);
        check_error(server.del(kSelfService + "/contacts/me/sign_out"), 405);
    }

    TEST_CASE("framing: input errors name the parameter") {
        TestServer server;
        auto register_with = [&](const Json& identity) {
            return server.post(kRegister,
                               {{"first_name", "A"}, {"last_name", "B"}, {"identity", identity}});
        };
        CHECK(check_error(
                  register_with(
                      {{"provider", "PHONE"}, {"phone_number", "12"}, {"country_code", "CYP"}}),
                  400)["parameters"] == Json::array({"phone_number"}));
        CHECK(check_error(register_with({{"provider", "PHONE"},
                                         {"phone_number", "99478230"},
                                         {"country_code", "XXX"}}),
                          400)["parameters"] == Json::array({"country_code"}));
        CHECK(check_error(register_with({{"provider", "PHONE"}, {"phone_number", "99478230"}}),
                          400)["parameters"] == Json::array({"phone_number"}));
        CHECK(check_error(register_with({{"provider", "EMAIL"}, {"email", "not-an-email"}}),
                          400)["parameters"] == Json::array({"email"}));
        CHECK(check_error(register_with({{"provider", "CARRIER_PIGEON"}}), 400)["parameters"] ==
              Json::array({"provider"}));
        CHECK(check_error(register_with({{"provider", "PHONE"}, {"phone_number", 99478230}}),
                          400)["parameters"] == Json::array({"phone_number"}));
        CHECK(check_error(
                  server.post(kRegister,
                              {{"last_name", "B"},
                               {"identity", {{"provider", "EMAIL"}, {"email", "a@b.example"}}}}),
                  400)["parameters"] == Json::array({"first_name"}));
        CHECK(check_error(server.post(kRegister, {{"first_name", "A"}, {"last_name", "B"}}),
                          400)["parameters"] == Json::array({"identity"}));
        CHECK(check_error(
                  server.post(kSelfService + "/contacts/request-otp", {{"send_method", "PIGEON"}}),
                  400)["parameters"] == Json::array({"send_method"}));
        CHECK(check_error(
                  server.post(kSelfService + "/contacts/request-otp", {{"send_method", "SMS"}}),
                  400)["parameters"] == Json::array({"credentials"}));
        CHECK(check_error(
                  server.post(kRegister,
                              {{"first_name", "A"},
                               {"last_name", "B"},
                               {"service_acceptance", "maybe"},
                               {"identity", {{"provider", "EMAIL"}, {"email", "a@b.example"}}}}),
                  400)["parameters"] == Json::array({"service_acceptance"}));
        // Nothing was half-written by any of these.
        const std::string dump = dump_database(server.db_path().string());
        CHECK(dump.find("contacts|") == std::string::npos);
        CHECK(dump.find("one_time_codes|") == std::string::npos);
    }

    TEST_CASE(
        "framing: a spoofed REMOTE_ADDR or X-Forwarded-For from an untrusted peer is ignored") {
        TestServer server;
        const auto registered = register_phone(server, "99478230");
        REQUIRE(registered->status == 201);
        const auto code = server.last_code_for("+35799478230");
        const std::string body =
            Json{{"auth_otp", json_of(registered)["auth_otp"]}, {"code", code}}.dump();
        const auto validated = server.client().Post(kSelfService + "/contacts/validate-otp",
                                                    {{"api_key", server.public_key()},
                                                     {"REMOTE_ADDR", "6.6.6.6"},
                                                     {"X-Forwarded-For", "7.7.7.7"}},
                                                    body, "application/json");
        REQUIRE(validated->status == 200);
        const Json sessions =
            json_of(server.get(kSelfService + "/contacts/me/sessions",
                               json_of(validated)["access_token"].get<std::string>()));
        CHECK(sessions["content"][0]["ip_address"] == "127.0.0.1");
    }

    TEST_CASE("framing: X-Forwarded-For is believed from a trusted proxy") {
        TestServer server([](contactd::Config& c) { c.trusted_proxies = {"127.0.0.1/32"}; });
        const auto registered = register_phone(server, "99478230");
        REQUIRE(registered->status == 201);
        const auto code = server.last_code_for("+35799478230");
        const std::string body =
            Json{{"auth_otp", json_of(registered)["auth_otp"]}, {"code", code}}.dump();
        const auto validated = server.client().Post(
            kSelfService + "/contacts/validate-otp",
            {{"api_key", server.public_key()}, {"X-Forwarded-For", "203.0.113.50"}}, body,
            "application/json");
        REQUIRE(validated->status == 200);
        const Json sessions =
            json_of(server.get(kSelfService + "/contacts/me/sessions",
                               json_of(validated)["access_token"].get<std::string>()));
        CHECK(sessions["content"][0]["ip_address"] == "203.0.113.50");
    }

    TEST_CASE("framing: per-address rate limits hold and cannot be dodged with spoofed headers") {
        TestServer server([](contactd::Config& c) {
            c.rate_limits = true;
            c.rate_limit_send_burst = 30;  // request-otp sends: its budget (10 by default)
        });
        int limited = 0;
        for (int i = 0; i < 31; ++i) {
            const auto result = server.client().Post(
                kSelfService + "/contacts/request-otp",
                {{"api_key", server.public_key()},
                 {"REMOTE_ADDR", "10.0.0." + std::to_string(i)},
                 {"X-Forwarded-For", "10.1.0." + std::to_string(i)}},
                Json{
                    {"credentials",
                     {{{"name", "EMAIL"}, {"value", "user" + std::to_string(i) + "@example.com"}}}}}
                    .dump(),
                "application/json");
            REQUIRE(result);
            if (result->status == 429) {
                ++limited;
                CHECK_FALSE(result->get_header_value("Retry-After").empty());
                check_error(result, 429);
            }
        }
        CHECK(limited == 1);  // the 31st
    }

    TEST_CASE("framing: an unexpected failure is a generic 500 with no detail in body or headers") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        {
            // Break storage under the running server: the next refresh fails inside SQLite.
            // The server's own checkpoints may hold the lock a moment: wait, as any
            // second writer must.
            SQLite::Database db(server.db_path().string(), SQLite::OPEN_READWRITE, 5000);
            db.exec("DROP TABLE refresh_tokens");
        }
        const auto result =
            server.post(kSelfService + "/contacts/refresh", {{"refresh_token", s.refresh_token}});
        const Json body = check_error(result, 500);
        CHECK(body["error"] == "CRM.EXCEPTIONS.INTERNALSERVEREXCEPTION");
        CHECK(body["message"] == "Internal server error");
        CHECK(result->body.find("refresh_tokens") == std::string::npos);
        for (const auto& [name, value] : result->headers) {
            CAPTURE(name);
            CHECK(value.find("refresh_tokens") == std::string::npos);
            CHECK(value.find("no such table") == std::string::npos);
        }
        CHECK(server.get("/healthz")->status == 200);  // the server carries on
    }
}

// /healthz, /openapi.json and the portal at /.
#include <doctest/doctest.h>

#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd::test;

TEST_SUITE("http::portal_and_health") {
    TEST_CASE("healthz: 200 {\"status\": \"ok\"} without any key") {
        TestServer server;
        const auto result = server.get("/healthz", "", "-");
        REQUIRE(result);
        CHECK(result->status == 200);
        CHECK(json_of(result) == Json{{"status", "ok"}});
    }

    TEST_CASE(
        "openapi: /openapi.json is a valid OpenAPI 3 JSON document naming the issue-2 routes") {
        TestServer server;
        const auto result = server.get("/openapi.json", "", "-");
        REQUIRE(result);
        REQUIRE(result->status == 200);
        CHECK(result->get_header_value("Content-Type").rfind("application/json", 0) == 0);
        const Json doc = Json::parse(result->body, nullptr, false);
        REQUIRE(doc.is_object());
        CHECK(doc["openapi"].get<std::string>().rfind("3.", 0) == 0);
        REQUIRE(doc["paths"].is_object());
        const std::vector<std::pair<std::string, std::string>> routes = {
            {"/self-service/v1/contacts/register", "post"},
            {"/self-service/v1/contacts/request-otp", "post"},
            {"/self-service/v1/contacts/otp", "post"},
            {"/self-service/v1/contacts/validate", "post"},
            {"/self-service/v1/contacts/validate-otp", "post"},
            {"/self-service/v1/contacts/validate_otp", "post"},
            {"/self-service/v1/contacts/refresh", "post"},
            {"/self-service/v1/contacts/{contact_id}/sign_out", "post"},
            {"/self-service/v1/contacts/{contact_id}", "get"},
            {"/self-service/v1/contacts/{contact_id}", "put"},
            {"/self-service/v1/contacts/{contact_id}/sessions", "get"},
            {"/self-service/v1/contacts/{contact_id}/sessions/{session_id}", "delete"},
            {"/healthz", "get"},
            {"/openapi.json", "get"},
        };
        for (const auto& [path, method] : routes) {
            CAPTURE(path);
            CAPTURE(method);
            REQUIRE(doc["paths"].contains(path));
            CHECK(doc["paths"][path].contains(method));
        }
        // What it says is served: each of those paths is routed (not 404) on the server.
        for (const auto& [path, method] : routes) {
            std::string concrete = path;
            for (const char* param : {"{contact_id}", "{session_id}"}) {
                if (const auto at = concrete.find(param); at != std::string::npos) {
                    concrete.replace(at, std::string(param).size(), "me");
                }
            }
            CAPTURE(concrete);
            httplib::Result r = method == "get"    ? server.get(concrete)
                                : method == "put"  ? server.put(concrete, Json::object())
                                : method == "post" ? server.post(concrete, Json::object())
                                                   : server.del(concrete);
            REQUIRE(r);
            CHECK(r->status != 404);
            CHECK(r->status != 405);
        }
    }

    TEST_CASE("openapi: every v1 path has its v2 twin, and the server routes both") {
        TestServer server;
        const Json doc = json_of(server.get("/openapi.json", "", "-"));
        const auto& paths = doc.at("paths");
        int twins = 0;
        for (const auto& [path, item] : paths.items()) {
            for (const std::string v1 : {"/self-service/v1/", "/backoffice/v1/"}) {
                if (path.rfind(v1, 0) != 0) continue;
                const auto v2 = v1.substr(0, v1.size() - 3) + "v2/" + path.substr(v1.size());
                CAPTURE(v2);
                REQUIRE_MESSAGE(paths.contains(v2), "run docs/openapi_v2.py");
                // JSON pointer of the v1 path item: '/' is written ~1.
                std::string pointer = "#/paths/";
                for (const char c : path)
                    pointer += c == '/' ? std::string("~1") : std::string(1, c);
                CHECK(paths[v2] == Json({{"$ref", pointer}}));
                ++twins;
                for (const auto& [method, op] : item.items()) {
                    std::string concrete =
                        std::regex_replace(v2, std::regex("\\{[a-z_]+\\}"), "me");
                    CAPTURE(method);
                    CAPTURE(concrete);
                    httplib::Result r = method == "get"    ? server.get(concrete)
                                        : method == "put"  ? server.put(concrete, Json::object())
                                        : method == "post" ? server.post(concrete, Json::object())
                                                           : server.del(concrete);
                    REQUIRE(r);
                    CHECK(r->status != 405);
                    if (r->status == 404) CHECK(json_of(r)["message"] != "No such resource");
                }
            }
        }
        CHECK(twins >= 20);
    }

    TEST_CASE("portal: GET / serves the HTML portal, its assets are served") {
        TestServer server;
        const auto result = server.get("/", "", "-");
        REQUIRE(result);
        CHECK(result->status == 200);
        CHECK(result->get_header_value("Content-Type").rfind("text/html", 0) == 0);
        CHECK(result->body.find("<html") != std::string::npos);
        CHECK_FALSE(result->get_header_value("Content-Security-Policy").empty());
        // A conditional request with the ETag is 304.
        const auto etag = result->get_header_value("ETag");
        REQUIRE_FALSE(etag.empty());
        const auto again = server.client().Get("/", {{"If-None-Match", etag}});
        CHECK(again->status == 304);
        CHECK(server.get("/assets/app.js", "", "-")->status == 200);
        check_error(server.get("/assets/nope.js", "", "-"), 404);
    }
}

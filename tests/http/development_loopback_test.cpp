// Development delivery only on loopback (issue 8): without an SMS or SMTP channel the
// server will not start on a reachable address unless CONTACTD_DEVELOPMENT=on, and the
// development inbox answers only to clients whose connection comes from loopback, whatever
// X-Forwarded-For says.
#include <doctest/doctest.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "support/network_helpers.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

httplib::Result inbox_from(const std::string& host, int port,
                           const httplib::Headers& headers = {}) {
    httplib::Client client(host, port);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    return client.Get("/portal/dev/messages", headers);
}

}  // namespace

TEST_SUITE("http::development_loopback") {
    TEST_CASE("development: without a channel, a non-loopback listen address stops the start") {
        for (const char* host : {"0.0.0.0", "::", "192.0.2.10"}) {
            Config config;
            config.listen_host = host;
            config.listen_port = 0;
            CAPTURE(host);
            try {
                check_development_delivery(config);
                FAIL("no refusal");
            } catch (const std::runtime_error& e) {
                const std::string message = e.what();
                CHECK(message.find(host) != std::string::npos);
                CHECK(message.find("CONTACTD_DEVELOPMENT=on") != std::string::npos);
                CHECK(message.find("CONTACTD_SMTP_URL") != std::string::npos);
            }
            config.development = true;
            CHECK_NOTHROW(check_development_delivery(config));
            config.development = false;
            config.sms_webhook_url = "http://127.0.0.1:9/sms";
            CHECK_NOTHROW(check_development_delivery(config));  // a channel: no inbox
        }
        for (const char* host : {"127.0.0.1", "127.0.0.2", "::1", "localhost"}) {
            Config config;
            config.listen_host = host;
            CAPTURE(host);
            CHECK_NOTHROW(check_development_delivery(config));
        }
    }

    TEST_CASE(
        "development: the inbox answers a loopback peer and refuses any other, whatever "
        "X-Forwarded-For says") {
        const auto own = own_non_loopback_ipv4();
        if (!own) {
            MESSAGE(
                "this machine has no non-loopback IPv4 address; the peer check is covered by "
                "the client_address unit tests");
            return;
        }
        TestServer server([&](Config& c) {
            c.listen_host = "0.0.0.0";
            c.development = true;
            c.trusted_proxies = {*own + "/32"};  // even a trusted proxy cannot vouch for loopback
        });
        REQUIRE(register_phone(server, "99478230")->status == 201);
        REQUIRE(server.last_code_for("+35799478230").size() == 6);  // delivered to the inbox

        const auto local = inbox_from("127.0.0.1", server.port());
        REQUIRE(local);
        CHECK(local->status == 200);
        CHECK(json_of(local)["content"].size() == 1);

        const auto remote = inbox_from(*own, server.port());
        REQUIRE(remote);
        CHECK(remote->status == 403);
        CHECK(remote->body.find("+35799478230") == std::string::npos);
        const auto forwarded = inbox_from(*own, server.port(),
                                          {{"X-Forwarded-For", "127.0.0.1"},
                                           {"X-Real-IP", "127.0.0.1"},
                                           {"REMOTE_ADDR", "127.0.0.1"},
                                           {"Forwarded", "for=127.0.0.1"}});
        REQUIRE(forwarded);
        CHECK(forwarded->status == 403);
        CHECK(forwarded->body.find("+35799478230") == std::string::npos);
        // The rest of the API still answers that client.
        CHECK(inbox_from(*own, server.port())->status == 403);
        httplib::Client client(*own, server.port());
        CHECK(client.Get("/healthz")->status == 200);
    }
}

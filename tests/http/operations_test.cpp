// Operations endpoints (issue 11) in-process: /metrics only to loopback and
// CONTACTD_METRICS_ALLOW, judged by the connection's own address (a trusted proxy's
// X-Forwarded-For cannot unlock it); /readyz 200 while serving, 503 once stopping.
// tests/ops/metrics_test.py reads /metrics with Prometheus' own parser.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "support/network_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

httplib::Result metrics_from(const std::string& host, int port,
                             const httplib::Headers& headers = {}) {
    httplib::Client client(host, port);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    return client.Get("/metrics", headers);
}

}  // namespace

TEST_SUITE("http::operations") {
    TEST_CASE("metrics: loopback reads them, another peer gets 404 whatever its headers say") {
        const auto own = own_non_loopback_ipv4();
        REQUIRE_MESSAGE(own, "the test needs a non-loopback IPv4 address on this machine");
        TestServer server([&](Config& c) {
            c.listen_host = "0.0.0.0";
            c.development = true;
            c.trusted_proxies = {*own + "/32"};  // a trusted proxy, still not a metrics reader
        });
        const auto local = metrics_from("127.0.0.1", server.port());
        REQUIRE(local);
        CHECK(local->status == 200);
        CHECK(local->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
        CHECK(local->body.find("# TYPE contactd_http_requests_total counter") != std::string::npos);

        const auto remote = metrics_from(*own, server.port());
        REQUIRE(remote);
        CHECK(remote->status == 404);
        CHECK(json_of(remote)["error"] == "CRM.EXCEPTIONS.NOTFOUNDEXCEPTION");
        CHECK(remote->body.find("contactd_") == std::string::npos);
        const auto forwarded = metrics_from(*own, server.port(),
                                            {{"X-Forwarded-For", "127.0.0.1"},
                                             {"X-Real-IP", "127.0.0.1"},
                                             {"Forwarded", "for=127.0.0.1"}});
        REQUIRE(forwarded);
        CHECK(forwarded->status == 404);
        CHECK(forwarded->body.find("contactd_") == std::string::npos);
    }

    TEST_CASE("metrics: CONTACTD_METRICS_ALLOW lets its networks read them") {
        const auto own = own_non_loopback_ipv4();
        REQUIRE_MESSAGE(own, "the test needs a non-loopback IPv4 address on this machine");
        TestServer server([&](Config& c) {
            c.listen_host = "0.0.0.0";
            c.development = true;
            c.metrics_allow = {*own + "/32"};
        });
        const auto remote = metrics_from(*own, server.port());
        REQUIRE(remote);
        CHECK(remote->status == 200);
        CHECK(remote->body.find("contactd_outbox_pending ") != std::string::npos);
    }

    TEST_CASE("readyz: 200 while serving, 503 from the moment the server begins to stop") {
        TestServer server([](Config& c) { c.shutdown_delay_ms = 1000; });
        const auto ready = server.get("/readyz");
        REQUIRE(ready);
        CHECK(ready->status == 200);
        CHECK(json_of(ready) == Json{{"status", "ready"}});
        CHECK(server.app().ready());

        std::thread stopping([&] { server.app().stop(); });
        // stop() turns readiness off first, then keeps serving for the shutdown delay.
        bool saw_503 = false;
        for (int i = 0; i < 40 && !saw_503; ++i) {
            const auto r = server.get("/readyz");
            if (r && r->status == 503) {
                saw_503 = true;
                CHECK(json_of(r)["error"] == "CRM.EXCEPTIONS.SERVICEUNAVAILABLEEXCEPTION");
                CHECK(server.get("/healthz")->status == 200);  // liveness is not readiness
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        CHECK(saw_503);
        CHECK_FALSE(server.app().ready());
        stopping.join();
    }
}

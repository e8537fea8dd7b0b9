// Metrics (issue 11): route templates as labels, the text exposition of counters and
// histograms, and the service counters.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "http/http_metrics.h"
#include "util/metrics.h"

using contactd::http::HttpMetrics;
using contactd::http::route_label;

namespace {

bool has_line(const std::string& text, const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_SUITE("http::metrics") {
    TEST_CASE("metrics: a route pattern's label is its template, never a raw path") {
        CHECK(route_label("/healthz") == "/healthz");
        CHECK(route_label("/self-service/v1/contacts/([A-Za-z0-9_-]{1,36})") ==
              "/self-service/v1/contacts/{id}");
        CHECK(route_label("/self-service/v1/contacts/([A-Za-z0-9_-]{1,36})/sessions/"
                          "([A-Za-z0-9_-]{1,36})") ==
              "/self-service/v1/contacts/{id}/sessions/{sid}");
        CHECK(route_label("/backoffice/v1/contacts/([^/]+)/organisations") ==
              "/backoffice/v1/contacts/{id}/organisations");
        CHECK(route_label("/assets/([A-Za-z0-9._-]{1,64})") == "/assets/{name}");
        CHECK(route_label("/openapi\\.json") == "/openapi.json");
        CHECK(route_label("/self-service/v(?:1|2)/contacts/([^/]+)") ==
              "/self-service/v{1|2}/contacts/{id}");
        CHECK(route_label("/self-service/(v1|v2)/contacts/([^/]+)") ==
              "/self-service/{v1|v2}/contacts/{id}");
        CHECK(route_label("/a/([^/]+)/b/([^/]+)") == "/a/{id}/b/{id2}");
        // How HttpServer::add registers a versioned route (http/api_versions.h).
        CHECK(route_label("/self-service/{version}/contacts/([A-Za-z0-9_-]{1,36})") ==
              "/self-service/{version}/contacts/{id}");
    }

    TEST_CASE("metrics: requests count by route, method and status and latency by route") {
        HttpMetrics metrics;
        auto* get = metrics.add_route("GET", "/contacts/{id}");
        auto* put = metrics.add_route("PUT", "/contacts/{id}");
        HttpMetrics::observe(*get, 200, std::chrono::milliseconds(3));
        HttpMetrics::observe(*get, 200, std::chrono::milliseconds(30));
        HttpMetrics::observe(*get, 404, std::chrono::seconds(20));
        HttpMetrics::observe(*put, 400, std::chrono::microseconds(500));
        HttpMetrics::observe(*metrics.unmatched("BREW"), 404, std::chrono::milliseconds(1));
        std::string text;
        metrics.render(text);
        CHECK(has_line(text,
                       "contactd_http_requests_total{route=\"/contacts/{id}\",method=\"GET\","
                       "status=\"200\"} 2"));
        CHECK(has_line(text,
                       "contactd_http_requests_total{route=\"/contacts/{id}\",method=\"GET\","
                       "status=\"404\"} 1"));
        CHECK(has_line(text,
                       "contactd_http_requests_total{route=\"/contacts/{id}\",method=\"PUT\","
                       "status=\"400\"} 1"));
        CHECK(has_line(text,
                       "contactd_http_requests_total{route=\"unmatched\",method=\"OTHER\","
                       "status=\"404\"} 1"));
        // The histogram adds the route's methods up; buckets are cumulative.
        const std::string h = "contactd_http_request_duration_seconds";
        CHECK(has_line(text, "# TYPE " + h + " histogram"));
        CHECK(has_line(text, h + "_bucket{route=\"/contacts/{id}\",le=\"0.001\"} 1"));
        CHECK(has_line(text, h + "_bucket{route=\"/contacts/{id}\",le=\"0.005\"} 2"));
        CHECK(has_line(text, h + "_bucket{route=\"/contacts/{id}\",le=\"0.05\"} 3"));
        CHECK(has_line(text, h + "_bucket{route=\"/contacts/{id}\",le=\"10\"} 3"));
        CHECK(has_line(text, h + "_bucket{route=\"/contacts/{id}\",le=\"+Inf\"} 4"));
        CHECK(has_line(text, h + "_count{route=\"/contacts/{id}\"} 4"));
        CHECK(has_line(text, h + "_sum{route=\"/contacts/{id}\"} 20.033500000"));
        // Routes nobody called have no series.
        CHECK(text.find("route=\"/healthz\"") == std::string::npos);
    }

    TEST_CASE("metrics: service counters and label escaping") {
        contactd::metrics::ServiceMetrics metrics;
        metrics.sign_ins.inc({"PASSWORD", "success"});
        metrics.sign_ins.inc({"PASSWORD", "success"});
        metrics.sign_ins.inc({"OTP", "fail\"ure\\\n"});
        std::string text;
        metrics.render(text);
        CHECK(has_line(text, "# TYPE contactd_sign_ins_total counter"));
        CHECK(has_line(text, "contactd_sign_ins_total{method=\"PASSWORD\",outcome=\"success\"} 2"));
        CHECK(has_line(text,
                       "contactd_sign_ins_total{method=\"OTP\",outcome=\"fail\\\"ure\\\\\\n\"} 1"));
        // Both channels exist from the start, at 0.
        CHECK(has_line(text, "contactd_messages_sent_total{channel=\"SMS\"} 0"));
        CHECK(has_line(text, "contactd_messages_failed_total{channel=\"EMAIL\"} 0"));
        CHECK_THROWS_AS(metrics.messages_sent.inc({"SMS", "extra"}), std::logic_error);
    }
}

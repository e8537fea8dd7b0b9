#pragma once
// Per-route HTTP counters and latency histograms, for /metrics.
//
// Each registered route (method and path pattern) gets a RouteSeries when it is added
// (HttpServer::add); a request's handler names its series, so labels are the route
// templates (`/self-service/v1/contacts/{id}`), never raw paths: ids never become
// labels. Requests no route matched count under the route "unmatched".
//
// Thread-safety: add_route() only before serving (it is not synchronised with
// observe()); observe() and render() from any thread, lock-free (relaxed atomics).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace contactd::http {

// The label of a route pattern: each capture group becomes a placeholder named by the
// path segment before it ({sid} after "sessions/", {name} after "assets/", else {id};
// a second {id} in one template becomes {id2}); `\.` becomes `.`; a group that is a
// choice of words, `(?:v1|v2)` or `(v1|v2)`, becomes `{v1|v2}`. Small on purpose: route
// tables that register other pattern shapes adjust it here.
std::string route_label(std::string_view pattern);

class HttpMetrics {
  public:
    // Upper bounds, in seconds, of the latency histogram's buckets (+Inf is implied).
    static constexpr std::array<double, 13> kBuckets = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};

    struct RouteSeries {
        RouteSeries(std::string method, std::string route)
            : method(std::move(method)), route(std::move(route)) {}
        const std::string method;
        const std::string route;
        std::array<std::atomic<std::uint64_t>, 500> by_status{};                // status 100..599
        std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // not cumulative
        std::atomic<std::uint64_t> count{0};
        std::atomic<std::uint64_t> sum_ns{0};
    };

    HttpMetrics();

    RouteSeries* add_route(const std::string& method, const std::string& route);
    // The series of requests no route took, by method (unusual methods share "OTHER").
    RouteSeries* unmatched(std::string_view method);
    static void observe(RouteSeries& series, int status, std::chrono::nanoseconds elapsed);

    // contactd_http_requests_total and contactd_http_request_duration_seconds.
    void render(std::string& out) const;

  private:
    std::deque<RouteSeries> series_;  // stable addresses
    std::array<RouteSeries*, 8> unmatched_{};
};

}  // namespace contactd::http

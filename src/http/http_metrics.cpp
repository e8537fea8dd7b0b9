#include "http/http_metrics.h"

#include <cstdio>
#include <map>
#include <vector>

#include "util/metrics.h"

namespace contactd::http {
namespace {

constexpr std::array<std::string_view, 8> kMethods = {"GET",  "POST",    "PUT",   "DELETE",
                                                      "HEAD", "OPTIONS", "PATCH", "OTHER"};

std::string bucket_bound(double bound) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", bound);
    return buf;
}

}  // namespace

std::string route_label(std::string_view pattern) {
    std::string out;
    std::map<std::string, int> used;
    std::size_t i = 0;
    while (i < pattern.size()) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            out += pattern[i + 1];
            i += 2;
            continue;
        }
        if (c != '(') {
            out += c;
            ++i;
            continue;
        }
        // The whole group, nested parentheses included.
        std::size_t depth = 0;
        std::size_t j = i;
        for (; j < pattern.size(); ++j) {
            if (pattern[j] == '\\') {
                ++j;
            } else if (pattern[j] == '(') {
                ++depth;
            } else if (pattern[j] == ')' && --depth == 0) {
                break;
            }
        }
        const auto group = pattern.substr(i, j - i + 1);
        const auto inner = group.substr(1, group.size() - 2);
        const bool literal_choice =
            inner.find('|') != std::string_view::npos &&
            inner.find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_|-") ==
                std::string_view::npos;
        if (group.substr(0, 3) == "(?:") {
            out.append("{").append(group.substr(3, group.size() - 4)).append("}");
        } else if (literal_choice) {
            out.append("{").append(inner).append("}");  // (v1|v2): a choice of words, not an id
        } else {
            const auto slash = out.find_last_of('/', out.empty() ? 0 : out.size() - 2);
            const auto segment = slash == std::string::npos || out.size() < 2
                                     ? std::string()
                                     : out.substr(slash + 1, out.size() - slash - 2);
            std::string name = segment == "sessions" ? "sid" : segment == "assets" ? "name" : "id";
            if (const int n = ++used[name]; n > 1) name += std::to_string(n);
            out.append("{").append(name).append("}");
        }
        i = j + 1;
        // A quantifier on the group ({1,36}, +, *, ?) belongs to the group.
        if (i < pattern.size() && (pattern[i] == '+' || pattern[i] == '*' || pattern[i] == '?'))
            ++i;
    }
    return out;
}

HttpMetrics::HttpMetrics() {
    for (std::size_t i = 0; i < kMethods.size(); ++i)
        unmatched_[i] = &series_.emplace_back(std::string(kMethods[i]), "unmatched");
}

HttpMetrics::RouteSeries* HttpMetrics::add_route(const std::string& method,
                                                 const std::string& route) {
    return &series_.emplace_back(method, route);
}

HttpMetrics::RouteSeries* HttpMetrics::unmatched(std::string_view method) {
    for (std::size_t i = 0; i + 1 < kMethods.size(); ++i) {
        if (method == kMethods[i]) return unmatched_[i];
    }
    return unmatched_.back();
}

void HttpMetrics::observe(RouteSeries& series, int status, std::chrono::nanoseconds elapsed) {
    const int index = status < 100 || status > 599 ? 0 : status - 100;
    series.by_status[static_cast<std::size_t>(index)].fetch_add(1, std::memory_order_relaxed);
    const double seconds = std::chrono::duration<double>(elapsed).count();
    std::size_t bucket = 0;
    while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
    series.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    series.sum_ns.fetch_add(static_cast<std::uint64_t>(elapsed.count() > 0 ? elapsed.count() : 0),
                            std::memory_order_relaxed);
    series.count.fetch_add(1, std::memory_order_relaxed);
}

void HttpMetrics::render(std::string& out) const {
    metrics::write_header(out, "contactd_http_requests_total",
                          "HTTP requests answered, by route template, method and status.",
                          "counter");
    for (const auto& s : series_) {
        for (std::size_t i = 0; i < s.by_status.size(); ++i) {
            const auto n = s.by_status[i].load(std::memory_order_relaxed);
            if (n == 0) continue;
            out += "contactd_http_requests_total{route=\"" + metrics::escape_label(s.route) +
                   "\",method=\"" + metrics::escape_label(s.method) + "\",status=\"" +
                   std::to_string(i + 100) + "\"} " + std::to_string(n) + '\n';
        }
    }

    // The histogram is by route only: routes registered for several methods add up.
    struct Sum {
        std::array<std::uint64_t, kBuckets.size() + 1> buckets{};
        std::uint64_t sum_ns = 0;
    };
    std::map<std::string, Sum> by_route;
    for (const auto& s : series_) {
        if (s.count.load(std::memory_order_relaxed) == 0) continue;
        auto& sum = by_route[s.route];
        for (std::size_t b = 0; b < s.buckets.size(); ++b)
            sum.buckets[b] += s.buckets[b].load(std::memory_order_relaxed);
        sum.sum_ns += s.sum_ns.load(std::memory_order_relaxed);
    }
    const std::string name = "contactd_http_request_duration_seconds";
    metrics::write_header(out, name, "Time to handle an HTTP request, by route template.",
                          "histogram");
    for (const auto& [route, sum] : by_route) {
        const auto label = "route=\"" + metrics::escape_label(route) + "\"";
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b < sum.buckets.size(); ++b) {
            cumulative += sum.buckets[b];
            const auto le = b < kBuckets.size() ? bucket_bound(kBuckets[b]) : "+Inf";
            out += name + "_bucket{" + label + ",le=\"" + le + "\"} " + std::to_string(cumulative) +
                   '\n';
        }
        char seconds[40];
        std::snprintf(seconds, sizeof seconds, "%.9f", static_cast<double>(sum.sum_ns) / 1e9);
        out += name + "_sum{" + label + "} " + seconds + '\n';
        // _count from the buckets, so that it always equals the +Inf bucket.
        out += name + "_count{" + label + "} " + std::to_string(cumulative) + '\n';
    }
}

}  // namespace contactd::http

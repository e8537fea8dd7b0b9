#pragma once
// Operations endpoints: GET /readyz (readiness, beside /healthz's liveness) and
// GET /metrics (Prometheus text exposition 0.0.4).
//
// /metrics answers only to a connection whose own peer address is loopback or inside
// one of `metrics_allow` (CONTACTD_METRICS_ALLOW); to anyone else it is 404, as an
// unknown path. X-Forwarded-For is never consulted, whatever proxies are trusted.
#include <functional>
#include <vector>

#include "http/client_address.h"
#include "http/server.h"
#include "storage/store.h"
#include "util/metrics.h"

namespace contactd::http {

struct OpsDeps {
    storage::Store& store;
    // True once the server is started and until it begins to shut down, with message
    // delivery running. The database is checked besides.
    std::function<bool()> serving;
    const HttpMetrics& http_metrics;
    const metrics::ServiceMetrics& service_metrics;
    std::vector<Cidr> metrics_allow;
};

void add_ops_routes(HttpServer& server, OpsDeps deps);

// Every series /metrics answers, in the text format.
std::string render_metrics(const OpsDeps& deps);

}  // namespace contactd::http

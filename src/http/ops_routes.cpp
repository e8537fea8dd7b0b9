#include "http/ops_routes.h"

#include <memory>

#include "http/errors.h"
#include "http/json_io.h"

namespace contactd::http {
namespace {

bool metrics_allowed(const httplib::Request& req, const std::vector<Cidr>& allow) {
    if (from_loopback_peer(req)) return true;
    for (const auto& cidr : allow) {
        if (cidr.contains(req.remote_addr)) return true;
    }
    return false;
}

}  // namespace

std::string render_metrics(const OpsDeps& deps) {
    std::string out;
    out.reserve(16 * 1024);
    deps.http_metrics.render(out);
    deps.service_metrics.render(out);
    const auto pending = deps.store.read([](storage::Repositories& repos) {
        storage::OutboxRepository::Filter filter;
        filter.status = "PENDING";
        return repos.outbox().count(filter);
    });
    metrics::write_header(out, "contactd_outbox_pending",
                          "Messages waiting in the outbox for a delivery attempt.", "gauge");
    out += "contactd_outbox_pending " + std::to_string(pending) + '\n';
    const bool ready = deps.serving();
    metrics::write_header(out, "contactd_ready", "1 while /readyz answers 200.", "gauge");
    out += std::string("contactd_ready ") + (ready ? "1" : "0") + '\n';
    return out;
}

void add_ops_routes(HttpServer& server, OpsDeps deps) {
    const auto shared = std::make_shared<OpsDeps>(std::move(deps));
    server.get("/readyz", [shared](const httplib::Request&, httplib::Response& res) {
        if (!shared->serving()) {
            send_error(res, 503, code_for_status(503), "contactd is starting or shutting down");
            return;
        }
        if (!shared->store.healthy()) {
            send_error(res, 503, code_for_status(503), "The database is not available");
            return;
        }
        send_json(res, 200, {{"status", "ready"}});
    });
    server.get("/metrics", [shared](const httplib::Request& req, httplib::Response& res) {
        if (!metrics_allowed(req, shared->metrics_allow)) {
            send_error(res, 404, code_for_status(404), "No such resource");
            return;
        }
        res.set_content(render_metrics(*shared), "text/plain; version=0.0.4; charset=utf-8");
    });
}

}  // namespace contactd::http

#include "http/security_event_routes.h"

#include "http/api_auth.h"
#include "http/backoffice_json.h"
#include "http/json_io.h"

namespace contactd::http {
namespace {

Json event_json(const storage::SecurityEventRecord& e) {
    // The stored detail is ours and always an object; an unreadable one shows as {}.
    Json detail = Json::parse(e.detail, nullptr, false);
    if (!detail.is_object()) detail = Json::object();
    return {{"id", e.id},
            {"type", e.type},
            {"contact_id", optional_json(e.contact_id)},
            {"ip_address", optional_json(e.ip_address)},
            {"user_agent", optional_json(e.user_agent)},
            {"request_id", optional_json(e.request_id)},
            {"created_at", e.created_at},
            {"detail", detail}};
}

}  // namespace

void add_security_event_routes(HttpServer& server, const SecurityEventRoutesDeps& deps) {
    server.get("/backoffice/{version}/security_events",
               [deps](const httplib::Request& req, httplib::Response& res) {
                   require_api_key(req, deps.api_keys, ApiScope::BackOffice);
                   const domain::SecurityEventFilter filter{filter_param(req, "contact_id"),
                                                            filter_param(req, "type")};
                   const auto page = deps.events.list(filter, parse_page_request(req));
                   res.set_header("Cache-Control", "no-store");
                   send_json(res, 200, page_json(page, event_json));
               });
}

}  // namespace contactd::http

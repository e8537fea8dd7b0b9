#include "http/message_routes.h"

#include "http/api_auth.h"
#include "http/backoffice_json.h"
#include "http/json_io.h"

namespace contactd::http {
namespace {

// Delivery state only: the subject and text are never shown.
Json message_json(const storage::MessageRecord& m) {
    return {{"id", m.id},
            {"channel", m.channel},
            {"recipient", m.recipient},
            {"kind", m.kind},
            {"contact_id", optional_json(m.contact_id)},
            {"status", m.status},
            {"attempts", m.attempts},
            {"last_error", optional_json(m.last_error)},
            {"created_at", m.created_at},
            {"sent_at", m.sent_at ? Json(*m.sent_at) : Json(nullptr)}};
}

}  // namespace

void add_message_routes(HttpServer& server, const MessageRoutesDeps& deps) {
    server.get("/backoffice/{version}/messages",
               [deps](const httplib::Request& req, httplib::Response& res) {
                   require_api_key(req, deps.api_keys, ApiScope::BackOffice);
                   const domain::MessageFilter filter{filter_param(req, "contact_id"),
                                                      filter_param(req, "status")};
                   const auto page = deps.messages.list(filter, parse_page_request(req));
                   res.set_header("Cache-Control", "no-store");
                   send_json(res, 200, page_json(page, message_json));
               });
}

}  // namespace contactd::http

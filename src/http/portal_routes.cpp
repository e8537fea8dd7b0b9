#include "http/portal_routes.h"

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "http/client_address.h"
#include "http/errors.h"
#include "http/json_io.h"
#include "util/embedded.h"

namespace contactd::http {
namespace {

std::string content_type_for(std::string_view name) {
    auto ends = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
    };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".json")) return "application/json";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".ico")) return "image/x-icon";
    return "application/octet-stream";
}

const EmbeddedFile* find_static(std::string_view name) {
    for (const auto& file : embedded_static()) {
        if (file.data && name == file.name) return &file;
    }
    return nullptr;
}

// Serves an embedded file with an ETag, answering 304 to a matching If-None-Match.
void serve_file(const httplib::Request& req, httplib::Response& res, const EmbeddedFile& file) {
    // Appended, not "\"" + …: GCC 12 -O3 reports a false -Wrestrict there (bug 105329).
    std::string etag = "\"";
    etag.append(crypto::to_hex(crypto::sha256(file.view())), 0, 16).push_back('"');
    res.set_header("ETag", etag);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (req.get_header_value("If-None-Match") == etag) {
        res.status = 304;
        return;
    }
    res.set_content(file.data, file.size, content_type_for(file.name));
}

}  // namespace

void add_portal_routes(HttpServer& server, const PortalDeps& deps) {
    server.get("/healthz", [&store = deps.store](const httplib::Request&, httplib::Response& res) {
        if (store.healthy()) {
            send_json(res, 200, {{"status", "ok"}});
        } else {
            send_error(res, 503, code_for_status(503), "The database is not available");
        }
    });
    server.get("/openapi.json", [](const httplib::Request& req, httplib::Response& res) {
        const auto files = embedded_openapi();
        if (files.empty() || !files.front().data)
            throw std::runtime_error("openapi.json is not embedded");
        serve_file(req, res, files.front());
    });
    server.get("/", [](const httplib::Request& req, httplib::Response& res) {
        const auto* index = find_static("index.html");
        if (!index) throw std::runtime_error("the portal is not embedded");
        res.set_header(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'");
        res.set_header("Referrer-Policy", "no-referrer");
        serve_file(req, res, *index);
    });
    server.get("/assets/([A-Za-z0-9._-]{1,64})",
               [](const httplib::Request& req, httplib::Response& res) {
                   const auto* file = find_static(req.matches[1].str());
                   if (!file) {
                       send_error(res, 404, code_for_status(404), "No such asset");
                       return;
                   }
                   serve_file(req, res, *file);
               });
    server.get("/portal/config.json", [key = deps.portal_api_key, dev = deps.development](
                                          const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", "no-store");
        send_json(res, 200, {{"api_key", key}, {"development", dev}});
    });
    if (deps.development) {
        // Every code sent is readable here: only a client on this machine may read it,
        // judged by the connection's own peer address.
        server.get("/portal/dev/messages", [&store = deps.store](const httplib::Request& req,
                                                                 httplib::Response& res) {
            if (!from_loopback_peer(req)) {
                res.set_header("Cache-Control", "no-store");
                send_error(res, 403, code_for_status(403),
                           "The development inbox answers only to loopback clients");
                return;
            }
            const auto messages = store.read(
                [](storage::Repositories& repos) { return repos.outbox().list_development(50); });
            Json content = Json::array();
            for (const auto& m : messages) {
                content.push_back({{"id", m.id},
                                   {"channel", m.channel},
                                   {"recipient", m.recipient},
                                   {"kind", m.kind},
                                   {"subject", m.subject ? Json(*m.subject) : Json(nullptr)},
                                   {"body", m.body.value_or("")},
                                   {"created_at", m.created_at}});
            }
            res.set_header("Cache-Control", "no-store");
            send_json(res, 200, {{"content", content}});
        });
    }
}

}  // namespace contactd::http

#pragma once
#include <string>

#include "http/server.h"
#include "storage/store.h"

namespace contactd::http {

struct PortalDeps {
    storage::Store& store;
    std::string portal_api_key;  // a public key valid for this run only
    bool development;            // development delivery: expose the inbox
};

// GET / (the portal), /reset-password and /verify-email (the pages emailed links open),
// /assets/<file>, /portal/config.json, /portal/dev/messages
// (development delivery only), /openapi.json and /healthz.
void add_portal_routes(HttpServer& server, const PortalDeps& deps);

}  // namespace contactd::http

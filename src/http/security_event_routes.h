#pragma once
// GET /backoffice/v1/security_events: the security events, newest first, filtered by
// `contact_id` and `type`, paged by `page` and `size`. A secret api_key only (a public
// one is 403, none or an unknown one 401).
#include "domain/api_key_service.h"
#include "domain/security_events.h"
#include "http/server.h"

namespace contactd::http {

struct SecurityEventRoutesDeps {
    const domain::SecurityEvents& events;
    domain::ApiKeyService& api_keys;
};

void add_security_event_routes(HttpServer& server, const SecurityEventRoutesDeps& deps);

}  // namespace contactd::http

#pragma once
// GET /backoffice/v1/messages: the outbox's delivery state for the back office (secret
// api_key), filtered by contact_id and status, paged. Never the text or the code.
#include "domain/api_key_service.h"
#include "domain/message_service.h"
#include "http/server.h"

namespace contactd::http {

struct MessageRoutesDeps {
    domain::MessageService& messages;
    domain::ApiKeyService& api_keys;
};

void add_message_routes(HttpServer& server, const MessageRoutesDeps& deps);

}  // namespace contactd::http

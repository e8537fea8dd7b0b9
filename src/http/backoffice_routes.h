#pragma once
#include "domain/api_key_service.h"
#include "domain/audit_trail.h"
#include "domain/backoffice_contacts.h"
#include "domain/backoffice_organisations.h"
#include "http/client_address.h"
#include "http/server.h"

namespace contactd::http {

struct BackOfficeDeps {
    domain::BackOfficeContacts& contacts;
    domain::BackOfficeOrganisations& organisations;
    const domain::AuditTrail& audit;
    domain::ApiKeyService& api_keys;
    // The client's address on security events (a contact deleted, sessions revoked).
    const ClientAddressResolver& addresses;
};

// Registers every Back-Office route (each version: http/api_versions.h) but the message
// listing; each needs a secret api_key (a public one is 403, none or an unknown one 401),
// whatever bearer comes with it.
void add_backoffice_routes(HttpServer& server, const BackOfficeDeps& deps);

}  // namespace contactd::http

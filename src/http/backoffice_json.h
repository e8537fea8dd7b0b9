#pragma once
// Back-Office request bodies and answers. Decoding only checks JSON shapes and names
// the field; the services check values. A body that tries to set a credential
// (password, identity, token, ...) is refused: the back office never handles them.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "domain/backoffice_contacts.h"
#include "domain/backoffice_organisations.h"
#include "http/json_io.h"

namespace contactd::http {

domain::ContactInput parse_contact_input(const Json& body);
domain::OrganisationInput parse_organisation_input(const Json& body);
// body["custom_fields"] (which must be present): [{"key", "value"}], null for none.
// Shared with the self-service register and PUT.
std::vector<domain::CustomFieldInput> parse_custom_fields(const Json& body);
// page and size from the query string; 400 unless whole numbers in range.
domain::PageRequest parse_page_request(const httplib::Request& req);
// The query parameter, when present. Throws Error(InvalidValue) naming it when it holds
// control characters (U+0000-U+001F, U+007F).
std::optional<std::string> query_param(const httplib::Request& req, const char* name);
// A listing's filter from the query string: as query_param, absent when empty too.
std::optional<std::string> filter_param(const httplib::Request& req, const char* name);
// The value, or JSON null.
Json optional_json(const std::optional<std::string>& value);

Json backoffice_contact_json(const domain::BackOfficeContact& contact);
Json organisation_json(const storage::OrganisationRecord& organisation);
Json audit_entry_json(const storage::AuditRecord& entry);

// {"content": [...], "paging": {"page", "size", "total", "has_more"}}
template <class T, class Render>
Json page_json(const domain::Page<T>& page, Render&& render) {
    Json content = Json::array();
    for (const auto& item : page.items) content.push_back(render(item));
    return {{"content", content},
            {"paging",
             {{"page", page.request.page},
              {"size", page.request.size},
              {"total", page.total},
              {"has_more", page.has_more()}}}};
}

}  // namespace contactd::http

#include "http/backoffice_routes.h"

#include "http/api_auth.h"
#include "http/backoffice_json.h"
#include "http/client_info.h"
#include "http/json_io.h"
#include "http/views.h"
#include "util/error.h"

namespace contactd::http {
namespace {

// Every route is served under each version of the API (http/api_versions.h).
const std::string kBase = "/backoffice/{version}";
// A contact's id or code, or an organisation's id: one path segment.
const std::string kKey = "([^/]+)";

class Routes {
  public:
    explicit Routes(const BackOfficeDeps& deps) : d_(deps) {}

    // Every back-office call needs a secret key; its id is who made a change.
    domain::Actor actor(const httplib::Request& req) const {
        return {require_api_key(req, d_.api_keys, ApiScope::BackOffice).id,
                client_info(req, d_.addresses)};
    }

    static std::string key(const httplib::Request& req) { return req.matches[1].str(); }

    void create_contact(const httplib::Request& req, httplib::Response& res) const {
        const auto who = actor(req);
        const auto id = d_.contacts.create(who, parse_contact_input(parse_body(req)));
        send_json(res, 201, {{"id", id}});
    }

    void list_contacts(const httplib::Request& req, httplib::Response& res) const {
        actor(req);
        domain::ContactFilter filter;
        filter.code = query_param(req, "code");
        filter.email = query_param(req, "email_address");
        filter.phone = query_param(req, "phone");
        filter.country_code = query_param(req, "country_code");
        filter.search_value = query_param(req, "search_value");
        const auto page = d_.contacts.list(filter, parse_page_request(req));
        send_json(res, 200, page_json(page, backoffice_contact_json));
    }

    void verify_contact(const httplib::Request& req, httplib::Response& res) const {
        actor(req);
        domain::ContactFilter filter;
        filter.email = query_param(req, "email_address");
        filter.phone = query_param(req, "phone");
        filter.country_code = query_param(req, "country_code");
        send_json(res, 200, {{"contact_exists", d_.contacts.exists(filter)}});
    }

    void get_contact(const httplib::Request& req, httplib::Response& res) const {
        actor(req);
        send_json(res, 200, backoffice_contact_json(d_.contacts.get(key(req))));
    }

    void update_contact(const httplib::Request& req, httplib::Response& res) const {
        const auto who = actor(req);
        const auto id = d_.contacts.update(who, key(req), parse_contact_input(parse_body(req)));
        send_json(res, 200, {{"id", id}});
    }

    void delete_contact(const httplib::Request& req, httplib::Response& res) const {
        d_.contacts.remove(actor(req), key(req));
        res.status = 204;
    }

    void contact_organisation(const httplib::Request& req, httplib::Response& res) const {
        const auto who = actor(req);
        const auto body = parse_body(req);
        reject_unknown_fields(body, {"organisation_id", "action"});
        const auto organisation_id = require_string(body, "organisation_id");
        const auto action =
            domain::BackOfficeOrganisations::parse_action(require_string(body, "action"));
        if (!action) throw invalid_value("action must be SIGNUP or SIGNOFF", {"action"});
        const auto id = d_.organisations.set_membership(who, key(req), organisation_id, *action);
        send_json(res, 200, {{"id", id}});
    }

    void list_sessions(const httplib::Request& req, httplib::Response& res) const {
        actor(req);
        send_json(res, 200, sessions_json(d_.contacts.sessions(key(req)), ""));
    }

    void revoke_sessions(const httplib::Request& req, httplib::Response& res) const {
        d_.contacts.revoke_sessions(actor(req), key(req));
        res.status = 204;
    }

    void create_organisation(const httplib::Request& req, httplib::Response& res) const {
        const auto who = actor(req);
        const auto id = d_.organisations.create(who, parse_organisation_input(parse_body(req)));
        send_json(res, 201, {{"id", id}});
    }

    void list_organisations(const httplib::Request& req, httplib::Response& res) const {
        actor(req);
        send_json(res, 200,
                  page_json(d_.organisations.list(parse_page_request(req)), organisation_json));
    }

    void get_organisation(const httplib::Request& req, httplib::Response& res) const {
        actor(req);
        send_json(res, 200, organisation_json(d_.organisations.get(key(req))));
    }

    void update_organisation(const httplib::Request& req, httplib::Response& res) const {
        const auto who = actor(req);
        const auto id =
            d_.organisations.update(who, key(req), parse_organisation_input(parse_body(req)));
        send_json(res, 200, {{"id", id}});
    }

    void delete_organisation(const httplib::Request& req, httplib::Response& res) const {
        d_.organisations.remove(actor(req), key(req));
        res.status = 204;
    }

    void list_audit(const httplib::Request& req, httplib::Response& res) const {
        actor(req);
        auto entity_id = query_param(req, "entity_id");
        if (entity_id && entity_id->empty()) entity_id.reset();
        send_json(res, 200,
                  page_json(d_.audit.list(entity_id, parse_page_request(req)), audit_entry_json));
    }

  private:
    const BackOfficeDeps d_;
};

}  // namespace

void add_backoffice_routes(HttpServer& server, const BackOfficeDeps& deps) {
    auto routes = std::make_shared<Routes>(deps);
    auto bind = [routes](auto method) { return route_to(routes, method); };
    const std::string contacts = kBase + "/contacts";
    const std::string organisations = kBase + "/organisations";
    server.post(contacts, bind(&Routes::create_contact));
    server.get(contacts, bind(&Routes::list_contacts));
    // Before /contacts/{id}, which would otherwise take "verify" for an id.
    server.get(contacts + "/verify", bind(&Routes::verify_contact));
    server.get(contacts + "/" + kKey, bind(&Routes::get_contact));
    server.put(contacts + "/" + kKey, bind(&Routes::update_contact));
    server.del(contacts + "/" + kKey, bind(&Routes::delete_contact));
    server.post(contacts + "/" + kKey + "/organisations", bind(&Routes::contact_organisation));
    server.get(contacts + "/" + kKey + "/sessions", bind(&Routes::list_sessions));
    server.del(contacts + "/" + kKey + "/sessions", bind(&Routes::revoke_sessions));
    server.post(organisations, bind(&Routes::create_organisation));
    server.get(organisations, bind(&Routes::list_organisations));
    server.get(organisations + "/" + kKey, bind(&Routes::get_organisation));
    server.put(organisations + "/" + kKey, bind(&Routes::update_organisation));
    server.del(organisations + "/" + kKey, bind(&Routes::delete_organisation));
    server.get(kBase + "/audit", bind(&Routes::list_audit));
}

}  // namespace contactd::http

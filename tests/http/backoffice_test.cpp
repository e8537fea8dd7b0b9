// The Back-Office API over HTTP against the real server: every row of the contract's
// Back-Office table, its validations, the audit trail, delete cascades, and the
// cross-API flow (created in the back office, claimed through the self-service API).
#include <doctest/doctest.h>

#include <regex>
#include <set>
#include <string>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kBo = "/backoffice/v1";

// Back-office calls with the secret key.
struct Bo {
    TestServer& server;
    httplib::Result post(const std::string& path, const Json& body) const {
        return server.post(kBo + path, body, "", server.secret_key());
    }
    httplib::Result put(const std::string& path, const Json& body) const {
        return server.put(kBo + path, body, "", server.secret_key());
    }
    httplib::Result get(const std::string& path) const {
        return server.get(kBo + path, "", server.secret_key());
    }
    httplib::Result del(const std::string& path) const {
        return server.del(kBo + path, "", server.secret_key());
    }

    // POST /contacts; REQUIREs 201 and returns the id.
    std::string create_contact(const Json& body) const {
        const auto result = post("/contacts", body);
        REQUIRE(result);
        REQUIRE_MESSAGE(result->status == 201, result->body);
        return json_of(result)["id"];
    }
    std::string create_organisation(const Json& body) const {
        const auto result = post("/organisations", body);
        REQUIRE(result);
        REQUIRE_MESSAGE(result->status == 201, result->body);
        return json_of(result)["id"];
    }
    Json get_json(const std::string& path, int status = 200) const {
        const auto result = get(path);
        REQUIRE(result);
        REQUIRE_MESSAGE(result->status == status, result->body);
        return json_of(result);
    }
};

Json andy() {
    return {
        {"code", "C-000123"},
        {"contact_type", "PERSON"},
        {"title", "Mr"},
        {"first_name", "Andy"},
        {"middle_name", "J"},
        {"last_name", "Steward"},
        {"email_address", " Andy@DropHop.example "},
        {"phones",
         Json::array(
             {{{"phone_type", "MOBILE"},
               {"country_code", "CYP"},
               {"number", "99478230"},
               {"is_primary", true}},
              {{"phone_type", "landline"}, {"number", "+35722123456"}, {"is_primary", "false"}}})},
        {"sms_opt_out", "true"},
        {"email_opt_out", false},
        {"custom_fields", Json::array({{{"key", "tier"}, {"value", "gold"}},
                                       {{"key", "ref"}, {"value", nullptr}}})}};
}

// Lines of a dump_database() text for `table` that contain `needle`.
int rows_naming(const std::string& dump, const std::string& table, const std::string& needle) {
    int n = 0;
    std::size_t start = 0;
    while (start < dump.size()) {
        auto end = dump.find('\n', start);
        if (end == std::string::npos) end = dump.size();
        const auto line = dump.substr(start, end - start);
        if (line.rfind(table + "|", 0) == 0 &&
            (line + "|").find("|" + needle + "|") != std::string::npos)
            ++n;
        start = end + 1;
    }
    return n;
}

std::string secret_key_id(TestServer& server) {
    return server.app().api_keys().find(server.secret_key())->id;
}

// No key, an unknown key and a public key on a back-office route: 401, 401, 403.
void check_needs_secret_key(TestServer& server, const std::string& method,
                            const std::string& path) {
    CAPTURE(method);
    CAPTURE(path);
    auto call = [&](const std::string& key) {
        if (method == "GET") return server.get(kBo + path, "", key);
        if (method == "DELETE") return server.del(kBo + path, "", key);
        if (method == "PUT") return server.put(kBo + path, Json::object(), "", key);
        return server.post(kBo + path, Json::object(), "", key);
    };
    check_error(call("-"), 401);
    check_error(call("sk_not_a_key_at_all"), 401);
    const Json forbidden = check_error(call(server.public_key()), 403);
    CHECK(forbidden["error"] == "CRM.EXCEPTIONS.FORBIDDENEXCEPTION");
}

// Fields that would be a secret anywhere in a response.
void check_no_secrets(const std::string& body) {
    for (const char* word : {"password", "hash", "$argon2", "token", "code_hmac", "secret"}) {
        CAPTURE(word);
        CHECK(body.find(word) == std::string::npos);
    }
}

}  // namespace

TEST_SUITE("http::backoffice") {
    TEST_CASE("backoffice: every row needs the secret key (none or unknown 401, public 403)") {
        TestServer server;
        const Bo bo{server};
        const auto id = bo.create_contact({{"first_name", "Andy"}, {"last_name", "Steward"}});
        const auto org = bo.create_organisation({{"name", "DropHop"}});
        const std::vector<std::pair<std::string, std::string>> rows = {
            {"POST", "/contacts"},
            {"GET", "/contacts"},
            {"GET", "/contacts/verify?email_address=a@b.example"},
            {"GET", "/contacts/" + id},
            {"PUT", "/contacts/" + id},
            {"DELETE", "/contacts/" + id},
            {"POST", "/contacts/" + id + "/organisations"},
            {"GET", "/contacts/" + id + "/sessions"},
            {"DELETE", "/contacts/" + id + "/sessions"},
            {"POST", "/organisations"},
            {"GET", "/organisations"},
            {"GET", "/organisations/" + org},
            {"PUT", "/organisations/" + org},
            {"DELETE", "/organisations/" + org},
            {"GET", "/audit"},
        };
        for (const auto& [method, path] : rows) check_needs_secret_key(server, method, path);
        // Nothing was changed by the refused calls.
        CHECK(bo.get_json("/contacts/" + id)["first_name"] == "Andy");
        CHECK(bo.get_json("/organisations/" + org)["name"] == "DropHop");
    }

    TEST_CASE("backoffice: create a contact, read it by id and by code") {
        TestServer server;
        const Bo bo{server};
        Json body = andy();
        body["id"] = "crm-0001";
        CHECK(bo.create_contact(body) == "crm-0001");

        const Json by_id = bo.get_json("/contacts/crm-0001");
        const Json by_code = bo.get_json("/contacts/C-000123");
        CHECK(by_id == by_code);
        CHECK(by_id["id"] == "crm-0001");
        CHECK(by_id["code"] == "C-000123");
        CHECK(by_id["contact_type"] == "PERSON");
        CHECK(by_id["title"] == "Mr");
        CHECK(by_id["first_name"] == "Andy");
        CHECK(by_id["middle_name"] == "J");
        CHECK(by_id["last_name"] == "Steward");
        CHECK(by_id["company_name"].is_null());
        CHECK(by_id["email_address"] == "Andy@DropHop.example");  // trimmed, as given
        CHECK(
            by_id["phones"] ==
            Json::array(
                {{{"phone_type", "MOBILE"}, {"number", "+35799478230"}, {"is_primary", true}},
                 {{"phone_type", "LANDLINE"}, {"number", "+35722123456"}, {"is_primary", false}}}));
        CHECK(by_id["sms_opt_out"] == true);  // "true" as a string
        CHECK(by_id["email_opt_out"] == false);
        CHECK(by_id["custom_fields"] == Json::array({{{"key", "tier"}, {"value", "gold"}},
                                                     {{"key", "ref"}, {"value", nullptr}}}));
        CHECK(by_id["is_verified"] == false);
        CHECK(by_id["organisations"] == Json::array());
        CHECK(by_id["identities"] == Json::array());
        CHECK(by_id["created_at"] == 1'700'000'000);
        CHECK(by_id["updated_at"] == 1'700'000'000);
        check_no_secrets(bo.get("/contacts/crm-0001")->body);

        check_error(bo.get("/contacts/nobody"), 404);
    }

    TEST_CASE("backoffice: without an id a UUID is generated, a COMPANY needs a company_name") {
        TestServer server;
        const Bo bo{server};
        const auto id = bo.create_contact({{"first_name", "Andy"}});
        CHECK(std::regex_match(
            id,
            std::regex("^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")));
        const auto company =
            bo.create_contact({{"contact_type", "company"}, {"company_name", "DropHop Ltd"}});
        CHECK(bo.get_json("/contacts/" + company)["contact_type"] == "COMPANY");
        check_error(bo.post("/contacts", {{"contact_type", "COMPANY"}, {"first_name", "Andy"}}),
                    400);
        check_error(bo.post("/contacts", {{"contact_type", "ROBOT"}, {"first_name", "Andy"}}), 400);
        check_error(bo.post("/contacts", Json::object()), 400);  // a PERSON needs a name
    }

    TEST_CASE(
        "backoffice: ids are at most 36 characters of [A-Za-z0-9_-], taken ids and codes are 409") {
        TestServer server;
        const Bo bo{server};
        const std::string longest(36, 'a');
        CHECK(bo.create_contact({{"id", longest}, {"first_name", "A"}}) == longest);
        CHECK(bo.create_contact({{"id", "A-z_09"}, {"first_name", "A"}, {"code", "X1"}}) ==
              "A-z_09");
        for (const std::string& bad :
             {std::string(37, 'a'), std::string("a b"), std::string("a/b"), std::string("a.b"),
              std::string("caf\xc3\xa9"), std::string("")}) {
            CAPTURE(bad);
            const Json error =
                check_error(bo.post("/contacts", {{"id", bad}, {"first_name", "A"}}), 400);
            CHECK(error["parameters"] == Json::array({"id"}));
        }
        check_error(bo.post("/contacts", {{"id", 42}, {"first_name", "A"}}), 400);

        const Json taken_id =
            check_error(bo.post("/contacts", {{"id", longest}, {"first_name", "B"}}), 409);
        CHECK(taken_id["error"] == "CRM.EXCEPTIONS.ALREADYEXISTSEXCEPTION");
        CHECK(taken_id["parameters"] == Json::array({"id"}));
        const Json taken_code =
            check_error(bo.post("/contacts", {{"code", "X1"}, {"first_name", "B"}}), 409);
        CHECK(taken_code["parameters"] == Json::array({"code"}));
        // Moving another contact onto a taken code is 409 as well; keeping one's own is fine.
        check_error(bo.put("/contacts/" + longest, {{"code", "X1"}}), 409);
        CHECK(bo.put("/contacts/A-z_09", {{"code", "X1"}, {"title", "Dr"}})->status == 200);
        // Nothing half-written by the refused calls.
        CHECK(bo.get_json("/contacts/" + longest)["code"].is_null());
        CHECK(bo.get_json("/contacts?size=100")["paging"]["total"] == 2);
    }

    TEST_CASE("backoffice: values are validated (email, phones, booleans, lengths)") {
        TestServer server;
        const Bo bo{server};
        const Json name = {{"first_name", "Andy"}};
        auto with = [&](const char* field, const Json& value) {
            Json body = name;
            body[field] = value;
            return bo.post("/contacts", body);
        };
        check_error(with("email_address", "not-an-email"), 400);
        check_error(with("phones", Json::array({{{"number", "12"}, {"country_code", "CYP"}}})),
                    400);
        check_error(with("phones", Json::array({{{"number", "99478230"}}})),
                    400);  // no country, no +
        check_error(
            with("phones", Json::array({{{"number", "99478230"}, {"country_code", "XYZ"}}})), 400);
        check_error(
            with("phones", Json::array({{{"number", "+35799478230"}, {"is_primary", true}},
                                        {{"number", "+35799478231"}, {"is_primary", true}}})),
            400);  // two primaries
        check_error(
            with("phones", Json::array({{{"number", "+35799478230"}},
                                        {{"number", "99478230"}, {"country_code", "CYP"}}})),
            400);  // the same phone twice
        check_error(with("phones", "+35799478230"), 400);
        check_error(
            with("phones", Json::array({{{"number", "+35799478230"}, {"extension", "12"}}})), 400);
        check_error(with("sms_opt_out", "yes"), 400);
        check_error(with("custom_fields", Json::array({{{"key", "a"}}, {{"key", "a"}}})), 400);
        check_error(with("custom_fields", Json::array({{{"value", "x"}}})), 400);
        check_error(with("first_name", std::string(101, 'x')), 400);
        check_error(with("code", "a/b"), 400);
        check_error(with("nickname", "Andy"), 400);  // not a field of the contact
        // Without a primary, the first phone is the primary one.
        const auto id = bo.create_contact(
            {{"first_name", "Andy"},
             {"phones",
              Json::array({{{"number", "+35799478230"}}, {{"number", "+35799478231"}}})}});
        const Json phones = bo.get_json("/contacts/" + id)["phones"];
        CHECK(phones[0]["is_primary"] == true);
        CHECK(phones[1]["is_primary"] == false);
        CHECK(phones[0]["phone_type"] == "MOBILE");
    }

    TEST_CASE("backoffice: bodies that try to set credentials are 400, on create and update") {
        TestServer server;
        const Bo bo{server};
        const auto id = bo.create_contact({{"first_name", "Andy"}});
        const std::vector<std::pair<std::string, Json>> attempts = {
            {"password", "correct horse battery"},
            {"identity",
             {{"provider", "EMAIL"},
              {"email", "a@b.example"},
              {"password", "correct horse battery"}}},
            {"identification",
             {{"provider", "PHONE"}, {"phone", {{"number", "99478230"}, {"country_code", "CYP"}}}}},
            {"identities", Json::array()},
            {"token", "facebook-token"},
            {"credentials", Json::array({{{"name", "EMAIL"}, {"value", "a@b.example"}}})},
        };
        for (const auto& [field, value] : attempts) {
            CAPTURE(field);
            Json body = {{"first_name", "Andy"}};
            body[field] = value;
            const Json created = check_error(bo.post("/contacts", body), 400);
            CHECK(created["parameters"] == Json::array({field}));
            check_error(bo.put("/contacts/" + id, body), 400);
            check_error(bo.post("/organisations", {{"name", "X"}, {field, value}}), 400);
        }
        // No identity was created by any of them, and only the one contact exists.
        CHECK(bo.get_json("/contacts/" + id)["identities"] == Json::array());
        CHECK(bo.get_json("/contacts")["paging"]["total"] == 1);
    }

    TEST_CASE("backoffice: update changes only the fields given, null clears, lists are replaced") {
        TestServer server;
        const Bo bo{server};
        const auto id = bo.create_contact(andy());
        server.clock().advance(60);
        const auto updated =
            bo.put("/contacts/C-000123", {{"title", nullptr},
                                          {"first_name", "Andreas"},
                                          {"email_opt_out", "true"},
                                          {"phones", Json::array({{{"number", "+35799000001"}}})},
                                          {"custom_fields", Json::array()}});
        REQUIRE(updated);
        REQUIRE_MESSAGE(updated->status == 200, updated->body);
        CHECK(json_of(updated) == Json{{"id", id}});
        const Json c = bo.get_json("/contacts/" + id);
        CHECK(c["title"].is_null());
        CHECK(c["first_name"] == "Andreas");
        CHECK(c["last_name"] == "Steward");                   // untouched
        CHECK(c["email_address"] == "Andy@DropHop.example");  // untouched
        CHECK(c["sms_opt_out"] == true);                      // untouched
        CHECK(c["email_opt_out"] == true);
        CHECK(c["phones"] ==
              Json::array(
                  {{{"phone_type", "MOBILE"}, {"number", "+35799000001"}, {"is_primary", true}}}));
        CHECK(c["custom_fields"] == Json::array());
        CHECK(c["created_at"] == 1'700'000'000);
        CHECK(c["updated_at"] == 1'700'000'060);
        // The primary phone is the contact's recorded phone: the listing finds it by it.
        CHECK(bo.get_json("/contacts?phone=%2B35799000001")["paging"]["total"] == 1);
        CHECK(bo.get_json("/contacts?phone=%2B35799478230")["paging"]["total"] == 0);

        check_error(bo.put("/contacts/" + id, {{"id", "another"}}), 400);  // ids do not change
        check_error(bo.put("/contacts/" + id, {{"first_name", nullptr}, {"last_name", nullptr}}),
                    400);
        check_error(bo.put("/contacts/nobody", {{"title", "Dr"}}), 404);
    }

    TEST_CASE("backoffice: listing with filters and paging") {
        TestServer server;
        const Bo bo{server};
        for (int i = 0; i < 25; ++i) {
            const auto n = std::to_string(i);
            bo.create_contact(
                {{"id", "p" + n},
                 {"code", "C-" + std::string(i < 10 ? "0" : "") + n},
                 {"first_name", i % 2 ? "Maria" : "Andy"},
                 {"last_name", "Smith" + n},
                 {"email_address", "person" + n + "@Example.com"},
                 {"phones",
                  Json::array({{{"number", "+357994782" + std::string(i < 10 ? "0" : "") + n}}})}});
            server.clock().advance(1);
        }
        bo.create_contact(
            {{"id", "co"}, {"contact_type", "COMPANY"}, {"company_name", "DropHop Ltd"}});

        const Json all = bo.get_json("/contacts");
        CHECK(all["paging"] == Json{{"page", 1}, {"size", 20}, {"total", 26}, {"has_more", true}});
        REQUIRE(all["content"].size() == 20);
        CHECK(all["content"][0]["id"] == "p0");  // oldest first
        CHECK(all["content"][0].contains("phones"));
        const Json last = bo.get_json("/contacts?page=2&size=20");
        CHECK(last["paging"] ==
              Json{{"page", 2}, {"size", 20}, {"total", 26}, {"has_more", false}});
        CHECK(last["content"].size() == 6);
        CHECK(last["content"][5]["id"] == "co");
        CHECK(bo.get_json("/contacts?page=9&size=5")["content"] == Json::array());
        const Json small = bo.get_json("/contacts?page=3&size=5");
        CHECK(small["content"][0]["id"] == "p10");
        CHECK(small["paging"]["has_more"] == true);

        auto ids = [&](const std::string& query) {
            std::set<std::string> out;
            const Json page = bo.get_json("/contacts?" + query);
            for (const auto& c : page["content"]) out.insert(c["id"].get<std::string>());
            return out;
        };
        CHECK(ids("code=C-07") == std::set<std::string>{"p7"});
        CHECK(ids("code=c-07").empty());  // codes are exact
        CHECK(ids("email_address=PERSON12@example.COM") == std::set<std::string>{"p12"});
        CHECK(ids("phone=%2B35799478203") == std::set<std::string>{"p3"});
        CHECK(ids("phone=99478203&country_code=CYP") == std::set<std::string>{"p3"});
        CHECK(ids("search_value=drop") == std::set<std::string>{"co"});      // company name
        CHECK(ids("search_value=SMITH2&size=100").size() == 6);              // 2, 20..24
        CHECK(ids("search_value=person1@") == std::set<std::string>{"p1"});  // email
        CHECK(ids("search_value=c-1&size=100").size() == 10);                // codes C-10..C-19
        CHECK(ids("search_value=%2B35799478221") == std::set<std::string>{"p21"});  // phone
        CHECK(ids("search_value=35799478221") == std::set<std::string>{"p21"});  // phone without +
        CHECK(ids("search_value=maria&size=100").size() == 12);
        CHECK(ids("search_value=maria&code=C-03") ==
              std::set<std::string>{"p3"});      // filters combine
        CHECK(ids("search_value=%25").empty());  // wildcards are plain characters
        CHECK(ids("search_value=_").empty());
        CHECK(bo.get_json("/contacts?search_value=zzz")["paging"] ==
              Json{{"page", 1}, {"size", 20}, {"total", 0}, {"has_more", false}});

        for (const char* bad : {"page=0", "page=-1", "page=abc", "size=0", "size=101", "size=1.5",
                                "size=", "page=99999999999"}) {
            CAPTURE(bad);
            check_error(bo.get(std::string("/contacts?") + bad), 400);
            check_error(bo.get(std::string("/organisations?") + bad), 400);
            check_error(bo.get(std::string("/audit?") + bad), 400);
        }
        CHECK(bo.get_json("/contacts?size=100")["paging"]["size"] == 100);
        check_error(bo.get("/contacts?email_address=nope"), 400);
    }

    TEST_CASE("backoffice: an unencoded + in phone= arrives as a space and still reads as E.164") {
        TestServer server;
        const Bo bo{server};
        const auto id = bo.create_contact(
            {{"first_name", "Andy"}, {"phones", Json::array({{{"number", "+35799478230"}}})}});
        const auto raw =
            raw_http(server.port(),
                     "GET /backoffice/v1/contacts/verify?phone=+35799478230 HTTP/1.1\r\n"
                     "Host: x\r\napi_key: " +
                         server.secret_key() + "\r\nConnection: close\r\n\r\n");
        CHECK(raw_status(raw) == 200);
        CHECK(Json::parse(raw_body(raw)) == Json{{"contact_exists", true}});
        (void)id;
    }

    TEST_CASE("backoffice: verify tells whether a contact has an email or phone") {
        TestServer server;
        const Bo bo{server};
        bo.create_contact(andy());
        const auto self = sign_up_by_email(
            server, "self@signup.example");  // an identity, not recorded by the back office
        (void)self;
        CHECK(bo.get_json("/contacts/verify?email_address=andy@dropHop.example") ==
              Json{{"contact_exists", true}});
        CHECK(bo.get_json("/contacts/verify?email_address=SELF@signup.example") ==
              Json{{"contact_exists", true}});
        CHECK(bo.get_json("/contacts/verify?email_address=other@dropHop.example") ==
              Json{{"contact_exists", false}});
        CHECK(bo.get_json("/contacts/verify?phone=%2B35799478230") ==
              Json{{"contact_exists", true}});
        CHECK(bo.get_json("/contacts/verify?phone=%2B35722123456") ==
              Json{{"contact_exists", true}});  // not primary
        CHECK(bo.get_json("/contacts/verify?phone=%2B35799000000") ==
              Json{{"contact_exists", false}});
        check_error(bo.get("/contacts/verify"), 400);
        check_error(bo.get("/contacts/verify?phone=12"), 400);
        check_error(bo.post("/contacts", {{"id", "verify"}, {"first_name", "A"}}),
                    400);  // the route's name
    }

    TEST_CASE("backoffice: organisations CRUD, list, validation") {
        TestServer server;
        const Bo bo{server};
        CHECK(bo.create_organisation(
                  {{"id", "drophop"}, {"name", "DropHop"}, {"org_type", "BUSINESS"}}) == "drophop");
        const auto generated =
            bo.create_organisation({{"name", "Alpha Venue"}, {"org_type", "venue"}});
        CHECK(generated.size() == 36);
        const auto defaulted = bo.create_organisation({{"name", "Zeta"}});
        CHECK(bo.get_json("/organisations/" + defaulted)["org_type"] == "BUSINESS");

        const Json one = bo.get_json("/organisations/drophop");
        CHECK(one == Json{{"id", "drophop"},
                          {"name", "DropHop"},
                          {"org_type", "BUSINESS"},
                          {"created_at", 1'700'000'000},
                          {"updated_at", 1'700'000'000}});
        check_error(bo.post("/organisations", {{"id", "drophop"}, {"name", "Again"}}), 409);
        check_error(bo.post("/organisations", {{"name", "X"}, {"org_type", "SHOP"}}), 400);
        check_error(bo.post("/organisations", {{"org_type", "VENUE"}}), 400);
        check_error(bo.post("/organisations", {{"id", std::string(37, 'o')}, {"name", "X"}}), 400);
        check_error(bo.get("/organisations/nothing"), 404);

        const Json list = bo.get_json("/organisations?size=2");
        CHECK(list["paging"] == Json{{"page", 1}, {"size", 2}, {"total", 3}, {"has_more", true}});
        CHECK(list["content"][0]["name"] == "Alpha Venue");  // by name
        CHECK(list["content"][1]["name"] == "DropHop");

        server.clock().advance(5);
        const auto updated = bo.put("/organisations/drophop",
                                    {{"name", "DropHop Cyprus"}, {"org_type", "MERCHANT"}});
        REQUIRE(updated);
        CHECK(updated->status == 200);
        CHECK(json_of(updated) == Json{{"id", "drophop"}});
        const Json after = bo.get_json("/organisations/drophop");
        CHECK(after["name"] == "DropHop Cyprus");
        CHECK(after["org_type"] == "MERCHANT");
        CHECK(after["updated_at"] == 1'700'000'005);
        check_error(bo.put("/organisations/drophop", {{"org_type", "NOPE"}}), 400);
        check_error(bo.put("/organisations/drophop", {{"name", ""}}), 400);
        check_error(bo.put("/organisations/nothing", {{"name", "X"}}), 404);

        CHECK(bo.del("/organisations/" + defaulted)->status == 204);
        check_error(bo.get("/organisations/" + defaulted), 404);
        check_error(bo.del("/organisations/" + defaulted), 404);
    }

    TEST_CASE(
        "backoffice: contacts sign up to and off organisations, deleting one removes memberships") {
        TestServer server;
        const Bo bo{server};
        const auto id = bo.create_contact(andy());
        bo.create_organisation({{"id", "drophop"}, {"name", "DropHop"}});
        bo.create_organisation({{"id", "cafe"}, {"name", "Cafe"}, {"org_type", "VENUE"}});

        auto membership = [&](const std::string& contact, const Json& body) {
            return bo.post("/contacts/" + contact + "/organisations", body);
        };
        const auto joined = membership(id, {{"organisation_id", "drophop"}, {"action", "SIGNUP"}});
        REQUIRE(joined);
        REQUIRE_MESSAGE(joined->status == 200, joined->body);
        CHECK(json_of(joined) == Json{{"id", id}});
        CHECK(membership("C-000123", {{"organisation_id", "cafe"}, {"action", "signup"}})->status ==
              200);  // by code
        CHECK(membership(id, {{"organisation_id", "drophop"}, {"action", "SIGNUP"}})->status ==
              200);  // again: no change
        CHECK(bo.get_json("/contacts/" + id)["organisations"] ==
              Json::array({{{"id", "cafe"}, {"name", "Cafe"}, {"org_type", "VENUE"}},
                           {{"id", "drophop"}, {"name", "DropHop"}, {"org_type", "BUSINESS"}}}));

        check_error(membership(id, {{"organisation_id", "nothing"}, {"action", "SIGNUP"}}), 404);
        check_error(membership("nobody", {{"organisation_id", "drophop"}, {"action", "SIGNUP"}}),
                    404);
        check_error(membership(id, {{"organisation_id", "drophop"}, {"action", "JOIN"}}), 400);
        check_error(membership(id, {{"organisation_id", "drophop"}}), 400);
        check_error(membership(id, {{"action", "SIGNUP"}}), 400);

        CHECK(membership(id, {{"organisation_id", "cafe"}, {"action", "SIGNOFF"}})->status == 200);
        CHECK(bo.get_json("/contacts/" + id)["organisations"].size() == 1);
        CHECK(bo.del("/organisations/drophop")->status == 204);
        CHECK(bo.get_json("/contacts/" + id)["organisations"] == Json::array());
        const auto left = server.app().store().read([&](storage::Repositories& repos) {
            return repos.organisations().list_for_contact(id);
        });
        CHECK(left.empty());
    }

    TEST_CASE("backoffice: created in the back office, claimed through the self-service API") {
        TestServer server;
        const Bo bo{server};
        const auto id = bo.create_contact(andy());
        bo.create_organisation({{"id", "drophop"}, {"name", "DropHop"}});
        REQUIRE(bo.post("/contacts/" + id + "/organisations",
                        {{"organisation_id", "drophop"}, {"action", "SIGNUP"}})
                    ->status == 200);

        // The contact asks for a code with the email the back office recorded.
        const auto requested =
            server.post(kSelfService + "/contacts/request-otp",
                        {{"send_method", "EMAIL"},
                         {"credentials",
                          Json::array({{{"name", "EMAIL"}, {"value", "andy@drophop.example"}}})}});
        REQUIRE(requested);
        REQUIRE_MESSAGE(requested->status == 200, requested->body);
        const std::string auth_otp = json_of(requested)["auth_otp"];
        const auto code = server.last_code_for("andy@drophop.example");
        const auto session = validate_otp(server, auth_otp, code);
        REQUIRE(session);
        REQUIRE_MESSAGE(session->status == 200, session->body);
        const Json body = json_of(session);
        CHECK(body["contact"]["id"] == id);
        CHECK(body["contact"]["code"] == "C-000123");
        CHECK(body["contact"]["is_verified"] == true);
        CHECK(body["organisations"] ==
              Json::array({{{"id", "drophop"}, {"name", "DropHop"}, {"org_type", "BUSINESS"}}}));

        // The back office now sees a verified contact with a verified EMAIL identity.
        const Json seen = bo.get_json("/contacts/" + id);
        CHECK(seen["is_verified"] == true);
        CHECK(seen["identities"] == Json::array({{{"provider", "EMAIL"},
                                                  {"value", "Andy@DropHop.example"},
                                                  {"is_verified", true}}}));
        check_no_secrets(bo.get("/contacts/" + id)->body);

        // And by the primary phone, too.
        const auto by_phone = server.post(
            kSelfService + "/contacts/request-otp",
            {{"send_method", "SMS"},
             {"credentials",
              Json::array({{{"name", "PHONE"}, {"value", "99478230"}, {"country_code", "CYP"}}})}});
        REQUIRE(by_phone);
        REQUIRE(by_phone->status == 200);
        const auto phone_session = validate_otp(server, json_of(by_phone)["auth_otp"],
                                                server.last_code_for("+35799478230"));
        REQUIRE(phone_session);
        CHECK(phone_session->status == 200);
        CHECK(json_of(phone_session)["contact"]["id"] == id);
    }

    TEST_CASE("backoffice: list and revoke a contact's sessions") {
        TestServer server;
        const Bo bo{server};
        const auto signed_in = sign_up_by_email(server, "andy@drophop.example");
        const Json sessions = bo.get_json("/contacts/" + signed_in.contact_id + "/sessions");
        REQUIRE(sessions["content"].size() == 1);
        CHECK(sessions["content"][0]["current"] == false);
        for (const char* field : {"id", "created_at", "last_used_at", "user_agent", "ip_address"}) {
            CHECK(sessions["content"][0].contains(field));
        }
        check_no_secrets(bo.get("/contacts/" + signed_in.contact_id + "/sessions")->body);

        const auto revoked = bo.del("/contacts/" + signed_in.contact_id + "/sessions");
        REQUIRE(revoked);
        CHECK(revoked->status == 204);
        CHECK(revoked->body.empty());
        CHECK(bo.get_json("/contacts/" + signed_in.contact_id + "/sessions")["content"] ==
              Json::array());
        // The tokens stop working.
        check_error(server.get(kSelfService + "/contacts/me", signed_in.access_token), 401);
        auto refresh = server.client().Post(
            kSelfService + "/contacts/refresh",
            {{"api_key", server.public_key()}, {"refresh_token", signed_in.refresh_token}}, "",
            "application/json");
        check_error(refresh, 401);
        check_error(bo.get("/contacts/nobody/sessions"), 404);
        check_error(bo.del("/contacts/nobody/sessions"), 404);
    }

    TEST_CASE(
        "backoffice: deleting a contact removes its identities, sessions and pending codes in one "
        "go") {
        TestServer server;
        const Bo bo{server};
        const auto id = bo.create_contact(andy());
        bo.create_organisation({{"id", "drophop"}, {"name", "DropHop"}});
        bo.post("/contacts/" + id + "/organisations",
                {{"organisation_id", "drophop"}, {"action", "SIGNUP"}});
        // Claim it (an identity and a session), then ask for another code and leave it pending.
        const auto requested =
            server.post(kSelfService + "/contacts/request-otp",
                        {{"send_method", "EMAIL"},
                         {"credentials",
                          Json::array({{{"name", "EMAIL"}, {"value", "andy@drophop.example"}}})}});
        const auto session = validate_otp(server, json_of(requested)["auth_otp"],
                                          server.last_code_for("andy@drophop.example"));
        REQUIRE(session->status == 200);
        const Json signed_in = json_of(session);
        server.clock().advance(120);
        const auto pending =
            server.post(kSelfService + "/contacts/request-otp",
                        {{"send_method", "EMAIL"},
                         {"credentials",
                          Json::array({{{"name", "EMAIL"}, {"value", "andy@drophop.example"}}})}});
        REQUIRE(pending->status == 200);
        const std::string pending_otp = json_of(pending)["auth_otp"];

        struct Seen {
            std::size_t identities, sessions, phones, fields, organisations;
            bool pending_code;
        };
        auto seen = [&] {
            return server.app().store().read([&](storage::Repositories& repos) {
                return Seen{repos.identities().list_for_contact(id).size(),
                            repos.sessions().list_live_for_contact(id, server.clock().now()).size(),
                            repos.contacts().phones(id).size(),
                            repos.contacts().custom_fields(id).size(),
                            repos.organisations().list_for_contact(id).size(),
                            repos.otps().find(pending_otp).has_value()};
            });
        };
        const auto before = seen();
        CHECK(before.identities == 1);
        CHECK(before.sessions == 1);
        CHECK(before.phones == 2);
        CHECK(before.fields == 2);
        CHECK(before.organisations == 1);
        CHECK(before.pending_code);

        const auto deleted = bo.del("/contacts/C-000123");  // by code
        REQUIRE(deleted);
        CHECK(deleted->status == 204);
        check_error(bo.get("/contacts/" + id), 404);
        const auto after = seen();
        CHECK(after.identities == 0);
        CHECK(after.sessions == 0);
        CHECK(after.phones == 0);
        CHECK(after.fields == 0);
        CHECK(after.organisations == 0);
        CHECK_FALSE(after.pending_code);
        // No row anywhere still names the contact (the outbox keeps messages, unlinked).
        const auto dump = dump_database(server.db_path().string());
        for (const char* table : {"identities", "sessions", "one_time_codes", "contact_phones",
                                  "contact_custom_fields", "contact_organisations"}) {
            CAPTURE(table);
            CHECK(rows_naming(dump, table, "contact_id=" + id) == 0);
        }
        CHECK(dump.find("refresh_tokens|") == std::string::npos);
        // The session's tokens and the pending code are dead.
        check_error(server.get(kSelfService + "/contacts/me", signed_in["access_token"]), 401);
        check_error(bo.del("/contacts/" + id), 404);
        // The organisation stays.
        CHECK(bo.get_json("/organisations/drophop")["name"] == "DropHop");
    }

    TEST_CASE("backoffice: every change is in the audit trail, with the key that made it") {
        TestServer server;
        const Bo bo{server};
        const auto key_id = secret_key_id(server);
        const auto id = bo.create_contact(andy());
        server.clock().advance(1);
        bo.put("/contacts/" + id, {{"title", "Dr"}, {"phones", Json::array()}});
        server.clock().advance(1);
        bo.create_organisation({{"id", "drophop"}, {"name", "DropHop"}});
        bo.post("/contacts/" + id + "/organisations",
                {{"organisation_id", "drophop"}, {"action", "SIGNUP"}});
        bo.post("/contacts/" + id + "/organisations",
                {{"organisation_id", "drophop"}, {"action", "SIGNOFF"}});
        bo.put("/organisations/drophop", {{"name", "DropHop 2"}});
        bo.del("/contacts/" + id + "/sessions");
        server.clock().advance(1);
        bo.del("/organisations/drophop");
        bo.del("/contacts/" + id);
        // Refused changes leave no entry.
        check_error(bo.post("/contacts", {{"code", "x"}, {"password", "correct horse battery"}}),
                    400);
        check_error(bo.post("/organisations", {{"id", "a b"}, {"name", "x"}}), 400);
        // Reads leave no entry either.
        bo.get("/contacts");

        const Json audit = bo.get_json("/audit?size=100");
        CHECK(audit["paging"]["total"] == 9);
        std::vector<std::string> actions;
        for (const auto& entry : audit["content"]) {
            actions.push_back(entry["action"]);
            CHECK(entry["api_key_id"] == key_id);
            CHECK(entry["id"].get<std::string>().size() == 36);
            CHECK(entry["detail"].is_object());
        }
        // Newest first.
        CHECK(actions == std::vector<std::string>{
                             "CONTACT_DELETE", "ORGANISATION_DELETE", "CONTACT_SESSIONS_REVOKE",
                             "ORGANISATION_UPDATE", "ORGANISATION_SIGNOFF", "ORGANISATION_SIGNUP",
                             "ORGANISATION_CREATE", "CONTACT_UPDATE", "CONTACT_CREATE"});
        const Json& created = audit["content"][8];
        CHECK(created["entity_type"] == "CONTACT");
        CHECK(created["entity_id"] == id);
        CHECK(created["created_at"] == 1'700'000'000);
        CHECK(audit["content"][7]["detail"] == Json{{"fields", {"title", "phones"}}});
        CHECK(audit["content"][5]["detail"] ==
              Json{{"changed", true}, {"organisation_id", "drophop"}});
        CHECK(audit["content"][0]["created_at"] == 1'700'000'003);
        // Values are not copied into the trail: only field names.
        CHECK(bo.get("/audit?size=100")->body.find("Steward") == std::string::npos);

        const Json about_org = bo.get_json("/audit?entity_id=drophop");
        CHECK(about_org["paging"]["total"] == 3);
        const Json page = bo.get_json("/audit?page=2&size=4");
        CHECK(page["paging"] == Json{{"page", 2}, {"size", 4}, {"total", 9}, {"has_more", true}});
        CHECK(page["content"][0]["action"] == "ORGANISATION_SIGNOFF");
        // The trail is in the database.
        CHECK(dump_database(server.db_path().string()).find("audit_log|") != std::string::npos);
    }
}

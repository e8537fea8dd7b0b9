// The input rules of API.md "Security behaviour", over HTTP against the real server, on
// the self-service and back-office endpoints: control characters in any text field or
// back-office query parameter, names over 200 characters wherever they appear, duplicate
// keys and nesting deeper than 32. Each refusal is a CRM-shaped 400 naming the field,
// and nothing of the refused request reaches the database.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd;
using namespace contactd::test;

namespace {

const std::string kBo = "/backoffice/v1";
// Every refused body carries this, so the database can be searched for it afterwards.
const std::string kMarker = "Mallory";

enum class Api { SelfService, SelfServiceBearer, BackOffice };

struct Scenario {
    std::string name;
    const char* method;  // POST, PUT or GET
    Api api;
    std::string path;  // "{id}" stands for the contact the scenario acts on
    std::string body;  // sent as it is
    int status;
    std::string parameter;  // the one expected in `parameters`; empty: none
};

std::string repeat(const std::string& unit, std::size_t times) {
    std::string out;
    for (std::size_t i = 0; i < times; ++i) out += unit;
    return out;
}

// The body {inner, "x": {"a": {"a": … {}}}} with `depth` objects in all, the body
// being the outermost.
std::string nested_body(int depth, const std::string& inner) {
    std::string open, close;
    for (int i = 2; i < depth; ++i) {
        open += "{\"a\":";
        close += "}";
    }
    return "{" + inner + (depth > 1 ? ",\"x\":" + open + "{}" + close : "") + "}";
}

std::string registration(const std::string& names, const std::string& identity) {
    return "{" + names + ",\"identity\":" + identity + "}";
}

const std::string kGoodNames = R"("first_name":"Mallory","last_name":"Evil")";
const std::string kGoodEmail = R"({"provider":"EMAIL","email":"mallory@evil.example"})";

std::vector<Scenario> scenarios() {
    const std::string reg = kSelfService + "/contacts/register";
    const std::string me = kSelfService + "/contacts/{id}";
    const std::string long_name = repeat("\xC3\xA9", 201);  // 201 code points, 402 bytes
    return {
        // Control characters in self-service bodies, wherever the text sits.
        {"register: NUL in first_name", "POST", Api::SelfService, reg,
         registration(R"("first_name":"Mallory\u0000","last_name":"Evil")", kGoodEmail), 400,
         "first_name"},
        {"register: unit separator in last_name", "POST", Api::SelfService, reg,
         registration(R"("first_name":"Mallory","last_name":"Evil\u001f")", kGoodEmail), 400,
         "last_name"},
        {"register: DEL in title", "POST", Api::SelfService, reg,
         registration(kGoodNames + R"(,"title":"Mr\u007f")", kGoodEmail), 400, "title"},
        {"register: NUL in the identity's email", "POST", Api::SelfService, reg,
         registration(kGoodNames, R"({"provider":"EMAIL","email":"mallory@evil.example\u0000"})"),
         400, "email"},
        {"register: newline ending the identity's phone", "POST", Api::SelfService, reg,
         registration(kGoodNames,
                      R"({"provider":"PHONE","phone_number":"99478230\n","country_code":"CYP"})"),
         400, "phone_number"},
        {"register: v2 identification phone number with a tab", "POST", Api::SelfService, reg,
         R"({"first_name":"Mallory","last_name":"Evil","identification":{"provider":"PHONE",)"
         R"("phone":{"number":"9947\t8230","country_code":"CYP"}}})",
         400, "number"},
        {"register: v1 flat body, bell in email", "POST", Api::SelfService, reg,
         R"({"first_name":"Mallory","last_name":"Evil","email":"mallory@evil.example\u0007",)"
         R"("password":"correct horse battery"})",
         400, "email"},
        {"register: control character in a password", "POST", Api::SelfService, reg,
         registration(kGoodNames, R"({"provider":"EMAIL","email":"mallory@evil.example",)"
                                  R"("password":"correct\u0000horse battery"})"),
         400, "password"},
        {"register: control character in a field name", "POST", Api::SelfService, reg,
         registration(kGoodNames + R"(,"x\u0000y":"1")", kGoodEmail), 400, ""},
        {"request-otp: NUL in a credential value", "POST", Api::SelfService,
         kSelfService + "/contacts/request-otp",
         R"({"send_method":"EMAIL","credentials":[{"name":"EMAIL","value":"mallory@evil.example\u0000"}]})",
         400, "value"},
        {"validate-otp: NUL in the code", "POST", Api::SelfService,
         kSelfService + "/contacts/validate-otp", R"({"auth_otp":"Mallory","code":"12345\u0000"})",
         400, "code"},
        {"authenticate: escape in the username", "POST", Api::SelfService,
         kSelfService + "/contacts/authenticate",
         R"({"provider":"EMAIL","username":"mallory@evil.example\u001b[2J"})", 400, "username"},
        {"refresh: control character in the body's token", "POST", Api::SelfService,
         kSelfService + "/contacts/refresh", R"({"refresh_token":"Mallory\r\n"})", 400,
         "refresh_token"},
        {"PUT me: NUL in first_name", "PUT", Api::SelfServiceBearer, me,
         R"({"first_name":"Mallory\u0000"})", 400, "first_name"},
        // Names: at most 200 code points, wherever they appear.
        {"register: first_name of 201 characters", "POST", Api::SelfService, reg,
         registration(R"("first_name":")" + long_name + R"(","last_name":"Mallory")", kGoodEmail),
         400, "first_name"},
        {"register: first_name of 60000 characters", "POST", Api::SelfService, reg,
         registration(
             R"("first_name":"Mallory)" + std::string(60000, 'x') + R"(","last_name":"Evil")",
             kGoodEmail),
         400, "first_name"},
        {"register: title of 201 characters", "POST", Api::SelfService, reg,
         registration(kGoodNames + R"(,"title":")" + long_name + R"(")", kGoodEmail), 400, "title"},
        {"register: a long name inside a v2 identification", "POST", Api::SelfService, reg,
         R"({"first_name":"Mallory","last_name":"Evil","identification":{"provider":"EMAIL",)"
         R"("email":"mallory@evil.example","last_name":")" +
             long_name + R"("}})",
         400, "last_name"},
        {"PUT me: last_name of 201 characters", "PUT", Api::SelfServiceBearer, me,
         R"({"first_name":"Mallory","last_name":")" + long_name + R"("})", 400, "last_name"},
        // Duplicate keys and depth.
        {"register: first_name given twice", "POST", Api::SelfService, reg,
         registration(R"("first_name":"Andy","first_name":"Mallory","last_name":"Evil")",
                      kGoodEmail),
         400, "first_name"},
        {"register: the identity's email given twice", "POST", Api::SelfService, reg,
         registration(kGoodNames, R"({"provider":"EMAIL","email":"andy@example.com",)"
                                  R"("email":"mallory@evil.example"})"),
         400, "email"},
        {"register: nested 33 deep", "POST", Api::SelfService, reg,
         nested_body(33, kGoodNames + R"(,"identity":)" + kGoodEmail), 400, ""},
        {"PUT me: first_name given twice", "PUT", Api::SelfServiceBearer, me,
         R"({"first_name":"Andy","first_name":"Mallory"})", 400, "first_name"},
        // The back office: the same rules in its bodies.
        {"BO create: NUL in email_address", "POST", Api::BackOffice, kBo + "/contacts",
         R"({"first_name":"Mallory","email_address":"mallory@evil.example\u0000"})", 400,
         "email_address"},
        {"BO create: NUL in middle_name", "POST", Api::BackOffice, kBo + "/contacts",
         R"({"first_name":"Andy","middle_name":"Mallory\u0000"})", 400, "middle_name"},
        {"BO create: newline in a phone number", "POST", Api::BackOffice, kBo + "/contacts",
         R"({"first_name":"Mallory","phones":[{"number":"+35799478231\n"}]})", 400, "number"},
        {"BO create: control character in a custom field value", "POST", Api::BackOffice,
         kBo + "/contacts",
         R"({"first_name":"Mallory","custom_fields":[{"key":"k","value":"v\u0001"}]})", 400,
         "value"},
        {"BO create: company_name of 201 characters", "POST", Api::BackOffice, kBo + "/contacts",
         R"({"contact_type":"COMPANY","first_name":"Mallory","company_name":")" + long_name +
             R"("})",
         400, "company_name"},
        {"BO create: first_name of 60000 characters", "POST", Api::BackOffice, kBo + "/contacts",
         R"({"first_name":"Mallory)" + std::string(60000, 'x') + R"("})", 400, "first_name"},
        {"BO create: a phone's number given twice", "POST", Api::BackOffice, kBo + "/contacts",
         R"({"first_name":"Mallory","phones":[{"number":"+35799478231","number":"+35799478232"}]})",
         400, "number"},
        {"BO create: nested 33 deep", "POST", Api::BackOffice, kBo + "/contacts",
         nested_body(33, R"("first_name":"Mallory")"), 400, ""},
        {"BO update: DEL in last_name", "PUT", Api::BackOffice, kBo + "/contacts/{id}",
         R"({"last_name":"Mallory\u007f"})", 400, "last_name"},
        {"BO update: title given twice", "PUT", Api::BackOffice, kBo + "/contacts/{id}",
         R"({"title":"Mr","title":"Mallory"})", 400, "title"},
        {"BO organisation: NUL in name", "POST", Api::BackOffice, kBo + "/organisations",
         R"({"name":"Mallory\u0000 Ltd","org_type":"BUSINESS"})", 400, "name"},
        {"BO membership: NUL in organisation_id", "POST", Api::BackOffice,
         kBo + "/contacts/{id}/organisations",
         R"({"organisation_id":"Mallory\u0000","action":"SIGNUP"})", 400, "organisation_id"},
        // The back office's query strings.
        {"BO search: NUL in search_value", "GET", Api::BackOffice,
         kBo + "/contacts?search_value=Mallory%00", "", 400, "search_value"},
        {"BO search: NUL in email_address", "GET", Api::BackOffice,
         kBo + "/contacts?email_address=mallory%40evil.example%00", "", 400, "email_address"},
        {"BO search: newline in phone", "GET", Api::BackOffice,
         kBo + "/contacts?phone=%2B35799478230%0A", "", 400, "phone"},
        {"BO search: bell in code", "GET", Api::BackOffice, kBo + "/contacts?code=C-1%07", "", 400,
         "code"},
        {"BO verify: NUL in email_address", "GET", Api::BackOffice,
         kBo + "/contacts/verify?email_address=andy%40example.com%00", "", 400, "email_address"},
        {"BO verify: tab in phone", "GET", Api::BackOffice,
         kBo + "/contacts/verify?phone=%2B357994%0978230", "", 400, "phone"},
    };
}

std::string with_id(std::string path, const std::string& id) {
    const auto at = path.find("{id}");
    if (at != std::string::npos) path.replace(at, 4, id);
    return path;
}

int rows_of(const std::string& dump, const std::string& table) {
    int count = 0;
    for (std::size_t at = 0; (at = dump.find("\n" + table + "|", at)) != std::string::npos; ++at)
        ++count;
    if (dump.rfind(table + "|", 0) == 0) ++count;
    return count;
}

void no_rate_limits(Config& config) {
    config.rate_limits = false;
}

}  // namespace

TEST_SUITE("http input rules") {
    TEST_CASE(
        "input rules: each refused body or query is a 400 naming the field, and stores "
        "nothing") {
        TestServer server(no_rate_limits);
        const auto andy = sign_up_by_phone(server, "99478230");
        const auto created =
            server.post(kBo + "/contacts", {{"first_name", "Bob"}, {"last_name", "Builder"}}, "",
                        server.secret_key());
        REQUIRE(created);
        REQUIRE_MESSAGE(created->status == 201, created->body);
        const std::string bob = json_of(created)["id"];
        const std::string before = dump_database(server.db_path().string());

        for (const auto& s : scenarios()) {
            CAPTURE(s.name);
            const std::string id = s.api == Api::BackOffice ? bob : andy.contact_id;
            const std::string path = with_id(s.path, id);
            const std::string bearer = s.api == Api::SelfServiceBearer ? andy.access_token : "";
            const std::string key = s.api == Api::BackOffice ? server.secret_key() : "";
            httplib::Result result = std::string(s.method) == "GET" ? server.get(path, bearer, key)
                                     : std::string(s.method) == "PUT"
                                         ? server.put_text(path, s.body, bearer, key)
                                         : server.post_text(path, s.body, bearer, key);
            REQUIRE(result);
            CHECK_MESSAGE(result->status == s.status, result->body.substr(0, 300));
            if (result->status != s.status) continue;  // the next scenarios still run
            const Json error = check_error(result, s.status);
            CHECK(error.value("error", "") == "CRM.EXCEPTIONS.INVALIDVALUEEXCEPTION");
            const auto expected = s.parameter.empty() ? Json::array() : Json::array({s.parameter});
            CHECK_MESSAGE(error["parameters"] == expected, result->body.substr(0, 300));
            // The answer never echoes the refused text.
            CHECK(result->body.find(kMarker) == std::string::npos);
        }

        // Read back: no contact, identity, message or change of the refused requests.
        const std::string after = dump_database(server.db_path().string());
        CHECK(after.find(kMarker) == std::string::npos);
        CHECK(after.find("mallory") == std::string::npos);
        for (const char* table :
             {"contacts", "identities", "one_time_codes", "outbox", "organisations",
              "contact_organisations", "contact_phones", "contact_custom_fields", "audit_log"}) {
            CAPTURE(table);
            CHECK(rows_of(after, table) == rows_of(before, table));
        }
        const Json me = json_of(server.get(kSelfService + "/contacts/me", andy.access_token));
        CHECK(me["first_name"] == "Andy");
        const Json bob_now = json_of(server.get(kBo + "/contacts/" + bob, "", server.secret_key()));
        CHECK(bob_now["last_name"] == "Builder");
        CHECK(bob_now["title"].is_null());
    }

    TEST_CASE("input rules: names of 200 characters and nesting 32 deep are accepted") {
        TestServer server(no_rate_limits);
        const std::string name = repeat("\xC3\xA9", 200);  // 200 code points, 400 bytes
        const auto registered = server.post_text(
            kSelfService + "/contacts/register",
            nested_body(32, R"("first_name":")" + name + R"(","last_name":"Steward",)" +
                                R"("identity":{"provider":"EMAIL","email":"andy@example.com"})"));
        REQUIRE(registered);
        CHECK_MESSAGE(registered->status == 201, registered->body);

        const auto andy = sign_up_by_phone(server, "99478230");
        const auto updated = server.put_text(
            kSelfService + "/contacts/me", R"({"last_name":")" + name + R"("})", andy.access_token);
        REQUIRE(updated);
        CHECK_MESSAGE(updated->status == 200, updated->body);
        const Json me = json_of(server.get(kSelfService + "/contacts/me", andy.access_token));
        CHECK(me["last_name"] == name);

        // Other text fields are not names: a 201-character avatar is not refused here.
        const auto avatar =
            server.put_text(kSelfService + "/contacts/me",
                            R"({"avatar":"https://a.example/)" + std::string(201, 'a') + R"("})",
                            andy.access_token);
        REQUIRE(avatar);
        CHECK_MESSAGE(avatar->status == 200, avatar->body);
    }
}

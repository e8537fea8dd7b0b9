// CRM.COM v2 clients against the real server: the requests CRM.COM's generated
// Self-Service v2 TypeScript SDK (github.com/mioannoucrmcom/crm-typescript) sends, as its
// OpenAPI document and sources spell them (paths, headers, JSON bodies with their nulls),
// each answer checked against that document's answer schema
// (tests/http/data/crm_self_service_v2.json, extracted by extract_crm_v2_schemas.py).
// Also: bearer-only calls, refresh with the refresh token alone, revoked keys, tampered
// and expired bearers, and the back office under /backoffice/v2.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "support/openapi_schema.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd::test;

namespace {

const std::string kV2 = "/self-service/v2";
// What the SDK's HTTP client calls itself (src/lib/config.ts, SDK_METADATA.userAgent).
const std::string kSdkUserAgent = "speakeasy-sdk/typescript 0.0.4 2.816.0 v2 crm";

const Json& v2_document() {
    static const Json doc = [] {
        std::ifstream in(std::string(CONTACTD_SOURCE_DIR) +
                         "/tests/http/data/crm_self_service_v2.json");
        REQUIRE(in.good());
        std::stringstream text;
        text << in.rdbuf();
        return Json::parse(text.str());
    }();
    return doc;
}

const Json& operation(const std::string& name) {
    const auto& ops = v2_document().at("operations");
    REQUIRE_MESSAGE(ops.contains(name), name);
    return ops.at(name);
}

// Fails the test with every violation of `schema` by `value`.
void check_conforms(const Json& schema, const Json& value, const std::string& what) {
    const auto problems = schema_violations(schema, value);
    std::string all;
    for (const auto& p : problems) all += "\n  " + p;
    CHECK_MESSAGE(problems.empty(), what << all);
}

// A CRM.COM v2 app, calling as the SDK's generated functions do. `access` and `refresh`
// are what the app keeps from its last session answer.
class V2App {
  public:
    explicit V2App(TestServer& server) : server_(server) {}

    std::string access, refresh, contact_id;

    // contactRegisterContactSS: api_key header; first/last name, identification with its
    // required (nullable) email; the SDK's defaults for terms, opt-outs and language.
    Json register_by_phone(const std::string& number, const std::string& country) {
        const Json body = {{"first_name", "Andy"},
                           {"last_name", "Steward"},
                           {"identification",
                            {{"provider", "PHONE"},
                             {"email", nullptr},
                             {"phone", {{"number", number}, {"country_code", country}}}}},
                           {"accept_terms_&_conditions", true},
                           {"email_opt_out", false},
                           {"sms_opt_out", false},
                           {"language_code", "EN"}};
        return call("POST", "/contacts/register", "POST /self-service/v2/contacts/register", 201,
                    body, with_key());
    }

    // ...RequestOTP: {"method", "credentials": [{"name", "value"}]}.
    Json otp(const std::string& e164) {
        const Json body = {{"method", "SMS"},
                           {"credentials", {{{"name", "PHONE"}, {"value", e164}}}}};
        return call("POST", "/contacts/otp", "POST /self-service/v2/contacts/otp", 200, body,
                    with_key());
    }

    // ...ValidateOTP: {"code", "auth_otp"}; keeps the session.
    Json validate_otp(const std::string& auth_otp, const std::string& code) {
        const Json body = {{"code", code}, {"auth_otp", auth_otp}};
        return keep(call("POST", "/contacts/validate_otp",
                         "POST /self-service/v2/contacts/validate_otp", 200, body, with_key()));
    }

    // getSingleContactSS: the bearer alone.
    Json get_contact() {
        return call("GET", "/contacts/" + contact_id, "GET /self-service/v2/contacts/{id}", 200,
                    std::nullopt, bearer(access));
    }

    // ...Refresh: no body, no api_key; the refresh token as the bearer.
    Json refresh_session() {
        return keep(call("POST", "/contacts/refresh", "POST /self-service/v2/contacts/refresh", 200,
                         std::nullopt, bearer(refresh)));
    }

    // addContactIdentitySS: the identity object itself, with its required (nullable) email.
    Json add_email_identity(const std::string& email, const std::string& password) {
        const Json body = {{"provider", "EMAIL"}, {"email", email}, {"password", password}};
        return call("POST", "/contacts/" + contact_id + "/identities",
                    "POST /self-service/v2/contacts/{id}/identities", 201, body, bearer(access));
    }

    // ...Authenticate: api_key header; username and password with token, phone and
    // mac_address required and null.
    Json authenticate_email(const std::string& email, const std::string& password) {
        const Json body = {{"provider", "EMAIL"}, {"username", email}, {"password", password},
                           {"token", nullptr},    {"phone", nullptr},  {"mac_address", nullptr}};
        return keep(call("POST", "/contacts/authenticate",
                         "POST /self-service/v2/contacts/authenticate", 200, body, with_key()));
    }

    // ...SignOut: Content-Type application/json and no body (the SDK's body is optional).
    void sign_out() {
        call("POST", "/contacts/" + contact_id + "/sign_out",
             "POST /self-service/v2/contacts/{id}/sign_out", 204, std::nullopt, bearer(access),
             true);
    }

    // ...ForgotPassword: the api_key and the username; 204 whoever it names.
    void forgot_password(const std::string& username) {
        call("POST", "/contacts/forgot_password", "POST /self-service/v2/contacts/forgot_password",
             204, Json{{"username", username}}, with_key());
    }

    // The same request with other credentials, for the refusals; returns the raw result.
    httplib::Result get_contact_with(const httplib::Headers& headers) const {
        return client().Get(kV2 + "/contacts/" + contact_id, headers);
    }

    httplib::Headers with_key() const {
        auto h = common();
        h.emplace("api_key", server_.public_key());
        return h;
    }
    httplib::Headers bearer(const std::string& token) const {
        auto h = common();
        h.emplace("Authorization", "Bearer " + token);
        return h;
    }

  private:
    httplib::Headers common() const {
        return {{"Accept", "application/json"}, {"User-Agent", kSdkUserAgent}};
    }
    httplib::Client client() const {
        auto c = server_.client();
        return c;
    }

    Json keep(Json session) {
        if (session.contains("access_token")) access = session["access_token"].get<std::string>();
        if (session.contains("refresh_token"))
            refresh = session["refresh_token"].get<std::string>();
        if (session.contains("contact")) contact_id = session["contact"].value("id", contact_id);
        return session;
    }

    // Sends the request (checking its body against the v2 request schema first: the test
    // sends only what the SDK may send), requires `status`, and checks the answer against
    // the v2 answer schema for that status.
    Json call(const std::string& method, const std::string& path, const std::string& op_name,
              int status, const std::optional<Json>& body, const httplib::Headers& headers,
              bool json_without_body = false) {
        const auto& op = operation(op_name);
        if (body && op.contains("request"))
            check_conforms(op.at("request"), *body, op_name + " request");
        auto c = client();
        const auto full = kV2 + path;
        const auto send = [&]() -> httplib::Result {
            if (method == "GET") return c.Get(full, headers);
            if (body) return c.Post(full, headers, body->dump(), "application/json");
            if (json_without_body) return c.Post(full, headers, "", "application/json");
            return c.Post(full, headers);
        };
        const auto result = send();
        REQUIRE_MESSAGE(result, op_name);
        REQUIRE_MESSAGE(result->status == status, op_name << ": " << result->body);
        if (result->body.empty()) return Json();
        const Json answer = json_of(result);
        const auto& responses = op.at("responses");
        REQUIRE_MESSAGE(responses.contains(std::to_string(status)), op_name);
        check_conforms(responses.at(std::to_string(status)), answer, op_name + " answer");
        // No JSON null anywhere in a v2 answer: the document types these fields plainly.
        CHECK_MESSAGE(answer.dump().find("null") == std::string::npos, answer.dump());
        return answer;
    }

    TestServer& server_;
};

// The id of the API key `key` (the test server's public key, say).
std::string key_id(TestServer& server, const std::string& key) {
    const auto record = server.app().api_keys().find(key);
    REQUIRE(record);
    return record->id;
}

// `contactd apikey revoke ID --db PATH`, the real binary on the running server's database.
void revoke_with_cli(TestServer& server, const std::string& id) {
    const std::string command = "env -i PATH=/usr/bin:/bin " + std::string(CONTACTD_BINARY) +
                                " apikey revoke " + id + " --db " + server.db_path().string() +
                                " >/dev/null 2>&1";
    REQUIRE(std::system(command.c_str()) == 0);
}

// A v2 app signed in by phone: registered, code validated.
V2App signed_in_app(TestServer& server, const std::string& number) {
    V2App app(server);
    const auto challenge = app.register_by_phone(number, "CYP");
    const auto code = server.last_code_for("+357" + number);
    app.validate_otp(challenge.at("auth_otp"), code);
    REQUIRE_FALSE(app.contact_id.empty());
    return app;
}

}  // namespace

TEST_SUITE("http::crm_v2_sdk") {
    TEST_CASE("crm v2 sdk: the app flow, every answer in the v2 document's shape") {
        TestServer server;
        V2App app(server);

        // Register by phone: a code is sent.
        const auto challenge = app.register_by_phone("99478230", "CYP");
        CHECK_FALSE(challenge.value("auth_otp", "").empty());
        CHECK(challenge.value("obfuscated_value", "") == "+357*****230");

        // validate_otp signs in.
        const auto signed_in =
            app.validate_otp(challenge.at("auth_otp"), server.last_code_for("+35799478230"));
        CHECK(signed_in["contact"]["first_name"] == "Andy");
        CHECK(signed_in["contact"]["is_verified"] == true);
        CHECK(signed_in["expiration_date"].is_number_integer());
        CHECK_FALSE(signed_in["contact"].contains("title"));  // no value: left out in v2

        // The contact, with the bearer alone; the phone in the v2 shape.
        const auto contact = app.get_contact();
        CHECK(contact["id"] == app.contact_id);
        CHECK(contact["phone"] ==
              Json({{"type", "MOBILE"}, {"country_code", "CYP"}, {"number", "99478230"}}));
        CHECK(contact["first_name"] == "Andy");

        // Refresh with the refresh token as the bearer: new tokens, the old ones spent.
        const auto old_access = app.access;
        const auto old_refresh = app.refresh;
        const auto refreshed = app.refresh_session();
        CHECK(refreshed["contact"]["id"] == app.contact_id);
        CHECK(app.refresh != old_refresh);
        CHECK(app.access != old_access);
        app.get_contact();  // the new access token works alone

        // otp and validate_otp again (after the resend interval): a new session.
        server.clock().advance(61);
        const auto again = app.otp("+35799478230");
        CHECK_FALSE(again.value("auth_otp", "").empty());
        app.validate_otp(again.at("auth_otp"), server.last_code_for("+35799478230"));

        // An EMAIL identity with a password, and authenticate with it at once.
        const std::string email = "andy.v2@example.com";
        const std::string password = "correct horse battery v2";
        const auto added = app.add_email_identity(email, password);
        CHECK_FALSE(added.value("id", "").empty());
        // It signs in at once, unverified until proven (API.md, added credentials).
        const auto by_password = app.authenticate_email(email, password);
        CHECK(by_password["contact"]["id"] == app.contact_id);
        CHECK(by_password["contact"]["is_verified"] == true);  // the contact, by its phone

        // forgot_password as the SDK sends it, for a known and an unknown address alike.
        app.forgot_password(email);
        app.forgot_password("nobody.v2@example.com");

        // sign_out with the bearer alone; its tokens stop at once.
        const auto session_access = app.access;
        app.sign_out();
        CHECK(app.get_contact_with(app.bearer(session_access))->status == 401);
    }

    TEST_CASE("crm v2 sdk: v1 paths take the same v2 bodies, and answer in the v1 form") {
        TestServer server;
        const auto app = signed_in_app(server, "99478231");
        // The v2 request (null email, nested phone) on v1: same contact; v1 keeps nulls,
        // the E.164 phone and the v1 field names.
        const auto v1 = server.get(kSelfService + "/contacts/" + app.contact_id, app.access);
        REQUIRE(v1);
        REQUIRE(v1->status == 200);
        const auto contact = json_of(v1);
        CHECK(contact["phone"] == "+35799478231");
        CHECK(contact.contains("title"));
        CHECK(contact["title"].is_null());
        // A bearer alone works on v1 too.
        const auto alone = server.get(kSelfService + "/contacts/me", app.access, "-");
        REQUIRE(alone);
        CHECK(alone->status == 200);
    }

    TEST_CASE("crm v2 sdk: a revoked API key ends its access and refresh tokens at once") {
        TestServer server;
        auto app = signed_in_app(server, "99478232");
        auto other = signed_in_app(server, "99478233");  // a second contact, same key
        const auto id = key_id(server, server.public_key());

        revoke_with_cli(server, id);

        // The access token, alone or with any other key, and the refresh token: 401.
        check_error(app.get_contact_with(app.bearer(app.access)), 401);
        auto with_secret = app.bearer(app.access);
        with_secret.emplace("api_key", server.secret_key());
        check_error(app.get_contact_with(with_secret), 401);
        check_error(server.client().Post(kV2 + "/contacts/refresh", app.bearer(app.refresh)), 401);
        check_error(server.client().Post(kV2 + "/contacts/refresh", other.bearer(other.refresh)),
                    401);
        // The key itself no longer signs anyone in.
        check_error(server.post(kV2 + "/contacts/register",
                                {{"first_name", "Late"},
                                 {"identification",
                                  {{"provider", "PHONE"},
                                   {"phone", {{"number", "99478234"}, {"country_code", "CYP"}}}}}}),
                    401);
    }

    TEST_CASE("crm v2 sdk: tokens issued through another key keep working when one is revoked") {
        TestServer server;
        auto app = signed_in_app(server, "99478235");
        const auto spare =
            server.app().api_keys().create(contactd::domain::ApiKeyType::Public, "spare");
        server.app().api_keys().revoke(spare.record.id);
        CHECK(app.get_contact_with(app.bearer(app.access))->status == 200);
    }

    TEST_CASE("crm v2 sdk: a bearer alone that is tampered, expired or missing is 401") {
        TestServer server;
        auto app = signed_in_app(server, "99478236");

        auto tampered = app.access;
        tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == 'A' ? 'B' : 'A';
        auto body = check_error(app.get_contact_with(app.bearer(tampered)), 401);
        CHECK(body["error"] == "CRM.EXCEPTIONS.NOTAUTHENTICATEDEXCEPTION");

        check_error(app.get_contact_with(app.bearer("not-a-token")), 401);
        // Neither bearer nor key.
        check_error(app.get_contact_with({{"Accept", "application/json"}}), 401);
        // A refresh token is no access token, nor an access token a refresh token.
        check_error(app.get_contact_with(app.bearer(app.refresh)), 401);
        check_error(server.client().Post(kV2 + "/contacts/refresh", app.bearer(app.access)), 401);
        // A bad key beside a good bearer is still refused.
        auto bad_key = app.bearer(app.access);
        bad_key.emplace("api_key", "pk_unknown");
        check_error(app.get_contact_with(bad_key), 401);

        server.clock().advance(901);
        body = check_error(app.get_contact_with(app.bearer(app.access)), 401);
        CHECK(body["error"] == "CRM.EXCEPTIONS.EXPIREDTOKENEXCEPTION");
        // The refresh token alone still renews the session.
        const auto renewed =
            server.client().Post(kV2 + "/contacts/refresh", app.bearer(app.refresh));
        REQUIRE(renewed);
        CHECK(renewed->status == 200);
    }

    TEST_CASE("crm v2 sdk: refresh takes the refresh token alone in the body too") {
        TestServer server;
        auto app = signed_in_app(server, "99478237");
        const auto result =
            server.post(kV2 + "/contacts/refresh", {{"refresh_token", app.refresh}}, "", "-");
        REQUIRE(result);
        CHECK(result->status == 200);
        // Neither token nor key: the refresh token is what is missing.
        check_error(server.post(kV2 + "/contacts/refresh", Json::object(), "", "-"), 400);
    }

    TEST_CASE("crm v2 sdk: the back office under /backoffice/v2 needs the secret key") {
        TestServer server;
        auto app = signed_in_app(server, "99478238");
        const std::string path = "/backoffice/v2/contacts/" + app.contact_id;

        const auto with_secret = server.get(path, "", server.secret_key());
        REQUIRE(with_secret);
        CHECK(with_secret->status == 200);
        CHECK(json_of(with_secret)["id"] == app.contact_id);
        // A contact's bearer alone, or with the public key, is never enough.
        check_error(server.get(path, app.access, "-"), 401);
        check_error(server.get(path, app.access, server.public_key()), 403);
        check_error(server.get("/backoffice/v2/security_events", "", server.public_key()), 403);
        const auto events = server.get("/backoffice/v2/security_events", "", server.secret_key());
        REQUIRE(events);
        CHECK(events->status == 200);
        // Other versions are not served.
        CHECK(server.get("/backoffice/v3/contacts/" + app.contact_id, "", server.secret_key())
                  ->status == 404);
        CHECK(server.get("/self-service/v3/contacts/me", app.access)->status == 404);
    }
}

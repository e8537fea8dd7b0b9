// Access and refresh tokens over HTTP: rotation, reuse detection, sign-out, tampered,
// expired and alg:none tokens, one contact's token on another's resources, API keys.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

#include "support/independent_base64url.h"
#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd::test;

namespace {

const std::string kContacts = kSelfService + "/contacts";

struct TokenParts {
    Json header, payload;
    std::string header_text, payload_text, signature;
};

TokenParts parts_of(const std::string& token) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    TokenParts p;
    p.header_text = token.substr(0, a);
    p.payload_text = token.substr(a + 1, b - a - 1);
    p.signature = token.substr(b + 1);
    p.header = Json::parse(b64url_decode(p.header_text));
    p.payload = Json::parse(b64url_decode(p.payload_text));
    return p;
}

httplib::Result refresh_with_header(TestServer& server, const std::string& token) {
    return server.client().Post(kContacts + "/refresh",
                                {{"api_key", server.public_key()}, {"refresh_token", token}}, "",
                                "application/json");
}

}  // namespace

TEST_SUITE("http::tokens") {
    TEST_CASE("tokens: the access token carries the contract's header and claims") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        const auto p = parts_of(s.access_token);
        CHECK(p.header["alg"] == "HS256");
        CHECK(p.header.contains("kid"));
        CHECK(p.payload["iss"] == "contactd");
        CHECK(p.payload["aud"] == "self-service");
        CHECK(p.payload["sub"] == s.contact_id);
        CHECK(p.payload["iat"] == 1'700'000'000);
        CHECK(p.payload["exp"] == 1'700'000'900);
        CHECK(p.payload.contains("sid"));
        CHECK(p.payload.contains("jti"));
        // The sid is the session id the sessions list shows.
        const Json sessions = json_of(server.get(kContacts + "/me/sessions", s.access_token));
        CHECK(sessions["content"][0]["id"] == p.payload["sid"]);
    }

    TEST_CASE(
        "tokens: refresh accepts the header, a bearer, or a body field, and rotates every time") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        const auto by_header = refresh_with_header(server, s.refresh_token);
        REQUIRE(by_header->status == 200);
        const std::string r2 = json_of(by_header)["refresh_token"];
        const auto by_bearer = server.post(kContacts + "/refresh", Json::object(), r2);
        REQUIRE_MESSAGE(by_bearer->status == 200, by_bearer->body);
        const std::string r3 = json_of(by_bearer)["refresh_token"];
        const auto by_body = server.post(kContacts + "/refresh", {{"refresh_token", r3}});
        REQUIRE_MESSAGE(by_body->status == 200, by_body->body);
        CHECK(by_body->get_header_value("Cache-Control") == "no-store");
        const std::string r4 = json_of(by_body)["refresh_token"];
        CHECK(r2 != s.refresh_token);
        CHECK(r3 != r2);
        CHECK(r4 != r3);
        check_error(server.post(kContacts + "/refresh", Json::object()), 400);  // none given
        check_error(server.post(kContacts + "/refresh", {{"refresh_token", "garbage"}}), 401);
    }

    TEST_CASE("tokens: presenting a spent refresh token revokes the whole session") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        const auto rotated = refresh_with_header(server, s.refresh_token);
        REQUIRE(rotated->status == 200);
        const std::string successor = json_of(rotated)["refresh_token"];
        const std::string successor_access = json_of(rotated)["access_token"];
        REQUIRE(server.get(kContacts + "/me", successor_access)->status == 200);

        // The spent token comes back (an attacker replaying a stolen token).
        check_error(refresh_with_header(server, s.refresh_token), 401);

        // Now the legitimate successor, and every access token of the session, are dead.
        check_error(refresh_with_header(server, successor), 401);
        check_error(server.get(kContacts + "/me", successor_access), 401);
        check_error(server.get(kContacts + "/me", s.access_token), 401);
        // Another sign-in is a new session and works.
        server.clock().advance(60);
        REQUIRE(server
                    .post(kContacts + "/request-otp",
                          {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}})
                    ->status == 200);
        const auto code = server.last_code_for("+35799478230");
        CHECK(server
                  .post(kContacts + "/validate-otp",
                        {{"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}},
                         {"code", code}})
                  ->status == 200);
    }

    TEST_CASE("tokens: a refresh records when and from which client the session was last used") {
        TestServer server;
        const auto contact = sign_up_by_phone(server, "99478240");
        server.clock().advance(120);
        httplib::Headers headers{{"api_key", server.public_key()},
                                 {"refresh_token", contact.refresh_token},
                                 {"User-Agent", "ExampleApp/2.1"}};
        const auto refreshed =
            server.client().Post(kSelfService + "/contacts/refresh", headers, "", "");
        REQUIRE(refreshed);
        REQUIRE(refreshed->status == 200);
        const auto access = json_of(refreshed)["access_token"].get<std::string>();
        const auto sessions = json_of(
            server.get(kSelfService + "/contacts/" + contact.contact_id + "/sessions", access));
        REQUIRE(sessions["content"].size() == 1);
        const auto& session = sessions["content"][0];
        CHECK(session["user_agent"] == "ExampleApp/2.1");
        CHECK(session["ip_address"] == "127.0.0.1");
        CHECK(session["last_used_at"].get<std::int64_t>() ==
              session["created_at"].get<std::int64_t>() + 120);
        CHECK(session["current"] == true);
    }

    TEST_CASE("tokens: sign-out revokes the session's access and refresh tokens") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        const auto out = server.post(kContacts + "/" + s.contact_id + "/sign_out", Json::object(),
                                     s.access_token);
        REQUIRE(out);
        CHECK(out->status == 204);
        check_error(server.get(kContacts + "/me", s.access_token), 401);
        check_error(refresh_with_header(server, s.refresh_token), 401);
        // Signing out twice: the token is no longer valid.
        check_error(server.post(kContacts + "/me/sign_out", Json::object(), s.access_token), 401);
    }

    TEST_CASE("tokens: sign-out needs a bearer token and a JSON body if any") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        check_error(server.post(kContacts + "/me/sign_out", Json::object()), 401);
        const auto not_json = server.client().Post(
            kContacts + "/me/sign_out",
            {{"api_key", server.public_key()}, {"Authorization", "Bearer " + s.access_token}}, "{",
            "application/json");
        check_error(not_json, 400);
        CHECK(server.get(kContacts + "/me", s.access_token)->status == 200);  // still signed in
    }

    TEST_CASE(
        "tokens: an expired access token is 401 EXPIREDTOKENEXCEPTION, and refresh recovers") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        server.clock().advance(899);
        CHECK(server.get(kContacts + "/me", s.access_token)->status == 200);
        server.clock().advance(2);  // 901 s
        const Json body = check_error(server.get(kContacts + "/me", s.access_token), 401);
        CHECK(body["error"] == "CRM.EXCEPTIONS.EXPIREDTOKENEXCEPTION");
        // Exactly at exp (no leeway) too.
        const auto fresh = refresh_with_header(server, s.refresh_token);
        REQUIRE(fresh->status == 200);
        const std::string access = json_of(fresh)["access_token"];
        server.clock().advance(900);
        CHECK(check_error(server.get(kContacts + "/me", access), 401)["error"] ==
              "CRM.EXCEPTIONS.EXPIREDTOKENEXCEPTION");
    }

    TEST_CASE("tokens: a tampered token is 401 and not EXPIREDTOKEN") {
        TestServer server;
        const auto a = sign_up_by_phone(server, "99478230");
        const auto b = sign_up_by_email(server, "b@example.com");
        auto p = parts_of(a.access_token);
        SUBCASE("payload names another contact, signature kept") {
            p.payload["sub"] = b.contact_id;
            const auto forged = p.header_text + "." + b64url(p.payload.dump()) + "." + p.signature;
            CHECK(check_error(server.get(kContacts + "/me", forged), 401)["error"] ==
                  "CRM.EXCEPTIONS.NOTAUTHENTICATEDEXCEPTION");
        }
        SUBCASE("payload extends exp, signature kept") {
            p.payload["exp"] = p.payload["exp"].get<std::int64_t>() + 100000;
            const auto forged = p.header_text + "." + b64url(p.payload.dump()) + "." + p.signature;
            check_error(server.get(kContacts + "/me", forged), 401);
        }
        SUBCASE("signature altered") {
            std::string sig = p.signature;
            sig[3] = sig[3] == 'A' ? 'B' : 'A';
            check_error(
                server.get(kContacts + "/me", p.header_text + "." + p.payload_text + "." + sig),
                401);
        }
        SUBCASE("signed with another key") {
            const std::string input = p.header_text + "." + p.payload_text;
            unsigned char mac[32];
            unsigned int len = 0;
            const std::string key = "not the server's key, 32 bytes long";
            HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
            check_error(
                server.get(kContacts + "/me",
                           input + "." + b64url(std::string(reinterpret_cast<char*>(mac), len))),
                401);
        }
        SUBCASE("garbage and an empty bearer") {
            check_error(server.get(kContacts + "/me", "garbage"), 401);
            check_error(server.get(kContacts + "/me", "a.b.c"), 401);
            const auto empty = server.client().Get(
                kContacts + "/me",
                {{"api_key", server.public_key()}, {"Authorization", "Bearer "}});
            check_error(empty, 401);
            const auto basic = server.client().Get(
                kContacts + "/me",
                {{"api_key", server.public_key()}, {"Authorization", "Basic dXNlcjpwYXNz"}});
            check_error(basic, 401);
        }
    }

    TEST_CASE("tokens: an alg:none token with the right claims is 401") {
        TestServer server;
        const auto a = sign_up_by_phone(server, "99478230");
        const auto p = parts_of(a.access_token);
        for (const char* alg : {"none", "None"}) {
            CAPTURE(alg);
            Json header = p.header;
            header["alg"] = alg;
            const auto unsigned_token = b64url(header.dump()) + "." + p.payload_text + ".";
            check_error(server.get(kContacts + "/me", unsigned_token), 401);
            check_error(server.get(kContacts + "/me", b64url(header.dump()) + "." + p.payload_text),
                        401);
        }
        Json hs512 = p.header;
        hs512["alg"] = "HS512";
        check_error(server.get(kContacts + "/me",
                               b64url(hs512.dump()) + "." + p.payload_text + "." + p.signature),
                    401);
    }

    TEST_CASE("tokens: a bearer of contact A asking for contact B is 403") {
        TestServer server;
        const auto a = sign_up_by_phone(server, "99478230");
        const auto b = sign_up_by_email(server, "b@example.com");
        const std::string b_path = kContacts + "/" + b.contact_id;
        check_error(server.get(b_path, a.access_token), 403);
        check_error(server.put(b_path, {{"first_name", "Hacked"}}, a.access_token), 403);
        check_error(server.post(b_path + "/sign_out", Json::object(), a.access_token), 403);
        check_error(server.get(b_path + "/sessions", a.access_token), 403);
        const auto b_sid = parts_of(b.access_token).payload["sid"].get<std::string>();
        check_error(server.del(b_path + "/sessions/" + b_sid, a.access_token), 403);
        // A's own session id path with B's session: not found (no leak, no effect).
        check_error(server.del(kContacts + "/me/sessions/" + b_sid, a.access_token), 404);
        // B is untouched.
        const Json profile = json_of(server.get(kContacts + "/me", b.access_token));
        CHECK(profile["first_name"] == "Emma");
    }

    TEST_CASE(
        "api keys: missing or unknown is 401, a revoked key stops working, a secret key works "
        "here") {
        TestServer server;
        const Json body = {{"send_method", "SMS"},
                           {"credentials", {{{"name", "PHONE"}, {"value", "+35799478230"}}}}};
        const std::string path = kContacts + "/request-otp";
        check_error(server.post(path, body, "", "-"), 401);
        check_error(server.post(path, body, "", "pk_unknown"), 401);
        check_error(server.post(path, body, "", std::string(5000, 'k')), 401);
        const auto secret = server.post(path, body, "", server.secret_key());
        REQUIRE(secret);
        CHECK(secret->status == 200);

        const auto created =
            server.app().api_keys().create(contactd::domain::ApiKeyType::Public, "to revoke");
        server.clock().advance(60);
        CHECK(server.post(path, body, "", created.key)->status == 200);
        REQUIRE(server.app().api_keys().revoke(created.record.id));
        server.clock().advance(60);
        check_error(server.post(path, body, "", created.key), 401);
        // Bearer routes need the key too, whatever the token.
        const auto s = sign_up_by_email(server, "k@example.com");
        check_error(server.get(kContacts + "/me", s.access_token, "-"), 401);
        check_error(server.get(kContacts + "/me", s.access_token, "pk_unknown"), 401);
    }

    // Written before the Back-Office API existed (it then failed with 404); it passes since
    // the back office landed.
    TEST_CASE("api keys: a public key on /backoffice/v1/contacts is 403, none or unknown is 401") {
        TestServer server;
        check_error(server.get("/backoffice/v1/contacts", "", server.public_key()), 403);
        check_error(server.get("/backoffice/v1/contacts", "", "-"), 401);
        check_error(server.get("/backoffice/v1/contacts", "", "sk_unknown"), 401);
        const auto with_secret = server.get("/backoffice/v1/contacts", "", server.secret_key());
        REQUIRE(with_secret);
        CHECK(with_secret->status == 200);
    }
}

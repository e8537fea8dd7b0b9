// Access and refresh tokens over HTTP: rotation, reuse detection and its grace for
// parallel refreshes, sign-out, tampered, expired, alg:none and strictly-refused tokens
// (forged with the server's own key), previous signing secrets, one contact's token on
// another's resources, API keys.
#include <doctest/doctest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

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

// A 401 that is not EXPIREDTOKEN: the client must not treat the token as refreshable.
void check_not_authenticated(const httplib::Result& result) {
    CHECK(check_error(result, 401)["error"] == "CRM.EXCEPTIONS.NOTAUTHENTICATEDEXCEPTION");
}

std::string hmac_sha256(const std::string& key, const std::string& data) {
    unsigned char mac[32];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
    return std::string(reinterpret_cast<char*>(mac), len);
}

// The contract's kid of a key, computed here: the first 16 hex digits of its SHA-256.
std::string kid_of(const std::string& key) {
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_Digest(key.data(), key.size(), digest, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 8; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

// A token from raw header and payload texts, HS256-signed with `key` as any library would.
std::string forge_text(const std::string& header, const std::string& payload,
                       const std::string& key) {
    const std::string input = b64url(header) + "." + b64url(payload);
    return input + "." + b64url(hmac_sha256(key, input));
}

std::string forge(const Json& header, const Json& payload, const std::string& key) {
    return forge_text(header.dump(), payload.dump(), key);
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

        // The spent token comes back (an attacker replaying a stolen token), after the
        // 10 s grace for parallel refreshes.
        server.clock().advance(10);
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
            check_not_authenticated(server.get(kContacts + "/me", forged));
        }
        SUBCASE("payload extends exp, signature kept") {
            p.payload["exp"] = p.payload["exp"].get<std::int64_t>() + 100000;
            const auto forged = p.header_text + "." + b64url(p.payload.dump()) + "." + p.signature;
            check_not_authenticated(server.get(kContacts + "/me", forged));
        }
        SUBCASE("signature altered") {
            std::string sig = p.signature;
            sig[3] = sig[3] == 'A' ? 'B' : 'A';
            check_not_authenticated(
                server.get(kContacts + "/me", p.header_text + "." + p.payload_text + "." + sig));
        }
        SUBCASE("signed with another key") {
            const std::string input = p.header_text + "." + p.payload_text;
            unsigned char mac[32];
            unsigned int len = 0;
            const std::string key = "not the server's key, 32 bytes long";
            HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                 reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
            check_not_authenticated(
                server.get(kContacts + "/me",
                           input + "." + b64url(std::string(reinterpret_cast<char*>(mac), len))));
        }
        SUBCASE("payload names another contact, and the token has expired too") {
            p.payload["sub"] = b.contact_id;
            const auto forged = p.header_text + "." + b64url(p.payload.dump()) + "." + p.signature;
            server.clock().advance(3600);
            check_not_authenticated(server.get(kContacts + "/me", forged));
        }
        SUBCASE("garbage and an empty bearer") {
            check_not_authenticated(server.get(kContacts + "/me", "garbage"));
            check_not_authenticated(server.get(kContacts + "/me", "a.b.c"));
            const auto empty = server.client().Get(
                kContacts + "/me",
                {{"api_key", server.public_key()}, {"Authorization", "Bearer "}});
            check_not_authenticated(empty);
            const auto basic = server.client().Get(
                kContacts + "/me",
                {{"api_key", server.public_key()}, {"Authorization", "Basic dXNlcjpwYXNz"}});
            check_not_authenticated(basic);
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
        // Bearer routes refuse a bad key whatever the token; the bearer alone stands for
        // the key it was signed in through (API.md version 2, "Existing CRM.COM apps").
        const auto s = sign_up_by_email(server, "k@example.com");
        check_error(server.get(kContacts + "/me", s.access_token, "pk_unknown"), 401);
        check_error(server.get(kContacts + "/me", s.access_token, created.key), 401);
        const auto alone = server.get(kContacts + "/me", s.access_token, "-");
        REQUIRE(alone);
        CHECK(alone->status == 200);
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

    TEST_CASE(
        "tokens: tokens forged with the server's own key are 401 for an unknown kid, a typ, a "
        "crit, a future iat or a duplicate key") {
        const std::string key = "the server's signing key, 32 bytes or more";
        TestServer server([&](contactd::Config& c) { c.jwt_secret = key; });
        const auto s = sign_up_by_phone(server, "99478230");
        const auto p = parts_of(s.access_token);
        REQUIRE(p.header["kid"] == kid_of(key));
        const Json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", kid_of(key)}};
        const Json payload = p.payload;
        // The control: a token built here with the server's key is accepted, so each refusal
        // below is for the one thing that differs.
        REQUIRE(server.get(kContacts + "/me", forge(header, payload, key))->status == 200);

        SUBCASE("a kid the server does not hold") {
            for (const Json& kid : {Json("0000000000000000"), Json(kid_of("some other key")),
                                    Json(""), Json(nullptr)}) {
                CAPTURE(kid.dump());
                Json h = header;
                h["kid"] = kid;
                check_not_authenticated(server.get(kContacts + "/me", forge(h, payload, key)));
            }
            Json no_kid = header;
            no_kid.erase("kid");
            check_not_authenticated(server.get(kContacts + "/me", forge(no_kid, payload, key)));
        }
        SUBCASE("a typ other than JWT") {
            for (const Json& typ : {Json("JOSE"), Json("jwt"), Json("at+jwt"), Json(1)}) {
                CAPTURE(typ.dump());
                Json h = header;
                h["typ"] = typ;
                check_not_authenticated(server.get(kContacts + "/me", forge(h, payload, key)));
            }
        }
        SUBCASE("any crit") {
            for (const Json& crit : {Json::array({"exp"}), Json::array(), Json("b64")}) {
                CAPTURE(crit.dump());
                Json h = header;
                h["crit"] = crit;
                check_not_authenticated(server.get(kContacts + "/me", forge(h, payload, key)));
            }
        }
        SUBCASE("an iat in the future, by one second") {
            Json future = payload;
            future["iat"] = payload["iat"].get<std::int64_t>() + 1;
            check_not_authenticated(server.get(kContacts + "/me", forge(header, future, key)));
            server.clock().advance(1);
            CHECK(server.get(kContacts + "/me", forge(header, future, key))->status == 200);
        }
        SUBCASE("a duplicate exp, the valid one last or first") {
            Json members = payload;
            const std::string valid = std::to_string(payload["exp"].get<std::int64_t>());
            members.erase("exp");
            std::string rest = members.dump();
            rest = rest.substr(1, rest.size() - 2);
            for (const std::string& text : {"{\"exp\":1," + rest + ",\"exp\":" + valid + "}",
                                            "{\"exp\":" + valid + "," + rest + ",\"exp\":1}"}) {
                CAPTURE(text);
                check_not_authenticated(
                    server.get(kContacts + "/me", forge_text(header.dump(), text, key)));
            }
        }
        SUBCASE("a duplicate key in the header") {
            const std::string h = R"({"alg":"HS256","typ":"JWT","kid":"0000000000000000","kid":")" +
                                  kid_of(key) + R"("})";
            check_not_authenticated(
                server.get(kContacts + "/me", forge_text(h, payload.dump(), key)));
        }
        SUBCASE("only a genuinely expired token is EXPIREDTOKEN") {
            server.clock().advance(900);
            CHECK(check_error(server.get(kContacts + "/me", forge(header, payload, key)),
                              401)["error"] == "CRM.EXCEPTIONS.EXPIREDTOKENEXCEPTION");
            Json unknown = header;
            unknown["kid"] = "0000000000000000";
            check_not_authenticated(server.get(kContacts + "/me", forge(unknown, payload, key)));
            Json other_issuer = payload;
            other_issuer["iss"] = "someone-else";
            check_not_authenticated(
                server.get(kContacts + "/me", forge(header, other_issuer, key)));
            Json typed = header;
            typed["typ"] = "JOSE";
            check_not_authenticated(server.get(kContacts + "/me", forge(typed, payload, key)));
        }
    }

    TEST_CASE(
        "tokens: a token signed by a previous secret verifies, new tokens carry the new kid, "
        "and once dropped it is 401") {
        contactd::test::TempDir dir;
        const auto db = dir.path() / "contactd.db";
        const std::string old_key = "the old signing secret, 32 bytes or more";
        const std::string new_key = "the new signing secret, 32 bytes or more";
        std::string old_access, old_refresh;
        {
            TestServer before(db, [&](contactd::Config& c) { c.jwt_secret = old_key; });
            const auto s = sign_up_by_phone(before, "99478230");
            old_access = s.access_token;
            old_refresh = s.refresh_token;
            CHECK(parts_of(old_access).header["kid"] == kid_of(old_key));
        }
        {
            TestServer after(db, [&](contactd::Config& c) {
                c.jwt_secret = new_key;
                c.jwt_previous_secrets = {old_key};
            });
            CHECK(after.get(kContacts + "/me", old_access)->status == 200);
            const auto refreshed = refresh_with_header(after, old_refresh);
            REQUIRE(refreshed->status == 200);
            const std::string new_access = json_of(refreshed)["access_token"];
            CHECK(parts_of(new_access).header["kid"] == kid_of(new_key));
            CHECK(after.get(kContacts + "/me", new_access)->status == 200);
        }
        {
            TestServer dropped(db, [&](contactd::Config& c) { c.jwt_secret = new_key; });
            check_not_authenticated(dropped.get(kContacts + "/me", old_access));
        }
    }

    TEST_CASE(
        "tokens: 10 parallel refreshes of one token leave exactly one working successor and the "
        "session alive") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        constexpr int kCalls = 10;
        std::vector<std::optional<httplib::Result>> results(kCalls);
        std::atomic<int> ready{0};
        std::atomic<bool> go{false};
        std::vector<std::thread> threads;
        for (int i = 0; i < kCalls; ++i) {
            threads.emplace_back([&, i] {
                auto client = server.client();  // one connection each
                ++ready;
                while (!go) std::this_thread::yield();
                results[i].emplace(client.Post(
                    kContacts + "/refresh",
                    {{"api_key", server.public_key()}, {"refresh_token", s.refresh_token}}, "",
                    "application/json"));
            });
        }
        while (ready < kCalls) std::this_thread::yield();
        go = true;
        for (auto& t : threads) t.join();

        std::vector<Json> winners;
        for (const auto& result : results) {
            REQUIRE(result.has_value());
            const auto& r = *result;
            REQUIRE(r);
            if (r->status == 200) {
                winners.push_back(json_of(r));
            } else {
                check_not_authenticated(r);
            }
        }
        REQUIRE(winners.size() == 1);
        const std::string successor = winners[0]["refresh_token"];
        const std::string access = winners[0]["access_token"];
        // The session lives: its access tokens work and the successor refreshes again.
        CHECK(server.get(kContacts + "/me", access)->status == 200);
        CHECK(server.get(kContacts + "/me", s.access_token)->status == 200);
        const auto next = refresh_with_header(server, successor);
        REQUIRE(next);
        CHECK(next->status == 200);
        CHECK(server.get(kContacts + "/me", json_of(next)["access_token"].get<std::string>())
                  ->status == 200);
        CHECK(json_of(server.get(kContacts + "/me/sessions", access))["content"].size() == 1);
    }

    TEST_CASE("tokens: a reuse after the grace still revokes the session") {
        TestServer server;
        const auto s = sign_up_by_phone(server, "99478230");
        const auto rotated = refresh_with_header(server, s.refresh_token);
        REQUIRE(rotated->status == 200);
        const std::string successor = json_of(rotated)["refresh_token"];
        const std::string access = json_of(rotated)["access_token"];
        server.clock().advance(9);  // within the 10 s grace: refused, nothing revoked
        check_not_authenticated(refresh_with_header(server, s.refresh_token));
        CHECK(server.get(kContacts + "/me", access)->status == 200);
        server.clock().advance(1);  // 10 s after the first use: a reuse
        check_not_authenticated(refresh_with_header(server, s.refresh_token));
        check_not_authenticated(refresh_with_header(server, successor));
        check_not_authenticated(server.get(kContacts + "/me", access));
    }

    TEST_CASE(
        "tokens: with CONTACTD_REFRESH_REUSE_GRACE 0 an immediate reuse revokes the session") {
        TestServer server([](contactd::Config& c) { c.refresh_reuse_grace = 0; });
        const auto s = sign_up_by_phone(server, "99478230");
        const auto rotated = refresh_with_header(server, s.refresh_token);
        REQUIRE(rotated->status == 200);
        const std::string successor = json_of(rotated)["refresh_token"];
        const std::string access = json_of(rotated)["access_token"];
        check_not_authenticated(refresh_with_header(server, s.refresh_token));  // same second
        check_not_authenticated(refresh_with_header(server, successor));
        check_not_authenticated(server.get(kContacts + "/me", access));
    }
}

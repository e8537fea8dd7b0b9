#include "http/self_service_routes.h"

#include "http/api_auth.h"
#include "http/api_versions.h"
#include "http/backoffice_json.h"
#include "http/client_info.h"
#include "http/credential_input.h"
#include "http/json_io.h"
#include "http/self_service_input.h"
#include "http/v2_answers.h"
#include "http/views.h"
#include "util/error.h"

namespace contactd::http {
namespace {

// Every route is served under each version of the API (http/api_versions.h).
const std::string kBase = "/self-service/{version}";
const std::string kId = "([A-Za-z0-9_-]{1,36})";

class Routes {
  public:
    explicit Routes(const SelfServiceDeps& deps) : d_(deps) {}

    // Every self-service call needs an api_key. Endpoints that send a message (Send) or
    // check a secret (Check) are also limited per client address.
    enum class Limit { None, Send, Check };
    void preflight(const httplib::Request& req, Limit limit) const {
        require_api_key(req, d_.api_keys, ApiScope::SelfService);
        limit_address(req, limit);
    }
    // The older form: `true` is the budget of endpoints that check a secret.
    void preflight(const httplib::Request& req, bool limited) const {
        preflight(req, limited ? Limit::Check : Limit::None);
    }

    void limit_address(const httplib::Request& req, Limit limit) const {
        if (limit == Limit::None || !d_.limiter) return;
        const auto budget =
            limit == Limit::Send ? domain::RequestBudget::Send : domain::RequestBudget::Check;
        if (const auto wait = d_.limiter->acquire(budget, d_.addresses.limit_key(req)); wait > 0) {
            throw rate_limited("Too many requests from this address", wait);
        }
    }

    // With the id of the api_key presented: the key a session started here is signed in
    // through.
    domain::ClientInfo client(const httplib::Request& req) const {
        auto info = client_info(req, d_.addresses);
        if (const auto key = d_.api_keys.find(req.get_header_value("api_key"))) {
            info.api_key_id = key->id;
        }
        return info;
    }

    // The bearer, who must be the contact named in the path ("me" names oneself). The
    // bearer may come without api_key (http/api_auth.h).
    domain::Bearer owner(const httplib::Request& req, Limit limit = Limit::None) const {
        return owner(req, limit,
                     [this](const std::string& token) { return d_.profiles.authenticate(token); });
    }
    // With the verifier to use: one that reads more in the same transaction.
    domain::Bearer owner(const httplib::Request& req, Limit limit,
                         const TokenVerifier& verify) const {
        auto bearer = require_signed_in(req, d_.api_keys, verify);
        limit_address(req, limit);
        const auto& id = req.matches[1].str();
        if (id != "me" && id != bearer.contact_id)
            throw forbidden("The token belongs to another contact");
        return bearer;
    }

    static void send_session(httplib::Response& res, int status,
                             const domain::SignedIn& signed_in) {
        res.set_header("Cache-Control", "no-store");
        send_json(res, status, session_json(signed_in));
    }

    void register_contact(const httplib::Request& req, httplib::Response& res) const {
        preflight(req, Limit::None);
        const auto input = parse_registration(parse_body(req));
        // Facebook sign-up checks a token; every other sends a code.
        limit_address(req, input.identity.provider == "FACEBOOK" ? Limit::Check : Limit::Send);
        if (input.identity.provider == "FACEBOOK") {
            send_session(res, 201, facebook().register_contact(input, client(req)));
            return;
        }
        if (input.identity.password) {
            send_session(res, 201, credentials().register_contact(input, client(req)));
            return;
        }
        const auto result = d_.auth.register_contact(input, client(req));
        if (const auto* signed_in = std::get_if<domain::SignedIn>(&result)) {
            send_session(res, 201, *signed_in);
        } else {
            send_json(res, 201, challenge_json(std::get<domain::OtpChallenge>(result)));
        }
    }

    void request_otp(const httplib::Request& req, httplib::Response& res) const {
        preflight(req, Limit::Send);
        const auto destination = parse_code_destination(parse_body(req));
        auto challenge = d_.auth.request_code(destination, client(req));
        send_json(res, 200, challenge_json(challenge));
    }

    void validate_otp(const httplib::Request& req, httplib::Response& res) const {
        preflight(req, Limit::Check);
        const auto submission = parse_code_submission(parse_body(req));
        const auto signed_in =
            std::holds_alternative<std::string>(submission.target)
                ? d_.auth.validate_code(std::get<std::string>(submission.target), submission.code,
                                        client(req))
                : d_.auth.validate_code(std::get<domain::Destination>(submission.target),
                                        submission.code, client(req));
        send_session(res, 200, signed_in);
    }

    domain::CredentialService& credentials() const {
        if (!d_.credentials) throw std::logic_error("the credential service is not wired");
        return *d_.credentials;
    }

    domain::PasswordSignIn& passwords() const {
        if (!d_.passwords) throw std::logic_error("the password sign-in service is not wired");
        return *d_.passwords;
    }

    domain::FacebookSignIn& facebook() const {
        if (!d_.facebook) throw std::logic_error("the Facebook sign-in service is not wired");
        return *d_.facebook;
    }

    // EMAIL with a password signs in; EMAIL or PHONE without one sends a code, as
    // request-otp does.
    void authenticate(const httplib::Request& req, httplib::Response& res) const {
        preflight(req, Limit::None);
        const auto body = parse_body(req);
        if (get_bool(body, "login_as_guest").value_or(false)) {
            sign_in_as_guest(req, res, body);
            return;
        }
        const auto identity = parse_authentication(body);
        const bool sends_code = identity.provider != "FACEBOOK" && !identity.password;
        limit_address(req, sends_code ? Limit::Send : Limit::Check);
        if (identity.provider == "FACEBOOK") {
            send_session(res, 200, facebook().sign_in(identity.token.value_or(""), client(req)));
            return;
        }
        if (identity.password) {
            if (identity.provider != "EMAIL")
                throw invalid_value("A password goes with an EMAIL identity", {"password"});
            if (!identity.email) throw missing_value("username");
            send_session(res, 200,
                         passwords().sign_in(*identity.email, *identity.password, client(req)));
            return;
        }
        send_json(res, 200,
                  challenge_json(d_.auth.request_code(domain::AuthService::destination_of(identity),
                                                      client(req))));
    }

    // {"login_as_guest": true}: a new guest contact. It makes rows like a sign-up, so it
    // takes from the same per-address budget as the calls that send a message.
    void sign_in_as_guest(const httplib::Request& req, httplib::Response& res,
                          const Json& body) const {
        for (const char* field : {"username", "password", "email", "phone_number", "phone", "token",
                                  "identity", "identification"}) {
            if (const auto it = body.find(field); it != body.end() && !it->is_null()) {
                throw invalid_value(
                    std::string("login_as_guest takes no credentials, but ") + field + " was given",
                    {"login_as_guest"});
            }
        }
        limit_address(req, Limit::Send);
        send_session(res, 200, accounts().sign_in_as_guest(client(req)));
    }

    domain::AccountService& accounts() const {
        if (!d_.accounts) throw std::logic_error("the account service is not wired");
        return *d_.accounts;
    }

    // DELETE /contacts/{id}: the contact erases itself (soon after a sign-in only).
    void delete_contact(const httplib::Request& req, httplib::Response& res) const {
        const auto bearer = owner(req);
        accounts().delete_self(bearer, client(req));
        res.status = 204;
    }

    // POST /contacts/{id}/identities and its alias /credentials.
    // Each sends a code or a notice (a password change checks the current one too).
    void add_identity(const httplib::Request& req, httplib::Response& res) const {
        const auto bearer = owner(req, Limit::Send);
        const auto added = credentials().add_identity(
            bearer, parse_identity_addition(parse_body(req)), client(req));
        Json out = {{"id", added.identity_id}};
        if (added.challenge) {
            out["auth_otp"] = added.challenge->auth_otp;
            out["obfuscated_value"] = added.challenge->obfuscated_value;
        }
        send_json(res, 201, out);
    }

    // The refresh token alone is enough (v2 clients send no api_key); a key that is sent
    // must be valid.
    void refresh(const httplib::Request& req, httplib::Response& res) const {
        optional_api_key(req, d_.api_keys, ApiScope::SelfService);
        limit_address(req, Limit::Check);
        std::string token = req.get_header_value("refresh_token");
        if (token.empty()) token = optional_bearer_token(req);
        if (token.empty()) token = get_string(parse_body(req), "refresh_token").value_or("");
        if (token.empty()) throw missing_value("refresh_token");
        send_session(res, 200, d_.auth.refresh(token, client(req)));
    }

    void sign_out(const httplib::Request& req, httplib::Response& res) const {
        const auto bearer = owner(req);
        parse_body(req);  // any body must still be JSON
        d_.auth.sign_out(bearer, client(req));
        res.status = 204;
    }

    void get_contact(const httplib::Request& req, httplib::Response& res) const {
        std::optional<domain::ContactProfile> profile;
        owner(req, Limit::None, [&](const std::string& token) {
            auto signed_in = d_.profiles.authenticate_with_profile(token);
            profile = std::move(signed_in.profile);
            return signed_in.bearer;
        });
        auto contact = profile_json(*profile);
        if (is_self_service_v2(req.path)) contact = v2_contact_json(std::move(contact));
        send_json(res, 200, contact);
    }

    void update_contact(const httplib::Request& req, httplib::Response& res) const {
        const auto bearer = owner(req);
        const auto body = parse_body(req);
        reject_unknown_fields(
            body, {"title", "first_name", "last_name", "avatar", "email_opt_out", "sms_opt_out",
                   "middle_name", "language_code", "custom_fields"});
        domain::ProfileUpdate update;
        auto text = [&](const char* field, std::optional<std::optional<std::string>>& target) {
            if (body.contains(field)) target = get_string(body, field);
        };
        text("title", update.title);
        text("first_name", update.first_name);
        text("last_name", update.last_name);
        text("avatar", update.avatar);
        text("middle_name", update.middle_name);
        text("language_code", update.language_code);
        if (body.contains("custom_fields")) update.custom_fields = parse_custom_fields(body);
        update.email_opt_out = get_bool(body, "email_opt_out");
        update.sms_opt_out = get_bool(body, "sms_opt_out");
        d_.profiles.update(bearer.contact_id, update);
        send_json(res, 200, {{"id", bearer.contact_id}});
    }

    void list_sessions(const httplib::Request& req, httplib::Response& res) const {
        const auto bearer = owner(req);
        send_json(res, 200,
                  sessions_json(d_.profiles.sessions(bearer.contact_id), bearer.session_id));
    }

    void revoke_session(const httplib::Request& req, httplib::Response& res) const {
        const auto bearer = owner(req);
        d_.profiles.revoke_session(bearer.contact_id, req.matches[2].str(), client(req));
        res.status = 204;
    }

    // ---- account lifecycle: password reset, password change, email verification ----

    domain::AccountRecovery& recovery() const {
        if (!d_.recovery) throw std::logic_error("the account recovery service is not wired");
        return *d_.recovery;
    }

    // 204 whether or not anyone has the address (domain/account_recovery.h).
    void forgot_password(const httplib::Request& req, httplib::Response& res) const {
        preflight(req, Limit::Send);
        const auto body = parse_body(req);
        reject_unknown_fields(body, {"username"});
        const auto username = get_string(body, "username");
        if (!username) throw missing_value("username");
        recovery().forgot_password(*username, "username", client(req));
        res.status = 204;
    }

    void reset_password(const httplib::Request& req, httplib::Response& res) const {
        preflight(req, Limit::Check);
        const auto body = parse_body(req);
        reject_unknown_fields(body, {"token", "password"});
        const auto token = get_string(body, "token");
        const auto password = get_string(body, "password");
        if (!token) throw missing_value("token");
        if (!password) throw missing_value("password");
        recovery().reset_password(*token, *password, client(req));
        res.set_header("Cache-Control", "no-store");
        res.status = 204;
    }

    void change_password(const httplib::Request& req, httplib::Response& res) const {
        const auto bearer = owner(req, Limit::Check);
        const auto body = parse_body(req);
        reject_unknown_fields(body, {"password", "current_password"});
        const auto password = get_string(body, "password");
        if (!password) throw missing_value("password");
        credentials().change_own_password(bearer, *password, get_string(body, "current_password"),
                                          client(req));
        res.status = 204;
    }

    void request_email_verification(const httplib::Request& req, httplib::Response& res) const {
        preflight(req, Limit::Send);
        const auto body = parse_body(req);
        reject_unknown_fields(body, {"email_address"});
        const auto email = get_string(body, "email_address");
        if (!email) throw missing_value("email_address");
        recovery().request_email_verification(*email, "email_address", client(req));
        res.status = 204;
    }

    void verify_email(const httplib::Request& req, httplib::Response& res) const {
        preflight(req, Limit::Check);
        const auto token = req.get_param_value("token");
        if (token.empty()) throw missing_value("token");
        const auto verified = recovery().verify_email(token, client(req));
        res.set_header("Cache-Control", "no-store");
        send_json(res, 200, {{"id", verified.contact_id}, {"is_verified", true}});
    }

  private:
    const SelfServiceDeps d_;
};

}  // namespace

void add_self_service_routes(HttpServer& server, const SelfServiceDeps& deps) {
    auto routes = std::make_shared<Routes>(deps);
    auto bind = [routes](auto method) { return route_to(routes, method); };
    const std::string contacts = kBase + "/contacts";
    server.post(contacts + "/register", bind(&Routes::register_contact));
    for (const char* alias : {"/request-otp", "/otp", "/validate"}) {
        server.post(contacts + alias, bind(&Routes::request_otp));
    }
    for (const char* alias : {"/validate-otp", "/validate_otp"}) {
        server.post(contacts + alias, bind(&Routes::validate_otp));
    }
    server.post(contacts + "/refresh", bind(&Routes::refresh));
    server.post(contacts + "/authenticate", bind(&Routes::authenticate));
    for (const char* alias : {"/identities", "/credentials"}) {
        server.post(contacts + "/" + kId + alias, bind(&Routes::add_identity));
    }
    server.post(contacts + "/" + kId + "/sign_out", bind(&Routes::sign_out));
    // Account lifecycle (issue 9): before the {id} routes, which they would otherwise match.
    server.post(contacts + "/forgot_password", bind(&Routes::forgot_password));
    server.post(contacts + "/change_password", bind(&Routes::reset_password));
    server.post(contacts + "/" + kId + "/change_password", bind(&Routes::change_password));
    server.post(contacts + "/request_email_verification",
                bind(&Routes::request_email_verification));
    server.get(contacts + "/verify_email", bind(&Routes::verify_email));
    server.get(contacts + "/" + kId, bind(&Routes::get_contact));
    server.put(contacts + "/" + kId, bind(&Routes::update_contact));
    server.del(contacts + "/" + kId, bind(&Routes::delete_contact));
    server.get(contacts + "/" + kId + "/sessions", bind(&Routes::list_sessions));
    server.del(contacts + "/" + kId + "/sessions/" + kId, bind(&Routes::revoke_session));
}

}  // namespace contactd::http

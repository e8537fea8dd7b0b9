#include "integrations/facebook_graph.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "util/error.h"
#include "util/log.h"
#include "util/url.h"

namespace contactd::integrations {
namespace {

using Json = nlohmann::json;

Error unavailable(const std::string& message) {
    return {ErrorKind::Unavailable, "SERVICEUNAVAILABLEEXCEPTION", message};
}
Error bad_token() {
    return not_authenticated("The Facebook token is not valid");
}

std::optional<std::string> string_field(const Json& object, const char* name) {
    const auto it = object.find(name);
    if (it == object.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

}  // namespace

FacebookGraph::FacebookGraph(std::string base_url, std::string app_id, std::string app_secret)
    : base_url_(std::move(base_url)),
      app_id_(std::move(app_id)),
      app_secret_(std::move(app_secret)) {}

// GET a Graph path; returns the body of a 2xx answer. A 4xx means Facebook refused the
// token; anything else is an outage.
std::string FacebookGraph::get_json_text(const std::string& path_and_query) const {
    if (app_id_.empty() || app_secret_.empty())
        throw unavailable("Facebook sign-in is not configured");
    const auto url = split_url(base_url_);
    httplib::Client client(url.origin);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    const auto response = client.Get(url.path + path_and_query);
    if (!response) throw unavailable("Facebook could not be reached");
    if (response->status >= 400 && response->status < 500) throw bad_token();
    if (response->status < 200 || response->status >= 300) {
        log::warn("Facebook answered HTTP " + std::to_string(response->status));
        throw unavailable("Facebook did not answer");
    }
    return response->body;
}

domain::FacebookProfile FacebookGraph::verify(const std::string& user_access_token) const {
    if (user_access_token.empty() || user_access_token.size() > 4096) throw bad_token();
    const std::string app_token = app_id_ + "|" + app_secret_;
    const Json debug =
        Json::parse(get_json_text("/debug_token?input_token=" + percent_encode(user_access_token) +
                                  "&access_token=" + percent_encode(app_token)),
                    nullptr, false);
    const auto data = debug.is_object() ? debug.find("data") : debug.end();
    if (data == debug.end() || !data->is_object())
        throw unavailable("Facebook answered in an unknown shape");
    const bool valid = data->value("is_valid", false);
    // A token issued to another app must not sign anyone in here.
    if (!valid || string_field(*data, "app_id") != app_id_) throw bad_token();

    const std::string proof = crypto::to_hex(crypto::hmac_sha256(app_secret_, user_access_token));
    const Json me =
        Json::parse(get_json_text("/me?fields=id,first_name,last_name,email&access_token=" +
                                  percent_encode(user_access_token) + "&appsecret_proof=" + proof),
                    nullptr, false);
    if (!me.is_object()) throw unavailable("Facebook answered in an unknown shape");
    domain::FacebookProfile profile;
    profile.user_id = string_field(me, "id").value_or("");
    if (profile.user_id.empty() ||
        string_field(*data, "user_id").value_or(profile.user_id) != profile.user_id) {
        throw bad_token();
    }
    profile.first_name = string_field(me, "first_name");
    profile.last_name = string_field(me, "last_name");
    profile.email = string_field(me, "email");
    return profile;
}

std::string FacebookGraph::exchange_code(const std::string& code,
                                         const std::string& redirect_uri) const {
    const Json answer = Json::parse(
        get_json_text("/oauth/access_token?client_id=" + percent_encode(app_id_) +
                      "&redirect_uri=" + percent_encode(redirect_uri) + "&client_secret=" +
                      percent_encode(app_secret_) + "&code=" + percent_encode(code)),
        nullptr, false);
    const auto token = answer.is_object() ? string_field(answer, "access_token") : std::nullopt;
    if (!token) throw bad_token();
    return *token;
}

}  // namespace contactd::integrations

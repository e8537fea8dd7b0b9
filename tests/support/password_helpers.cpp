#include "support/password_helpers.h"

#include <doctest/doctest.h>

namespace contactd::test {

httplib::Result register_with_password(TestServer& server, const std::string& email,
                                       const std::string& password) {
    return server.post(
        kSelfService + "/contacts/register",
        {{"first_name", "Pat"},
         {"last_name", "Word"},
         {"identity", {{"provider", "EMAIL"}, {"email", email}, {"password", password}}}});
}

SignedInContact sign_up_with_password(TestServer& server, const std::string& email,
                                      const std::string& password) {
    const auto registered = register_with_password(server, email, password);
    REQUIRE(registered);
    REQUIRE_MESSAGE(registered->status == 201, registered->body);
    const Json session = json_of(registered);
    REQUIRE(session.contains("access_token"));
    return {session["contact"]["id"], session["access_token"], session["refresh_token"], session};
}

httplib::Result authenticate(TestServer& server, const std::string& username,
                             const std::string& password) {
    return server.post(kSelfService + "/contacts/authenticate",
                       {{"provider", "EMAIL"}, {"username", username}, {"password", password}});
}

httplib::Result add_identity(TestServer& server, const std::string& contact_id, const Json& body,
                             const std::string& access_token) {
    return server.post(kSelfService + "/contacts/" + contact_id + "/identities", body,
                       access_token);
}

SignedInContact sign_in_by_email_code(TestServer& server, const std::string& email) {
    const auto requested = server.post(
        kSelfService + "/contacts/request-otp",
        {{"send_method", "EMAIL"}, {"credentials", {{{"name", "EMAIL"}, {"value", email}}}}});
    REQUIRE(requested);
    REQUIRE_MESSAGE(requested->status == 200, requested->body);
    const auto validated =
        validate_otp(server, json_of(requested)["auth_otp"], server.last_code_for(email));
    REQUIRE(validated);
    REQUIRE_MESSAGE(validated->status == 200, validated->body);
    const Json session = json_of(validated);
    return {session["contact"]["id"], session["access_token"], session["refresh_token"], session};
}

std::vector<std::string> message_kinds_to(TestServer& server, const std::string& recipient) {
    server.app().dispatcher().run_once();
    const auto messages = server.app().store().read(
        [](storage::Repositories& repos) { return repos.outbox().list_development(1000); });
    std::vector<std::string> kinds;
    for (const auto& m : messages) {
        if (m.recipient == recipient) kinds.push_back(m.kind);
    }
    return kinds;
}

std::string join_code_points(const std::vector<std::string>& code_points, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count && i < code_points.size(); ++i) out += code_points[i];
    return out;
}

}  // namespace contactd::test

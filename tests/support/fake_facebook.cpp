#include "support/fake_facebook.h"

#include <nlohmann/json.hpp>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace contactd::test {

FakeFacebook::FakeFacebook(std::string app_secret) : app_secret_(std::move(app_secret)) {
    auto record = [this](const httplib::Request& req) {
        std::lock_guard lock(mutex_);
        std::string query;
        for (const auto& [k, v] : req.params) query += (query.empty() ? "?" : "&") + k + "=" + v;
        requests_.push_back(req.path + query);
    };
    server_.Get("/debug_token", [this, record](const httplib::Request& req,
                                               httplib::Response& res) {
        record(req);
        std::lock_guard lock(mutex_);
        const auto it = tokens_.find(req.get_param_value("input_token"));
        nlohmann::json data = {{"is_valid", false}};
        if (it != tokens_.end())
            data = {{"is_valid", true}, {"app_id", it->second.app_id}, {"user_id", it->second.id}};
        res.set_content(nlohmann::json{{"data", data}}.dump(), "application/json");
    });
    server_.Get("/me", [this, record](const httplib::Request& req, httplib::Response& res) {
        record(req);
        std::lock_guard lock(mutex_);
        const auto token = req.get_param_value("access_token");
        const auto it = tokens_.find(token);
        const auto proof = crypto::to_hex(crypto::hmac_sha256(app_secret_, token));
        if (it == tokens_.end() || req.get_param_value("appsecret_proof") != proof) {
            res.status = 400;
            res.set_content(R"({"error":{"message":"Invalid OAuth access token"}})",
                            "application/json");
            return;
        }
        const auto& u = it->second;
        res.set_content(nlohmann::json{{"id", u.id},
                                       {"first_name", u.first_name},
                                       {"last_name", u.last_name},
                                       {"email", u.email}}
                            .dump(),
                        "application/json");
    });
    server_.Get(
        "/oauth/access_token", [this, record](const httplib::Request& req, httplib::Response& res) {
            record(req);
            std::lock_guard lock(mutex_);
            const auto it = codes_.find(req.get_param_value("code"));
            if (it == codes_.end()) {
                res.status = 400;
                return;
            }
            res.set_content(
                nlohmann::json{{"access_token", it->second}, {"token_type", "bearer"}}.dump(),
                "application/json");
        });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
}

FakeFacebook::~FakeFacebook() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
}

void FakeFacebook::add_token(const std::string& token, const FakeFacebookUser& user) {
    std::lock_guard lock(mutex_);
    tokens_[token] = user;
}

void FakeFacebook::add_code(const std::string& code, const std::string& token) {
    std::lock_guard lock(mutex_);
    codes_[code] = token;
}

std::vector<std::string> FakeFacebook::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

}  // namespace contactd::test

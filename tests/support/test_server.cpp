#include "support/test_server.h"

#include <chrono>
#include <regex>
#include <stdexcept>

#include "crypto/random.h"

namespace contactd::test {

TempDir::TempDir() {
    path_ = std::filesystem::temp_directory_path() / ("contactd-test-" + crypto::random_token(9));
    std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

TestServer::TestServer(const std::function<void(Config&)>& configure)
    : TestServer(std::filesystem::path(), configure) {}

TestServer::TestServer(const std::filesystem::path& db_path,
                       const std::function<void(Config&)>& configure)
    : db_path_(db_path.empty() ? dir_.path() / "contactd.db" : db_path), clock_(1'700'000'000) {
    Config config;
    config.listen_host = "127.0.0.1";
    config.listen_port = 0;
    config.db_path = db_path_.string();
    config.rate_limits = false;
    config.http_threads = 16;
    if (configure) configure(config);
    app_ = std::make_unique<App>(config, clock_);
    public_key_ = app_->api_keys().create(domain::ApiKeyType::Public, "test public").key;
    secret_key_ = app_->api_keys().create(domain::ApiKeyType::Secret, "test secret").key;
    port_ = app_->start();
    thread_ = std::thread([this] { app_->serve(); });
    // The socket is already listening; wait until the accept loop runs.
    for (int i = 0; i < 200 && !app_->running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

TestServer::~TestServer() {
    app_->stop();
    if (thread_.joinable()) thread_.join();
    app_.reset();
}

httplib::Client TestServer::client() const {
    httplib::Client client("127.0.0.1", port_);
    client.set_keep_alive(false);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    return client;
}

httplib::Headers TestServer::headers(const std::string& bearer, const std::string& api_key) const {
    httplib::Headers h;
    const std::string key = api_key.empty() ? public_key_ : api_key;
    if (key != "-") h.emplace("api_key", key);
    if (!bearer.empty()) h.emplace("Authorization", "Bearer " + bearer);
    return h;
}

httplib::Result TestServer::post(const std::string& path, const Json& body,
                                 const std::string& bearer, const std::string& api_key) const {
    return client().Post(path, headers(bearer, api_key), body.dump(), "application/json");
}

httplib::Result TestServer::put(const std::string& path, const Json& body,
                                const std::string& bearer, const std::string& api_key) const {
    return client().Put(path, headers(bearer, api_key), body.dump(), "application/json");
}

httplib::Result TestServer::post_text(const std::string& path, const std::string& text,
                                      const std::string& bearer, const std::string& api_key) const {
    return client().Post(path, headers(bearer, api_key), text, "application/json");
}

httplib::Result TestServer::put_text(const std::string& path, const std::string& text,
                                     const std::string& bearer, const std::string& api_key) const {
    return client().Put(path, headers(bearer, api_key), text, "application/json");
}

httplib::Result TestServer::get(const std::string& path, const std::string& bearer,
                                const std::string& api_key) const {
    return client().Get(path, headers(bearer, api_key));
}

httplib::Result TestServer::del(const std::string& path, const std::string& bearer,
                                const std::string& api_key) const {
    return client().Delete(path, headers(bearer, api_key));
}

std::string TestServer::last_code_for(const std::string& recipient) {
    app_->dispatcher().run_once();
    const auto messages = app_->store().read(
        [](storage::Repositories& repos) { return repos.outbox().list_development(100); });
    for (const auto& m : messages) {
        if (m.recipient != recipient || !m.body) continue;
        std::smatch match;
        if (std::regex_search(*m.body, match, std::regex("\\b([0-9]{6})\\b")))
            return match[1].str();
    }
    throw std::runtime_error("no code was sent to " + recipient);
}

Json json_of(const httplib::Result& result) {
    if (!result)
        throw std::runtime_error("no HTTP response: " + httplib::to_string(result.error()));
    if (result->body.empty()) return Json();
    return Json::parse(result->body);
}

}  // namespace contactd::test

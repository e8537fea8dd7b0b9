#pragma once
// Starts the real contactd server in-process on an ephemeral port, on a fresh database
// in a temporary folder, with a manual clock, and gives tests a real HTTP client.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "app/app.h"
#include "util/clock.h"

namespace contactd::test {

using Json = nlohmann::json;

// A temporary folder removed when the object dies.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

class TestServer {
  public:
    // `configure` may change the configuration before the server starts.
    explicit TestServer(const std::function<void(Config&)>& configure = {});
    // On the database at `db_path`, which outlives this server (to test a restart).
    TestServer(const std::filesystem::path& db_path, const std::function<void(Config&)>& configure);
    ~TestServer();

    ManualClock& clock() { return clock_; }
    App& app() { return *app_; }
    int port() const { return port_; }
    const std::string& public_key() const { return public_key_; }
    const std::string& secret_key() const { return secret_key_; }
    const std::filesystem::path& db_path() const { return db_path_; }

    // A new client with keep-alive off and short timeouts.
    httplib::Client client() const;

    // POST/PUT/GET with JSON, sending the public key unless `api_key` says otherwise.
    httplib::Result post(const std::string& path, const Json& body, const std::string& bearer = "",
                         const std::string& api_key = "") const;
    httplib::Result put(const std::string& path, const Json& body, const std::string& bearer = "",
                        const std::string& api_key = "") const;
    httplib::Result get(const std::string& path, const std::string& bearer = "",
                        const std::string& api_key = "") const;
    httplib::Result del(const std::string& path, const std::string& bearer = "",
                        const std::string& api_key = "") const;

    // POST/PUT of `text` as it is, with Content-Type application/json: for bodies that a
    // Json value cannot hold (a duplicate key, an exact escape such as \u0000).
    httplib::Result post_text(const std::string& path, const std::string& text,
                              const std::string& bearer = "",
                              const std::string& api_key = "") const;
    httplib::Result put_text(const std::string& path, const std::string& text,
                             const std::string& bearer = "", const std::string& api_key = "") const;

    // The newest development-outbox message to `recipient`, and the 6-digit code in it.
    std::string last_code_for(const std::string& recipient);

  private:
    httplib::Headers headers(const std::string& bearer, const std::string& api_key) const;

    TempDir dir_;
    std::filesystem::path db_path_;
    ManualClock clock_;
    std::unique_ptr<App> app_;
    std::thread thread_;
    int port_ = 0;
    std::string public_key_;
    std::string secret_key_;
};

Json json_of(const httplib::Result& result);

}  // namespace contactd::test

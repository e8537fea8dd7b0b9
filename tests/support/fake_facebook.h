#pragma once
// A local stand-in for the Facebook Graph API: answers debug_token, /me and
// /oauth/access_token for the tokens it was told about, and records the queries.
#include <httplib.h>

#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace contactd::test {

struct FakeFacebookUser {
    std::string id;
    std::string first_name;
    std::string last_name;
    std::string email;
    std::string app_id;  // the app the token was issued to
};

class FakeFacebook {
  public:
    explicit FakeFacebook(std::string app_secret);
    ~FakeFacebook();

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    void add_token(const std::string& token, const FakeFacebookUser& user);
    void add_code(const std::string& code, const std::string& token);
    // Every request's path and query, in order.
    std::vector<std::string> requests() const;

  private:
    std::string app_secret_;
    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;  // guards the maps and requests_
    std::map<std::string, FakeFacebookUser> tokens_;
    std::map<std::string, std::string> codes_;
    std::vector<std::string> requests_;
};

}  // namespace contactd::test

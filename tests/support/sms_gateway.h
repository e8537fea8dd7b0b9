#pragma once
// A local HTTP server standing in for an SMS provider (the contract's webhook, or
// Twilio's Messages API): it records every request and answers with the status the test
// sets. It can also hold requests until released, to show that a slow provider never
// holds up an API request.
#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace contactd::test {

struct GatewayRequest {
    std::string method;
    std::string path;
    std::string body;
    httplib::Headers headers;
    httplib::Params params;  // the form fields, for application/x-www-form-urlencoded
    std::string header(const std::string& name) const;
    std::string param(const std::string& name) const;
};

class SmsGateway {
  public:
    SmsGateway();
    ~SmsGateway();

    int port() const { return port_; }
    std::string url(const std::string& path = "") const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

    // The status and body of the next answers (200 and "{}" at first).
    void answer(int status, std::string body = "{}");
    // While held, requests wait (at most 20 s) until release().
    void hold();
    void release();

    std::vector<GatewayRequest> requests() const;
    std::size_t count() const;

  private:
    void handle(const httplib::Request& req, httplib::Response& res);

    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::condition_variable released_;
    std::vector<GatewayRequest> requests_;
    int status_ = 200;
    std::string body_ = "{}";
    bool held_ = false;
};

}  // namespace contactd::test

#include "support/sms_gateway.h"

#include <strings.h>

#include <chrono>

namespace contactd::test {

std::string GatewayRequest::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
    }
    return {};
}

std::string GatewayRequest::param(const std::string& name) const {
    const auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
}

SmsGateway::SmsGateway() {
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        handle(req, res);
    };
    server_.Post(".*", handler);
    server_.Get(".*", handler);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 200 && !server_.is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

SmsGateway::~SmsGateway() {
    release();
    server_.stop();
    if (thread_.joinable()) thread_.join();
}

void SmsGateway::answer(int status, std::string body) {
    std::lock_guard lock(mutex_);
    status_ = status;
    body_ = std::move(body);
}

void SmsGateway::hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
}

void SmsGateway::release() {
    {
        std::lock_guard lock(mutex_);
        held_ = false;
    }
    released_.notify_all();
}

std::vector<GatewayRequest> SmsGateway::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t SmsGateway::count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
}

void SmsGateway::handle(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock lock(mutex_);
    GatewayRequest recorded{req.method, req.path, req.body, req.headers, {}};
    if (req.get_header_value("Content-Type").starts_with("application/x-www-form-urlencoded")) {
        httplib::detail::parse_query_text(req.body, recorded.params);
    }
    requests_.push_back(std::move(recorded));
    released_.wait_for(lock, std::chrono::seconds(20), [this] { return !held_; });
    res.status = status_;
    res.set_content(body_, "application/json");
}

}  // namespace contactd::test

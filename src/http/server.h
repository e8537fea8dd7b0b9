#pragma once
// contactd's HTTP server: cpp-httplib's request parsing, routing and answer writing,
// behind contactd's own connection model.
//
// Connections are owned by http::ConnectionLoop (one epoll thread): a request reaches a
// worker of the elastic http::WorkerPool only once it has arrived whole and passed
// http::parse_request_head, so no number of idle, slow or keep-alive connections holds a
// worker. Each request is then run through cpp-httplib's Server::process_request over an
// in-memory stream (http/request_stream.h), and its answer written in one go.
//
// Every answer carries X-Request-Id and X-Content-Type-Options: nosniff; API answers
// also Cache-Control: no-store; CORS headers only for the configured origins. Handlers
// registered here turn contactd::Error into CRM.COM error answers; anything else becomes
// a generic 500.
#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "http/connection_loop.h"
#include "http/http_metrics.h"
#include "http/worker_pool.h"

namespace contactd::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;   // 0: any free port
    int threads = 64;  // the worker pool's cap: requests handled at once
    std::size_t max_body_bytes = 64 * 1024;
    int keep_alive_timeout = 5;  // seconds between requests on one connection
    int keep_alive_max_count = 1000;
    int read_timeout = 10;  // seconds for a whole request head, and again for its body
    int write_timeout = 10;
    std::size_t max_connections = 10000;
    // After stop(), requests still in flight this long are cut off, so that the process
    // exits within the contract's 5 s.
    int shutdown_grace_ms = 3000;
    // Origins allowed to call the API from a browser (exact, e.g. https://app.example).
    std::vector<std::string> cors_origins;
};

// A handler that calls `method` on the shared `routes` object, for route tables kept
// as one class per API.
template <class Routes>
auto route_to(std::shared_ptr<Routes> routes,
              void (Routes::*method)(const httplib::Request&, httplib::Response&) const) {
    return
        [routes = std::move(routes), method](const httplib::Request& req, httplib::Response& res) {
            ((*routes).*method)(req, res);
        };
}

class HttpServer {
  public:
    using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

    explicit HttpServer(ServerOptions options);
    ~HttpServer();

    // Routes: `pattern` is a regular expression over the path (captures land in
    // req.matches). Register all routes before bind(). A route of a versioned API, given
    // under any one version ("/self-service/v1/...") or as "/self-service/{version}/...",
    // is served under all of them (http/api_versions.h); answers on /self-service/v2
    // take the v2 form (http/v2_answers.h).
    void get(const std::string& pattern, Handler handler);
    void post(const std::string& pattern, Handler handler);
    void put(const std::string& pattern, Handler handler);
    void del(const std::string& pattern, Handler handler);

    // Binds the listening socket; returns the port (useful with port 0). Throws
    // std::runtime_error if the address cannot be bound.
    int bind();
    // Serves until stop(); returns once in-flight requests are done, or once those still
    // running after shutdown_grace_ms have been cut off.
    void serve();
    // Stops accepting; safe from any thread, including a signal-watching one.
    void stop();
    bool running() const { return loop_->running(); }

    // Requests by route template, method and status, and their latency (/metrics). Every
    // request answered is also written to the log as one access line (util/log.h).
    const HttpMetrics& metrics() const { return metrics_; }
    // Answers given so far (what says whether the server has been idle).
    std::uint64_t answered() const { return answered_.load(std::memory_order_relaxed); }

  private:
    // cpp-httplib's Server with its request processing made callable: process_request is
    // protected, and is what its own per-connection loop calls for each request.
    class Router : public httplib::Server {
      public:
        using httplib::Server::process_request;
    };

    void add(const std::string& method, const std::string& pattern, Handler handler);
    bool path_known(const std::string& path) const;
    bool run_request(ReceivedRequest& request);
    void decorate(const httplib::Request& req, httplib::Response& res) const;
    bool cors_allowed(const std::string& origin) const;
    void answer_preflight(const httplib::Request& req, httplib::Response& res) const;
    // Counts the answer and writes its access line (cpp-httplib's logger, once per answer).
    void account(const httplib::Request& req, const httplib::Response& res);

    ServerOptions options_;
    Router router_;
    std::vector<std::regex> patterns_;  // every registered path, for 405 versus 404
    HttpMetrics metrics_;
    std::atomic<std::uint64_t> answered_{0};
    std::unique_ptr<WorkerPool> workers_;
    std::unique_ptr<ConnectionLoop> loop_;
};

// The whole HTTP answer for a request refused before it reached the router (framing):
// a CRM.COM error body, Connection: close, and the headers every answer carries.
std::string refusal_answer(int status, const std::string& message, const std::string& request_id);

}  // namespace contactd::http

#pragma once
// contactd's HTTP server: cpp-httplib behind one class, with the settings a real
// service needs (TCP_NODELAY, a thread pool larger than the keep-alive connections it
// holds, timeouts, a body limit) and a guard in front of routing for the 0.11.4 traps:
// chunked or compressed request bodies, very long paths. Handlers registered here turn
// contactd::Error into CRM.COM error answers; anything else becomes a generic 500.
#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <vector>

namespace contactd::http {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port
    int threads = 64;
    std::size_t max_body_bytes = 64 * 1024;
    int keep_alive_timeout = 2;
    int keep_alive_max_count = 1000;
    int read_timeout = 10;
    int write_timeout = 10;
    // After stop(), connections still open this long (a client half-way through sending
    // a request, which read_timeout alone would wait for) are shut down, so that the
    // process exits within the contract's 5 s.
    int shutdown_grace_ms = 3000;
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

    // Routes: `pattern` is a regular expression over the path (captures land in
    // req.matches). Register all routes before bind().
    void get(const std::string& pattern, Handler handler);
    void post(const std::string& pattern, Handler handler);
    void put(const std::string& pattern, Handler handler);
    void del(const std::string& pattern, Handler handler);

    // Binds the listening socket; returns the port (useful with port 0). Throws
    // std::runtime_error if the address cannot be bound.
    int bind();
    // Serves until stop(); returns once in-flight requests are done, or once the
    // connections still open after shutdown_grace_ms have been shut down.
    void serve();
    // Stops accepting; safe from any thread, including a signal-watching one.
    void stop();
    bool running() const { return server_.is_running(); }

  private:
    void add(const std::string& method, const std::string& pattern, Handler handler);
    httplib::Server::HandlerResponse guard(const httplib::Request& req,
                                           httplib::Response& res) const;
    bool path_known(const std::string& path) const;
    // Shuts down (without closing: cpp-httplib's threads own the descriptors) every
    // accepted connection of this server that is still open.
    void shut_down_open_connections() const;

    ServerOptions options_;
    httplib::Server server_;
    std::vector<std::regex> patterns_;  // every registered path, for 405 versus 404
    std::atomic<int> bound_port_{0};    // set by bind()
    int listen_socket_ = -1;            // the listening socket, seen by the socket options
};

}  // namespace contactd::http

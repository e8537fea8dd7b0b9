#include "http/server.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "http/errors.h"
#include "util/error.h"
#include "util/log.h"
#include "util/strings.h"

namespace contactd::http {
namespace {

constexpr std::size_t kMaxPathLength = 2048;

// Runs a handler, answering contactd::Error in the CRM.COM shape. Other exceptions go
// on to the server's exception handler (a generic 500).
HttpServer::Handler wrap(HttpServer::Handler handler) {
    return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
        try {
            handler(req, res);
        } catch (const Error& error) {
            send_error(res, error);
        }
    };
}

// cpp-httplib's thread pool, whose shutdown (the wait for in-flight requests when the
// server stops) has a deadline: after `grace`, `force` is called every 200 ms until the
// workers are done.
class DrainingThreadPool final : public httplib::TaskQueue {
  public:
    DrainingThreadPool(std::size_t threads, std::chrono::milliseconds grace,
                       std::function<void()> force)
        : pool_(threads), grace_(grace), force_(std::move(force)) {}

    void enqueue(std::function<void()> fn) override { pool_.enqueue(std::move(fn)); }

    void shutdown() override {
        std::mutex mutex;
        std::condition_variable cv;
        bool done = false;
        std::thread deadline([&] {
            std::unique_lock lock(mutex);
            if (cv.wait_for(lock, grace_, [&] { return done; })) return;
            log::warn("connections still open after the shutdown grace period: closing them");
            do {
                lock.unlock();
                force_();
                lock.lock();
            } while (!cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return done; }));
        });
        pool_.shutdown();
        {
            std::lock_guard lock(mutex);
            done = true;
        }
        cv.notify_all();
        deadline.join();
    }

  private:
    httplib::ThreadPool pool_;
    const std::chrono::milliseconds grace_;
    const std::function<void()> force_;
};

int local_port_of(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
    if (address.ss_family == AF_INET)
        return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    if (address.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    return -1;
}

}  // namespace

HttpServer::HttpServer(ServerOptions options) : options_(std::move(options)) {
    const auto threads = static_cast<std::size_t>(options_.threads);
    server_.new_task_queue = [this, threads] {
        return new DrainingThreadPool(threads,
                                      std::chrono::milliseconds(options_.shutdown_grace_ms),
                                      [this] { shut_down_open_connections(); });
    };
    server_.set_tcp_nodelay(true);
    // cpp-httplib's default also sets SO_REUSEPORT, which lets a second contactd bind the
    // same port without an error and silently share its traffic. SO_REUSEADDR alone
    // still allows a quick restart.
    server_.set_socket_options([this](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        listen_socket_ = sock;
    });
    server_.set_keep_alive_max_count(static_cast<std::size_t>(options_.keep_alive_max_count));
    server_.set_keep_alive_timeout(options_.keep_alive_timeout);
    server_.set_read_timeout(options_.read_timeout, 0);
    server_.set_write_timeout(options_.write_timeout, 0);
    server_.set_payload_max_length(options_.max_body_bytes);

    server_.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { return guard(req, res); });
    server_.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
            try {
                if (ep) std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                log::error("unhandled error on " + req.method + " " + req.path + ": " + e.what());
            } catch (...) {
                log::error("unhandled non-standard exception on " + req.method + " " + req.path);
            }
            res.headers.clear();
            send_error(res, 500, "INTERNALSERVEREXCEPTION", "Internal server error");
        });
    // Fills only empty bodies: handlers' own error bodies stay.
    server_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        if (res.status == 404 && path_known(req.path)) res.status = 405;
        const std::string message = res.status == 404   ? "No such resource"
                                    : res.status == 405 ? "Method not allowed on this resource"
                                    : res.status == 413 ? "The request body is too large"
                                    : res.status == 414 ? "The request URI is too long"
                                                        : "The request could not be served";
        send_error(res, res.status, code_for_status(res.status), message);
    });
}

httplib::Server::HandlerResponse HttpServer::guard(const httplib::Request& req,
                                                   httplib::Response& res) const {
    using R = httplib::Server::HandlerResponse;
    if (req.path.size() > kMaxPathLength) {
        send_error(res, 414, code_for_status(414), "The request URI is too long");
        return R::Handled;
    }
    // cpp-httplib would read a chunked body without the payload limit, and inflate a
    // compressed one: neither is needed by any client of this API.
    if (req.has_header("Transfer-Encoding")) {
        send_error(res, 411, code_for_status(411), "Send the body with a Content-Length");
        return R::Handled;
    }
    if (req.has_header("Content-Encoding") &&
        !iequals(req.get_header_value("Content-Encoding"), "identity")) {
        send_error(res, 415, code_for_status(415), "Compressed request bodies are not accepted");
        return R::Handled;
    }
    if (!req.has_header("Content-Length")) {
        // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112
        // section 6.3), but cpp-httplib 0.11.4 reads a POST/PUT/PATCH body until the client
        // closes: `curl -X POST` without -d would wait for the read timeout, then get 400.
        // Say so explicitly. The Request object is not const in cpp-httplib, only this view.
        if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
            const_cast<httplib::Request&>(req).set_header("Content-Length", "0");
        }
    } else {
        const auto length = req.get_header_value("Content-Length");
        const bool digits =
            !length.empty() && length.find_first_not_of("0123456789") == std::string::npos;
        if (!digits) {
            send_error(res, 400, code_for_status(400), "Content-Length is not a number");
            return R::Handled;
        }
        if (length.size() > 12 || std::stoull(length) > options_.max_body_bytes) {
            send_error(res, 413, code_for_status(413), "The request body is too large");
            return R::Handled;
        }
        // Every body this API takes is JSON. Refuse others before cpp-httplib reads them:
        // it would parse a multipart/form-data body itself and answer 400 on its own.
        if (std::stoull(length) > 0) {
            const auto type = to_lower(req.get_header_value("Content-Type"));
            if (trim(type.substr(0, type.find(';'))) != "application/json") {
                send_error(res, 415, code_for_status(415), "Content-Type must be application/json");
                return R::Handled;
            }
        }
    }
    return R::Unhandled;
}

bool HttpServer::path_known(const std::string& path) const {
    for (const auto& pattern : patterns_) {
        if (std::regex_match(path, pattern)) return true;
    }
    return false;
}

void HttpServer::add(const std::string& method, const std::string& pattern, Handler handler) {
    patterns_.emplace_back(pattern);
    auto wrapped = wrap(std::move(handler));
    if (method == "GET") server_.Get(pattern, wrapped);
    if (method == "POST") server_.Post(pattern, wrapped);
    if (method == "PUT") server_.Put(pattern, wrapped);
    if (method == "DELETE") server_.Delete(pattern, wrapped);
}

void HttpServer::get(const std::string& pattern, Handler handler) {
    add("GET", pattern, std::move(handler));
}
void HttpServer::post(const std::string& pattern, Handler handler) {
    add("POST", pattern, std::move(handler));
}
void HttpServer::put(const std::string& pattern, Handler handler) {
    add("PUT", pattern, std::move(handler));
}
void HttpServer::del(const std::string& pattern, Handler handler) {
    add("DELETE", pattern, std::move(handler));
}

int HttpServer::bind() {
    int port = options_.port;
    if (port == 0) {
        port = server_.bind_to_any_port(options_.host);
    } else if (!server_.bind_to_port(options_.host, port)) {
        port = -1;
    }
    if (port < 0) {
        throw std::runtime_error("cannot listen on " + options_.host + ":" +
                                 std::to_string(options_.port));
    }
    bound_port_ = port;
    // cpp-httplib 0.11.4 listens with a backlog of 5: a burst of new connections past
    // that overflowed the accept queue and clients saw resets after a 1 s SYN retry.
    // Listening again on the bound socket raises the backlog (Linux).
    if (listen_socket_ >= 0 && ::listen(listen_socket_, SOMAXCONN) != 0) {
        log::warn("could not raise the listen backlog");
    }
    return port;
}

void HttpServer::shut_down_open_connections() const {
    // cpp-httplib 0.11.4 does not expose its connections: find them among this process's
    // descriptors, as the connected sockets whose local port is the one this server bound.
    const int port = bound_port_.load();
    if (port <= 0) return;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
        const int fd = std::stoi(name);
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        if (local_port_of(fd) != port ||
            ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) {
            continue;
        }
        ::shutdown(fd, SHUT_RDWR);
    }
}

void HttpServer::serve() {
    server_.listen_after_bind();
}

void HttpServer::stop() {
    server_.stop();
}

}  // namespace contactd::http

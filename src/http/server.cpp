#include "http/server.h"

#include <algorithm>
#include <stdexcept>

#include "http/api_versions.h"
#include "http/errors.h"
#include "http/request_stream.h"
#include "http/v2_answers.h"
#include "util/error.h"
#include "util/log.h"

namespace contactd::http {
namespace {

// The request this worker thread is running: when it started, and the series of the
// route that took it (null until a route's handler runs: then it was unmatched).
thread_local std::chrono::steady_clock::time_point t_started;
thread_local HttpMetrics::RouteSeries* t_route = nullptr;

// Runs a handler, answering contactd::Error in the CRM.COM shape. Other exceptions go
// on to the server's exception handler (a generic 500).
HttpServer::Handler wrap(HttpServer::Handler handler, HttpMetrics::RouteSeries* series) {
    return [handler = std::move(handler), series](const httplib::Request& req,
                                                  httplib::Response& res) {
        t_route = series;
        try {
            handler(req, res);
        } catch (const Error& error) {
            send_error(res, error);
        }
        if (is_self_service_v2(req.path)) to_v2_answer(res);
    };
}

const char* reason_phrase(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 408:
            return "Request Timeout";
        case 411:
            return "Length Required";
        case 413:
            return "Payload Too Large";
        case 414:
            return "URI Too Long";
        case 415:
            return "Unsupported Media Type";
        case 417:
            return "Expectation Failed";
        case 431:
            return "Request Header Fields Too Large";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}

}  // namespace

std::string refusal_answer(int status, const std::string& message, const std::string& request_id) {
    httplib::Response error;  // the body every other error answer has (http/errors.h)
    send_error(error, status, code_for_status(status), message);
    const auto& body = error.body;
    return "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\nConnection: close\r\nX-Request-Id: " + request_id +
           "\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\n\r\n" + body;
}

HttpServer::HttpServer(ServerOptions options) : options_(std::move(options)) {
    // The Keep-Alive header cpp-httplib writes states these; the loop enforces them.
    router_.set_keep_alive_timeout(options_.keep_alive_timeout);
    router_.set_keep_alive_max_count(static_cast<std::size_t>(options_.keep_alive_max_count));
    router_.set_payload_max_length(options_.max_body_bytes);

    router_.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
            try {
                if (ep) std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                log::error("unhandled error on " + req.method + " " + req.path + ": " + e.what());
            } catch (...) {
                log::error("unhandled non-standard exception on " + req.method + " " + req.path);
            }
            // Without this cpp-httplib copies e.what() into a response header.
            res.headers.clear();
            send_error(res, 500, "INTERNALSERVEREXCEPTION", "Internal server error");
        });
    // Fills only empty bodies: handlers' own error bodies stay.
    router_.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        if (res.status == 404 && path_known(req.path)) res.status = 405;
        const std::string message = res.status == 404   ? "No such resource"
                                    : res.status == 405 ? "Method not allowed on this resource"
                                    : res.status == 413 ? "The request body is too large"
                                    : res.status == 414 ? "The request URI is too long"
                                    : res.status == 416 ? "The range cannot be served"
                                                        : "The request could not be served";
        send_error(res, res.status, code_for_status(res.status), message);
    });
    router_.set_post_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { decorate(req, res); });
    router_.Options(".*", [this, series = metrics_.add_route("OPTIONS", "*")](
                              const httplib::Request& req, httplib::Response& res) {
        t_route = series;
        answer_preflight(req, res);
    });
    router_.set_logger(
        [this](const httplib::Request& req, const httplib::Response& res) { account(req, res); });

    workers_ = std::make_unique<WorkerPool>(2, static_cast<std::size_t>(options_.threads),
                                            std::chrono::seconds(30));
    ConnectionLoopOptions loop;
    loop.host = options_.host;
    loop.port = options_.port;
    loop.limits.max_body_bytes = options_.max_body_bytes;
    loop.head_timeout = std::chrono::seconds(options_.read_timeout);
    loop.body_timeout = std::chrono::seconds(options_.read_timeout);
    loop.idle_timeout = std::chrono::seconds(options_.keep_alive_timeout);
    loop.grace = std::chrono::milliseconds(options_.shutdown_grace_ms);
    loop.max_connections = options_.max_connections;
    loop.max_requests_per_connection = static_cast<std::size_t>(options_.keep_alive_max_count);
    loop_ = std::make_unique<ConnectionLoop>(
        loop, [this](ReceivedRequest& request) { return run_request(request); },
        [this](std::function<void()> task) { workers_->submit(std::move(task)); },
        [this](int status, const std::string& message, const std::string& request_id) {
            // Refused before the router saw it: no method or route is known.
            HttpMetrics::observe(*metrics_.unmatched("OTHER"), status, {});
            log::write(log::Level::Info, "access",
                       {{"request_id", request_id},
                        {"method", "-"},
                        {"route", "unmatched"},
                        {"status", std::int64_t{status}},
                        {"duration_ms", 0.0}});
            return refusal_answer(status, message, request_id);
        });
}

HttpServer::~HttpServer() {
    stop();
    workers_->shutdown();
}

bool HttpServer::run_request(ReceivedRequest& request) {
    const log::RequestScope scope(request.request_id);
    t_started = std::chrono::steady_clock::now();
    t_route = nullptr;
    RequestStream stream(request, std::chrono::seconds(options_.write_timeout));
    bool connection_closed = false;
    const bool processed =
        router_.process_request(stream, request.close_after, connection_closed, {});
    const bool flushed = stream.flush();
    return processed && flushed && !connection_closed;
}

void HttpServer::account(const httplib::Request& req, const httplib::Response& res) {
    answered_.fetch_add(1, std::memory_order_relaxed);
    const auto elapsed = std::chrono::steady_clock::now() - t_started;
    auto* series = t_route ? t_route : metrics_.unmatched(req.method);
    HttpMetrics::observe(*series, res.status,
                         std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed));
    // The route template, never the path: a path or query may hold a token
    // (verify_email?token=...), and ids are personal data.
    if (!log::enabled(log::Level::Info)) return;
    log::write(log::Level::Info, "access",
               {{"request_id", res.get_header_value("X-Request-Id")},
                {"method", series->method},
                {"route", series->route},
                {"status", std::int64_t{res.status}},
                {"duration_ms", std::chrono::duration<double, std::milli>(elapsed).count()}});
}

void HttpServer::decorate(const httplib::Request& req, httplib::Response& res) const {
    // The connection loop put the request's id (the client's, or a new one) in its head.
    res.set_header("X-Request-Id", req.get_header_value("X-Request-Id"));
    if (!res.has_header("X-Content-Type-Options"))
        res.set_header("X-Content-Type-Options", "nosniff");
    // The portal's files set their own caching; nothing else is ever to be stored.
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
    if (options_.cors_origins.empty()) return;
    res.set_header("Vary", "Origin");
    const auto origin = req.get_header_value("Origin");
    if (cors_allowed(origin) && !res.has_header("Access-Control-Allow-Origin")) {
        res.set_header("Access-Control-Allow-Origin", origin);
        res.set_header("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
    }
}

bool HttpServer::cors_allowed(const std::string& origin) const {
    if (origin.empty()) return false;
    return std::find(options_.cors_origins.begin(), options_.cors_origins.end(), origin) !=
           options_.cors_origins.end();
}

void HttpServer::answer_preflight(const httplib::Request& req, httplib::Response& res) const {
    res.status = 204;
    res.set_header("Allow", "GET, POST, PUT, DELETE, OPTIONS");
    const auto origin = req.get_header_value("Origin");
    if (!cors_allowed(origin) || !req.has_header("Access-Control-Request-Method")) return;
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
    res.set_header("Access-Control-Allow-Headers",
                   "api_key, Authorization, Content-Type, refresh_token, X-Request-Id");
    res.set_header("Access-Control-Max-Age", "600");
}

bool HttpServer::path_known(const std::string& path) const {
    for (const auto& pattern : patterns_) {
        if (std::regex_match(path, pattern)) return true;
    }
    return false;
}

void HttpServer::add(const std::string& method, const std::string& pattern, Handler handler) {
    // One registration serves every version of its API: "/self-service/v1/x" and
    // "/self-service/{version}/x" register "/self-service/(?:v1|v2)/x" (http/api_versions.h).
    const auto route = route_template(pattern);
    const auto regex = route_regex(route);
    patterns_.emplace_back(regex);
    auto wrapped = wrap(std::move(handler), metrics_.add_route(method, route_label(route)));
    if (method == "GET") router_.Get(regex, wrapped);
    if (method == "POST") router_.Post(regex, wrapped);
    if (method == "PUT") router_.Put(regex, wrapped);
    if (method == "DELETE") router_.Delete(regex, wrapped);
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
    return loop_->bind();
}

void HttpServer::serve() {
    loop_->run();
    workers_->shutdown();
}

void HttpServer::stop() {
    loop_->stop();
}

}  // namespace contactd::http

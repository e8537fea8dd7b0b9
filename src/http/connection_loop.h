#pragma once
// The accept side of contactd's HTTP server: one thread with epoll owns every connection
// while it is idle or still sending its request, and hands a request to a worker only
// once it has arrived whole and passed request framing (http/request_framing.h).
//
// Why not cpp-httplib's own loop: 0.11.4 parks a thread-pool worker on each connection
// for its whole life, reading the request off the socket as it trickles in. 64 workers
// meant 64 idle keep-alive or slowloris connections stopped the server for everyone
// else, and a header sent one byte every 2 s was never cut off (its read timeout restarts
// on every byte). Here an idle or slow connection costs a descriptor and a buffer, not a
// thread; the head has one deadline for all of it; and refusals close the connection
// after answering, so an unread body can never be read as the next request.
//
// Lifecycle: bind() once, then run() on one thread until stop() (any thread, any time).
// run() returns once every connection is closed: idle ones at once, requests in flight
// after they are answered, and whatever is still open `grace` after stop() is shut down.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "http/request_framing.h"

namespace contactd::http {

struct ConnectionLoopOptions {
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
    FramingLimits limits;
    std::chrono::milliseconds head_timeout{10000};  // from a request's first byte to its head
    std::chrono::milliseconds body_timeout{10000};  // from the head to the body's last byte
    std::chrono::milliseconds idle_timeout{5000};   // keep-alive: between requests
    std::chrono::milliseconds linger{2000};         // draining a refused request's body
    std::chrono::milliseconds grace{3000};          // after stop(), for what is in flight
    std::size_t max_connections = 10000;
    std::size_t max_requests_per_connection = 10000;
};

// A request received whole, as the router is to read it.
struct ReceivedRequest {
    std::string bytes;       // head (request id added) and, when kept, the body
    std::string request_id;  // the client's acceptable one, else a new one
    std::string peer_ip;
    int peer_port = 0;
    std::string local_ip;
    int local_port = 0;
    int fd = -1;               // for writing the answer only
    bool close_after = false;  // the answer must close the connection
};

// What the worker reports back: keep the connection open for the next request?
using RequestRunner = std::function<bool(ReceivedRequest&)>;
// Submits work to the worker pool.
using TaskSubmitter = std::function<void(std::function<void()>)>;
// Builds the full HTTP answer for a request refused by framing.
using RefusalWriter = std::function<std::string(int status, const std::string& message,
                                                const std::string& request_id)>;

class ConnectionLoop {
  public:
    ConnectionLoop(ConnectionLoopOptions options, RequestRunner runner, TaskSubmitter submit,
                   RefusalWriter refusal);
    ~ConnectionLoop();
    ConnectionLoop(const ConnectionLoop&) = delete;
    ConnectionLoop& operator=(const ConnectionLoop&) = delete;

    // Binds and listens; returns the port. Throws std::runtime_error when it cannot.
    int bind();
    void run();
    void stop();
    bool running() const { return running_.load(); }
    std::size_t open_connections() const;

  private:
    struct Connection;
    using Clock = std::chrono::steady_clock;

    // Accepts every waiting client; true when it stopped for want of descriptors.
    bool accept_all();
    void on_readable(std::uint64_t key);
    // With mutex_ held: frames what `c` has received and acts on it (dispatch, refuse,
    // wait for more with the right deadline).
    void advance(Connection& c);
    void refuse(Connection& c, int status, const std::string& message);
    void dispatch(Connection& c);
    void serve_on_worker(Connection* c);
    void arm(Connection& c);
    void close_locked(Connection& c);
    void expire(Clock::time_point now);
    std::string next_request_id();

    const ConnectionLoopOptions options_;
    const RequestRunner runner_;
    const TaskSubmitter submit_;
    const RefusalWriter refusal_;
    int listen_fd_ = -1;
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    std::atomic<bool> running_{false};
    std::atomic<bool> stopping_{false};
    Clock::time_point stop_deadline_{};

    mutable std::mutex mutex_;  // guards connections_, next_generation_
    std::unordered_map<int, std::unique_ptr<Connection>> connections_;
    std::uint32_t next_generation_ = 1;
    std::atomic<std::uint64_t> request_counter_{0};
    const std::string id_prefix_;
};

}  // namespace contactd::http

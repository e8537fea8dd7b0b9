#include "http/connection_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <vector>

#include "util/log.h"

namespace contactd::http {
namespace {

constexpr std::uint64_t kListenKey = 0;
constexpr std::uint64_t kWakeKey = 1;
constexpr std::chrono::milliseconds kScanInterval{200};

std::uint64_t key_of(int fd, std::uint32_t generation) {
    return (static_cast<std::uint64_t>(generation) << 32) | static_cast<std::uint32_t>(fd);
}

void address_of(const sockaddr_storage& address, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (address.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
        ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
        port = ntohs(v4.sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
        if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
            // A dual-stack socket's IPv4 client: report it as IPv4, as the rest of the
            // server (loopback checks, per-address limits) expects.
            ::inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof text);
        } else {
            ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
        }
        port = ntohs(v6.sin6_port);
    }
    ip = text;
}

std::string random_prefix() {
    std::random_device device;
    static constexpr char kHex[] = "0123456789abcdef";
    std::string prefix;
    for (int i = 0; i < 8; ++i) prefix += kHex[device() % 16];
    return prefix;
}

}  // namespace

struct ConnectionLoop::Connection {
    enum class State { Idle, Reading, Busy, Lingering };

    int fd = -1;
    std::uint32_t generation = 0;
    State state = State::Idle;
    Clock::time_point deadline;
    std::string peer_ip;
    int peer_port = 0;
    std::string local_ip;
    int local_port = 0;
    std::string in;  // received, not yet handed over
    bool head_ready = false;
    RequestHead head;
    bool continue_sent = false;
    bool peer_closed = false;  // the client shut down its side
    bool forced = false;       // shut down after the stop grace
    std::size_t served = 0;
    ReceivedRequest pending;  // the request a worker is serving
};

ConnectionLoop::ConnectionLoop(ConnectionLoopOptions options, RequestRunner runner,
                               TaskSubmitter submit, RefusalWriter refusal)
    : options_(std::move(options)),
      runner_(std::move(runner)),
      submit_(std::move(submit)),
      refusal_(std::move(refusal)),
      id_prefix_(random_prefix()) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_fd_ < 0 || wake_fd_ < 0) throw std::runtime_error("cannot create the event loop");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kWakeKey;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event);
}

ConnectionLoop::~ConnectionLoop() {
    for (auto& [fd, connection] : connections_) ::close(fd);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

int ConnectionLoop::bind() {
    // Connections cost a descriptor each, not a thread: let the process have as many as
    // it is allowed (the soft limit is often 1024).
    rlimit files{};
    if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = std::min<rlim_t>(files.rlim_max, options_.max_connections + 1024);
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    const auto where = options_.host + ":" + std::to_string(options_.port);
    if (::getaddrinfo(options_.host.c_str(), std::to_string(options_.port).c_str(), &hints,
                      &found) != 0 ||
        !found) {
        throw std::runtime_error("cannot listen on " + where + ": unknown address");
    }
    std::unique_ptr<addrinfo, void (*)(addrinfo*)> owner(found, ::freeaddrinfo);
    const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("cannot listen on " + where + ": " + std::strerror(errno));
    // SO_REUSEADDR alone (no SO_REUSEPORT, which cpp-httplib sets): a quick restart works,
    // a second contactd on the same port fails instead of silently sharing its traffic.
    int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // A backlog of SOMAXCONN (cpp-httplib listens with 5: bursts of new clients were reset).
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
        const std::string reason = std::strerror(errno);
        ::close(fd);
        throw std::runtime_error("cannot listen on " + where + ": " + reason);
    }
    sockaddr_storage bound{};
    socklen_t length = sizeof bound;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
    std::string ip;
    int port = 0;
    address_of(bound, ip, port);
    listen_fd_ = fd;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kListenKey;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event);
    return port;
}

void ConnectionLoop::run() {
    running_ = true;
    // A spare descriptor, given up to accept-and-close one client when the process runs
    // out: otherwise the listening socket stays readable and the loop spins.
    int spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    std::vector<epoll_event> events(256);
    auto last_scan = Clock::now();
    while (true) {
        const int count = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()),
                                       static_cast<int>(kScanInterval.count()));
        for (int i = 0; i < count; ++i) {
            const auto key = events[static_cast<std::size_t>(i)].data.u64;
            if (key == kListenKey) {
                if (accept_all()) {
                    ::close(spare_fd);
                    const int extra = ::accept(listen_fd_, nullptr, nullptr);
                    if (extra >= 0) ::close(extra);
                    spare_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
                    log::warn("out of file descriptors: a new connection was refused");
                }
            } else if (key == kWakeKey) {
                std::uint64_t value = 0;
                [[maybe_unused]] auto ignored = ::read(wake_fd_, &value, sizeof value);
            } else {
                on_readable(key);
            }
        }
        const auto now = Clock::now();
        if (stopping_ || now - last_scan >= kScanInterval) {
            expire(now);
            last_scan = now;
        }
        if (stopping_) {
            if (listen_fd_ >= 0) {
                ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
                ::close(listen_fd_);
                listen_fd_ = -1;
            }
            std::lock_guard lock(mutex_);
            if (connections_.empty()) break;
        }
    }
    if (spare_fd >= 0) ::close(spare_fd);
    running_ = false;
}

void ConnectionLoop::stop() {
    if (stopping_.exchange(true)) return;
    {
        std::lock_guard lock(mutex_);
        stop_deadline_ = Clock::now() + options_.grace;
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] auto ignored = ::write(wake_fd_, &one, sizeof one);
}

std::size_t ConnectionLoop::open_connections() const {
    std::lock_guard lock(mutex_);
    return connections_.size();
}

bool ConnectionLoop::accept_all() {
    while (!stopping_) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            return errno == EMFILE || errno == ENFILE;
        }
        std::lock_guard lock(mutex_);
        if (connections_.size() >= options_.max_connections) {
            ::close(fd);
            continue;
        }
        // Without TCP_NODELAY every answer waits ~40 ms for a delayed ACK.
        int yes = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        auto connection = std::make_unique<Connection>();
        connection->fd = fd;
        connection->generation = next_generation_++;
        if (next_generation_ == 0) next_generation_ = 1;
        address_of(peer, connection->peer_ip, connection->peer_port);
        sockaddr_storage local{};
        length = sizeof local;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
        address_of(local, connection->local_ip, connection->local_port);
        connection->deadline = Clock::now() + options_.idle_timeout;
        epoll_event event{};
        event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
        event.data.u64 = key_of(fd, connection->generation);
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
            ::close(fd);
            continue;
        }
        connections_.emplace(fd, std::move(connection));
    }
    return false;
}

void ConnectionLoop::on_readable(std::uint64_t key) {
    const int fd = static_cast<int>(key & 0xffffffffu);
    std::unique_lock lock(mutex_);
    const auto it = connections_.find(fd);
    if (it == connections_.end() || key_of(fd, it->second->generation) != key) return;
    Connection& c = *it->second;
    if (c.state == Connection::State::Busy) return;
    // The socket is read without the lock: a connection that is not Busy is this thread's
    // alone (its one-shot event fired and it is not re-armed), and only this thread closes
    // it then, so workers handing their connections back never wait for this read.
    lock.unlock();

    // Read what has arrived, but never more than the request being framed can use: the
    // head's limit, or the head and body once the head is known, plus one pipelined head.
    const std::size_t cap = (c.head_ready ? c.head.head_bytes + c.head.body_bytes : 0) +
                            options_.limits.max_head_bytes + 4;
    char buffer[16 * 1024];
    while (c.state == Connection::State::Lingering || c.in.size() < cap) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            if (c.state != Connection::State::Lingering)
                c.in.append(buffer, static_cast<std::size_t>(n));
            // Less than asked for: the socket had no more just now. Asking again would
            // only hear EAGAIN, a system call per request; bytes arriving from here on
            // (or the peer's close) fire the event again once the connection is re-armed
            // (level-triggered).
            if (static_cast<std::size_t>(n) < sizeof buffer) break;
            continue;
        }
        if (n == 0) {
            c.peer_closed = true;
            break;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        lock.lock();
        close_locked(c);
        return;
    }
    lock.lock();
    if (c.state == Connection::State::Lingering) {
        if (c.peer_closed) {
            close_locked(c);
        } else {
            arm(c);
        }
        return;
    }
    advance(c);
}

void ConnectionLoop::advance(Connection& c) {
    const auto now = Clock::now();
    if (c.in.empty()) {
        if (c.peer_closed || stopping_) {
            close_locked(c);
            return;
        }
        c.state = Connection::State::Idle;
        arm(c);
        return;
    }
    if (c.state == Connection::State::Idle) {
        // The head's deadline runs from its first byte and does not restart on later ones.
        c.state = Connection::State::Reading;
        c.deadline = now + options_.head_timeout;
    }
    if (!c.head_ready) {
        auto framed = parse_request_head(c.in, options_.limits);
        if (framed.outcome == FramingResult::Outcome::Refused) {
            refuse(c, framed.status, framed.message);
            return;
        }
        if (framed.outcome == FramingResult::Outcome::Incomplete) {
            if (c.peer_closed) {
                close_locked(c);
            } else {
                arm(c);
            }
            return;
        }
        c.head = std::move(framed.head);
        c.head_ready = true;
        c.deadline = now + options_.body_timeout;
    }
    if (c.in.size() < c.head.head_bytes + c.head.body_bytes) {
        if (c.peer_closed) {
            close_locked(c);
            return;
        }
        if (c.head.expect_continue && !c.continue_sent) {
            // Only now, with the head accepted: a request refused above never hears 100.
            static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
            [[maybe_unused]] auto sent =
                ::send(c.fd, kContinue, sizeof kContinue - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            c.continue_sent = true;
        }
        arm(c);
        return;
    }
    dispatch(c);
}

void ConnectionLoop::refuse(Connection& c, int status, const std::string& message) {
    const auto answer = refusal_(status, message, next_request_id());
    [[maybe_unused]] auto sent =
        ::send(c.fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    // Close our side, then drain what the client still sends for a while before closing:
    // closing with unread bytes makes the kernel reset the connection, and the client may
    // lose the answer. Nothing received from here on is parsed.
    ::shutdown(c.fd, SHUT_WR);
    c.state = Connection::State::Lingering;
    c.in.clear();
    c.head_ready = false;
    c.deadline = Clock::now() + options_.linger;
    if (c.peer_closed) {
        close_locked(c);
    } else {
        arm(c);
    }
}

void ConnectionLoop::dispatch(Connection& c) {
    ReceivedRequest& request = c.pending;
    request.request_id =
        c.head.client_request_id.empty() ? next_request_id() : c.head.client_request_id;
    request.bytes.clear();
    request.bytes.reserve(c.head.head_for_router.size() + 96 +
                          (c.head.keep_body ? c.head.body_bytes : 0));
    request.bytes.append(c.head.head_for_router)
        .append("X-Request-Id: ")
        .append(request.request_id)
        .append("\r\n\r\n");
    if (c.head.keep_body) request.bytes.append(c.in, c.head.head_bytes, c.head.body_bytes);
    c.in.erase(0, c.head.head_bytes + c.head.body_bytes);  // a dropped body goes here too
    c.head_ready = false;
    c.continue_sent = false;
    request.peer_ip = c.peer_ip;
    request.peer_port = c.peer_port;
    request.local_ip = c.local_ip;
    request.local_port = c.local_port;
    request.fd = c.fd;
    ++c.served;
    request.close_after =
        stopping_ || c.peer_closed || c.served >= options_.max_requests_per_connection;
    c.state = Connection::State::Busy;
    Connection* connection = &c;
    submit_([this, connection] { serve_on_worker(connection); });
}

void ConnectionLoop::serve_on_worker(Connection* c) {
    // Busy: the I/O thread leaves this connection alone (it is not armed), so the worker
    // may use it without the lock until it hands it back.
    bool keep = false;
    try {
        keep = runner_(c->pending);
    } catch (const std::exception& e) {
        log::error(std::string("request failed outside its handler: ") + e.what());
    }
    std::lock_guard lock(mutex_);
    c->pending.bytes.clear();
    if (!keep || c->pending.close_after || c->forced || stopping_) {
        close_locked(*c);
        return;
    }
    c->state = Connection::State::Idle;
    c->deadline = Clock::now() + options_.idle_timeout;
    advance(*c);  // a pipelined request may already be waiting
}

void ConnectionLoop::arm(Connection& c) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    event.data.u64 = key_of(c.fd, c.generation);
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, c.fd, &event);
}

void ConnectionLoop::close_locked(Connection& c) {
    const int fd = c.fd;
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    connections_.erase(fd);  // destroys c
}

void ConnectionLoop::expire(Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const bool past_grace = stopping_ && now >= stop_deadline_;
    std::vector<Connection*> to_close;
    for (auto& [fd, connection] : connections_) {
        Connection& c = *connection;
        if (c.state == Connection::State::Busy) {
            if (past_grace && !c.forced) {
                // The worker's answer is still being written after the grace: stop it.
                ::shutdown(c.fd, SHUT_RDWR);
                c.forced = true;
            }
            continue;
        }
        const bool idle_at_stop = stopping_ && c.state == Connection::State::Idle;
        if (now >= c.deadline || idle_at_stop || past_grace) to_close.push_back(&c);
    }
    for (Connection* c : to_close) {
        if (c->state == Connection::State::Reading && !stopping_) {
            // Cut off a client whose request did not arrive in time (slowloris), saying so.
            const auto answer =
                refusal_(408, "The request did not arrive in time", next_request_id());
            [[maybe_unused]] auto sent =
                ::send(c->fd, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        close_locked(*c);
    }
}

std::string ConnectionLoop::next_request_id() {
    return id_prefix_ + "-" + std::to_string(++request_counter_);
}

}  // namespace contactd::http

#include "http/request_stream.h"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace contactd::http {

RequestStream::RequestStream(const ReceivedRequest& request,
                             std::chrono::milliseconds write_timeout)
    : request_(request), write_timeout_(write_timeout) {}

bool RequestStream::is_readable() const {
    return read_position_ < request_.bytes.size();
}

ssize_t RequestStream::read(char* ptr, size_t size) {
    const auto available = request_.bytes.size() - read_position_;
    const auto n = std::min(size, available);
    std::memcpy(ptr, request_.bytes.data() + read_position_, n);
    read_position_ += n;
    return static_cast<ssize_t>(n);
}

ssize_t RequestStream::write(const char* ptr, size_t size) {
    out_.append(ptr, size);
    return static_cast<ssize_t>(size);
}

void RequestStream::get_remote_ip_and_port(std::string& ip, int& port) const {
    ip = request_.peer_ip;
    port = request_.peer_port;
}

void RequestStream::get_local_ip_and_port(std::string& ip, int& port) const {
    ip = request_.local_ip;
    port = request_.local_port;
}

bool RequestStream::flush() {
    const auto deadline = std::chrono::steady_clock::now() + write_timeout_;
    std::size_t sent = 0;
    while (sent < out_.size()) {
        const ssize_t n = ::send(request_.fd, out_.data() + sent, out_.size() - sent,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        pollfd waiting{request_.fd, POLLOUT, 0};
        if (::poll(&waiting, 1, static_cast<int>(left.count())) <= 0) return false;
        if (waiting.revents & (POLLERR | POLLHUP | POLLNVAL)) return false;
    }
    out_.clear();
    return true;
}

}  // namespace contactd::http

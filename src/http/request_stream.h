#pragma once
// The httplib::Stream a request is processed over: it reads the request's bytes, received
// whole by the connection loop, from memory, and collects the answer to write it to the
// socket in one go (flush()), waiting at most `write_timeout` for a slow reader.
#include <httplib.h>

#include <chrono>
#include <string>

#include "http/connection_loop.h"

namespace contactd::http {

class RequestStream final : public httplib::Stream {
  public:
    RequestStream(const ReceivedRequest& request, std::chrono::milliseconds write_timeout);

    bool is_readable() const override;
    bool is_writable() const override { return true; }
    ssize_t read(char* ptr, size_t size) override;
    ssize_t write(const char* ptr, size_t size) override;
    void get_remote_ip_and_port(std::string& ip, int& port) const override;
    void get_local_ip_and_port(std::string& ip, int& port) const override;
    socket_t socket() const override { return request_.fd; }

    // Writes the collected answer; false when the client did not take it in time.
    bool flush();

  private:
    const ReceivedRequest& request_;
    const std::chrono::milliseconds write_timeout_;
    std::size_t read_position_ = 0;
    std::string out_;
};

}  // namespace contactd::http

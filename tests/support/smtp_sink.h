#pragma once
// A real SMTP server for tests: Debian's python3-aiosmtpd, started as a child process on
// 127.0.0.1. Each message it accepts is saved as <n>.eml (the bytes as received) and
// <n>.json (the envelope, the login, and Python's own MIME parse of it: decoded
// headers and parts), so tests check what a real mail reader would see.
// Recipients whose local part starts with "reject" get 550, with "later" 451.
#include <nlohmann/json.hpp>

#include <sys/types.h>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/test_server.h"

namespace contactd::test {

struct ReceivedMail {
    std::string raw;  // as received (CRLF line ends)
    nlohmann::json
        info;  // mail_from, rcpt_tos, login, password, subject, from, to, date, message_id,
               // mime_version, content_type, parts [{content_type, charset, cte, text}], defects
};

class SmtpSink {
  public:
    struct Options {
        int port = 0;                         // 0: a free port
        std::optional<std::string> username;  // require AUTH (PLAIN/LOGIN, no TLS) with these
        std::optional<std::string> password;
    };
    SmtpSink();
    explicit SmtpSink(Options options);
    ~SmtpSink();

    int port() const { return port_; }
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
    // Starts the server (the constructor does) or restarts it on the same port.
    void start();
    void stop();

    // The messages received so far, in order.
    std::vector<ReceivedMail> messages() const;
    // Waits until `count` messages arrived (at most `timeout`) and returns them.
    std::vector<ReceivedMail> wait_for(
        std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  private:
    Options options_;
    TempDir dir_;
    int port_ = 0;
    pid_t pid_ = -1;
};

// A TCP port nobody listens on right now.
int free_port();

}  // namespace contactd::test

#pragma once
// Email over SMTP with libcurl. smtp://host:port upgrades with STARTTLS when the server
// offers it (and requires it when credentials would otherwise cross the network in
// clear: any host but a loopback one); smtps://host:port is TLS from the first byte.
// Certificates are verified against the system's trust store. Credentials come from
// CONTACTD_SMTP_USERNAME/PASSWORD or the URL's userinfo.
//
// Outcomes: 250 after DATA is delivery; a permanent (5xx) answer to the envelope or the
// data is a failure of this message; network trouble, timeouts, 4xx answers, and
// authentication or TLS problems (fixable by the operator) are retried.
#include <optional>
#include <string>

#include "delivery/channel.h"
#include "delivery/mime.h"

namespace contactd::delivery {

struct SmtpSettings {
    std::string url;   // smtp://host[:port] or smtps://host[:port]
    std::string from;  // "Name <address>" or "address"
    std::optional<std::string> username;
    std::optional<std::string> password;
    long connect_timeout = 10;  // seconds
    long timeout = 30;          // seconds, the whole conversation
};

class SmtpChannel final : public Channel {
  public:
    // Throws std::invalid_argument for a URL that is not smtp:// or smtps://, or a From
    // that is not one address.
    explicit SmtpChannel(SmtpSettings settings);
    SendResult send(const storage::MessageRecord& message) override;
    std::string name() const override { return "smtp"; }

    // The message as it goes out (exposed for tests).
    std::string render(const storage::MessageRecord& message, std::int64_t now) const;

  private:
    SmtpSettings settings_;
    mime::Mailbox from_;
    bool implicit_tls_ = false;
    bool require_tls_ = false;
};

}  // namespace contactd::delivery

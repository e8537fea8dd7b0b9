#pragma once
// SMS through the operator's webhook: POST JSON {"id", "to", "text"}, signed with
// X-Contactd-Signature: sha256=<hex HMAC-SHA-256 of the body> when a secret is set.
// Any 2xx is delivery; anything else, and no answer, is retried (contract).
#include <optional>
#include <string>

#include "delivery/channel.h"

namespace contactd::delivery {

class SmsWebhookChannel final : public Channel {
  public:
    SmsWebhookChannel(std::string url, std::optional<std::string> secret);
    SendResult send(const storage::MessageRecord& message) override;
    std::string name() const override { return "sms-webhook"; }

  private:
    std::string url_;
    std::optional<std::string> secret_;
};

}  // namespace contactd::delivery

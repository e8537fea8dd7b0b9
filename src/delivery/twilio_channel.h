#pragma once
// SMS through Twilio's Messages API, or any service that speaks it:
//   POST {base}/2010-04-01/Accounts/{sid}/Messages.json
//   Authorization: Basic base64(sid:token)
//   To=+357…&From=+1…&Body=…   (application/x-www-form-urlencoded)
// `from` may be a phone number or a Messaging Service SID ("MG…"), sent as
// MessagingServiceSid. Any 2xx is delivery. 400-class answers about the message
// (e.g. 400 for an invalid number) are permanent; 401/403 (credentials, which the
// operator can fix), 408, 429, 5xx and network failures are retried.
#include <string>

#include "delivery/channel.h"

namespace contactd::delivery {

struct TwilioSettings {
    std::string base_url = "https://api.twilio.com";
    std::string account_sid;
    std::string auth_token;
    std::string from;
};

class TwilioChannel final : public Channel {
  public:
    // Throws std::invalid_argument for a base URL that is not http(s):// or an account
    // SID that is not alphanumeric.
    explicit TwilioChannel(TwilioSettings settings);
    SendResult send(const storage::MessageRecord& message) override;
    std::string name() const override { return "twilio"; }

  private:
    TwilioSettings settings_;
    std::string origin_;  // scheme://host[:port]
    std::string path_;    // the API path, base path included
};

// application/x-www-form-urlencoded value: everything but unreserved characters
// percent-encoded (so '+' is %2B and a space %20).
std::string form_encode(std::string_view text);

}  // namespace contactd::delivery

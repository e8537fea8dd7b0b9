#include "delivery/sms_webhook_channel.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace contactd::delivery {

SmsWebhookChannel::SmsWebhookChannel(std::string url, std::optional<std::string> secret)
    : url_(std::move(url)), secret_(std::move(secret)) {}

SendResult SmsWebhookChannel::send(const storage::MessageRecord& message) {
    // Split "scheme://host:port/path" into the client base and the path.
    const auto scheme_end = url_.find("://");
    const auto path_start = url_.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    const std::string base = path_start == std::string::npos ? url_ : url_.substr(0, path_start);
    const std::string path = path_start == std::string::npos ? "/" : url_.substr(path_start);

    const std::string body = nlohmann::json{
        {"id", message.id},
        {"to", message.recipient},
        {"text", message.body.value_or(
                     "")}}.dump();
    httplib::Headers headers;
    if (secret_) {
        headers.emplace("X-Contactd-Signature",
                        "sha256=" + crypto::to_hex(crypto::hmac_sha256(*secret_, body)));
    }
    httplib::Client client(base);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    client.set_write_timeout(10);
    const auto response = client.Post(path, headers, body, "application/json");
    if (!response)
        return {SendResult::Outcome::Retry,
                "connection failed: " + httplib::to_string(response.error())};
    // The contract: any 2xx is delivery, anything else is retried (until the dispatcher's
    // maximum, after which the message is abandoned).
    const std::string detail = "HTTP " + std::to_string(response->status);
    if (response->status >= 200 && response->status < 300)
        return {SendResult::Outcome::Delivered, detail};
    return {SendResult::Outcome::Retry, detail};
}

}  // namespace contactd::delivery

#include "app/channels.h"

#include "delivery/development_channel.h"
#include "delivery/sms_webhook_channel.h"
#include "delivery/unconfigured_channel.h"

namespace contactd {
namespace {

// With no provider at all, everything goes to the development inbox. Once any provider
// is configured, a kind without one cannot deliver: its messages are abandoned.
std::unique_ptr<delivery::Channel> fallback(const Config& config, const char* kind) {
    if (config.development_delivery()) return std::make_unique<delivery::DevelopmentChannel>();
    return std::make_unique<delivery::UnconfiguredChannel>(kind);
}

}  // namespace

std::unique_ptr<delivery::Channel> make_sms_channel(const Config& config) {
    if (config.sms_webhook_url) {
        return std::make_unique<delivery::SmsWebhookChannel>(*config.sms_webhook_url, config.sms_webhook_secret);
    }
    return fallback(config, "SMS");
}

std::unique_ptr<delivery::Channel> make_email_channel(const Config& config) { return fallback(config, "EMAIL"); }

std::unique_ptr<domain::MessageComposer> make_composer(const Config&) {
    return std::make_unique<domain::MessageComposer>();
}

}  // namespace contactd

#include "app/channels.h"

#include <stdexcept>

#include "delivery/development_channel.h"
#include "delivery/sms_webhook_channel.h"
#include "delivery/smtp_channel.h"
#include "delivery/twilio_channel.h"
#include "delivery/unconfigured_channel.h"

namespace contactd {
namespace {

// With no provider at all, everything goes to the development inbox. Once any provider
// is configured, a kind without one cannot deliver: its messages are abandoned.
std::unique_ptr<delivery::Channel> fallback(const Config& config, const char* kind) {
    if (config.development_delivery()) return std::make_unique<delivery::DevelopmentChannel>();
    return std::make_unique<delivery::UnconfiguredChannel>(kind);
}

bool any_twilio_setting(const Config& config) {
    return config.twilio_account_sid || config.twilio_auth_token || config.twilio_from;
}

}  // namespace

std::unique_ptr<delivery::Channel> make_sms_channel(const Config& config) {
    if (config.sms_webhook_url) {
        return std::make_unique<delivery::SmsWebhookChannel>(*config.sms_webhook_url,
                                                             config.sms_webhook_secret);
    }
    if (any_twilio_setting(config)) {
        if (!config.twilio_account_sid || !config.twilio_auth_token || !config.twilio_from) {
            throw std::invalid_argument(
                "Twilio needs CONTACTD_TWILIO_ACCOUNT_SID, CONTACTD_TWILIO_AUTH_TOKEN and "
                "CONTACTD_TWILIO_FROM");
        }
        return std::make_unique<delivery::TwilioChannel>(
            delivery::TwilioSettings{config.twilio_base_url, *config.twilio_account_sid,
                                     *config.twilio_auth_token, *config.twilio_from});
    }
    return fallback(config, "SMS");
}

std::unique_ptr<delivery::Channel> make_email_channel(const Config& config) {
    if (config.smtp_url) {
        if (!config.smtp_from)
            throw std::invalid_argument("CONTACTD_SMTP_URL needs CONTACTD_SMTP_FROM");
        if (config.smtp_password && !config.smtp_username) {
            throw std::invalid_argument("CONTACTD_SMTP_PASSWORD needs CONTACTD_SMTP_USERNAME");
        }
        delivery::SmtpSettings settings;
        settings.url = *config.smtp_url;
        settings.from = *config.smtp_from;
        settings.username = config.smtp_username;
        settings.password = config.smtp_password;
        return std::make_unique<delivery::SmtpChannel>(std::move(settings));
    }
    return fallback(config, "EMAIL");
}

std::unique_ptr<domain::MessageComposer> make_composer(const Config& config) {
    return std::make_unique<domain::MessageComposer>(config.templates_dir);
}

}  // namespace contactd

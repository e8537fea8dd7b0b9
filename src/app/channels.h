#pragma once
// Builds the delivery channels and message composer the configuration asks for.
#include <memory>

#include "app/config.h"
#include "delivery/channel.h"
#include "domain/message_composer.h"

namespace contactd {

// The SMS webhook when CONTACTD_SMS_WEBHOOK_URL is set, else Twilio when its settings
// are, else the development inbox when no channel at all is configured, else a channel
// that abandons every message. Throws std::invalid_argument for incomplete settings.
std::unique_ptr<delivery::Channel> make_sms_channel(const Config& config);
// SMTP when CONTACTD_SMTP_URL is set (CONTACTD_SMTP_FROM required), else as for SMS.
std::unique_ptr<delivery::Channel> make_email_channel(const Config& config);
// The embedded templates, overridden from CONTACTD_TEMPLATES_DIR when set.
std::unique_ptr<domain::MessageComposer> make_composer(const Config& config);

}  // namespace contactd

#pragma once
// Builds the delivery channels and message composer the configuration asks for.
#include <memory>

#include "app/config.h"
#include "delivery/channel.h"
#include "domain/message_composer.h"

namespace contactd {

// The SMS webhook when CONTACTD_SMS_WEBHOOK_URL is set, else the development inbox.
std::unique_ptr<delivery::Channel> make_sms_channel(const Config& config);
// SMTP when CONTACTD_SMTP_URL is set, else the development inbox.
std::unique_ptr<delivery::Channel> make_email_channel(const Config& config);
std::unique_ptr<domain::MessageComposer> make_composer(const Config& config);

}  // namespace contactd

#include "delivery/development_channel.h"

#include "util/log.h"

namespace contactd::delivery {

SendResult DevelopmentChannel::send(const storage::MessageRecord& message) {
    log::info("development " + message.channel + " to " + message.recipient + ": " +
              (message.subject ? "[" + *message.subject + "] " : std::string()) +
              message.body.value_or(""));
    return {SendResult::Outcome::Kept, "development inbox"};
}

}  // namespace contactd::delivery

#pragma once
// Development delivery: no provider configured. The message is printed to the log and
// kept in the outbox for the portal's development inbox.
#include "delivery/channel.h"

namespace contactd::delivery {

class DevelopmentChannel final : public Channel {
  public:
    SendResult send(const storage::MessageRecord& message) override;
    std::string name() const override { return "development"; }
};

}  // namespace contactd::delivery

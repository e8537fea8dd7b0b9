#pragma once
// Stands in for a channel the operator did not configure while another one is: the
// message cannot be sent, so it is abandoned (and its code cancelled) rather than
// kept in plain text or printed to the log.
#include "delivery/channel.h"

namespace contactd::delivery {

class UnconfiguredChannel final : public Channel {
  public:
    explicit UnconfiguredChannel(std::string kind) : kind_(std::move(kind)) {}
    SendResult send(const storage::MessageRecord&) override {
        return {SendResult::Outcome::Failed, "no " + kind_ + " channel is configured"};
    }
    std::string name() const override { return "unconfigured-" + kind_; }

  private:
    std::string kind_;
};

}  // namespace contactd::delivery

#pragma once
// A way out for messages: SMS webhook, SMTP, the development inbox. send() is called
// from the dispatcher thread only, one message at a time.
#include <string>

#include "storage/records.h"

namespace contactd::delivery {

struct SendResult {
    enum class Outcome {
        Delivered,  // the provider accepted it
        Kept,       // development inbox: stored for reading, not sent
        Retry,      // a transient failure: try again later
        Failed,     // a permanent failure: do not retry
    };
    Outcome outcome = Outcome::Delivered;
    std::string detail;  // for the log and last_error; never contains the message text
};

class Channel {
  public:
    virtual ~Channel() = default;
    virtual SendResult send(const storage::MessageRecord& message) = 0;
    virtual std::string name() const = 0;
};

}  // namespace contactd::delivery

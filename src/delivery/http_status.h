#pragma once
// How an HTTP provider's answer maps to a delivery outcome.
#include "delivery/channel.h"

namespace contactd::delivery {

inline SendResult classify_http_status(int status) {
    if (status >= 200 && status < 300) return {SendResult::Outcome::Delivered, "HTTP " + std::to_string(status)};
    if (status >= 400 && status < 500 && status != 408 && status != 429) {
        return {SendResult::Outcome::Failed, "HTTP " + std::to_string(status)};
    }
    return {SendResult::Outcome::Retry, "HTTP " + std::to_string(status)};
}

}  // namespace contactd::delivery

#pragma once
// Minimal thread-safe logging to standard error, one line per call. A line written
// while a request is served on this thread names that request's id.
#include <string>
#include <string_view>

namespace contactd::log {

// While alive, this thread's log lines carry `request_id` (the X-Request-Id answered).
class RequestScope {
  public:
    explicit RequestScope(std::string request_id);
    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

  private:
    std::string previous_;
};

void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

}  // namespace contactd::log

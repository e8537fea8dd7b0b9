#pragma once
// Minimal thread-safe logging to standard error, one line per call.
#include <string_view>

namespace contactd::log {

void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

}  // namespace contactd::log

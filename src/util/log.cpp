#include "util/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace contactd::log {
namespace {

std::mutex g_mutex;
thread_local std::string t_request_id;

void write(const char* level, std::string_view message) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::lock_guard lock(g_mutex);
    if (t_request_id.empty()) {
        std::fprintf(stderr, "%s %s %.*s\n", stamp, level, static_cast<int>(message.size()),
                     message.data());
    } else {
        std::fprintf(stderr, "%s %s [%s] %.*s\n", stamp, level, t_request_id.c_str(),
                     static_cast<int>(message.size()), message.data());
    }
    std::fflush(stderr);
}

}  // namespace

RequestScope::RequestScope(std::string request_id) : previous_(std::move(t_request_id)) {
    t_request_id = std::move(request_id);
}

RequestScope::~RequestScope() {
    t_request_id = std::move(previous_);
}

void info(std::string_view message) {
    write("INFO", message);
}
void warn(std::string_view message) {
    write("WARN", message);
}
void error(std::string_view message) {
    write("ERROR", message);
}

}  // namespace contactd::log

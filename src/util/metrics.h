#pragma once
// Counters for the Prometheus text exposition format (version 0.0.4), and the
// service-wide counters contactd keeps outside HTTP (sign-ins, messages).
//
// A CounterFamily holds one series per distinct label values, made on first use.
// Thread-safe; inc() takes a short mutex, which is fine for events that cost a
// transaction each (sign-ins, deliveries). The per-request HTTP series are lock-free
// (http/http_metrics.h).
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace contactd::metrics {

// A label value escaped as the text format asks: \\, \" and \n.
std::string escape_label(std::string_view value);
// "# HELP name help\n# TYPE name type\n".
void write_header(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type);

class CounterFamily {
  public:
    CounterFamily(std::string name, std::string help, std::vector<std::string> label_names);

    // Adds `n` to the series with these label values (one per label name, in order).
    void inc(const std::vector<std::string>& label_values, std::uint64_t n = 1);
    std::uint64_t value(const std::vector<std::string>& label_values) const;
    // Appends HELP, TYPE and every series.
    void render(std::string& out) const;

  private:
    const std::string name_;
    const std::string help_;
    const std::vector<std::string> label_names_;
    mutable std::mutex mutex_;
    std::map<std::vector<std::string>, std::uint64_t> series_;
};

// What the domain and delivery layers count. Owned by the App; a null pointer where a
// component takes one means "not counted" (tools and unit tests).
struct ServiceMetrics {
    ServiceMetrics();
    // method: PASSWORD, OTP, FACEBOOK, GUEST, ...; outcome: success or failure.
    CounterFamily sign_ins;
    // channel: SMS or EMAIL. Sent counts deliveries (and development-inbox keeps);
    // failed counts messages abandoned after a failed attempt.
    CounterFamily messages_sent;
    CounterFamily messages_failed;

    void render(std::string& out) const;
};

}  // namespace contactd::metrics

#include "util/metrics.h"

#include <stdexcept>

namespace contactd::metrics {

std::string escape_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

void write_header(std::string& out, std::string_view name, std::string_view help,
                  std::string_view type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

CounterFamily::CounterFamily(std::string name, std::string help,
                             std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void CounterFamily::inc(const std::vector<std::string>& label_values, std::uint64_t n) {
    if (label_values.size() != label_names_.size())
        throw std::logic_error("wrong number of label values for " + name_);
    const std::lock_guard lock(mutex_);
    series_[label_values] += n;
}

std::uint64_t CounterFamily::value(const std::vector<std::string>& label_values) const {
    const std::lock_guard lock(mutex_);
    const auto it = series_.find(label_values);
    return it == series_.end() ? 0 : it->second;
}

void CounterFamily::render(std::string& out) const {
    write_header(out, name_, help_, "counter");
    const std::lock_guard lock(mutex_);
    for (const auto& [values, count] : series_) {
        out += name_;
        out += '{';
        for (std::size_t i = 0; i < values.size(); ++i) {
            if (i) out += ',';
            out += label_names_[i] + "=\"" + escape_label(values[i]) + '"';
        }
        out += "} " + std::to_string(count) + '\n';
    }
}

ServiceMetrics::ServiceMetrics()
    : sign_ins("contactd_sign_ins_total", "Sign-ins by method and outcome.", {"method", "outcome"}),
      messages_sent("contactd_messages_sent_total", "Messages delivered, by channel.", {"channel"}),
      messages_failed("contactd_messages_failed_total",
                      "Messages abandoned after failed delivery attempts, by channel.",
                      {"channel"}) {
    // Series that exist from the start, so that rate() over them works from the first scrape.
    for (const char* channel : {"SMS", "EMAIL"}) {
        messages_sent.inc({channel}, 0);
        messages_failed.inc({channel}, 0);
    }
}

void ServiceMetrics::render(std::string& out) const {
    sign_ins.render(out);
    messages_sent.render(out);
    messages_failed.render(out);
}

}  // namespace contactd::metrics

#include "util/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace contactd::log {
namespace {

std::atomic<Format> g_format{Format::Text};
std::atomic<Level> g_level{Level::Info};
thread_local std::string t_request_id;

const char* level_name(Level level) {
    switch (level) {
        case Level::Debug:
            return "DEBUG";
        case Level::Info:
            return "INFO";
        case Level::Warn:
            return "WARN";
        case Level::Error:
            return "ERROR";
    }
    return "INFO";
}

std::string timestamp() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
        1000;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[40];
    const auto n = std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(stamp + n, sizeof stamp - n, ".%03dZ", static_cast<int>(ms));
    return stamp;
}

// A JSON string literal for `text`; bytes that are not valid UTF-8 pass as they are
// would make the line unparsable, so control characters and quotes are escaped and
// bytes >= 0x80 are kept (the callers log UTF-8).
void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (const unsigned char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

// A text-format value: as it is when it holds no space, quote or control character,
// else quoted like a JSON string, so that a line always splits back into its fields.
void append_text_value(std::string& out, std::string_view text) {
    bool plain = !text.empty();
    for (const unsigned char c : text) plain = plain && c > 0x20 && c != '"' && c != 0x7f;
    if (plain) {
        out += text;
    } else {
        append_json_string(out, text);
    }
}

std::string number_text(const Field& field) {
    if (const auto* i = std::get_if<std::int64_t>(&field.value)) return std::to_string(*i);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6f", std::get<double>(field.value));
    return buf;
}

// Text messages are written as they are (the existing callers build readable sentences),
// but a control character would split a line: those are escaped.
void append_message(std::string& out, std::string_view message) {
    for (const unsigned char c : message) {
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
}

}  // namespace

std::optional<Level> parse_level(std::string_view name) {
    if (name == "debug") return Level::Debug;
    if (name == "info") return Level::Info;
    if (name == "warn") return Level::Warn;
    if (name == "error") return Level::Error;
    return std::nullopt;
}

std::optional<Format> parse_format(std::string_view name) {
    if (name == "text") return Format::Text;
    if (name == "json") return Format::Json;
    return std::nullopt;
}

void configure(Format format, Level level) {
    g_format.store(format, std::memory_order_relaxed);
    g_level.store(level, std::memory_order_relaxed);
}

bool enabled(Level level) {
    return level >= g_level.load(std::memory_order_relaxed);
}

const std::string& current_request_id() {
    return t_request_id;
}

RequestScope::RequestScope(std::string request_id) : previous_(std::move(t_request_id)) {
    t_request_id = std::move(request_id);
}

RequestScope::~RequestScope() {
    t_request_id = std::move(previous_);
}

void write(Level level, std::string_view message, std::initializer_list<Field> fields) {
    if (!enabled(level)) return;
    std::string_view request_id = t_request_id;
    for (const auto& f : fields) {
        if (f.key == "request_id") {
            if (const auto* s = std::get_if<std::string_view>(&f.value)) request_id = *s;
        }
    }
    std::string line;
    line.reserve(128 + message.size());
    if (g_format.load(std::memory_order_relaxed) == Format::Json) {
        line += "{\"time\":\"" + timestamp() + "\",\"level\":\"";
        for (const char* p = level_name(level); *p; ++p)
            line += static_cast<char>(*p - 'A' + 'a');  // "info", as CONTACTD_LOG_LEVEL names it
        line += '"';
        if (!request_id.empty()) {
            line += ",\"request_id\":";
            append_json_string(line, request_id);
        }
        line += ",\"msg\":";
        append_json_string(line, message);
        for (const auto& f : fields) {
            if (f.key == "request_id") continue;
            line += ',';
            append_json_string(line, f.key);
            line += ':';
            if (const auto* s = std::get_if<std::string_view>(&f.value)) {
                append_json_string(line, *s);
            } else {
                line += number_text(f);
            }
        }
        line += "}\n";
    } else {
        line += timestamp();
        line += ' ';
        line += level_name(level);
        if (!request_id.empty()) {
            line += " [";
            append_message(line, request_id);
            line += ']';
        }
        line += ' ';
        append_message(line, message);
        for (const auto& f : fields) {
            if (f.key == "request_id") continue;
            line += ' ';
            line += f.key;
            line += '=';
            if (const auto* s = std::get_if<std::string_view>(&f.value)) {
                append_text_value(line, *s);
            } else {
                line += number_text(f);
            }
        }
        line += '\n';
    }
    // Straight to descriptor 2 in one write(2), so concurrent lines do not interleave.
    // Not fwrite: stdio holds stderr's lock across the system call, and workers logging
    // their requests at once queued on it (a futex wait and wake per collision).
    const char* rest = line.data();
    std::size_t left = line.size();
    while (left > 0) {
        const ssize_t n = ::write(STDERR_FILENO, rest, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return;  // nowhere left to say it
        }
        rest += n;
        left -= static_cast<std::size_t>(n);
    }
}

void debug(std::string_view message) {
    write(Level::Debug, message);
}
void info(std::string_view message) {
    write(Level::Info, message);
}
void warn(std::string_view message) {
    write(Level::Warn, message);
}
void error(std::string_view message) {
    write(Level::Error, message);
}

}  // namespace contactd::log

#pragma once
// Thread-safe logging to standard error, one line per call, written with one write so
// that lines from several threads never interleave. A line written while a request is
// served on this thread names that request's id.
//
// The format (text or JSON, one object a line) and the lowest level written are set once
// at start (configure(); CONTACTD_LOG_FORMAT, CONTACTD_LOG_LEVEL); both default to text
// and info. Fields are key/value pairs added to a line: callers pass ids, names, counts,
// never a code, password, token, API key or Authorization value.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace contactd::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class Format { Text, Json };

// "debug", "info", "warn", "error" / "text", "json"; nullopt for anything else.
std::optional<Level> parse_level(std::string_view name);
std::optional<Format> parse_format(std::string_view name);

// Sets the process-wide format and level. Safe to call at any time (atomics).
void configure(Format format, Level level);
bool enabled(Level level);

// The request id this thread's log lines carry now ("" outside a request): work handed to
// another thread takes it along.
const std::string& current_request_id();

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

struct Field {
    std::string_view key;
    std::variant<std::string_view, std::int64_t, double> value;
};

// One line at `level` with `message` and `fields`; nothing when the level is below the
// configured one. A field "request_id" replaces the thread's request id for this line.
void write(Level level, std::string_view message, std::initializer_list<Field> fields = {});

void debug(std::string_view message);
void info(std::string_view message);
void warn(std::string_view message);
void error(std::string_view message);

}  // namespace contactd::log

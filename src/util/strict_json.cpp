#include "util/strict_json.h"

#include <string>
#include <unordered_set>
#include <vector>

namespace contactd {
namespace {

// Thrown from the parser callback to stop at the first problem instead of building the
// rest of the document.
struct Stop {
    JsonProblem problem;
    std::string key;
};

}  // namespace

tl::expected<nlohmann::json, JsonProblem> parse_strict_json(std::string_view text, int max_depth) {
    return parse_strict_json(text, max_depth, nullptr);
}

tl::expected<nlohmann::json, JsonProblem> parse_strict_json(std::string_view text, int max_depth,
                                                            std::string* duplicate_key) {
    using Event = nlohmann::json::parse_event_t;
    std::vector<std::unordered_set<std::string>> keys_per_open_object;
    const auto check = [&](int depth, Event event, nlohmann::json& parsed) {
        switch (event) {
            case Event::object_start:
            case Event::array_start:
                // depth is that of the container being opened: 0 for the outermost.
                if (depth >= max_depth) throw Stop{JsonProblem::TooDeep, {}};
                if (event == Event::object_start) keys_per_open_object.emplace_back();
                break;
            case Event::object_end:
                keys_per_open_object.pop_back();
                break;
            case Event::key:
                if (!keys_per_open_object.back().insert(parsed.get<std::string>()).second)
                    throw Stop{JsonProblem::DuplicateKey, parsed.get<std::string>()};
                break;
            default:
                break;
        }
        return true;
    };
    try {
        auto value = nlohmann::json::parse(text.begin(), text.end(), check, false);
        if (value.is_discarded()) return tl::unexpected(JsonProblem::Malformed);
        return value;
    } catch (const Stop& stop) {
        if (duplicate_key && stop.problem == JsonProblem::DuplicateKey) *duplicate_key = stop.key;
        return tl::unexpected(stop.problem);
    }
}

}  // namespace contactd

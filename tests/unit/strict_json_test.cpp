#include "util/strict_json.h"

#include <doctest/doctest.h>

#include <string>

using contactd::JsonProblem;
using contactd::parse_strict_json;

namespace {

std::string nested(int depth) {
    return std::string(static_cast<std::size_t>(depth), '[') +
           std::string(static_cast<std::size_t>(depth), ']');
}

}  // namespace

TEST_SUITE("util::strict_json") {
    TEST_CASE("strict_json: a well-formed document parses as nlohmann would") {
        const auto value = parse_strict_json(R"({"a":1,"b":{"c":[{"d":"x"},{"d":"y"}]}})");
        REQUIRE(value.has_value());
        CHECK((*value)["b"]["c"][1]["d"] == "y");
    }

    TEST_CASE("strict_json: a duplicate key is refused at any depth") {
        CHECK(parse_strict_json(R"({"exp":1,"exp":2})").error() == JsonProblem::DuplicateKey);
        CHECK(parse_strict_json(R"({"a":[{"d":1,"d":2}]})").error() == JsonProblem::DuplicateKey);
        // Equal keys in sibling objects are not duplicates.
        CHECK(parse_strict_json(R"([{"d":1},{"d":2}])").has_value());
        CHECK(parse_strict_json(R"({"a":{"k":1},"b":{"k":1}})").has_value());
    }

    TEST_CASE("strict_json: nesting is limited") {
        CHECK(parse_strict_json(nested(32)).has_value());
        CHECK(parse_strict_json(nested(33)).error() == JsonProblem::TooDeep);
        CHECK(parse_strict_json(nested(100000)).error() == JsonProblem::TooDeep);
        CHECK(parse_strict_json(R"({"a":{}})", 1).error() == JsonProblem::TooDeep);
    }

    TEST_CASE("strict_json: malformed input and invalid UTF-8 are refused") {
        CHECK(parse_strict_json("{").error() == JsonProblem::Malformed);
        CHECK(parse_strict_json("{} x").error() == JsonProblem::Malformed);
        CHECK(parse_strict_json("\"\xff\"").error() == JsonProblem::Malformed);
        CHECK(parse_strict_json("").error() == JsonProblem::Malformed);
    }
}

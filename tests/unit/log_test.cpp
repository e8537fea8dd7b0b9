#include "util/log.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "support/test_server.h"

namespace {

// What `write` logs to standard error.
template <class F>
std::string captured_log(F write) {
    contactd::test::TempDir dir;
    const auto path = (dir.path() / "stderr.txt").string();
    std::fflush(stderr);
    const int saved = ::dup(2);
    std::FILE* file = std::fopen(path.c_str(), "w");
    REQUIRE(file);
    ::dup2(::fileno(file), 2);
    write();
    std::fflush(stderr);
    ::dup2(saved, 2);
    ::close(saved);
    std::fclose(file);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

TEST_SUITE("util::log") {
    TEST_CASE("log: lines written while a request is served name its id") {
        const auto text = captured_log([] {
            contactd::log::info("before");
            {
                const contactd::log::RequestScope scope("req-42");
                contactd::log::warn("during");
                {
                    const contactd::log::RequestScope inner("req-43");
                    contactd::log::info("nested");
                }
                contactd::log::error("during again");
            }
            contactd::log::info("after");
        });
        CHECK(text.find("INFO before\n") != std::string::npos);
        CHECK(text.find("WARN [req-42] during\n") != std::string::npos);
        CHECK(text.find("INFO [req-43] nested\n") != std::string::npos);
        CHECK(text.find("ERROR [req-42] during again\n") != std::string::npos);
        CHECK(text.find("INFO after\n") != std::string::npos);
    }
}

TEST_SUITE("util::log formats") {
    TEST_CASE("log: json lines are one object each, levels below the configured one are dropped") {
        using namespace contactd::log;
        const auto text = captured_log([] {
            configure(Format::Json, Level::Info);
            debug("hidden");
            {
                const RequestScope scope("req-7");
                write(Level::Info, "access",
                      {{"method", "GET"},
                       {"route", "/x/{id}"},
                       {"status", std::int64_t{200}},
                       {"duration_ms", 1.5}});
            }
            warn("quote \" and\nnewline");
            configure(Format::Text, Level::Warn);
            info("hidden too");
            write(Level::Error, "access", {{"route", "a b"}, {"status", std::int64_t{500}}});
            configure(Format::Text, Level::Info);
        });
        CHECK(text.find("hidden") == std::string::npos);
        std::istringstream lines(text);
        std::string first, second, third;
        std::getline(lines, first);
        std::getline(lines, second);
        std::getline(lines, third);
        const auto access = nlohmann::json::parse(first);
        CHECK(access["level"] == "info");
        CHECK(access["request_id"] == "req-7");
        CHECK(access["msg"] == "access");
        CHECK(access["route"] == "/x/{id}");
        CHECK(access["status"] == 200);
        CHECK(access["duration_ms"].get<double>() == doctest::Approx(1.5));
        const auto warning = nlohmann::json::parse(second);
        CHECK(warning["level"] == "warn");
        CHECK(warning["msg"] == "quote \" and\nnewline");
        CHECK(third.find(" ERROR access route=\"a b\" status=500") != std::string::npos);
        CHECK(parse_level("warn") == Level::Warn);
        CHECK_FALSE(parse_level("verbose"));
        CHECK(parse_format("json") == Format::Json);
        CHECK_FALSE(parse_format("xml"));
    }
}

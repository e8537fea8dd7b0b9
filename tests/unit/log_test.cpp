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

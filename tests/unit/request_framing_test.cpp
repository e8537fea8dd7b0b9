#include "http/request_framing.h"

#include <doctest/doctest.h>

#include <string>

using contactd::http::FramingLimits;
using contactd::http::FramingResult;
using contactd::http::parse_request_head;
using Outcome = FramingResult::Outcome;

namespace {

const FramingLimits kLimits;

FramingResult frame(const std::string& bytes) {
    return parse_request_head(bytes, kLimits);
}

std::string fields(int count) {
    std::string out;
    for (int i = 0; i < count; ++i) out += "X-F" + std::to_string(i) + ": v\r\n";
    return out;
}

}  // namespace

TEST_SUITE("http::request_framing") {
    TEST_CASE("request_framing: a complete head is framed and rewritten for the router") {
        const std::string head =
            "POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\nX-Request-Id: abc-1\r\nREMOTE_ADDR: 6.6.6.6\r\n\r\n";
        const auto r = frame(head + "{}GET / HTTP/1.1\r\n");
        REQUIRE(r.outcome == Outcome::Complete);
        CHECK(r.head.head_bytes == head.size());
        CHECK(r.head.body_bytes == 2);
        CHECK(r.head.keep_body);
        CHECK(r.head.method == "POST");
        CHECK(r.head.path == "/a");
        CHECK(r.head.client_request_id == "abc-1");
        CHECK(r.head.head_for_router ==
              "POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              "Content-Length: 2\r\n");
    }

    TEST_CASE("request_framing: an incomplete head waits, and one too large is 431") {
        CHECK(frame("GET / HTTP/1.1\r\nHost: x\r\n").outcome == Outcome::Incomplete);
        CHECK(frame("").outcome == Outcome::Incomplete);
        const std::string big = "GET / HTTP/1.1\r\nX: " + std::string(16 * 1024, 'a');
        const auto r = frame(big);
        CHECK(r.outcome == Outcome::Refused);
        CHECK(r.status == 431);
        // 16 KiB in all, blank line included.
        std::string fits = "GET / HTTP/1.1\r\nX: ";
        fits += std::string(16 * 1024 - fits.size() - 4, 'a') + "\r\n\r\n";
        CHECK(frame(fits).outcome == Outcome::Complete);
        CHECK(frame("x" + fits).status == 431);
    }

    TEST_CASE("request_framing: at most 100 header fields") {
        CHECK(frame("GET / HTTP/1.1\r\n" + fields(100) + "\r\n").outcome == Outcome::Complete);
        const auto r = frame("GET / HTTP/1.1\r\n" + fields(101) + "\r\n");
        CHECK(r.outcome == Outcome::Refused);
        CHECK(r.status == 431);
    }

    TEST_CASE("request_framing: malformed request lines and fields are 400") {
        for (const std::string bad :
             {"GET /\r\n\r\n", "GET  / HTTP/1.1\r\n\r\n", "G@T / HTTP/1.1\r\n\r\n",
              "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
              "GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
              "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n", "GET /\x7f HTTP/1.1\r\n\r\n"}) {
            CAPTURE(bad);
            const auto r = frame(bad);
            CHECK(r.outcome == Outcome::Refused);
            CHECK(r.status == 400);
        }
    }

    TEST_CASE("request_framing: body framing is decided from the head") {
        auto status = [](const std::string& extra) {
            return frame("POST /x HTTP/1.1\r\nContent-Type: application/json\r\n" + extra + "\r\n")
                .status;
        };
        CHECK(status("Transfer-Encoding: chunked\r\n") == 411);
        CHECK(status("Content-Encoding: gzip\r\nContent-Length: 3\r\n") == 415);
        CHECK(status("Content-Length: 65537\r\n") == 413);
        CHECK(status("Content-Length: 99999999999999999999\r\n") == 413);
        CHECK(status("Content-Length: 12abc\r\n") == 400);
        CHECK(status("Content-Length: -1\r\n") == 400);
        CHECK(status("Content-Length: 3\r\nContent-Length: 4\r\n") == 400);
        CHECK(status("Expect: something\r\n") == 417);
        CHECK(frame("POST /x HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\n")
                  .status == 415);
        // Equal repeated lengths are one length.
        const auto same = frame(
            "POST /x HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 3\r\n"
            "Content-Length: 3\r\n\r\n");
        REQUIRE(same.outcome == Outcome::Complete);
        CHECK(same.head.body_bytes == 3);
    }

    TEST_CASE("request_framing: a POST without a length has an empty body, said explicitly") {
        const auto r = frame("POST /x HTTP/1.1\r\nHost: x\r\n\r\n");
        REQUIRE(r.outcome == Outcome::Complete);
        CHECK(r.head.body_bytes == 0);
        CHECK(r.head.head_for_router.find("Content-Length: 0\r\n") != std::string::npos);
    }

    TEST_CASE("request_framing: a GET body is read and dropped, whatever its type") {
        const auto r =
            frame("GET /healthz HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\n");
        REQUIRE(r.outcome == Outcome::Complete);
        CHECK(r.head.body_bytes == 5);
        CHECK_FALSE(r.head.keep_body);
        CHECK(r.head.head_for_router.find("Content-Length") == std::string::npos);
    }

    TEST_CASE("request_framing: Range survives only as one range on the portal's files") {
        auto kept = [](const std::string& method, const std::string& path,
                       const std::string& range) {
            const auto r = frame(method + " " + path + " HTTP/1.1\r\nRange: " + range + "\r\n\r\n");
            REQUIRE(r.outcome == Outcome::Complete);
            return r.head.head_for_router.find("Range:") != std::string::npos;
        };
        CHECK(kept("GET", "/", "bytes=0-9"));
        CHECK(kept("GET", "/assets/app.js", "bytes=0-9"));
        CHECK_FALSE(kept("GET", "/assets/app.js", "bytes=0-,0-"));
        CHECK_FALSE(kept("GET", "/openapi.json", "bytes=0-9"));
        CHECK_FALSE(kept("GET", "/healthz", "bytes=0-9"));
        CHECK_FALSE(kept("POST", "/", "bytes=0-9"));
    }

    TEST_CASE("request_framing: Expect 100-continue is taken off and remembered") {
        const auto r = frame(
            "POST /x HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
            "Expect: 100-continue\r\n\r\n");
        REQUIRE(r.outcome == Outcome::Complete);
        CHECK(r.head.expect_continue);
        CHECK(r.head.head_for_router.find("Expect") == std::string::npos);
    }

    TEST_CASE("request_framing: long targets and paths are 414") {
        CHECK(frame("GET /" + std::string(2048, 'a') + " HTTP/1.1\r\n\r\n").status == 414);
        CHECK(frame("GET /" + std::string(2046, 'a') + " HTTP/1.1\r\n\r\n").outcome ==
              Outcome::Complete);
        CHECK(frame("GET /?" + std::string(8200, 'a') + " HTTP/1.1\r\n\r\n").status == 414);
    }

    TEST_CASE("request_framing: request ids are kept only when acceptable") {
        using contactd::http::acceptable_request_id;
        CHECK(acceptable_request_id("a.B_9-z"));
        CHECK(acceptable_request_id(std::string(64, 'a')));
        CHECK_FALSE(acceptable_request_id(std::string(65, 'a')));
        CHECK_FALSE(acceptable_request_id(""));
        CHECK_FALSE(acceptable_request_id("a b"));
        CHECK_FALSE(acceptable_request_id("a\"b"));
        const auto r = frame("GET / HTTP/1.1\r\nX-Request-Id: <script>\r\n\r\n");
        REQUIRE(r.outcome == Outcome::Complete);
        CHECK(r.head.client_request_id.empty());
    }

    TEST_CASE("request_framing: empty lines before the request line are skipped") {
        const auto r = frame("\r\n\r\nGET / HTTP/1.1\r\n\r\n");
        REQUIRE(r.outcome == Outcome::Complete);
        CHECK(r.head.head_bytes == 4 + 18);
    }
}

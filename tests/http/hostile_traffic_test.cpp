// The connection model under hostile traffic, over real sockets: request smuggling after
// a refusal, slowloris, idle keep-alive connections, header floods, Range amplification,
// and the headers every answer carries. See http/connection_loop.h for why each holds.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "support/self_service_helpers.h"
#include "support/test_server.h"

using namespace contactd::test;
using namespace std::chrono_literals;

namespace {

const std::string kRegister = kSelfService + "/contacts/register";

void send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
    }
}

// Reads until the peer closes or `timeout` passes; `closed` says which.
std::string read_until_close(int fd, std::chrono::milliseconds timeout, bool& closed) {
    std::string out;
    closed = false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[8192];
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return out;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return out;
        const auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) {
            closed = true;
            return out;
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
}

int count_of(const std::string& text, const std::string& what) {
    int count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
    return count;
}

// GET /healthz on a new connection; the time it took, or 10 s when it failed.
std::chrono::milliseconds time_healthz(const TestServer& server) {
    const auto started = std::chrono::steady_clock::now();
    auto client = server.client();
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(2, 0);
    const auto result = client.Get("/healthz");
    if (!result || result->status != 200) return 10s;
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started);
}

}  // namespace

TEST_SUITE("http::hostile_traffic") {
    TEST_CASE("hostile: a refused body is never read as the next request (smuggling)") {
        TestServer server;
        const std::string smuggled = "GET /openapi.json HTTP/1.1\r\nHost: x\r\n\r\n";
        for (const bool expect_continue : {false, true}) {
            CAPTURE(expect_continue);
            const int fd = connect_to(server.port());
            send_all(fd,
                     "POST " + kRegister + " HTTP/1.1\r\nHost: x\r\napi_key: " +
                         server.public_key() + "\r\nContent-Type: text/plain\r\nContent-Length: " +
                         std::to_string(smuggled.size()) + "\r\n" +
                         (expect_continue ? "Expect: 100-continue\r\n" : "") + "\r\n" + smuggled);
            bool closed = false;
            const auto raw = read_until_close(fd, 3s, closed);
            ::close(fd);
            CAPTURE(raw.substr(0, 400));
            CHECK(closed);
            CHECK(raw_status(raw) == 415);
            CHECK(count_of(raw, "HTTP/1.1 ") == 1);  // no 100 Continue, no second answer
            CHECK(raw.find("Connection: close") != std::string::npos);
            CHECK(raw.find("openapi") == std::string::npos);
        }
    }

    TEST_CASE("hostile: every early refusal closes the connection after answering") {
        TestServer server;
        const std::string next = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        for (const std::string& extra :
             {std::string("Content-Type: application/json\r\nContent-Length: 99999999\r\n"),
              std::string("Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"),
              std::string("Content-Type: application/json\r\nContent-Encoding: gzip\r\n"
                          "Content-Length: 5\r\n"),
              std::string("Expect: nothing\r\n")}) {
            CAPTURE(extra);
            const int fd = connect_to(server.port());
            send_all(fd, "POST " + kRegister + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n" + next);
            bool closed = false;
            const auto raw = read_until_close(fd, 3s, closed);
            ::close(fd);
            CHECK(closed);
            CHECK(raw_status(raw) >= 400);
            CHECK(count_of(raw, "HTTP/1.1 ") == 1);
        }
    }

    TEST_CASE("hostile: Expect 100-continue is answered once the head is accepted") {
        TestServer server;
        const int fd = connect_to(server.port());
        send_all(fd, "POST " + kRegister +
                         " HTTP/1.1\r\nHost: x\r\napi_key: " + server.public_key() +
                         "\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
                         "Expect: 100-continue\r\nConnection: close\r\n\r\n");
        bool closed = false;
        const auto interim = read_until_close(fd, 500ms, closed);
        CHECK(interim == "HTTP/1.1 100 Continue\r\n\r\n");
        send_all(fd, "{}");
        const auto raw = read_until_close(fd, 3s, closed);
        ::close(fd);
        CHECK(raw_status(raw) == 400);  // read and judged: no identity
    }

    TEST_CASE("hostile: a GET body is read and dropped, and the connection stays in step") {
        TestServer server;
        const int fd = connect_to(server.port());
        const std::string body = "GET /openapi.json HTTP/1.1\r\n\r\n";
        send_all(fd,
                 "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                 "Content-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body +
                     "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        bool closed = false;
        const auto raw = read_until_close(fd, 3s, closed);
        ::close(fd);
        CHECK(closed);
        CHECK(count_of(raw, "HTTP/1.1 200") == 2);
        CHECK(raw.find("openapi") == std::string::npos);
    }

    TEST_CASE("hostile: 101 header fields or 16 KiB of header are refused") {
        TestServer server;
        std::string many;
        for (int i = 0; i < 101; ++i) many += "X-F" + std::to_string(i) + ": v\r\n";
        const auto refused = raw_http(server.port(), "GET /healthz HTTP/1.1\r\n" + many + "\r\n");
        CHECK(raw_status(refused) == 431);
        std::string hundred;
        for (int i = 0; i < 99; ++i) hundred += "X-F" + std::to_string(i) + ": v\r\n";
        CHECK(raw_status(raw_http(server.port(), "GET /healthz HTTP/1.1\r\n" + hundred +
                                                     "Connection: close\r\n\r\n")) == 200);
        // 4,000 lines of 8 KB were once accepted (32 MB held for one request).
        const int fd = connect_to(server.port());
        send_all(fd, "GET /healthz HTTP/1.1\r\n");
        for (int i = 0; i < 8; ++i) send_all(fd, "X-Big: " + std::string(8000, 'a') + "\r\n");
        bool closed = false;
        const auto raw = read_until_close(fd, 3s, closed);
        ::close(fd);
        CHECK(raw_status(raw) == 431);
        CHECK(closed);
    }

    TEST_CASE("hostile: Range never amplifies and never cuts an API answer") {
        TestServer server;
        std::string ranges = "bytes=0-";
        for (int i = 0; i < 199; ++i) ranges += ",0-";
        auto client = server.client();
        const auto full = client.Get("/openapi.json");
        REQUIRE(full);
        const auto many = client.Get("/openapi.json", {{"Range", ranges}});
        REQUIRE(many);
        CHECK(many->status == 200);
        CHECK(many->body.size() == full->body.size());
        const auto health = client.Get("/healthz", {{"Range", "bytes=0-3"}});
        REQUIRE(health);
        CHECK(health->status == 200);
        CHECK(health->body == R"({"status":"ok"})");
        // The portal's own files honour one range, and only one.
        const auto index = client.Get("/");
        REQUIRE(index);
        const auto one = client.Get("/", {{"Range", "bytes=0-9"}});
        REQUIRE(one);
        CHECK(one->status == 206);
        CHECK(one->body == index->body.substr(0, 10));
        const auto two = client.Get("/", {{"Range", "bytes=0-1,4-5"}});
        REQUIRE(two);
        CHECK(two->status == 200);
        CHECK(two->body.size() == index->body.size());
    }

    TEST_CASE("hostile: a trickled header is cut off after its deadline (slowloris)") {
        TestServer server([](contactd::Config& c) { c.read_timeout = 2; });
        const int fd = connect_to(server.port());
        const auto started = std::chrono::steady_clock::now();
        const std::string head = "GET /healthz HTTP/1.1\r\nX-Slow: ";
        bool closed = false;
        std::string raw;
        for (std::size_t i = 0; i < 40 && !closed; ++i) {
            send_all(fd, std::string(1, i < head.size() ? head[i] : 'a'));
            raw += read_until_close(fd, 200ms, closed);
        }
        ::close(fd);
        const auto elapsed = std::chrono::steady_clock::now() - started;
        CHECK(closed);
        CHECK(elapsed >= 1900ms);
        CHECK(elapsed < 4s);
        CHECK(raw_status(raw) == 408);
    }

    TEST_CASE("hostile: 300 slow connections held for 20 s do not delay a new client") {
        TestServer server;
        constexpr int kSlow = 300;
        std::vector<int> slow;
        std::vector<std::size_t> sent;
        const std::string head = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
        auto open_slow = [&] {
            const int fd = connect_to(server.port());
            send_all(fd, head.substr(0, 1));
            return fd;
        };
        for (int i = 0; i < kSlow; ++i) {
            slow.push_back(open_slow());
            sent.push_back(1);
        }
        int cut_off = 0;
        std::chrono::milliseconds worst{0};
        const auto started = std::chrono::steady_clock::now();
        while (std::chrono::steady_clock::now() - started < 20s) {
            // Every slow connection sends one more byte; one the server cut off (after its
            // 10 s head deadline) is replaced, so 300 stay open throughout.
            for (std::size_t i = 0; i < slow.size(); ++i) {
                pollfd p{slow[i], POLLIN, 0};
                if (::poll(&p, 1, 0) > 0) {
                    ::close(slow[i]);
                    ++cut_off;
                    slow[i] = open_slow();
                    sent[i] = 1;
                    continue;
                }
                const char next = sent[i] < head.size() ? head[sent[i]] : 'a';
                send_all(slow[i], std::string(1, next));
                ++sent[i];
            }
            const auto took = time_healthz(server);
            worst = std::max(worst, took);
            std::this_thread::sleep_for(1s);
        }
        for (const int fd : slow) ::close(fd);
        CAPTURE(cut_off);
        CHECK(worst < 1s);
        CHECK(cut_off >= kSlow);  // each first connection was cut at its deadline
    }

    TEST_CASE("hostile: hundreds of idle keep-alive connections do not delay a new client") {
        TestServer server;
        std::vector<int> idle;
        for (int i = 0; i < 300; ++i) {
            const int fd = connect_to(server.port());
            send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            idle.push_back(fd);
        }
        for (const int fd : idle) {
            pollfd p{fd, POLLIN, 0};
            REQUIRE(::poll(&p, 1, 5000) == 1);
            char buffer[1024];
            CHECK(::recv(fd, buffer, sizeof buffer, 0) > 0);
        }
        // All 300 are open and idle now, far more than the worker pool's cap.
        CHECK(time_healthz(server) < 500ms);
        const auto again = server.client().Get("/healthz");
        REQUIRE(again);
        CHECK(again->status == 200);
        for (const int fd : idle) ::close(fd);
    }

    TEST_CASE("hostile: every answer carries a request id, nosniff and no-store on the API") {
        TestServer server;
        auto client = server.client();
        const auto mine = client.Get("/healthz", {{"X-Request-Id", "my-trace.id_1"}});
        REQUIRE(mine);
        CHECK(mine->get_header_value("X-Request-Id") == "my-trace.id_1");
        CHECK(mine->get_header_value("X-Content-Type-Options") == "nosniff");
        CHECK(mine->get_header_value("Cache-Control") == "no-store");
        const auto bad_id = client.Get("/healthz", {{"X-Request-Id", std::string(65, 'a')}});
        REQUIRE(bad_id);
        const auto made = bad_id->get_header_value("X-Request-Id");
        CHECK_FALSE(made.empty());
        CHECK(made != std::string(65, 'a'));
        const auto other = client.Get("/healthz");
        REQUIRE(other);
        CHECK(other->get_header_value("X-Request-Id") != made);
        // Errors too, from routing and from framing.
        const auto missing = client.Get("/no/such/thing");
        REQUIRE(missing);
        CHECK(missing->status == 404);
        CHECK_FALSE(missing->get_header_value("X-Request-Id").empty());
        CHECK(missing->get_header_value("X-Content-Type-Options") == "nosniff");
        const auto framing = raw_http(server.port(), "GET / HTTP/1.1\r\nBad Field\r\n\r\n");
        CHECK(raw_status(framing) == 400);
        CHECK(framing.find("X-Request-Id: ") != std::string::npos);
        CHECK(framing.find("X-Content-Type-Options: nosniff") != std::string::npos);
        // The portal's files keep their own caching and still say nosniff once.
        const auto index = client.Get("/");
        REQUIRE(index);
        CHECK(index->get_header_value("Cache-Control") == "no-cache");
        CHECK(index->get_header_value_count("X-Content-Type-Options") == 1);
    }

    TEST_CASE("hostile: CORS only for the configured origins, with preflight") {
        TestServer server([](contactd::Config& c) { c.cors_origins = {"https://app.example"}; });
        auto client = server.client();
        const auto allowed = client.Get("/healthz", {{"Origin", "https://app.example"}});
        REQUIRE(allowed);
        CHECK(allowed->get_header_value("Access-Control-Allow-Origin") == "https://app.example");
        for (const std::string origin :
             {"https://evil.example", "null", "https://app.example.evil"}) {
            CAPTURE(origin);
            const auto other = client.Get("/healthz", {{"Origin", origin}});
            REQUIRE(other);
            CHECK_FALSE(other->has_header("Access-Control-Allow-Origin"));
        }
        const auto preflight =
            client.Options(kRegister, {{"Origin", "https://app.example"},
                                       {"Access-Control-Request-Method", "POST"},
                                       {"Access-Control-Request-Headers", "api_key"}});
        REQUIRE(preflight);
        CHECK(preflight->status == 204);
        CHECK(preflight->get_header_value("Access-Control-Allow-Origin") == "https://app.example");
        CHECK(preflight->get_header_value("Access-Control-Allow-Headers").find("api_key") !=
              std::string::npos);
        const auto refused = client.Options(kRegister, {{"Origin", "https://evil.example"},
                                                        {"Access-Control-Request-Method", "POST"}});
        REQUIRE(refused);
        CHECK_FALSE(refused->has_header("Access-Control-Allow-Origin"));
    }

    TEST_CASE("hostile: no CORS headers at all by default") {
        TestServer server;
        const auto result = server.client().Get("/healthz", {{"Origin", "https://app.example"}});
        REQUIRE(result);
        CHECK_FALSE(result->has_header("Access-Control-Allow-Origin"));
        CHECK_FALSE(result->has_header("Vary"));
    }

    TEST_CASE("hostile: pipelined requests are answered in order on one connection") {
        TestServer server;
        const int fd = connect_to(server.port());
        send_all(
            fd,
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\n\r\n"
            "GET /nothing HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\n\r\n"
            "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Request-Id: three\r\nConnection: close\r\n\r\n");
        bool closed = false;
        const auto raw = read_until_close(fd, 3s, closed);
        ::close(fd);
        CHECK(closed);
        const auto one = raw.find("X-Request-Id: one");
        const auto two = raw.find("X-Request-Id: two");
        const auto three = raw.find("X-Request-Id: three");
        CHECK(one < two);
        CHECK(two < three);
        CHECK(three != std::string::npos);
        CHECK(count_of(raw, "HTTP/1.1 404") == 1);
    }
}

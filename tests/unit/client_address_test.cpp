// http::client_address: CIDR parsing and matching; which address a request came from.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "http/client_address.h"

using contactd::http::Cidr;
using contactd::http::ClientAddressResolver;

namespace {

httplib::Request request_from(
    const std::string& peer,
    std::initializer_list<std::pair<const char*, const char*>> headers = {}) {
    httplib::Request req;
    req.remote_addr = peer;
    for (const auto& [name, value] : headers) req.headers.emplace(name, value);
    return req;
}

}  // namespace

TEST_SUITE("http::client_address") {
    TEST_CASE("client_address::Cidr parses IPv4 networks and hosts") {
        const auto net = Cidr::parse("10.0.0.0/8");
        REQUIRE(net.has_value());
        CHECK(net->contains("10.0.0.1"));
        CHECK(net->contains("10.255.255.255"));
        CHECK_FALSE(net->contains("11.0.0.1"));
        CHECK_FALSE(net->contains("9.255.255.255"));
        CHECK(net->contains("::ffff:10.1.2.3"));  // IPv4-mapped IPv6 is IPv4
        CHECK_FALSE(net->contains("::1"));
        CHECK_FALSE(net->contains("not an address"));

        const auto host = Cidr::parse("192.168.1.7");
        REQUIRE(host.has_value());
        CHECK(host->contains("192.168.1.7"));
        CHECK_FALSE(host->contains("192.168.1.8"));

        const auto odd = Cidr::parse("172.16.0.0/12");
        REQUIRE(odd.has_value());
        CHECK(odd->contains("172.31.255.1"));
        CHECK_FALSE(odd->contains("172.32.0.1"));

        const auto all = Cidr::parse("0.0.0.0/0");
        REQUIRE(all.has_value());
        CHECK(all->contains("8.8.8.8"));
        CHECK_FALSE(all->contains("2001:db8::1"));
    }

    TEST_CASE("client_address::Cidr parses IPv6 networks and hosts") {
        const auto loop = Cidr::parse("::1/128");
        REQUIRE(loop.has_value());
        CHECK(loop->contains("::1"));
        CHECK_FALSE(loop->contains("::2"));
        CHECK_FALSE(loop->contains("127.0.0.1"));

        const auto doc = Cidr::parse("2001:db8::/32");
        REQUIRE(doc.has_value());
        CHECK(doc->contains("2001:db8::1"));
        CHECK(doc->contains("2001:0db8:ffff::5"));
        CHECK_FALSE(doc->contains("2001:db9::1"));
        CHECK_FALSE(doc->contains("10.0.0.1"));

        const auto odd = Cidr::parse("fe80::/10");
        REQUIRE(odd.has_value());
        CHECK(odd->contains("febf::1"));
        CHECK_FALSE(odd->contains("fec0::1"));
    }

    TEST_CASE("client_address::Cidr rejects malformed text") {
        for (const char* bad : {"", "abc", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/x", "10.0.0.0/",
                                "/8", "::/129", "10.0.0/8", "10.0.0.256/32", "10.0.0.0/8/8"}) {
            CAPTURE(bad);
            CHECK_FALSE(Cidr::parse(bad).has_value());
        }
    }

    TEST_CASE("client_address::ClientAddressResolver refuses a malformed trusted proxy") {
        CHECK_THROWS_AS(ClientAddressResolver({"10.0.0.0/8", "nonsense"}), std::invalid_argument);
        CHECK_NOTHROW(ClientAddressResolver({"10.0.0.0/8", "::1"}));
    }

    TEST_CASE("client_address::resolve uses the socket peer when no proxy is trusted") {
        const ClientAddressResolver resolver({});
        CHECK(resolver.resolve(request_from("203.0.113.9")) == "203.0.113.9");
        CHECK(resolver.resolve(request_from("203.0.113.9", {{"X-Forwarded-For", "1.2.3.4"}})) ==
              "203.0.113.9");
    }

    TEST_CASE("client_address::resolve ignores a spoofed REMOTE_ADDR header") {
        const ClientAddressResolver resolver({"10.0.0.0/8"});
        CHECK(resolver.resolve(request_from("203.0.113.9", {{"REMOTE_ADDR", "10.0.0.1"}})) ==
              "203.0.113.9");
        // Even when the spoof claims to be a trusted proxy, X-Forwarded-For stays unheard.
        CHECK(resolver.resolve(request_from(
                  "203.0.113.9", {{"REMOTE_ADDR", "10.0.0.1"}, {"X-Forwarded-For", "1.2.3.4"}})) ==
              "203.0.113.9");
    }

    TEST_CASE("client_address::resolve honours X-Forwarded-For only from trusted proxies") {
        const ClientAddressResolver resolver({"10.0.0.0/8", "::1/128"});
        CHECK(resolver.resolve(request_from("10.0.0.5", {{"X-Forwarded-For", "1.2.3.4"}})) ==
              "1.2.3.4");
        CHECK(resolver.resolve(request_from("::1", {{"X-Forwarded-For", "1.2.3.4"}})) == "1.2.3.4");
        CHECK(resolver.resolve(request_from("8.8.8.8", {{"X-Forwarded-For", "1.2.3.4"}})) ==
              "8.8.8.8");
        // The right-most untrusted hop: what the client wrote at the left is not believed.
        CHECK(resolver.resolve(request_from(
                  "10.0.0.5", {{"X-Forwarded-For", "6.6.6.6, 1.2.3.4, 10.0.0.9"}})) == "1.2.3.4");
        // Several header lines read as one list, in order.
        CHECK(resolver.resolve(request_from(
                  "10.0.0.5", {{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "5.5.5.5"}})) ==
              "5.5.5.5");
        // A trusted peer with no header, or only trusted hops: the peer.
        CHECK(resolver.resolve(request_from("10.0.0.5")) == "10.0.0.5");
        CHECK(resolver.resolve(request_from("10.0.0.5", {{"X-Forwarded-For", "10.0.0.7, "}})) ==
              "10.0.0.5");
    }

    TEST_CASE("client_address::rate_limit_key groups IPv6 by /64 and keeps IPv4 whole") {
        using contactd::http::rate_limit_key;
        CHECK(rate_limit_key("203.0.113.7") == "203.0.113.7");
        CHECK(rate_limit_key("::ffff:203.0.113.7") == "203.0.113.7");
        CHECK(rate_limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
        CHECK(rate_limit_key("2001:db8:1:2::1") == rate_limit_key("2001:db8:1:2:ffff::9"));
        CHECK(rate_limit_key("2001:db8:1:3::1") != rate_limit_key("2001:db8:1:2::1"));
        CHECK(rate_limit_key("::1") == "::/64");
        CHECK(rate_limit_key(std::string(200, 'x')).size() <= 65);
    }

    TEST_CASE("client_address::loopback: addresses, listen hosts, and the peer alone decides") {
        using contactd::http::from_loopback_peer;
        using contactd::http::is_loopback_address;
        using contactd::http::is_loopback_host;
        for (const char* a : {"127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1"})
            CHECK_MESSAGE(is_loopback_address(a), a);
        for (const char* a : {"0.0.0.0", "::", "10.0.0.1", "192.0.2.2", "128.0.0.1", "::2",
                              "::ffff:10.0.0.1", "fd00::2", "", "localhost", "127.0.0.1.evil"})
            CHECK_FALSE_MESSAGE(is_loopback_address(a), a);
        CHECK(is_loopback_host("localhost"));
        CHECK(is_loopback_host("127.0.0.1"));
        CHECK_FALSE(is_loopback_host("0.0.0.0"));
        CHECK_FALSE(is_loopback_host("::"));
        CHECK(from_loopback_peer(request_from("127.0.0.1")));
        CHECK_FALSE(from_loopback_peer(request_from(
            "192.0.2.2", {{"X-Forwarded-For", "127.0.0.1"}, {"REMOTE_ADDR", "127.0.0.1"}})));
    }
}

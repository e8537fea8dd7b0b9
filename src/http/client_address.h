#pragma once
// Which address a request came from. The peer address of the socket, unless the peer is
// a trusted proxy (CONTACTD_TRUSTED_PROXIES): then the right-most X-Forwarded-For entry
// that is not itself a trusted proxy. Never the client-supplied REMOTE_ADDR header.
#include <httplib.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace contactd::http {

class Cidr {
  public:
    // "10.0.0.0/8", "::1/128", "192.168.1.7" (a single host). nullopt when malformed.
    static std::optional<Cidr> parse(const std::string& text);
    bool contains(const std::string& address) const;

  private:
    std::array<std::uint8_t, 16> network_{};
    int prefix_ = 0;
    bool v6_ = false;
};

// The key per-address limits count under: an IPv4 address as it is (IPv4-mapped IPv6 as
// IPv4), an IPv6 address by its /64 ("2001:db8:1:2::/64"), since one subscriber commonly
// holds a whole /64; anything else by at most its first 64 characters.
std::string rate_limit_key(const std::string& address);

// True for a loopback address: 127.0.0.0/8, ::1, or 127.0.0.0/8 mapped into IPv6.
bool is_loopback_address(const std::string& address);
// True for a listen host that only loopback clients can reach: a loopback address or
// "localhost". "0.0.0.0", "::" and every other address are not.
bool is_loopback_host(const std::string& host);

// Whether the request's connection itself comes from a loopback address: its peer
// address, never X-Forwarded-For or any other header, whatever proxies are trusted.
bool from_loopback_peer(const httplib::Request& req);

class ClientAddressResolver {
  public:
    // Throws std::invalid_argument naming a malformed CIDR.
    explicit ClientAddressResolver(const std::vector<std::string>& trusted_proxies);
    std::string resolve(const httplib::Request& req) const;
    // rate_limit_key(resolve(req)).
    std::string limit_key(const httplib::Request& req) const {
        return rate_limit_key(resolve(req));
    }

  private:
    bool trusted(const std::string& address) const;
    std::vector<Cidr> trusted_;
};

}  // namespace contactd::http

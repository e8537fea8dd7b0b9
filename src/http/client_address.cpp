#include "http/client_address.h"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>

#include "util/strings.h"

namespace contactd::http {
namespace {

// Parses an IPv4 or IPv6 address; IPv4-mapped IPv6 addresses count as IPv4.
bool parse_address(const std::string& text, std::array<std::uint8_t, 16>& out, bool& v6) {
    in_addr v4{};
    in6_addr v6addr{};
    std::string t = text;
    if (t.rfind("::ffff:", 0) == 0 && t.find('.') != std::string::npos) t = t.substr(7);
    out.fill(0);
    if (inet_pton(AF_INET, t.c_str(), &v4) == 1) {
        std::memcpy(out.data(), &v4, 4);
        v6 = false;
        return true;
    }
    if (inet_pton(AF_INET6, t.c_str(), &v6addr) == 1) {
        std::memcpy(out.data(), &v6addr, 16);
        v6 = true;
        return true;
    }
    return false;
}

}  // namespace

std::string rate_limit_key(const std::string& address) {
    std::array<std::uint8_t, 16> bytes{};
    bool v6 = false;
    if (!parse_address(address, bytes, v6)) {
        std::string key = "?";  // appended, not "?" + …: GCC 12 -O3 false -Wrestrict (bug 105329)
        return key.append(address, 0, 64);
    }
    char text[INET6_ADDRSTRLEN] = {};
    if (!v6) {
        inet_ntop(AF_INET, bytes.data(), text, sizeof text);
        return text;
    }
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
    return std::string(text) + "/64";
}

std::optional<Cidr> Cidr::parse(const std::string& text) {
    Cidr cidr;
    const auto slash = text.find('/');
    const std::string address = trim(text.substr(0, slash));
    if (!parse_address(address, cidr.network_, cidr.v6_)) return std::nullopt;
    const int max = cidr.v6_ ? 128 : 32;
    cidr.prefix_ = max;
    if (slash != std::string::npos) {
        try {
            std::size_t used = 0;
            const std::string bits = trim(text.substr(slash + 1));
            cidr.prefix_ = std::stoi(bits, &used);
            if (used != bits.size() || cidr.prefix_ < 0 || cidr.prefix_ > max) return std::nullopt;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return cidr;
}

bool Cidr::contains(const std::string& address) const {
    std::array<std::uint8_t, 16> bytes{};
    bool v6 = false;
    if (!parse_address(address, bytes, v6) || v6 != v6_) return false;
    int bits = prefix_;
    for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
        const std::uint8_t mask = bits >= 8 ? 0xFF : static_cast<std::uint8_t>(0xFF << (8 - bits));
        if ((bytes[i] & mask) != (network_[i] & mask)) return false;
    }
    return true;
}

ClientAddressResolver::ClientAddressResolver(const std::vector<std::string>& trusted_proxies) {
    for (const auto& text : trusted_proxies) {
        auto cidr = Cidr::parse(text);
        if (!cidr) throw std::invalid_argument("CONTACTD_TRUSTED_PROXIES: not a CIDR: " + text);
        trusted_.push_back(*cidr);
    }
}

bool ClientAddressResolver::trusted(const std::string& address) const {
    for (const auto& cidr : trusted_) {
        if (cidr.contains(address)) return true;
    }
    return false;
}

std::string ClientAddressResolver::resolve(const httplib::Request& req) const {
    const std::string& peer = req.remote_addr;
    if (trusted_.empty() || !trusted(peer)) return peer;
    // Walk X-Forwarded-For from the right: each hop was added by the one after it.
    std::vector<std::string> hops;
    const auto count = req.get_header_value_count("X-Forwarded-For");
    for (std::size_t i = 0; i < count; ++i) {
        const std::string header = req.get_header_value("X-Forwarded-For", i);
        std::size_t start = 0;
        while (start <= header.size()) {
            const auto comma = header.find(',', start);
            hops.push_back(trim(header.substr(
                start, comma == std::string::npos ? std::string::npos : comma - start)));
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
        if (it->empty()) continue;
        if (!trusted(*it)) return *it;
    }
    return peer;
}

bool is_loopback_address(const std::string& address) {
    // IPv4-mapped IPv6 addresses are read as IPv4 (parse_address).
    static const Cidr v4 = *Cidr::parse("127.0.0.0/8");
    static const Cidr v6 = *Cidr::parse("::1/128");
    return v4.contains(address) || v6.contains(address);
}

bool is_loopback_host(const std::string& host) {
    return host == "localhost" || is_loopback_address(host);
}

bool from_loopback_peer(const httplib::Request& req) {
    return is_loopback_address(req.remote_addr);
}

}  // namespace contactd::http

#pragma once
// This machine's network addresses, for tests of decisions made on the peer address.
#include <optional>
#include <string>

namespace contactd::test {

// One of this machine's own IPv4 addresses that is not loopback, if it has one.
std::optional<std::string> own_non_loopback_ipv4();

}  // namespace contactd::test

#pragma once
// NetworkAddress: gRPC addresses checked before gRPC sees them. gRPC takes a port beyond 65535
// modulo 65536 when connecting and listens on a random port when binding one, so a typo in a
// port silently points the sensor at the wrong collector or hides the collector.

#include <string>
#include <string_view>

namespace gsoc::common {

// Checks `address`: host:port, [IPv6]:port, unix:PATH or unix-abstract:NAME, or (when
// connecting) a dns:[//AUTHORITY/]host:port, ipv4:host:port[,...] or ipv6:[addr]:port[,...]
// target. When `listening`, port 0 (any free port) is allowed. Returns the problem, quoting the
// address; empty when it is fine.
std::string addressError(std::string_view address, bool listening);

}  // namespace gsoc::common

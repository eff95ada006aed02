// DHCP (sensor/app/DhcpParser: the BOOTP header, the cookie, the options walk) over both
// directions, each record one datagram. Invariants: transaction ids count up from 0 without a
// gap; the client's hardware address is at most 16 octets; the error count never goes down.
#include <cstdint>

#include "sensor/app/DhcpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  DhcpState dhcp;
  std::uint64_t errors = 0;
  std::uint64_t next_id = 0;
  const auto onMessage = [&](const DhcpMessage& m) {
    check(m.tx_id == next_id++, "transaction ids out of order");
    check(m.client_mac.size() <= 16, "hardware address past chaddr");
  };
  const DhcpState::MessageSink sink = onMessage;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection, std::span<const std::uint8_t> bytes) {
        dhcp.datagram(bytes, sink);
        check(dhcp.errors() >= errors, "error count went down");
        errors = dhcp.errors();
      },
      [](FlowDirection) {});
  dhcp.reset();
  return 0;
}

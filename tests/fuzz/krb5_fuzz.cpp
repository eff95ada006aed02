// Kerberos 5 (sensor/app/Krb5Parser, DerReader: record marks, every message type, principals,
// encryption types) over both directions as TCP streams split where the input's records say
// (AppStream.hpp), and each record as a UDP datagram too. Invariants: transaction ids are
// handed out in order; a message's type is a request, a reply or an error's; the error count
// never goes down.
#include <cstdint>

#include "sensor/app/Krb5Parser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Krb5State tcp, udp;
  std::uint64_t next[2] = {0, 0};
  std::uint64_t errors = 0;
  const auto onMessage = [&](std::size_t which) {
    return [&, which](FlowDirection, const Krb5Message& m) {
      check(m.tx_id == next[which]++, "transaction ids out of order");
      check((m.msg_type >= 10 && m.msg_type <= 14) || m.msg_type == 30, "message type out of range");
      check(!m.error || m.msg_type != 11, "an error typed as a reply");
    };
  };
  const auto tcp_sink = onMessage(0);
  const auto udp_sink = onMessage(1);
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        tcp.feed(dir, bytes, tcp_sink);
        udp.datagram(dir, bytes, udp_sink);
        check(tcp.errors() >= errors, "error count went down");
        errors = tcp.errors();
      },
      [](FlowDirection) {});
  tcp.reset();
  udp.reset();
  return 0;
}

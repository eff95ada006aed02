// Kerberos 5 (sensor/app/Krb5Parser, DerReader: record marks, every message type, principals,
// encryption types) over both directions as TCP streams split where the input's records say
// (AppStream.hpp), and each record as a UDP datagram too. Invariants: transaction ids are
// handed out in order; a message type is a request, a reply or 30 for an error, whose failed
// request is a request type; the error count never goes down.
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
      check(m.error == (m.msg_type == 30), "an error not typed 30");
      check(m.failed_request == 0 || m.failed_request == 10 || m.failed_request == 12 || m.failed_request == 14, "failed request not a request");
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

// RDP (sensor/app/RdpParser: TPKT-framed X.224 connection request and confirm, MCS Connect
// Initial client data and Connect Response, then TLS records and the server's certificates)
// over both directions, split where the input's records say (AppStream.hpp). Invariants:
// transaction ids count up from 0 without a gap; a connection request comes from the client
// and a confirm from the server; the error count never goes down.
#include <cstdint>

#include "sensor/app/RdpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  RdpState rdp;
  std::uint64_t errors = 0;
  std::uint64_t next_id = 0;
  const auto onTx = [&](FlowDirection dir, const RdpTransaction& tx) {
    check(tx.tx_id == next_id++, "transaction ids out of order");
    if (tx.type == RdpTransaction::Type::InitialRequest || tx.type == RdpTransaction::Type::ConnectRequest) {
      check(dir == FlowDirection::ToServer, "a client PDU from the server");
    } else {
      check(dir == FlowDirection::ToClient, "a server PDU from the client");
    }
  };
  const RdpState::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        rdp.feed(dir, bytes, sink);
        check(rdp.errors() >= errors, "error count went down");
        errors = rdp.errors();
      },
      [](FlowDirection) {});
  rdp.reset();
  return 0;
}

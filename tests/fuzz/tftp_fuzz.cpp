// TFTP (sensor/app/TftpParser: read and write requests) over both directions, each record one
// datagram. Invariants: transaction ids count up from 0 without a gap, only the client's
// datagrams make them; the mode is lower-case; the error count never goes down.
#include <cctype>
#include <cstdint>

#include "sensor/app/TftpParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  TftpState tftp;
  std::uint64_t errors = 0;
  std::uint64_t next_id = 0;
  FlowDirection current = FlowDirection::ToServer;
  const auto onTx = [&](const TftpTransaction& tx) {
    check(current == FlowDirection::ToServer, "a request from the server");
    check(tx.tx_id == next_id++, "transaction ids out of order");
    for (const char c : tx.mode) check(!std::isupper(static_cast<unsigned char>(c)), "mode not lower-case");
  };
  const TftpState::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        current = dir;
        tftp.datagram(dir, bytes, sink);
        check(tftp.errors() >= errors, "error count went down");
        errors = tftp.errors();
      },
      [](FlowDirection) {});
  tftp.reset();
  return 0;
}

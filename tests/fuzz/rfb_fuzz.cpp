// RFB (sensor/app/RfbParser, RfbState: the 3.3/3.7/3.8 handshake) over both directions, split
// where the input's records say (AppStream.hpp). Invariants: the transaction is handed over at
// most once, a ServerInit's name is within its limit, the error count never goes down.
#include <cstdint>

#include "sensor/app/RfbParser.hpp"
#include "tests/fuzz/AppStream.hpp"

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  RfbState rfb;
  std::uint64_t errors = 0;
  int handed = 0;
  const auto onTx = [&](FlowDirection, const RfbTransaction& tx) {
    check(++handed == 1, "transaction handed over twice");
    check(tx.name.size() <= (1u << 16), "desktop name beyond the limit");
  };
  const RfbState::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        rfb.pending(dir).append(bytes);
        rfb.pending(dir).release();
        rfb.parse(dir, sink);
        check(rfb.errors() >= errors, "error count went down");
        errors = rfb.errors();
      },
      [](FlowDirection) {});
  rfb.close(sink);
  rfb.reset();
  return 0;
}

// QUIC (sensor/app/QuicParser, QuicState: headers of every version, Initial decryption, frames,
// CRYPTO reassembly, the TLS hello inside, gQUIC CHLO tags) over both directions, each record one
// datagram. Invariants: transaction ids count up from 0 without a gap; a transaction with a hello
// has its JA3 and a 32-digit hash, a client's JA4 starts with "q"; the error count never goes
// down.
#include <cstdint>

#include "sensor/app/QuicParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  QuicState quic;
  std::uint64_t errors = 0;
  std::uint64_t next_id = 0;
  const auto onTx = [&](FlowDirection dir, const QuicTransaction& tx) {
    check(tx.tx_id == next_id++, "transaction ids out of order");
    if (tx.has_hello) {
      check(!tx.ja3.empty() && tx.ja3_hash.size() == 32, "hello without its JA3");
      if (dir == FlowDirection::ToServer && !tx.ja4.empty()) check(tx.ja4.front() == 'q', "QUIC JA4 not of transport q");
    }
    for (const QuicCyu& c : tx.cyu) check(c.hash.size() == 32, "CYU hash not MD5");
  };
  const QuicState::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        quic.datagram(dir, bytes, sink);
        check(quic.errors() >= errors, "error count went down");
        errors = quic.errors();
      },
      [](FlowDirection) {});
  quic.reset();
  return 0;
}

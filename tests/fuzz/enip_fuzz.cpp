// EtherNet/IP (sensor/app/EnipParser: encapsulation headers, list replies' items, CPF items and
// their CIP services, Multiple Service Packets) over both directions, split where the input's
// records say (AppStream.hpp), each side's bytes released at once, and each record also as a
// UDP datagram. Invariants: a transaction is logged once; its services stay within its vector;
// the error count never goes down.
#include <cstdint>
#include <set>

#include "sensor/app/EnipParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  EnipState stream;
  EnipState datagrams;
  std::uint64_t errors = 0;
  std::set<std::uint64_t> seen;
  const auto onTx = [&](const EnipTransaction& tx) {
    check(seen.insert(tx.tx_id).second, "transaction logged twice");
    for (const EnipPdu* p : {&tx.request, &tx.response}) check(p->cip_count <= p->cip.size(), "services out of range");
  };
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        stream.pending(dir).append(bytes);
        stream.pending(dir).release();
        stream.parse(dir);
        stream.forUninspected(dir, [](const EnipTransaction&) {});
        stream.forUnlogged(false, onTx);
        stream.prune();
        check(stream.errors() >= errors, "error count went down");
        errors = stream.errors();
        datagrams.datagram(dir, bytes);
        datagrams.forUnlogged(false, [](const EnipTransaction&) {});
        datagrams.prune();
      },
      [](FlowDirection) {});
  stream.forUnlogged(true, onTx);
  stream.reset();
  return 0;
}

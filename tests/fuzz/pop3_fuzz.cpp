// POP3 (sensor/app/Pop3Parser, Pop3State: command lines, status lines, multi-line bodies, SASL
// and STLS) over both directions, split where the input's records say (AppStream.hpp).
// Invariants: each transaction is handed over once and complete, its status is OK or ERR when
// answered, a body's lines are within the cap, the error count never goes down.
#include <cstdint>
#include <set>

#include "sensor/app/Pop3Parser.hpp"
#include "tests/fuzz/AppStream.hpp"

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Pop3State pop3;
  std::uint64_t errors = 0;
  std::set<std::uint64_t> seen;
  const auto onTx = [&](const Pop3Transaction& tx) {
    check(seen.insert(tx.tx_id).second, "transaction handed over twice");
    check(tx.complete, "incomplete transaction handed over");
    if (tx.has_response) check(tx.status == "OK" || tx.status == "ERR", "status neither OK nor ERR");
    check(tx.data.size() <= Pop3State::kMaxDataLines, "body beyond the cap");
  };
  const Pop3State::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        pop3.pending(dir).append(bytes);
        pop3.pending(dir).release();
        pop3.parse(dir, sink);
        check(pop3.errors() >= errors, "error count went down");
        errors = pop3.errors();
      },
      [](FlowDirection) {});
  pop3.close(sink);
  pop3.reset();
  return 0;
}

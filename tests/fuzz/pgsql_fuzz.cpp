// PostgreSQL (sensor/app/PgsqlParser, PgsqlState: startup-phase and typed messages both ways,
// authentication, queries, COPY, the switch to TLS) over both directions, split where the
// input's records say (AppStream.hpp), each record's bytes released whole or in part (its
// control byte's low bits hold back up to 3). Invariants: transaction ids only grow, each
// transaction is handed over once, the error count never goes down.
#include <cstdint>

#include "sensor/app/PgsqlParser.hpp"
#include "tests/fuzz/AppStream.hpp"

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  PgsqlState pg;
  std::uint64_t errors = 0, last_id = 0;
  const auto onTx = [&](const PgsqlTransaction& tx) {
    check(tx.tx_id > last_id, "transaction id did not grow");
    last_id = tx.tx_id;
  };
  const PgsqlState::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        pg.pending(dir).append(bytes);
        pg.pending(dir).release(bytes.size() % 4);
        pg.parse(dir, sink);
        check(pg.errors() >= errors, "error count went down");
        errors = pg.errors();
      },
      [&](FlowDirection dir) {
        pg.pending(dir).release();
        pg.parse(dir, sink);
      });
  pg.close(sink);
  pg.reset();
  return 0;
}

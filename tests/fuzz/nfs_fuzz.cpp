// NFS (sensor/app/NfsParser: ONC RPC calls and replies, NFSv2/v3 procedures, NFSv4 COMPOUND
// operations, file transfers) over both directions: each record as a UDP datagram to one
// state, and as TCP stream bytes (record marking, fragments, gaps) to another
// (AppStream.hpp splits the input). Invariants: transaction ids rise from 1 without holes; the
// kept transactions stay under the cap; a file's in-order end never passes its size; the error
// count never goes down.
#include <cstdint>

#include "sensor/app/NfsParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

void checkState(NfsState& state, std::uint64_t& errors) {
  std::uint64_t last = 0;
  for (NfsTransaction& tx : state.transactions()) {
    check(tx.id > last, "transaction ids out of order");
    last = tx.id;
    check(tx.file.next_offset <= tx.file.size || tx.file.gaps, "a file's end passed its size");
    tx.inspected = tx.logged = true;  // as the app layer marks them
  }
  check(state.transactions().size() <= NfsState::kMaxTransactions, "too many transactions kept");
  check(state.errors() >= errors, "error count went down");
  errors = state.errors();
  state.prune();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  NfsState udp, tcp;
  std::uint64_t udp_errors = 0, tcp_errors = 0;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        udp.datagram(dir, bytes);
        checkState(udp, udp_errors);
        tcp.pending(dir).append(bytes);
        tcp.pending(dir).release();
        tcp.parse(dir);
        checkState(tcp, tcp_errors);
      },
      [&](FlowDirection dir) {
        tcp.gap(dir);
        checkState(tcp, tcp_errors);
      });
  return 0;
}

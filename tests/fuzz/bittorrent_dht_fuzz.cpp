// BitTorrent DHT (sensor/app/BittorrentDhtParser: bencoded KRPC queries, responses and errors)
// over both directions, each record one datagram. Invariants: transaction ids count up from 0
// without a gap; a message is at most one of query, response and error, and none when
// malformed with nothing read; peers and nodes hold 4- or 16-octet addresses; the error count
// never goes down.
#include <cstdint>

#include "sensor/app/BittorrentDhtParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  BittorrentDhtState dht;
  std::uint64_t errors = 0;
  std::uint64_t next_id = 0;
  const auto onMessage = [&](const BittorrentDhtMessage& m) {
    check(m.tx_id == next_id++, "transaction ids out of order");
    check(int{m.has_request} + int{m.has_response} + int{m.has_error} <= 1, "more than one message kind");
    check(m.malformed || m.has_request || m.has_response || m.has_error, "a message of no kind not marked malformed");
    for (const DhtPeer& p : m.values) check(p.ip_size == 4 || p.ip_size == 16, "peer address size");
    for (const DhtNode& n : m.nodes) check(n.address.ip_size == 4, "node address size");
    for (const DhtNode& n : m.nodes6) check(n.address.ip_size == 16, "node6 address size");
  };
  const BittorrentDhtState::MessageSink sink = onMessage;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection, std::span<const std::uint8_t> bytes) {
        dht.datagram(bytes, sink);
        check(dht.errors() >= errors, "error count went down");
        errors = dht.errors();
      },
      [](FlowDirection) {});
  dht.reset();
  return 0;
}

// TCP stream reassembly (sensor/flow/TcpStream), both directions of a connection: each record is
// a segment, [u32 sequence number][payload]; control bit 0 is the direction, bit 1 SYN, bit 2 a
// FIN/RST (the held bytes are flushed), bit 7 replaces the payload with the bytes a consistent
// sender would have sent at that sequence number. A small held-byte cap makes the fuzzer reach
// the skip-the-hole path. Invariants: held bytes never exceed the cap; delivered bytes are
// counted; and while a direction's segments are all consistent, every delivered byte is the one
// sent at its sequence number (stream offset = delivered + skipped bytes), whatever order,
// overlap or retransmission the segments came in.
#include <array>
#include <cstdint>
#include <vector>

#include "sensor/flow/TcpStream.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::sensor::TcpStream;

constexpr std::size_t kHeldCap = 8192;

// The byte a consistent sender puts at `seq`.
std::uint8_t sent(std::uint32_t seq) { return static_cast<std::uint8_t>((seq * 2654435761u) >> 24); }

struct Direction {
  TcpStream stream{kHeldCap};
  bool consistent = true;
  bool have_start = false;
  std::uint32_t start = 0;  // sequence number of stream offset 0
  std::uint64_t seen = 0;   // bytes the deliver callback received
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gsoc::fuzz::RecordReader reader(data, size);
  std::array<Direction, 2> dirs;
  std::vector<std::uint8_t> payload;
  while (auto record = reader.next()) {
    Direction& d = dirs[record->control & 1];
    const bool syn = (record->control & 2) != 0;
    if (record->bytes.size() < 4) continue;
    const auto& b = record->bytes;
    const std::uint32_t seq = std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
    const std::uint32_t data_seq = syn ? seq + 1 : seq;
    payload.assign(b.begin() + 4, b.end());
    if (record->control & 0x80) {
      for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = sent(data_seq + static_cast<std::uint32_t>(i));
    } else if (!payload.empty()) {
      d.consistent = false;
    }
    if (!d.have_start) {
      d.have_start = true;
      d.start = data_seq;  // a stream starts at the first segment seen
    }
    const auto deliver = [&d](std::span<const std::uint8_t> bytes) {
      check(!bytes.empty(), "an empty delivery");
      const auto& c = d.stream.counters();
      check(c.delivered_bytes == d.seen, "delivered bytes miscounted");
      if (d.consistent) {
        const auto offset = static_cast<std::uint32_t>(c.delivered_bytes + c.gap_bytes);
        for (std::size_t i = 0; i < bytes.size(); ++i) {
          check(bytes[i] == sent(d.start + offset + static_cast<std::uint32_t>(i)), "a byte delivered at the wrong offset");
        }
      }
      d.seen += bytes.size();
    };
    d.stream.segment(seq, payload, syn, deliver);
    check(d.stream.heldBytes() <= kHeldCap, "held bytes over the cap");
    if (record->control & 4) {
      d.stream.flush(deliver);
      check(d.stream.heldBytes() == 0, "bytes held after a flush");
    }
    check(d.stream.deliveredBytes() == d.seen, "deliveredBytes() differs from what was delivered");
  }
  return 0;
}

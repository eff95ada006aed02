#pragma once
// One direction of a TCP connection, reassembled: in-order bytes are delivered as they become
// contiguous (zero-copy when a segment arrives in order), out-of-order segments are held until
// the gap fills. Overlaps keep the bytes that arrived first ("first wins", the BSD/Linux-like
// policy; retransmitted bytes that differ are counted as inconsistent). A stream picked up mid-
// connection starts at the first segment seen. A per-stream cap bounds held bytes: when reached,
// or when the connection ends with a hole, the hole is skipped and counted as a gap.

#include <array>
#include <cstdint>
#include <span>

#include "common/CounterTable.hpp"
#include "common/FunctionRef.hpp"
#include "sensor/decode/ByteRangeStore.hpp"

namespace gsoc::sensor {

struct TcpStreamCounters {
  std::uint64_t delivered_bytes = 0;
  std::uint64_t segments = 0;
  std::uint64_t out_of_order = 0;
  std::uint64_t retransmitted_bytes = 0;
  std::uint64_t inconsistent_overlaps = 0;
  std::uint64_t gaps = 0;
  std::uint64_t gap_bytes = 0;
  // Of `gaps`, the holes skipped by flush() (the connection ended with them): Suricata does not
  // count those as reassembly gaps.
  std::uint64_t end_gaps = 0;

  static constexpr auto counterFields() {
    using F = gsoc::CounterField<TcpStreamCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"delivered_bytes", &TcpStreamCounters::delivered_bytes, kCounter, "Bytes delivered in order."},
        F{"segments", &TcpStreamCounters::segments, kCounter, "Segments taken."},
        F{"out_of_order", &TcpStreamCounters::out_of_order, kCounter, "Segments that came out of order."},
        F{"retransmitted_bytes", &TcpStreamCounters::retransmitted_bytes, kCounter, "Bytes seen again."},
        F{"inconsistent_overlaps", &TcpStreamCounters::inconsistent_overlaps, kCounter,
          "Overlaps whose bytes differ from the first copy."},
        F{"gaps", &TcpStreamCounters::gaps, kCounter, "Holes skipped."},
        F{"gap_bytes", &TcpStreamCounters::gap_bytes, kCounter, "Bytes never seen (in the holes)."},
        F{"end_gaps", &TcpStreamCounters::end_gaps, kCounter, "Of the holes, those skipped when the connection ended."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<TcpStreamCounters>());

class TcpStream {
 public:
  using Deliver = FunctionRef<void(std::span<const std::uint8_t>)>;

  explicit TcpStream(std::size_t held_cap = 1 << 20) : held_cap_(held_cap) {}

  // A segment of this direction. `syn`: the segment carries SYN (its payload, as with TCP Fast
  // Open, starts at seq + 1).
  void segment(std::uint32_t seq, std::span<const std::uint8_t> payload, bool syn, const Deliver& deliver);
  // The connection ended (FIN/RST/timeout): deliver what is held, skipping holes.
  void flush(const Deliver& deliver);

  [[nodiscard]] bool started() const { return started_; }
  [[nodiscard]] std::uint64_t deliveredBytes() const { return counters_.delivered_bytes; }
  // Of the bytes delivered so far, how many the other side's acknowledgement number `ack` does not
  // cover yet (0 when it covers them all or makes no sense).
  [[nodiscard]] std::uint64_t unacknowledged(std::uint32_t ack) const {
    const std::uint32_t behind = next_seq_ - ack;
    return started_ && behind < (1u << 31) && behind <= offset_ ? behind : 0;
  }
  [[nodiscard]] std::size_t heldBytes() const { return held_.bytes(); }
  // The sequence number of the next byte to deliver (what an ACK of everything delivered names).
  [[nodiscard]] std::uint32_t nextSeq() const { return next_seq_; }
  [[nodiscard]] const TcpStreamCounters& counters() const { return counters_; }

 private:
  void deliverInOrder(std::span<const std::uint8_t> data, const Deliver& deliver);
  void drain(const Deliver& deliver);
  void skipToFirstHeld(const Deliver& deliver);

  bool started_ = false;
  std::uint32_t next_seq_ = 0;   // sequence number of the next byte to deliver
  std::uint64_t offset_ = 0;     // stream offset of that byte (does not wrap)
  ByteRangeStore held_;          // out-of-order bytes keyed by stream offset
  std::size_t held_cap_;
  TcpStreamCounters counters_;
};

}  // namespace gsoc::sensor

#include "sensor/flow/TcpStream.hpp"

#include <algorithm>

namespace gsoc::sensor {

void TcpStream::segment(std::uint32_t seq, std::span<const std::uint8_t> payload, bool syn, const Deliver& deliver) {
  ++counters_.segments;
  const std::uint32_t data_seq = syn ? seq + 1 : seq;
  if (!started_) {
    started_ = true;
    next_seq_ = data_seq;
  }
  if (payload.empty()) return;
  // Signed distance from the next expected byte, modulo 2^32.
  auto rel = static_cast<std::int32_t>(data_seq - next_seq_);
  if (rel < 0) {
    const std::size_t old = std::min(payload.size(), static_cast<std::size_t>(-static_cast<std::int64_t>(rel)));
    counters_.retransmitted_bytes += old;
    payload = payload.subspan(old);
    if (payload.empty()) return;
    rel = 0;
  }
  if (rel == 0) {
    deliverInOrder(payload, deliver);
    drain(deliver);
    return;
  }
  ++counters_.out_of_order;
  if (held_.insert(offset_ + static_cast<std::uint64_t>(rel), payload).overlapped) ++counters_.inconsistent_overlaps;
  while (held_.bytes() > held_cap_) skipToFirstHeld(deliver);
}

void TcpStream::flush(const Deliver& deliver) {
  const std::uint64_t gaps = counters_.gaps;
  while (!held_.empty()) skipToFirstHeld(deliver);
  counters_.end_gaps += counters_.gaps - gaps;
}

void TcpStream::deliverInOrder(std::span<const std::uint8_t> data, const Deliver& deliver) {
  deliver(data);
  next_seq_ += static_cast<std::uint32_t>(data.size());
  offset_ += data.size();
  counters_.delivered_bytes += data.size();
}

void TcpStream::drain(const Deliver& deliver) {
  while (!held_.empty()) {
    const auto& [first_offset, first_bytes] = *held_.pieces().begin();
    if (first_offset > offset_) return;  // still a hole
    auto [piece_offset, bytes] = held_.popFront();
    const std::uint64_t skip = offset_ - piece_offset;
    if (skip >= bytes.size()) {
      counters_.retransmitted_bytes += bytes.size();
      continue;
    }
    counters_.retransmitted_bytes += skip;
    deliverInOrder(std::span<const std::uint8_t>(bytes).subspan(static_cast<std::size_t>(skip)), deliver);
  }
}

void TcpStream::skipToFirstHeld(const Deliver& deliver) {
  if (held_.empty()) return;
  const std::uint64_t first = held_.pieces().begin()->first;
  if (first > offset_) {
    const std::uint64_t gap = first - offset_;
    ++counters_.gaps;
    counters_.gap_bytes += gap;
    next_seq_ += static_cast<std::uint32_t>(gap);
    offset_ = first;
  }
  drain(deliver);
}

}  // namespace gsoc::sensor

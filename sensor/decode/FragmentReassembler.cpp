#include "sensor/decode/FragmentReassembler.hpp"

#include <algorithm>

namespace gsoc::sensor {

std::span<const std::uint8_t> FragmentReassembler::add(DecodedPacket& packet) {
  ++counters_.fragments;
  const Key key{packet.src.value(), packet.dst.value(), packet.fragment_id, packet.ip_proto, packet.ip_version};
  const std::span<const std::uint8_t> data = packet.ip_payload;
  const std::uint32_t offset = packet.fragment_offset;
  const bool v4 = packet.ip_version == 4;
  if (std::size_t{offset} + data.size() > 65535) {
    packet.events.set(v4 ? signatures::AnomalyEvent::Ipv4FragPktTooLarge : signatures::AnomalyEvent::Ipv6FragPktTooLarge);
    ++counters_.too_large;
    return {};
  }
  if (held_ + data.size() > memcap_) {
    ++counters_.memcap_dropped;
    return {};
  }
  Datagram& dg = datagrams_[key];
  dg.last_seen_ns = packet.timestamp_ns;
  if (!packet.more_fragments) {
    dg.have_last = true;
    dg.total_length = offset + static_cast<std::uint32_t>(data.size());
  }
  const ByteRangeStore::Inserted inserted = dg.pieces.insert(offset, data);
  held_ += inserted.bytes;
  if (inserted.overlapped) {
    ++counters_.overlaps;
    packet.events.set(v4 ? signatures::AnomalyEvent::Ipv4FragOverlap : signatures::AnomalyEvent::Ipv6FragOverlap);
  }
  if (!dg.have_last) return {};
  // Complete when the pieces cover [0, total_length) without a gap.
  std::uint64_t covered = 0;
  for (const auto& [piece_offset, bytes] : dg.pieces.pieces()) {
    if (piece_offset > covered) return {};
    covered = std::max<std::uint64_t>(covered, piece_offset + bytes.size());
  }
  if (covered < dg.total_length) return {};
  assembled_.clear();
  for (const auto& [piece_offset, bytes] : dg.pieces.pieces()) assembled_.insert(assembled_.end(), bytes.begin(), bytes.end());
  assembled_.resize(dg.total_length);
  held_ -= dg.pieces.bytes();
  datagrams_.erase(key);
  ++counters_.reassembled;
  packet.is_fragment = false;
  packet.fragment_offset = 0;
  packet.more_fragments = false;
  return assembled_;
}

void FragmentReassembler::expire(std::int64_t now_ns) {
  for (auto it = datagrams_.begin(); it != datagrams_.end();) {
    if (now_ns - it->second.last_seen_ns > timeout_ns_) {
      held_ -= it->second.pieces.bytes();
      ++counters_.timed_out;
      it = datagrams_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace gsoc::sensor

#include "gsoc/signatures/ThresholdTracker.hpp"

namespace gsoc::signatures {

bool ThresholdTracker::allow(std::uint32_t rule_index, const Threshold& t, const PacketMeta& m) {
  const std::int64_t now_ns = m.timestamp_ns;
  Key key{rule_index, static_cast<std::uint8_t>(t.type), 0, 0};
  switch (t.track) {
    case Threshold::Track::BySrc: key.a = m.src.value(); break;
    case Threshold::Track::ByDst: key.a = m.dst.value(); break;
    case Threshold::Track::ByBoth: key.a = m.src.value(); key.b = m.dst.value(); break;
    case Threshold::Track::ByRule: break;
    case Threshold::Track::ByFlow: {
      // The same key both ways: the lower (address, port) end first.
      const bool swap = m.dst.value() < m.src.value() || (m.dst.value() == m.src.value() && m.dst_port < m.src_port);
      key.a = swap ? m.dst.value() : m.src.value();
      key.b = swap ? m.src.value() : m.dst.value();
      const std::uint64_t lo = swap ? m.dst_port : m.src_port;
      const std::uint64_t hi = swap ? m.src_port : m.dst_port;
      key.c = lo << 24 | hi << 8 | m.ip_proto;
      break;
    }
  }
  if (entries_.size() >= max_entries_ && entries_.find(key) == entries_.end()) {
    // Forget everything rather than grow without bound; counted so operators can see it.
    evictions_ += entries_.size();
    entries_.clear();
  }
  State& s = entries_[key];
  if (t.type == Threshold::Type::Backoff) {
    ++s.count;
    if (s.next == 0) s.next = t.count;
    if (s.count != s.next) return false;
    s.next = s.count > UINT32_MAX / t.multiplier ? UINT32_MAX : s.count * t.multiplier;
    return true;
  }
  const std::int64_t window_ns = static_cast<std::int64_t>(t.seconds) * 1'000'000'000;
  if (s.count == 0 || now_ns - s.window_start_ns >= window_ns) {
    s.window_start_ns = now_ns;
    s.count = 0;
    s.alerted = false;
  }
  ++s.count;
  switch (t.type) {
    case Threshold::Type::Limit:
      return s.count <= t.count;
    case Threshold::Type::Threshold:
      if (s.count >= t.count) {
        s.count = 0;  // the next window of `count` hits starts now
        return true;
      }
      return false;
    case Threshold::Type::Both:
      if (s.count >= t.count && !s.alerted) {
        s.alerted = true;
        return true;
      }
      return false;
    case Threshold::Type::DetectionFilter:
      return s.count > t.count;
    case Threshold::Type::Backoff:
      break;  // above
  }
  return false;
}

}  // namespace gsoc::signatures

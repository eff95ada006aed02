#include "gsoc/signatures/ThresholdTracker.hpp"

namespace gsoc::signatures {

bool ThresholdTracker::allow(std::uint32_t rule_index, const Threshold& t, IpAddress src, IpAddress dst, std::int64_t now_ns) {
  Key key{rule_index, static_cast<std::uint8_t>(t.type), 0, 0};
  switch (t.track) {
    case Threshold::Track::BySrc: key.a = src.value(); break;
    case Threshold::Track::ByDst: key.a = dst.value(); break;
    case Threshold::Track::ByBoth: key.a = src.value(); key.b = dst.value(); break;
    case Threshold::Track::ByRule: break;
  }
  if (entries_.size() >= max_entries_ && entries_.find(key) == entries_.end()) {
    // Forget everything rather than grow without bound; counted so operators can see it.
    evictions_ += entries_.size();
    entries_.clear();
  }
  State& s = entries_[key];
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
  }
  return false;
}

}  // namespace gsoc::signatures

#include "gsoc/signatures/ThresholdTracker.hpp"

#include <algorithm>
#include <bit>
#include <limits>
#include <utility>

namespace gsoc::signatures {

namespace {
constexpr std::size_t kFirstSlots = 1024;
constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
}  // namespace

ThresholdTracker::ThresholdTracker(std::size_t max_slots)
    : max_slots_(std::bit_ceil(std::max(max_slots, kFirstSlots))) {}

std::size_t ThresholdTracker::hash(const Key& k) {
  std::uint64_t h = k.rule * 0x9E3779B97F4A7C15ULL ^ k.type;
  for (const u128 v : {k.a, k.b}) {
    h ^= static_cast<std::uint64_t>(v) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    h ^= static_cast<std::uint64_t>(v >> 64) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  }
  h ^= k.c * 0x9E3779B97F4A7C15ULL;
  return static_cast<std::size_t>(h ^ (h >> 29));  // the low bits pick the slot
}

ThresholdTracker::Slot& ThresholdTracker::find(const Key& key) {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash(key) & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (!s.used || s.key == key) return s;  // the table is never full: a free slot ends the probe
  }
}

void ThresholdTracker::rehash(std::size_t slots, std::int64_t now_ns) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots));
  used_ = 0;
  for (const Slot& s : old) {
    // A state whose window is over (or, for threshold, that just reported) is what a new key
    // starts from, so it need not move. Backoff states count for good.
    const bool over = s.window_end_ns != kNever && (s.count == 0 || now_ns >= s.window_end_ns);
    if (!s.used || over) continue;
    find(s.key) = s;
    ++used_;
  }
}

void ThresholdTracker::makeRoom(std::int64_t now_ns) {
  if (slots_.empty()) return rehash(kFirstSlots, now_ns);
  if ((used_ + 1) * 4 <= slots_.size() * 3) return;  // at most 3/4 full: probes stay short
  rehash(slots_.size(), now_ns);  // drop the states that are over
  if (used_ * 2 <= slots_.size()) return;  // at most half full again: room for a while
  if (slots_.size() < max_slots_) return rehash(slots_.size() * 2, now_ns);
  // At the bound: go on while the sweep left room for an eighth of the table (a sweep per new
  // state would make every insertion walk the whole table).
  if (used_ * 8 <= slots_.size() * 5) return;
  // At the bound with every state live: forget them all rather than grow without bound.
  evictions_ += used_;
  std::fill(slots_.begin(), slots_.end(), Slot{});
  used_ = 0;
}

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
  Slot* found = slots_.empty() ? nullptr : &find(key);
  if (found == nullptr || !found->used) {
    makeRoom(now_ns);  // may move every state: look again
    found = &find(key);
    *found = Slot{};
    found->key = key;
    found->used = true;
    ++used_;
  }
  Slot& s = *found;
  if (t.type == Threshold::Type::Backoff) {
    s.window_end_ns = kNever;
    ++s.count;
    if (s.next == 0) s.next = t.count;
    if (s.count != s.next) return false;
    s.next = s.count > UINT32_MAX / t.multiplier ? UINT32_MAX : s.count * t.multiplier;
    return true;
  }
  const std::int64_t window_ns = static_cast<std::int64_t>(t.seconds) * 1'000'000'000;
  if (s.count == 0 || now_ns - s.window_start_ns >= window_ns) {
    s.window_start_ns = now_ns;
    s.window_end_ns = now_ns > kNever - window_ns ? kNever - 1 : now_ns + window_ns;
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

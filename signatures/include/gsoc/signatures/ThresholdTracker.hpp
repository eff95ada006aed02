#pragma once
// The event filter stage: `threshold` (limit / threshold / both) and `detection_filter` decide
// whether a rule that matched is reported. Time is the packet's event time, passed in, so tests
// and replays are deterministic. Keyed by rule and tracked address(es), or the connection for
// by_flow (a later connection with the same addresses and ports continues its state, where
// Suricata keeps it in the flow); the table is bounded and counts what it had to forget.

#include <cstdint>
#include <unordered_map>

#include "gsoc/signatures/IpAddress.hpp"
#include "gsoc/signatures/MatchInput.hpp"
#include "gsoc/signatures/Rule.hpp"

namespace gsoc::signatures {

class ThresholdTracker {
 public:
  explicit ThresholdTracker(std::size_t max_entries = 1 << 20) : max_entries_(max_entries) {}

  // True when this hit should be reported.
  bool allow(std::uint32_t rule_index, const Threshold& threshold, const PacketMeta& m);
  [[nodiscard]] std::uint64_t evictions() const { return evictions_; }
  [[nodiscard]] std::size_t size() const { return entries_.size(); }

 private:
  struct Key {
    std::uint32_t rule;
    std::uint8_t type;
    u128 a;
    u128 b;
    std::uint64_t c = 0;  // by_flow: ports and protocol
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const {
      std::uint64_t h = k.rule * 0x9E3779B97F4A7C15ULL ^ k.type;
      for (const u128 v : {k.a, k.b}) {
        h ^= static_cast<std::uint64_t>(v) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
        h ^= static_cast<std::uint64_t>(v >> 64) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
      }
      return h ^ (k.c * 0x9E3779B97F4A7C15ULL);
    }
  };
  struct State {
    std::int64_t window_start_ns = 0;
    std::uint32_t count = 0;
    std::uint32_t next = 0;  // backoff: the match count of the next report
    bool alerted = false;
  };

  std::unordered_map<Key, State, KeyHash> entries_;
  std::size_t max_entries_;
  std::uint64_t evictions_ = 0;
};

}  // namespace gsoc::signatures

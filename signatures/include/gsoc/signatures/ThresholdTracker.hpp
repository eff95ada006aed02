#pragma once
// The event filter stage: `threshold` (limit / threshold / both / backoff) and
// `detection_filter` decide whether a rule that matched is reported. Time is the packet's event
// time, passed in, so tests and replays are deterministic. Keyed by rule and tracked address(es),
// or the connection for by_flow (a later connection with the same addresses and ports continues
// its state, where Suricata keeps it in the flow).
//
// The states live in one open-addressing table (linear probing), so a new key allocates nothing
// once the table has grown to the working set. A state whose window is over is the same as no
// state (the next hit starts a new window), so when the table fills, such states are dropped
// first; only when every state is still live and the table is at its bound is everything
// forgotten, and counted (evictions) so operators can see it.

#include <cstdint>
#include <vector>

#include "gsoc/signatures/IpAddress.hpp"
#include "gsoc/signatures/MatchInput.hpp"
#include "gsoc/signatures/Rule.hpp"

namespace gsoc::signatures {

class ThresholdTracker {
 public:
  // `max_slots`: the table's bound (rounded up to a power of two); it holds up to 3/4 of that
  // many live states, 96 bytes a slot (1 << 20 slots: 96 MiB at most, where the node map it
  // replaced took about 128 MiB for its million states).
  explicit ThresholdTracker(std::size_t max_slots = 1 << 20);

  // True when this hit should be reported.
  bool allow(std::uint32_t rule_index, const Threshold& threshold, const PacketMeta& m);
  // States forgotten while still live (the table full at its bound).
  [[nodiscard]] std::uint64_t evictions() const { return evictions_; }
  // States held, live or over (an over one goes when the table next fills).
  [[nodiscard]] std::size_t size() const { return used_; }
  [[nodiscard]] std::size_t capacity() const { return slots_.size(); }

 private:
  struct Key {
    std::uint32_t rule = 0;
    std::uint8_t type = 0;
    u128 a = 0;
    u128 b = 0;
    std::uint64_t c = 0;  // by_flow: ports and protocol
    bool operator==(const Key&) const = default;
  };
  struct Slot {
    Key key;
    std::int64_t window_start_ns = 0;
    std::int64_t window_end_ns = 0;  // window_start_ns + the threshold's seconds; backoff: never
    std::uint32_t count = 0;
    std::uint32_t next = 0;  // backoff: the match count of the next report
    bool alerted = false;
    bool used = false;
  };

  static std::size_t hash(const Key& k);
  // The slot for `key`: its state, or a free slot (not yet marked used) where it goes.
  Slot& find(const Key& key);
  // Room for one more state: drops the states that are over, grows, or (at the bound, all live)
  // forgets everything.
  void makeRoom(std::int64_t now_ns);
  void rehash(std::size_t slots, std::int64_t now_ns);

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
  std::size_t max_slots_;
  std::uint64_t evictions_ = 0;
};

}  // namespace gsoc::signatures

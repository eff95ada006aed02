#pragma once
// Objects of one kind kept for reuse by one worker (Suricata's pools, DPDK's per-lcore caches):
// take() hands out an object given back earlier, with the capacity it had grown (strings,
// vectors), or a new one when none is free; give() keeps an object for later. The list holds at
// most `cap` objects: past that, a given object is let go (freed) and counted. take() never
// fails, so no flow ever goes without state for want of a pooled object; what the list saves is
// the allocations.
//
// Objects are owned by value (strings, std::unique_ptr): whoever holds one owns it, and one that
// is never given back (its flow ended without the stage seeing it) is freed as usual. Not thread-
// safe: one list per worker.
//
// in_use counts takes less gives: an object its holder frees instead of giving back stays
// counted, so the holders give back everything they take (flow end, connection close).

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace gsoc {

struct FreeListCounters {
  std::uint64_t created = 0;   // take() found the list empty: a fresh allocation
  std::uint64_t reused = 0;    // take() handed out an object given back earlier
  std::uint64_t released = 0;  // given back but let go: the list was full (or the object too large, discard())
  std::uint64_t in_use = 0;    // taken and not given back yet (live flows' objects; see take())
  std::uint64_t high_water = 0;  // the most in_use at once
  std::uint64_t kept = 0;      // free objects held for reuse (filled in by counters())
  void merge(const FreeListCounters& o) {  // over workers: high_water becomes the sum of theirs
    created += o.created;
    reused += o.reused;
    released += o.released;
    in_use += o.in_use;
    high_water += o.high_water;
    kept += o.kept;
  }
};

template <typename T>
class FreeList {
 public:
  explicit FreeList(std::size_t cap) : cap_(cap) {}

  // A free object, or make() when there is none.
  template <typename Make>
  T take(Make&& make) {
    counters_.high_water = std::max(counters_.high_water, ++counters_.in_use);
    if (free_.empty()) {
      ++counters_.created;
      return make();
    }
    ++counters_.reused;
    T object = std::move(free_.back());
    free_.pop_back();
    return object;
  }
  // Keeps `object` (the caller has reset it to its empty state) for a later take().
  void give(T object) {
    returned();
    if (free_.size() >= cap_) {
      ++counters_.released;
      return;
    }
    free_.push_back(std::move(object));
  }

  // An object taken from this list comes back but is not worth keeping (too large): it is let go.
  void discard([[maybe_unused]] T object) {  // freed as the parameter goes out of scope
    returned();
    ++counters_.released;
  }

  [[nodiscard]] std::size_t size() const { return free_.size(); }
  [[nodiscard]] std::size_t cap() const { return cap_; }
  [[nodiscard]] FreeListCounters counters() const {
    FreeListCounters c = counters_;
    c.kept = free_.size();
    return c;
  }

 private:
  void returned() {
    if (counters_.in_use > 0) --counters_.in_use;
  }

  std::size_t cap_;
  std::vector<T> free_;
  FreeListCounters counters_;
};

}  // namespace gsoc

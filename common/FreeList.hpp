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

#include <cstdint>
#include <utility>
#include <vector>

namespace gsoc {

struct FreeListCounters {
  std::uint64_t created = 0;   // take() found the list empty
  std::uint64_t reused = 0;    // take() handed out an object given back earlier
  std::uint64_t released = 0;  // give() found the list full and let the object go
};

template <typename T>
class FreeList {
 public:
  explicit FreeList(std::size_t cap) : cap_(cap) {}

  // A free object, or make() when there is none.
  template <typename Make>
  T take(Make&& make) {
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
    if (free_.size() >= cap_) {
      ++counters_.released;
      return;
    }
    free_.push_back(std::move(object));
  }

  [[nodiscard]] std::size_t size() const { return free_.size(); }
  [[nodiscard]] std::size_t cap() const { return cap_; }
  [[nodiscard]] const FreeListCounters& counters() const { return counters_; }

 private:
  std::size_t cap_;
  std::vector<T> free_;
  FreeListCounters counters_;
};

}  // namespace gsoc

#pragma once
// ReorderQueue: the correlator's reorder buffer, a priority queue keyed by event time for items
// that arrive roughly in time order. It holds every event of the allowed lateness (hundreds of
// thousands at line rate, far beyond the caches), where a binary heap spends its time on cache
// misses, a dozen per event. Instead items go into buckets of kBucketNs of event time (a hash map
// from bucket to items: the buckets being filled are the latest few, and stay in cache), a small
// heap orders the bucket numbers, and a bucket is sorted once, when its turn comes. Items that
// arrive for the bucket being drained, or an earlier one, join it in sorted position.
//
// Items are pushed with their event time; `later(a, b)` is true when a comes after b (time first,
// then whatever breaks ties). It is passed to each call rather than stored, so it may look at
// state the owner keeps (the correlator's event slots). Emptied buckets keep their capacity for
// reuse, so a warmed-up queue allocates nothing.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

namespace gsoc::collector {

template <typename T>
class ReorderQueue {
 public:
  static constexpr std::int64_t kBucketNs = std::int64_t{1} << 20;  // about 1 ms

  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] std::size_t size() const { return size_; }

  template <typename Later>
  void push(const T& item, std::int64_t ts, Later later) {
    ++size_;
    const std::int64_t bucket = bucketOf(ts);
    if (draining_ && bucket <= drained_bucket_) {
      // Drained back to front: the earliest item is last.
      auto at = std::lower_bound(drain_.begin(), drain_.end(), item, [&](const T& a, const T& b) { return later(a, b); });
      drain_.insert(at, item);
      return;
    }
    auto [it, inserted] = buckets_.try_emplace(bucket);
    if (inserted) {
      if (!spare_.empty()) {
        it->second = std::move(spare_.back());
        spare_.pop_back();
      }
      order_.push_back(bucket);
      std::push_heap(order_.begin(), order_.end(), std::greater<>());
    }
    it->second.push_back(item);
  }

  // The earliest item; the queue must not be empty.
  template <typename Later>
  [[nodiscard]] const T& front(Later later) {
    if (drain_.empty()) open(later);
    return drain_.back();
  }

  // The item k places after the front when the bucket being drained holds it (nullptr when not):
  // for prefetching what the next items will need.
  [[nodiscard]] const T* ahead(std::size_t k) const { return k < drain_.size() ? &drain_[drain_.size() - 1 - k] : nullptr; }

  template <typename Later>
  void pop(Later later) {
    if (drain_.empty()) open(later);
    drain_.pop_back();
    --size_;
  }

 private:
  static std::int64_t bucketOf(std::int64_t ts) { return ts >= 0 ? ts / kBucketNs : (ts + 1) / kBucketNs - 1; }

  // Makes the earliest bucket the one being drained, sorted latest first.
  template <typename Later>
  void open(Later later) {
    std::pop_heap(order_.begin(), order_.end(), std::greater<>());
    drained_bucket_ = order_.back();
    order_.pop_back();
    auto it = buckets_.find(drained_bucket_);
    spare_.push_back(std::move(drain_));
    drain_ = std::move(it->second);
    buckets_.erase(it);
    draining_ = true;
    std::sort(drain_.begin(), drain_.end(), [&](const T& a, const T& b) { return later(a, b); });
  }

  std::unordered_map<std::int64_t, std::vector<T>> buckets_;  // buckets not yet being drained
  std::vector<std::int64_t> order_;                           // their numbers, a min-heap
  std::vector<T> drain_;                                      // the bucket being drained (and earlier arrivals)
  std::int64_t drained_bucket_ = 0;
  bool draining_ = false;
  std::vector<std::vector<T>> spare_;  // emptied buckets, for their capacity
  std::size_t size_ = 0;
};

}  // namespace gsoc::collector

#pragma once
// A set of unsigned values stored as sorted, disjoint, inclusive intervals. Address and port
// expressions (lists, ranges, negation, variables) reduce to one of these, so a header check is a
// binary search however the rule wrote it.

#include <algorithm>
#include <utility>
#include <vector>

namespace gsoc::signatures {

template <typename T>
class IntervalSet {
 public:
  using Interval = std::pair<T, T>;  // inclusive

  static IntervalSet all(T min, T max) {
    IntervalSet set;
    set.intervals_.emplace_back(min, max);
    return set;
  }

  void add(T lo, T hi) {
    intervals_.emplace_back(lo, hi);
    normalize();
  }

  void unite(const IntervalSet& other) {
    intervals_.insert(intervals_.end(), other.intervals_.begin(), other.intervals_.end());
    normalize();
  }

  // Everything in [min, max] not in this set.
  [[nodiscard]] IntervalSet complement(T min, T max) const {
    IntervalSet out;
    T next = min;
    bool open = true;
    for (const auto& [lo, hi] : intervals_) {
      if (lo > next) out.intervals_.emplace_back(next, lo - 1);
      if (hi == max) {
        open = false;
        break;
      }
      next = hi + 1;
    }
    if (open && (intervals_.empty() || intervals_.back().second < max)) out.intervals_.emplace_back(next, max);
    return out;
  }

  [[nodiscard]] IntervalSet minus(const IntervalSet& other, T min, T max) const {
    return intersect(other.complement(min, max));
  }

  [[nodiscard]] IntervalSet intersect(const IntervalSet& other) const {
    IntervalSet out;
    std::size_t i = 0, j = 0;
    while (i < intervals_.size() && j < other.intervals_.size()) {
      const T lo = std::max(intervals_[i].first, other.intervals_[j].first);
      const T hi = std::min(intervals_[i].second, other.intervals_[j].second);
      if (lo <= hi) out.intervals_.emplace_back(lo, hi);
      if (intervals_[i].second < other.intervals_[j].second) ++i; else ++j;
    }
    return out;
  }

  [[nodiscard]] bool contains(T value) const {
    auto it = std::upper_bound(intervals_.begin(), intervals_.end(), value,
                               [](T v, const Interval& iv) { return v < iv.first; });
    if (it == intervals_.begin()) return false;
    --it;
    return value <= it->second;
  }

  [[nodiscard]] bool empty() const { return intervals_.empty(); }
  [[nodiscard]] const std::vector<Interval>& intervals() const { return intervals_; }
  bool operator==(const IntervalSet&) const = default;

 private:
  void normalize() {
    std::sort(intervals_.begin(), intervals_.end());
    std::vector<Interval> merged;
    for (const auto& iv : intervals_) {
      if (!merged.empty() && (iv.first <= merged.back().second ||
                              (merged.back().second != static_cast<T>(~T{0}) && iv.first == merged.back().second + 1))) {
        merged.back().second = std::max(merged.back().second, iv.second);
      } else {
        merged.push_back(iv);
      }
    }
    intervals_ = std::move(merged);
  }

  std::vector<Interval> intervals_;
};

}  // namespace gsoc::signatures

#pragma once
// Analytic: the state and logic of one correlation rule, in the observe / reduce / threshold
// shape of Zeek's SumStats. The CampaignCorrelator owns the event-time machinery every rule
// shares (per-sensor watermarks, the reorder buffer, reading each event once) and hands each
// analytic the events its rule selects, one group (the values of its group_by fields) at a time;
// the analytic reduces them into its groups' state and, when its threshold is crossed, raises a
// CorrelationHit or an update of one. One class per rule type: WindowCountAnalytic (event_count,
// value_count), StagedAnalytic (temporal, temporal_ordered), NewValueAnalytic, BeaconingAnalytic
// and RateSurgeAnalytic; makeAnalytic() picks it.
//
// What most of them keep is a Window per group: the events of the last `timespan` (time order,
// late events inserted in place), the distinct counted values, and whether and when the group
// raised its hit, so that within `suppress` a growing group updates the hit instead of raising
// another.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collector/correlate/CorrelationHit.hpp"
#include "collector/correlate/CorrelationRule.hpp"

namespace gsoc::collector {

// What an analytic sees of one event: read once by the correlator, valid during observe().
struct EventView {
  std::int64_t ts = 0;
  std::string_view event_id;
  std::string_view agency;
  std::string_view src_ip;  // raw bytes
  std::string_view dst_ip;
  std::string_view indicator;  // the event's main observable (indicatorOf)
  bool late = false;           // behind the processed frontier (a sensor's backlog)
};

// What became of an event in the analytics: for the correlator's count of late events that
// could join nothing.
struct Placement {
  bool placed = false;   // it joined a window, or was decided (a known name, one check-in)
  bool too_old = false;  // a window refused it as older than its span
};

// Where hits go, and how many there were.
struct HitLog {
  std::vector<CorrelationHit> hits;
  std::uint64_t raised = 0;
  std::uint64_t updates = 0;
};

// Hash maps keyed by a group's packed key (its values, each prefixed by its length), looked up
// by string_view: one hash lookup per event and rule.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
};
template <typename T>
using KeyMap = std::unordered_map<std::string, T, KeyHash, std::equal_to<>>;

// Appends one value to a packed key, prefixed by its length, so ("a|b") and ("a", "b") differ.
inline void appendKeyPart(std::string& packed, std::string_view v) {
  const auto n = static_cast<std::uint32_t>(v.size());
  packed.append(reinterpret_cast<const char*>(&n), sizeof n);
  packed.append(v);
}

// A FIFO over a vector: unlike std::deque it allocates nothing until used, and most groups (one
// per domain, host, sender) stay small.
template <typename T>
class Fifo {
 public:
  [[nodiscard]] bool empty() const { return head_ == items_.size(); }
  [[nodiscard]] std::size_t size() const { return items_.size() - head_; }
  const T& front() const { return items_[head_]; }
  const T& back() const { return items_.back(); }
  const T& operator[](std::size_t i) const { return items_[head_ + i]; }
  void push_back(T v) { items_.push_back(std::move(v)); }
  // Inserts in order of `ts` (after equal ones): a late event's place in a window.
  void insertByTime(T v) {
    auto at = std::upper_bound(items_.begin() + static_cast<std::ptrdiff_t>(head_), items_.end(), v.ts,
                               [](std::int64_t t, const T& e) { return t < e.ts; });
    items_.insert(at, std::move(v));
  }
  void pop_front() {
    if (++head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= 64 && head_ * 2 >= items_.size()) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }
  auto begin() const { return items_.begin() + static_cast<std::ptrdiff_t>(head_); }
  auto end() const { return items_.end(); }

 private:
  std::vector<T> items_;
  std::size_t head_ = 0;
};

class Analytic {
 public:
  Analytic(CorrelationRule rule, HitLog& log) : rule_(std::move(rule)), log_(log) {}
  virtual ~Analytic() = default;
  Analytic(const Analytic&) = delete;
  Analytic& operator=(const Analytic&) = delete;

  [[nodiscard]] const CorrelationRule& rule() const { return rule_; }
  // One event in one group: `key` is the group's packed key, `values` its group_by values;
  // `counted` the values of the rule's `field`; `stages` (staged rules) the stages it matches.
  virtual void observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
                       std::span<const std::string> counted, std::uint64_t stages, Placement& placement) = 0;
  // Event time reached `now`: decisions due by then (new_value's settle). Returns the earliest
  // time another one is due (INT64_MAX: none).
  virtual std::int64_t advance(std::int64_t /*now*/) { return INT64_MAX; }
  // The earliest time a decision is due (INT64_MAX: none).
  [[nodiscard]] virtual std::int64_t nextDue() const { return INT64_MAX; }
  // Forgets state idle for longer than the rule's horizon; returns the state left.
  virtual std::uint64_t sweep(std::int64_t now) = 0;

 protected:
  struct Entry {
    std::int64_t ts;
    std::string event_id;
    std::string value;  // the counted value
    int stage;          // staged rules: which stage the event matched
    std::string agency;
  };
  struct Window {
    std::vector<std::string> key;  // the group_by values
    Fifo<Entry> window;
    std::map<std::string, std::uint64_t> value_counts;
    bool raised = false;
    std::int64_t raised_at = 0;
    std::uint64_t raised_measure = 0;
    std::int64_t last_ts = INT64_MIN;  // latest event of the group, window or not
  };
  static constexpr std::size_t kMaxWindow = 1024;  // per group, for rules that need no more

  // Drops entries older than the timespan before the group's latest event and adds the event's
  // (one per counted value), in time order. False when the event is older than the window.
  bool admit(Window& g, const EventView& event, int stage, std::span<const std::string> counted, Placement& placement);
  // Raises the group's hit, or an update of it when it grew within the suppression. `distinct`:
  // the measure is the number of distinct values (else of events).
  void raise(Window& g, const EventView& event, bool distinct);
  template <typename G>
  static G& groupOf(KeyMap<G>& groups, const std::string& key, const std::vector<const std::string*>& values) {
    auto [it, inserted] = groups.try_emplace(key);
    if (inserted) {
      for (const std::string* v : values) it->second.key.push_back(*v);
    }
    return it->second;
  }
  template <typename G>
  std::uint64_t sweepIdle(KeyMap<G>& groups, std::int64_t now) const {
    const std::int64_t keep = rule_.horizon();
    std::erase_if(groups, [&](const auto& kv) { return kv.second.last_ts < now - keep; });
    return groups.size();
  }

  CorrelationRule rule_;
  HitLog& log_;
};

std::unique_ptr<Analytic> makeAnalytic(CorrelationRule rule, HitLog& log);

}  // namespace gsoc::collector

#pragma once
// CampaignCorrelator: runs correlation rules over events in event time. Each source (a sensor;
// the agency when an event names no sensor) has its own watermark: the latest event time it sent
// minus `allowed_lateness`. Events wait in a reorder buffer until the watermark of every live
// source passes them, and are then processed in (time, event id) order, so the same events give
// the same hits whatever order they arrived in. A source more than `max_source_lag` behind the
// most advanced one is not live: a stalled or silent sensor does not hold back everyone else's
// warnings.
//
// An event older than what was already processed (a sensor replaying a day-old spool after an
// outage, or one that started late) is not dropped: it waits in its own source's reorder buffer
// for that source's watermark, is processed out of the global order, joins the windows that
// are still open around its time, and the hits it raises or grows are marked `late`. Only an
// event older than every window it could join (its group has moved on by more than the
// timespan, or its group was forgotten) can change nothing; it is counted (late_unplaced).
//
// Per rule and group (the values of the rule's group_by fields) the correlator keeps a sliding
// window of `timespan`. When the rule's condition holds, it raises a hit; within `suppress` of
// that, a group that grows (more distinct values; twice the events) raises an update of the same
// hit rather than a new one. Time comes only from the events, never from a clock.
//
// An event is read once, when it arrives: the values its rules group and count by are copied
// into a reused slot, and the event itself is not kept.
//
// State is bounded: beaconing, temporal and temporal_ordered groups keep their latest
// kMaxWindow events (their conditions need no more; evidence and counts are of those), a
// new_value group drops its window once its value is no longer new, and groups idle for longer
// than their rule's horizon (timespan + suppress + baseline) are dropped as time moves on.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collector/correlate/CorrelationRule.hpp"
#include "collector/correlate/ReorderQueue.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {

struct CorrelationHit {
  std::string rule_id;
  std::string title;
  std::string severity;
  std::vector<std::string> group;        // the group_by values, in the rule's order
  bool update = false;                   // false: a new hit; true: an earlier hit of this group grew
  std::int64_t first_ns = 0;             // oldest evidence in the window
  std::int64_t last_ns = 0;              // the event that raised it
  std::uint64_t events = 0;              // events in the window
  std::vector<std::string> values;       // value_count: the distinct values, sorted
  std::vector<std::string> evidence;     // event ids in time order (at most kMaxEvidence)
  std::vector<std::string> agencies;     // distinct agencies in the window, sorted
  std::int64_t raised_ns = 0;            // when this group's hit was first raised (same for its updates)
  bool late = false;                     // raised or grown by an event behind the processed frontier
  std::string last_src;                  // addresses of the raising event (text; "" when none)
  std::string last_dst;
  std::string last_indicator;            // the raising event's main observable (sender, name, ...)
  static constexpr std::size_t kMaxEvidence = 50;
};

struct CorrelatorCounters {
  std::uint64_t events = 0;
  std::uint64_t late_events = 0;     // processed behind the frontier (a lagging source's backlog)
  std::uint64_t late_unplaced = 0;   // of those, events older than every window they could join
  std::uint64_t lagging_sources = 0; // now: sources more than max_source_lag behind
  std::uint64_t hits = 0;
  std::uint64_t updates = 0;
  std::uint64_t buffered = 0;  // now, waiting for the watermark
};

// A group's values joined by '|': the store's group_key, and a surging group's label.
std::string joinGroup(const std::vector<std::string>& group);

class CampaignCorrelator {
 public:
  // max_source_lag_ns: 0 means the allowed lateness.
  CampaignCorrelator(std::vector<CorrelationRule> rules, std::int64_t allowed_lateness_ns, std::int64_t max_source_lag_ns = 0);

  // The event's event_id, agency_id and timestamp_ns must be set (the store's events are).
  void add(const gsoc::v1::Event& event);
  // End of input: processes everything still buffered.
  void flush();
  // Hits raised since the last call, in the order they were raised.
  std::vector<CorrelationHit> takeHits();
  [[nodiscard]] CorrelatorCounters counters() const;
  // Event time up to which events have been processed (INT64_MIN before the first).
  [[nodiscard]] std::int64_t processedThrough() const { return released_through_; }

 private:
  struct Entry {
    std::int64_t ts;
    std::string event_id;
    std::string value;  // value_count: the counted value
    int stage;          // staged rules: which stage the event matched
    std::string agency;
  };
  // A FIFO over a vector: unlike std::deque it allocates nothing until used, and most groups
  // (one per domain, host, sender) stay small.
  template <typename T>
  class Fifo {
   public:
    [[nodiscard]] bool empty() const { return head_ == items_.size(); }
    [[nodiscard]] std::size_t size() const { return items_.size() - head_; }
    const T& front() const { return items_[head_]; }
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
  using GroupKey = std::vector<std::string>;
  struct Group {
    GroupKey key;  // the group_by values
    Fifo<Entry> window;
    std::map<std::string, std::uint64_t> value_counts;
    bool raised = false;
    std::int64_t raised_at = 0;
    std::uint64_t raised_measure = 0;
    std::int64_t last_ts = INT64_MIN;  // latest event of the group, window or not
    // temporal: the latest time each stage was seen; temporal_ordered: the latest start of a
    // chain of stages 0..k in order (INT64_MIN: none). O(stages) per event, whatever the window.
    std::vector<std::int64_t> stage_ts;
    std::int64_t since = 0;            // new_value: first sighting after a baseline-long silence
    std::int64_t parent_since = INT64_MIN;  // new_value with new_domain: the same, for its registered domain
    std::map<std::string, std::int64_t> hosts;  // new_value with max_hosts: internal hosts, last contact
    // new_value with settle: when the group is to be decided (0: not pending), and the latest
    // event, which a hit then names.
    std::int64_t pending_due = 0;
    std::int64_t pending_ts = 0;
    std::string pending_src;
    std::string pending_dst;
    std::string pending_indicator;
    // rate_surge: the open bucket, and counts of the closed ones within the baseline
    std::int64_t first_ts = 0;
    std::int64_t bucket = INT64_MIN;
    std::uint64_t bucket_count = 0;
    std::uint64_t threshold = 0;       // 0: still learning its baseline
    Fifo<std::pair<std::int64_t, std::uint64_t>> closed;
    std::uint64_t closed_sum = 0;
  };
  // Groups by their packed key (the values, each prefixed by its length): one hash lookup per
  // event and rule, not a tree walk comparing vectors of strings.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view k) const { return std::hash<std::string_view>{}(k); }
  };
  using GroupMap = std::unordered_map<std::string, Group, KeyHash, std::equal_to<>>;
  struct RuleState {
    CorrelationRule rule;
    GroupMap groups;
    GroupMap surges;  // rate_surge: the surging groups' events (one key unless gte is 1)
    // beaconing: per destination, the rare + 1 groups (packed keys) that contacted it last, and
    // when. That is all rareness needs: more than `rare` of them within the timespan, or not.
    struct Contact {
      std::string group;
      std::int64_t ts;
    };
    std::unordered_map<std::string, std::vector<Contact>, KeyHash, std::equal_to<>> contacts;
    std::int64_t first_ts = INT64_MIN;  // new_value: the first event, to know when a baseline was seen
    // new_value with new_domain: per registered domain, its first sighting after a baseline-long
    // silence and its latest.
    struct Seen {
      std::int64_t since = INT64_MIN;
      std::int64_t last = INT64_MIN;
    };
    std::unordered_map<std::string, Seen, KeyHash, std::equal_to<>> parents;
    std::vector<std::pair<std::int64_t, std::string>> pending;  // new_value with settle: (due, packed key)
  };
  // What the rules need of one held event. The slots are reused and their strings keep their
  // capacity, so holding an event allocates nothing once the slots have warmed up.
  struct HeldEvent {
    struct Range {
      std::uint32_t first = 0;
      std::uint32_t count = 0;
    };
    struct RuleValues {
      std::uint32_t rule = 0;
      std::uint64_t stages = 0;  // staged rules: bit s when the event matches stage s
      std::uint32_t fields = 0;  // the first group_by field's range in `ranges`
      Range value;               // the value field's values
    };
    std::int64_t ts = 0;
    std::string event_id;
    std::string agency;
    std::uint32_t source = 0;  // index into sources_
    std::string src_ip;  // raw bytes; formatted only for a hit
    std::string dst_ip;
    std::string indicator;  // its main observable (indicatorOf), named in a hit it raises
    std::vector<RuleValues> rules;  // the rules that select the event, in rule order
    std::vector<Range> ranges;      // per rule, one per group_by field: its values, sorted and unique
    FieldValues values;
  };
  // The reorder buffer: events in slots, released in (time, event id) order.
  struct Held {
    std::int64_t ts;
    std::uint32_t slot;
  };
  // One sensor (or agency) sending events: its watermark, and its own reorder buffer for the
  // events that arrive behind the processed frontier.
  struct Source {
    std::string id;
    std::int64_t max_ts = INT64_MIN;
    ReorderQueue<Held> behind;
  };
  bool later(const Held& a, const Held& b) const;
  std::uint32_t sourceOf(const gsoc::v1::Event& event);
  std::int64_t liveWatermark() const;
  void releaseBehind(Source& source, std::int64_t watermark);
  static constexpr std::size_t kMaxWindow = 1024;

  bool read(const gsoc::v1::Event& event, HeldEvent& held);
  static void prefetchSlot(const HeldEvent& e);
  static void prefetchLists(const HeldEvent& e);
  void release(std::int64_t watermark);
  void process(const HeldEvent& event, bool late);
  Group& groupOf(GroupMap& groups, const std::string& packed, const std::vector<const std::string*>& values);
  void apply(RuleState& state, const HeldEvent& event, Group& g, int stage, std::span<const std::string> values);
  void applyBeaconing(RuleState& state, const HeldEvent& event, std::span<const std::string> values);
  void applySurge(RuleState& state, const HeldEvent& event, Group& g);
  // False when the event is older than the group's window (a late event that can join nothing).
  bool admit(const CorrelationRule& rule, Group& g, const HeldEvent& event, int stage, std::span<const std::string> values);
  bool destinationIsRare(RuleState& state, const std::string& destination, std::int64_t ts);
  bool conditionHolds(const RuleState& state, const Group& g, std::int64_t ts) const;
  bool regular(const CorrelationRule& rule, const Group& g);
  static std::uint64_t surgeThreshold(const CorrelationRule& rule, const Group& g);
  std::uint64_t recentHosts(const CorrelationRule& rule, const Group& g) const;
  std::uint64_t measure(const CorrelationRule& rule, const Group& g) const;
  // What a hit names of the event that raised it.
  struct Raiser {
    std::int64_t ts;
    std::string_view src_ip;  // raw bytes
    std::string_view dst_ip;
    std::string_view indicator;
  };
  static Raiser raiserOf(const HeldEvent& e) { return {e.ts, e.src_ip, e.dst_ip, e.indicator}; }
  void raise(const CorrelationRule& rule, Group& g, const Raiser& event);
  void settleDue(std::int64_t now);
  std::uint64_t sweep(std::int64_t now);  // returns the state left: groups and destinations

  std::vector<RuleState> rules_;
  std::int64_t lateness_;
  std::int64_t max_lag_;
  std::vector<Source> sources_;
  std::unordered_map<std::string, std::uint32_t, KeyHash, std::equal_to<>> source_index_;
  bool late_ = false;     // the event being processed is behind the frontier
  bool placed_ = false;   // it joined a window (or was decided: a known name, a check-in)
  bool too_old_ = false;  // a window refused it as older than its span
  std::int64_t next_due_ = INT64_MAX;  // the earliest pending new_value decision
  std::deque<HeldEvent> slots_;  // a deque: growing never moves the held events
  std::vector<std::uint32_t> free_slots_;
  ReorderQueue<Held> queue_;
  std::int64_t max_ts_ = INT64_MIN;
  std::int64_t released_through_ = INT64_MIN;
  std::vector<CorrelationHit> hits_;
  CorrelatorCounters counters_;
  FieldValues scratch_;
  std::string packed_;                      // the group key being looked up
  std::vector<const std::string*> combo_;   // its values
  std::vector<std::uint32_t> pick_;         // which value of each group_by field
  std::vector<Group*> groups_;              // the event's groups for the rule being processed
  std::string beacon_key_;
  std::vector<std::int64_t> intervals_;
  std::uint64_t since_sweep_ = 0;
  std::uint64_t sweep_after_ = 0;  // released events until the next sweep: at least the state swept last
};

}  // namespace gsoc::collector

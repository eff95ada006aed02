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
// Each rule's own state and logic is an Analytic (collector/correlate/Analytic.hpp), one class
// per rule type; the correlator hands each the events its rule selects, one group (the values of
// its group_by fields) at a time, in event time. Time comes only from the events, never from a
// clock.
//
// An event is read once, when it arrives: the values its rules group and count by are copied
// into a reused slot, and the event itself is not kept. State is bounded: groups idle for longer
// than their rule's horizon (timespan + suppress + baseline) are swept as time moves on.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collector/correlate/Analytic.hpp"
#include "collector/correlate/CorrelationHit.hpp"
#include "collector/correlate/CorrelationRule.hpp"
#include "collector/correlate/FirstSightings.hpp"
#include "collector/correlate/ReorderQueue.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {

struct CorrelatorCounters {
  std::uint64_t events = 0;
  std::uint64_t late_events = 0;     // processed behind the frontier (a lagging source's backlog)
  std::uint64_t late_unplaced = 0;   // of those, events older than every window they could join
  std::uint64_t lagging_sources = 0; // now: sources more than max_source_lag behind
  std::uint64_t hits = 0;
  std::uint64_t updates = 0;
  std::uint64_t buffered = 0;  // now, waiting for the watermark
};

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
      Range unfamiliar;          // the `unfamiliar` filter's field's values
    };
    std::int64_t ts = 0;
    std::string event_id;
    std::string agency;
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

  bool read(const gsoc::v1::Event& event, HeldEvent& held);
  static void prefetchSlot(const HeldEvent& e);
  static void prefetchLists(const HeldEvent& e);
  void release(std::int64_t watermark);
  void process(const HeldEvent& event, bool late);
  void advance(std::int64_t now);  // analytics' decisions due by `now`
  std::uint64_t sweep(std::int64_t now);  // returns the state left

  HitLog log_;
  std::vector<std::unique_ptr<Analytic>> rules_;  // one per rule, in file order
  std::vector<std::unique_ptr<FirstSightings>> sightings_;  // per rule with `unfamiliar`, else null
  std::int64_t lateness_;
  std::int64_t max_lag_;
  std::vector<Source> sources_;
  std::unordered_map<std::string, std::uint32_t, KeyHash, std::equal_to<>> source_index_;
  std::int64_t next_due_ = INT64_MAX;  // the earliest decision an analytic has due
  std::deque<HeldEvent> slots_;  // a deque: growing never moves the held events
  std::vector<std::uint32_t> free_slots_;
  ReorderQueue<Held> queue_;
  std::int64_t max_ts_ = INT64_MIN;
  std::int64_t min_ts_ = INT64_MAX;  // the first event's time: when learning periods begin
  std::int64_t released_through_ = INT64_MIN;
  CorrelatorCounters counters_;
  FieldValues scratch_;
  std::string packed_;                      // the group key being looked up
  std::vector<const std::string*> combo_;   // its values
  std::vector<std::uint32_t> pick_;         // which value of each group_by field
  std::uint64_t since_sweep_ = 0;
  std::uint64_t sweep_after_ = 0;  // released events until the next sweep: at least the state swept last
};

}  // namespace gsoc::collector

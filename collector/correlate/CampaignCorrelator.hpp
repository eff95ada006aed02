#pragma once
// CampaignCorrelator: runs correlation rules over events in event time. Events may arrive in any
// order up to `allowed_lateness`: they wait in a reorder buffer until the watermark (the latest
// event time seen minus the lateness) passes them, and are then processed in (time, event id)
// order, so the same events give the same hits whatever order they arrived in. An event older
// than one already processed (it arrived after the watermark passed it) is counted as late and
// left out.
//
// Per rule and group (the values of the rule's group_by fields) the correlator keeps a sliding
// window of `timespan`. When the rule's condition holds, it raises a hit; within `suppress` of
// that, a group that grows (more distinct values; twice the events) raises an update of the same
// hit rather than a new one. Time comes only from the events, never from a clock.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "collector/correlate/CorrelationRule.hpp"
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
  std::string last_src;                  // addresses of the raising event (text; "" when none)
  std::string last_dst;
  static constexpr std::size_t kMaxEvidence = 50;
};

struct CorrelatorCounters {
  std::uint64_t events = 0;
  std::uint64_t late_events = 0;
  std::uint64_t hits = 0;
  std::uint64_t updates = 0;
  std::uint64_t buffered = 0;  // now, waiting for the watermark
};

class CampaignCorrelator {
 public:
  CampaignCorrelator(std::vector<CorrelationRule> rules, std::int64_t allowed_lateness_ns);

  // The event's event_id, agency_id and timestamp_ns must be set (the store's events are).
  void add(gsoc::v1::Event event);
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
  struct Group {
    std::deque<Entry> window;
    std::map<std::string, std::uint64_t> value_counts;
    bool raised = false;
    std::int64_t raised_at = 0;
    std::uint64_t raised_measure = 0;
  };
  struct RuleState {
    CorrelationRule rule;
    std::map<std::vector<std::string>, Group> groups;
  };
  using Key = std::pair<std::int64_t, std::string>;  // (time, event id): the processing order

  void release(std::int64_t watermark);
  void process(const gsoc::v1::Event& event);
  void apply(RuleState& state, const gsoc::v1::Event& event, const std::vector<std::string>& group, int stage,
             const std::vector<std::string>& values);
  bool conditionHolds(const CorrelationRule& rule, const Group& g) const;
  std::uint64_t measure(const CorrelationRule& rule, const Group& g) const;

  std::vector<RuleState> rules_;
  std::int64_t lateness_;
  std::map<Key, gsoc::v1::Event> buffer_;
  std::int64_t max_ts_ = INT64_MIN;
  std::int64_t released_through_ = INT64_MIN;
  std::vector<CorrelationHit> hits_;
  CorrelatorCounters counters_;
  std::vector<std::string> scratch_;
};

}  // namespace gsoc::collector

#pragma once
// CorrelationHit: what a correlation rule raises when its condition holds for a group, or an
// update of it when the group grows within the suppression: the rule, the group, the window's
// span, events, distinct values, agencies and evidence, and the event that raised it. The
// CampaignPublisher turns hits into campaigns, warnings and notices; the store records each.

#include <cstdint>
#include <string>
#include <vector>

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

// A group's values joined by '|': the store's group_key, and a surging group's label.
std::string joinGroup(const std::vector<std::string>& group);

}  // namespace gsoc::collector

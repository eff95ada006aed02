#pragma once
// CorrelationRule: one cross-event analytic, in the spirit of Sigma correlation rules, read from
// YAML by loadCorrelationRules(). Seven types:
//   event_count      at least `gte` matching events per group within `timespan`
//   value_count      at least `gte` distinct values of `field` per group within `timespan`
//                    (e.g. distinct agency_id: the same attachment at several agencies)
//   temporal         every stage seen per group within `timespan`, in any order
//   temporal_ordered the stages in order per group within `timespan` (attack progression)
//   beaconing        a group (an internal host) contacting one value of `field` (a destination)
//                    at least `gte` times within `timespan` at regular intervals: `regularity`
//                    of the intervals within `jitter` of their median (at least 30 s), and the
//                    destination `rare`: contacted by at most that many groups in the window;
//                    `slow: {gte, min_period, max_period, jitter}`: that many check-ins
//                    suffice when their median interval is within the range (an implant
//                    checking in hourly), and within that (tighter) jitter
//   new_value        value_count for a group value (a domain) not seen in the `baseline` before
//                    its first sighting in the window; nothing is new during the `learning`
//                    period after the first event (default: the baseline); with `max_hosts`,
//                    only what at most that many internal hosts contacted within the window;
//                    with `new_domain`, only a name whose registered domain is new too; with
//                    `settle`, decided only once the name has been known that long (a new
//                    service everybody starts using has many hosts by then, a C2 name few)
//   rate_surge       per group (an agency) events per `bucket` against the same time of day (of
//                    week, from a 14-day baseline; `season`) in the trailing `baseline`: a bucket
//                    is a surge when its count is at least `factor` times that expectation, at
//                    least `min_events`, and at most `p_value` likely given the mean and spread
//                    of the comparable buckets (Poisson, or negative binomial when they are
//                    burstier); the same test over each of `spans` (the last 1, 3 and 6
//                    buckets by default: a long mild surge shows in the sum); with `field`
//                    and `max_per_value`, one value (a source address) counts at most that
//                    many events a bucket; `gte` groups surging within `timespan` is a hit
// `match` selects the events a rule (or a stage) looks at: every listed field must have one of
// the listed values. `unfamiliar: {field: smtp.mail_from, baseline: 14d, learning: 1d}` keeps
// only events whose field value is new to the whole constituency (any rule type). `group_by` fields split the events into independent groups. `suppress`
// keeps a group to one hit per interval: within it, a growing group updates its hit instead.
//
// File format:
//   rules:
//     - id: targeted-mail-same-attachment
//       title: Same mail attachment at several agencies
//       type: value_count
//       match: {kind: smtp}
//       group_by: [smtp.attachments.sha256]
//       field: agency_id
//       gte: 2
//       timespan: 24h          # s, m, h, d
//       suppress: 7d           # default: the timespan
//       severity: high         # low, medium, high, critical
//       raises: warning        # warning, urgent_warning, information, notice (default: none)
//       actions: [Block the sender at the mail gateway, Search mailboxes for the attachment]
//     - id: foothold-after-mail
//       type: temporal_ordered
//       group_by: [agency_id]
//       timespan: 3d
//       stages:
//         - {name: mail, match: {kind: smtp}}
//         - {name: c2, match: {alert.classtype: trojan-activity}}

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "collector/correlate/EventField.hpp"

namespace gsoc::collector {

struct EventSelection {
  struct Clause {
    EventField field;
    std::vector<std::string> any_of;
  };
  std::vector<Clause> clauses;  // all must hold; empty selects every event
  [[nodiscard]] bool matches(const gsoc::v1::Event& event, FieldValues& scratch) const;
};

struct CorrelationRule {
  enum class Type { EventCount, ValueCount, Temporal, TemporalOrdered, Beaconing, NewValue, RateSurge };
  struct Stage {
    std::string name;
    EventSelection selection;
  };
  std::string id;
  std::string title;
  Type type = Type::EventCount;
  EventSelection selection;
  std::vector<EventField> group_by;
  std::vector<EventField> value_field;  // value_count, new_value, beaconing: exactly one; rate_surge: at most one
  std::uint64_t gte = 1;
  std::int64_t timespan_ns = 0;
  std::int64_t suppress_ns = 0;
  std::string severity = "medium";
  std::vector<Stage> stages;  // temporal, temporal_ordered
  static constexpr std::size_t kMaxStages = 64;  // an event's matched stages fit one bitmask
  double jitter = 0.2;         // beaconing
  double regularity = 0.8;     // beaconing
  std::uint64_t rare = 3;      // beaconing; 0: no limit
  std::uint64_t slow_gte = 0;  // beaconing: check-ins enough for a period within the slow range; 0: off
  std::int64_t slow_min_period_ns = 3600LL * 1000000000LL;
  std::int64_t slow_max_period_ns = 6 * 3600LL * 1000000000LL;
  double slow_jitter = 0.2;    // beaconing: the jitter allowed to a slow beacon (default: `jitter`)
  std::int64_t baseline_ns = 0;  // new_value, rate_surge
  std::int64_t bucket_ns = 0;    // rate_surge
  double factor = 5.0;           // rate_surge
  std::uint64_t min_events = 10;   // rate_surge
  double p_value = 1e-6;           // rate_surge
  std::int64_t season_ns = 0;      // rate_surge: 1d or 7d (set from the baseline), 0: none
  std::vector<std::int64_t> spans_ns;  // rate_surge: the counting windows, whole buckets ending now, shortest first
  std::uint64_t max_per_value = 0;     // rate_surge: events one `field` value counts per bucket; 0: all
  std::int64_t learning_ns = 0;    // new_value
  std::uint64_t max_hosts = 0;     // new_value; 0: no limit
  std::int64_t settle_ns = 0;      // new_value: decided only once the name has been known this long
  bool new_domain = false;         // new_value
  // How far back a restart replays stored events to rebuild this rule's state.
  [[nodiscard]] std::int64_t horizon() const {
    return timespan_ns + suppress_ns + std::max({baseline_ns, learning_ns, unfamiliar.baseline_ns});
  }
  // What a hit publishes (collector/notify): "" (a campaign only), "warning" (注意喚起),
  // "urgent_warning" (警告・助言), "information" (情報提供), all to every agency; or "notice"
  // (通報) to the one agency concerned. `actions`: recommended actions, or containment steps.
  std::string raises;
  std::vector<std::string> actions;
  std::string origin;         // "file:line" of the rule, for messages
  // `unfamiliar`: the rule looks only at events whose `field` value (a mail sender) is new: first
  // seen, after `baseline` of silence, at most `timespan` before the event, and not in the first
  // `learning` (a newsletter that mails every agency every day is no campaign).
  struct Unfamiliar {
    std::vector<EventField> field;  // empty: no such filter
    std::int64_t baseline_ns = 0;
    std::int64_t learning_ns = 0;
    std::vector<std::string> known_suffixes;  // values ending so are always familiar (the constituency's own domains)
  };
  Unfamiliar unfamiliar;
};

class CorrelationRuleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads a rule file. Throws CorrelationRuleError "FILE:LINE:COLUMN: rule 'ID': reason" for the
// first problem (unknown key or type, unknown field path, missing timespan, duplicate id, ...).
std::vector<CorrelationRule> loadCorrelationRules(const std::filesystem::path& path);
std::vector<CorrelationRule> parseCorrelationRules(const std::string& text, const std::string& origin);

// "90s", "15m", "24h", "7d" to nanoseconds; throws std::invalid_argument.
std::int64_t parseDuration(const std::string& text);

}  // namespace gsoc::collector

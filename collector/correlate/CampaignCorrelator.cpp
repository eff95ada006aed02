#include "collector/correlate/CampaignCorrelator.hpp"

#include <algorithm>

#include "collector/store/EventColumns.hpp"

namespace gsoc::collector {
namespace {

// Every combination of the group_by fields' values (most fields have one value; a mail with two
// attachments belongs to two groups). Empty when a field has no value: the event has no group.
std::vector<std::vector<std::string>> groupsOf(const std::vector<EventField>& fields, const gsoc::v1::Event& event) {
  std::vector<std::vector<std::string>> out{{}};
  std::vector<std::string> values;
  for (const EventField& f : fields) {
    values.clear();
    f.values(event, values);
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    if (values.empty()) return {};
    std::vector<std::vector<std::string>> next;
    for (const auto& prefix : out) {
      for (const auto& v : values) {
        next.push_back(prefix);
        next.back().push_back(v);
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace

CampaignCorrelator::CampaignCorrelator(std::vector<CorrelationRule> rules, std::int64_t allowed_lateness_ns)
    : lateness_(allowed_lateness_ns) {
  for (auto& r : rules) rules_.push_back(RuleState{std::move(r), {}});
}

void CampaignCorrelator::add(gsoc::v1::Event event) {
  ++counters_.events;
  const std::int64_t ts = event.timestamp_ns();
  if (ts <= released_through_) {  // its window has been decided already
    ++counters_.late_events;
    return;
  }
  max_ts_ = std::max(max_ts_, ts);
  Key key{ts, event.event_id()};
  buffer_.emplace(std::move(key), std::move(event));
  release(max_ts_ - lateness_);
}

void CampaignCorrelator::flush() { release(INT64_MAX); }

void CampaignCorrelator::release(std::int64_t watermark) {
  while (!buffer_.empty() && buffer_.begin()->first.first <= watermark) {
    auto node = buffer_.extract(buffer_.begin());
    released_through_ = std::max(released_through_, node.key().first);
    process(node.mapped());
  }
  if (watermark == INT64_MAX) released_through_ = std::max(released_through_, max_ts_);
}

void CampaignCorrelator::process(const gsoc::v1::Event& event) {
  std::vector<std::string> values;
  for (RuleState& state : rules_) {
    const CorrelationRule& rule = state.rule;
    if (!rule.selection.matches(event, scratch_)) continue;
    const auto groups = groupsOf(rule.group_by, event);
    if (groups.empty()) continue;
    values.clear();
    if (rule.type == CorrelationRule::Type::ValueCount) {
      rule.value_field.front().values(event, values);
      if (values.empty()) continue;
    }
    if (rule.stages.empty()) {
      for (const auto& g : groups) apply(state, event, g, -1, values);
      continue;
    }
    for (std::size_t s = 0; s < rule.stages.size(); ++s) {
      if (!rule.stages[s].selection.matches(event, scratch_)) continue;
      for (const auto& g : groups) apply(state, event, g, static_cast<int>(s), values);
    }
  }
}

std::uint64_t CampaignCorrelator::measure(const CorrelationRule& rule, const Group& g) const {
  return rule.type == CorrelationRule::Type::ValueCount ? g.value_counts.size() : g.window.size();
}

bool CampaignCorrelator::conditionHolds(const CorrelationRule& rule, const Group& g) const {
  switch (rule.type) {
    case CorrelationRule::Type::EventCount: return g.window.size() >= rule.gte;
    case CorrelationRule::Type::ValueCount: return g.value_counts.size() >= rule.gte;
    case CorrelationRule::Type::Temporal: {
      std::vector<bool> seen(rule.stages.size(), false);
      for (const Entry& e : g.window) seen[static_cast<std::size_t>(e.stage)] = true;
      return std::all_of(seen.begin(), seen.end(), [](bool b) { return b; });
    }
    case CorrelationRule::Type::TemporalOrdered: {
      std::size_t next = 0;  // greedy: the earliest occurrence of each stage after the previous
      for (const Entry& e : g.window) {
        if (static_cast<std::size_t>(e.stage) == next && ++next == rule.stages.size()) return true;
      }
      return false;
    }
  }
  return false;
}

void CampaignCorrelator::apply(RuleState& state, const gsoc::v1::Event& event, const std::vector<std::string>& group, int stage,
                               const std::vector<std::string>& values) {
  const CorrelationRule& rule = state.rule;
  Group& g = state.groups[group];
  const std::int64_t ts = event.timestamp_ns();
  while (!g.window.empty() && g.window.front().ts < ts - rule.timespan_ns) {
    if (rule.type == CorrelationRule::Type::ValueCount) {
      auto it = g.value_counts.find(g.window.front().value);
      if (--it->second == 0) g.value_counts.erase(it);
    }
    g.window.pop_front();
  }
  if (values.empty()) {
    g.window.push_back(Entry{ts, event.event_id(), {}, stage, event.agency_id()});
  } else {
    for (const auto& v : values) {
      g.window.push_back(Entry{ts, event.event_id(), v, stage, event.agency_id()});
      ++g.value_counts[v];
    }
  }
  if (!conditionHolds(rule, g)) return;
  const std::uint64_t m = measure(rule, g);
  bool update = false;
  if (!g.raised || ts - g.raised_at >= rule.suppress_ns) {
    g.raised = true;
    g.raised_at = ts;
  } else if (rule.type == CorrelationRule::Type::ValueCount ? m > g.raised_measure : m >= 2 * g.raised_measure) {
    update = true;  // the same campaign grew: update it instead of raising another
  } else {
    return;
  }
  g.raised_measure = m;
  CorrelationHit hit;
  hit.rule_id = rule.id;
  hit.title = rule.title;
  hit.severity = rule.severity;
  hit.group = group;
  hit.update = update;
  hit.first_ns = g.window.front().ts;
  hit.last_ns = ts;
  for (const Entry& e : g.window) {
    if (hit.evidence.size() >= CorrelationHit::kMaxEvidence) break;
    if (hit.evidence.empty() || hit.evidence.back() != e.event_id) hit.evidence.push_back(e.event_id);
  }
  std::vector<std::string> ids;
  for (const Entry& e : g.window) ids.push_back(e.event_id);
  std::sort(ids.begin(), ids.end());
  hit.events = static_cast<std::uint64_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  for (const auto& [v, n] : g.value_counts) hit.values.push_back(v);
  for (const Entry& e : g.window) hit.agencies.push_back(e.agency);
  std::sort(hit.agencies.begin(), hit.agencies.end());
  hit.agencies.erase(std::unique(hit.agencies.begin(), hit.agencies.end()), hit.agencies.end());
  hit.raised_ns = g.raised_at;
  hit.last_src = addressText(event.tuple().src_ip());
  hit.last_dst = addressText(event.tuple().dst_ip());
  ++(update ? counters_.updates : counters_.hits);
  hits_.push_back(std::move(hit));
}

std::vector<CorrelationHit> CampaignCorrelator::takeHits() { return std::exchange(hits_, {}); }

CorrelatorCounters CampaignCorrelator::counters() const {
  CorrelatorCounters c = counters_;
  c.buffered = buffer_.size();
  return c;
}

}  // namespace gsoc::collector

#include "collector/correlate/Analytic.hpp"

#include "collector/correlate/BeaconingAnalytic.hpp"
#include "collector/correlate/NewValueAnalytic.hpp"
#include "collector/correlate/RateSurgeAnalytic.hpp"
#include "collector/correlate/StagedAnalytic.hpp"
#include "collector/correlate/WindowCountAnalytic.hpp"
#include "collector/store/EventColumns.hpp"

namespace gsoc::collector {

std::string joinGroup(const std::vector<std::string>& group) {
  std::string out;
  for (const auto& v : group) out += (out.empty() ? "" : "|") + v;
  return out;
}

bool Analytic::admit(Window& g, const EventView& event, int stage, std::span<const std::string> counted, Placement& placement) {
  const std::int64_t ts = event.ts;
  const std::int64_t newest = std::max(g.last_ts, ts);
  auto drop_front = [&] {
    if (!g.value_counts.empty()) {
      auto it = g.value_counts.find(g.window.front().value);
      if (it != g.value_counts.end() && --it->second == 0) g.value_counts.erase(it);
    }
    g.window.pop_front();
  };
  if (ts < newest - rule_.timespan_ns) {  // a late event older than the group's window
    placement.too_old = true;
    return false;
  }
  while (!g.window.empty() && g.window.front().ts < newest - rule_.timespan_ns) drop_front();
  const bool in_order = g.window.empty() || g.window.back().ts <= ts;
  auto put = [&](Entry e) {
    if (in_order) g.window.push_back(std::move(e));
    else g.window.insertByTime(std::move(e));
  };
  if (counted.empty()) {
    put(Entry{ts, std::string(event.event_id), {}, stage, std::string(event.agency)});
  } else {
    for (const auto& v : counted) {
      put(Entry{ts, std::string(event.event_id), v, stage, std::string(event.agency)});
      ++g.value_counts[v];
    }
  }
  using Type = CorrelationRule::Type;
  if (rule_.type == Type::Beaconing || rule_.type == Type::Temporal || rule_.type == Type::TemporalOrdered) {
    while (g.window.size() > kMaxWindow) drop_front();
  }
  g.last_ts = newest;
  placement.placed = true;
  return true;
}

void Analytic::raise(Window& g, const EventView& event, bool distinct) {
  const std::int64_t ts = event.ts;
  const std::uint64_t m = distinct ? g.value_counts.size() : g.window.size();
  bool update = false;
  if (!g.raised || ts - g.raised_at >= rule_.suppress_ns) {
    g.raised = true;
    g.raised_at = ts;
  } else if (distinct ? m > g.raised_measure : m >= 2 * g.raised_measure) {
    // The same campaign grew (another agency; twice the events): update it, do not raise another.
    update = true;
  } else {
    return;
  }
  g.raised_measure = m;
  CorrelationHit hit;
  hit.rule_id = rule_.id;
  hit.title = rule_.title;
  hit.severity = rule_.severity;
  hit.group = g.key;
  hit.update = update;
  hit.first_ns = g.window.front().ts;
  hit.last_ns = ts;
  for (const Entry& e : g.window) {
    if (hit.evidence.size() >= CorrelationHit::kMaxEvidence) break;
    if (hit.evidence.empty() || hit.evidence.back() != e.event_id) hit.evidence.push_back(e.event_id);
  }
  std::vector<std::string_view> ids;
  for (const Entry& e : g.window) ids.push_back(e.event_id);
  std::sort(ids.begin(), ids.end());
  hit.events = static_cast<std::uint64_t>(std::unique(ids.begin(), ids.end()) - ids.begin());
  for (const auto& [v, n] : g.value_counts) hit.values.push_back(v);
  for (const Entry& e : g.window) hit.agencies.push_back(e.agency);
  std::sort(hit.agencies.begin(), hit.agencies.end());
  hit.agencies.erase(std::unique(hit.agencies.begin(), hit.agencies.end()), hit.agencies.end());
  hit.raised_ns = g.raised_at;
  hit.late = event.late;
  hit.last_src = addressText(std::string(event.src_ip));
  hit.last_dst = addressText(std::string(event.dst_ip));
  hit.last_indicator = event.indicator;
  ++(update ? log_.updates : log_.raised);
  log_.hits.push_back(std::move(hit));
}

std::unique_ptr<Analytic> makeAnalytic(CorrelationRule rule, HitLog& log) {
  using Type = CorrelationRule::Type;
  switch (rule.type) {
    case Type::EventCount:
    case Type::ValueCount: return std::make_unique<WindowCountAnalytic>(std::move(rule), log);
    case Type::Temporal:
    case Type::TemporalOrdered: return std::make_unique<StagedAnalytic>(std::move(rule), log);
    case Type::NewValue: return std::make_unique<NewValueAnalytic>(std::move(rule), log);
    case Type::Beaconing: return std::make_unique<BeaconingAnalytic>(std::move(rule), log);
    case Type::RateSurge: return std::make_unique<RateSurgeAnalytic>(std::move(rule), log);
  }
  return std::make_unique<WindowCountAnalytic>(std::move(rule), log);
}

}  // namespace gsoc::collector

#include "collector/correlate/CampaignCorrelator.hpp"

#include <algorithm>
#include <cmath>

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

constexpr std::uint64_t kSweepEvery = 1 << 16;

// Rules whose measure is a number of distinct values (agencies, surging groups), not of events.
bool countsDistinct(const CorrelationRule& rule) {
  using Type = CorrelationRule::Type;
  return rule.type == Type::ValueCount || rule.type == Type::NewValue || rule.type == Type::RateSurge;
}

}  // namespace

std::string joinGroup(const std::vector<std::string>& group) {
  std::string out;
  for (const auto& v : group) out += (out.empty() ? "" : "|") + v;
  return out;
}

CampaignCorrelator::CampaignCorrelator(std::vector<CorrelationRule> rules, std::int64_t allowed_lateness_ns)
    : lateness_(allowed_lateness_ns) {
  for (auto& r : rules) {
    RuleState state;
    state.rule = std::move(r);
    rules_.push_back(std::move(state));
  }
}

void CampaignCorrelator::add(gsoc::v1::Event event) {
  ++counters_.events;
  const std::int64_t ts = event.timestamp_ns();
  if (ts <= released_through_) {  // its window has been decided already
    ++counters_.late_events;
    return;
  }
  max_ts_ = std::max(max_ts_, ts);
  // Which rules the event can touch is decided now, once: an event no rule selects (most flow
  // records, with the shipped rules) is never held, only moves the watermark.
  std::uint64_t rules = 0;
  for (std::size_t i = 0; i < rules_.size() && i < 64; ++i) {
    if (selects(rules_[i].rule, event)) rules |= std::uint64_t{1} << i;
  }
  if (rules == 0 && rules_.size() <= 64) {
    release(max_ts_ - lateness_);
    return;
  }
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back(std::move(event));
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    slots_[slot] = std::move(event);
  }
  heap_.push_back(Held{ts, slot, rules});
  std::push_heap(heap_.begin(), heap_.end(), [this](const Held& a, const Held& b) { return later(a, b); });
  release(max_ts_ - lateness_);
}

// Heap order: the earliest (time, event id) on top.
bool CampaignCorrelator::later(const Held& a, const Held& b) const {
  if (a.ts != b.ts) return a.ts > b.ts;
  return slots_[a.slot].event_id() > slots_[b.slot].event_id();
}

void CampaignCorrelator::flush() { release(INT64_MAX); }

void CampaignCorrelator::release(std::int64_t watermark) {
  const auto cmp = [this](const Held& a, const Held& b) { return later(a, b); };
  while (!heap_.empty() && heap_.front().ts <= watermark) {
    std::pop_heap(heap_.begin(), heap_.end(), cmp);
    const Held held = heap_.back();
    heap_.pop_back();
    released_through_ = std::max(released_through_, held.ts);
    process(slots_[held.slot], held.rules);
    slots_[held.slot].Clear();
    free_slots_.push_back(held.slot);
    if (++since_sweep_ >= kSweepEvery) {
      since_sweep_ = 0;
      sweep(released_through_);
    }
  }
  if (watermark == INT64_MAX) released_through_ = std::max(released_through_, max_ts_);
}

bool CampaignCorrelator::selects(const CorrelationRule& rule, const gsoc::v1::Event& event) {
  if (!rule.selection.matches(event, scratch_)) return false;
  return rule.stages.empty() ||
         std::any_of(rule.stages.begin(), rule.stages.end(), [&](const CorrelationRule::Stage& s) { return s.selection.matches(event, scratch_); });
}

void CampaignCorrelator::process(const gsoc::v1::Event& event, std::uint64_t selected) {
  std::vector<std::string> values;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    RuleState& state = rules_[i];
    const CorrelationRule& rule = state.rule;
    if (i < 64 ? (selected >> i & 1) == 0 : !selects(rule, event)) continue;
    const auto groups = groupsOf(rule.group_by, event);
    if (groups.empty()) continue;
    values.clear();
    if (!rule.value_field.empty()) {
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
  return countsDistinct(rule) ? g.value_counts.size() : g.window.size();
}

bool CampaignCorrelator::conditionHolds(const RuleState& state, const Group& g, std::int64_t ts) const {
  const CorrelationRule& rule = state.rule;
  switch (rule.type) {
    case CorrelationRule::Type::EventCount: return g.window.size() >= rule.gte;
    case CorrelationRule::Type::ValueCount:
    case CorrelationRule::Type::RateSurge: return g.value_counts.size() >= rule.gte;
    case CorrelationRule::Type::NewValue:
      // New: first seen within the window after a baseline-long silence, and a baseline has
      // been seen at all (on the first day, everything would be new).
      return g.value_counts.size() >= rule.gte && ts - g.since <= rule.timespan_ns && ts - state.first_ts >= rule.baseline_ns;
    case CorrelationRule::Type::Temporal:
    case CorrelationRule::Type::TemporalOrdered: {
      const std::int64_t oldest = ts - rule.timespan_ns;
      if (g.stage_ts.empty()) return false;
      if (rule.type == CorrelationRule::Type::TemporalOrdered) return g.stage_ts.back() != INT64_MIN && g.stage_ts.back() >= oldest;
      return std::all_of(g.stage_ts.begin(), g.stage_ts.end(), [&](std::int64_t t) { return t != INT64_MIN && t >= oldest; });
    }
    case CorrelationRule::Type::Beaconing: return false;  // decided by regular()
  }
  return false;
}

// Drops window entries older than the timespan and adds the event's.
void CampaignCorrelator::admit(const CorrelationRule& rule, Group& g, const gsoc::v1::Event& event, int stage,
                               const std::vector<std::string>& values) {
  const std::int64_t ts = event.timestamp_ns();
  auto drop_front = [&] {
    if (!g.value_counts.empty()) {
      auto it = g.value_counts.find(g.window.front().value);
      if (it != g.value_counts.end() && --it->second == 0) g.value_counts.erase(it);
    }
    g.window.pop_front();
  };
  while (!g.window.empty() && g.window.front().ts < ts - rule.timespan_ns) drop_front();
  if (values.empty()) {
    g.window.push_back(Entry{ts, event.event_id(), {}, stage, event.agency_id()});
  } else {
    for (const auto& v : values) {
      g.window.push_back(Entry{ts, event.event_id(), v, stage, event.agency_id()});
      ++g.value_counts[v];
    }
  }
  using Type = CorrelationRule::Type;
  if (rule.type == Type::Beaconing || rule.type == Type::Temporal || rule.type == Type::TemporalOrdered) {
    while (g.window.size() > kMaxWindow) drop_front();
  }
  g.last_ts = ts;
}

void CampaignCorrelator::apply(RuleState& state, const gsoc::v1::Event& event, const GroupKey& group, int stage,
                               const std::vector<std::string>& values) {
  const CorrelationRule& rule = state.rule;
  if (rule.type == CorrelationRule::Type::Beaconing) return applyBeaconing(state, event, group, values);
  if (rule.type == CorrelationRule::Type::RateSurge) return applySurge(state, event, group);
  Group& g = state.groups[group];
  const std::int64_t ts = event.timestamp_ns();
  if (rule.type == CorrelationRule::Type::NewValue) {
    if (state.first_ts == INT64_MIN) state.first_ts = ts;
    if (g.last_ts == INT64_MIN || ts - g.last_ts > rule.baseline_ns) g.since = ts;
    if (ts - g.since > rule.timespan_ns) {  // known now: it can raise nothing until it goes quiet
      g.last_ts = ts;
      if (!g.window.empty()) {
        g.window = {};
        g.value_counts.clear();
      }
      return;
    }
  }
  if (stage >= 0) {
    auto& st = g.stage_ts;
    if (st.empty()) st.assign(rule.stages.size(), INT64_MIN);
    const auto k = static_cast<std::size_t>(stage);
    if (rule.type == CorrelationRule::Type::Temporal) st[k] = ts;
    else if (k == 0) st[0] = ts;                                   // a chain may start here
    else if (st[k - 1] != INT64_MIN) st[k] = std::max(st[k], st[k - 1]);  // extends the latest chain
  }
  admit(rule, g, event, stage, values);
  if (conditionHolds(state, g, ts)) raise(rule, g, group, event);
}

bool CampaignCorrelator::destinationIsRare(RuleState& state, const std::string& destination, const GroupKey& group, std::int64_t ts) {
  const CorrelationRule& rule = state.rule;
  auto& hosts = state.contacts[destination];
  hosts[group] = ts;
  if (rule.rare == 0) return true;
  // A popular destination has many hosts: it is pruned only when it might have become rare.
  if (hosts.size() > rule.rare && hosts.size() <= 2 * rule.rare) std::erase_if(hosts, [&](const auto& kv) { return kv.second < ts - rule.timespan_ns; });
  return hosts.size() <= rule.rare;
}

// Regular contacts: of the intervals between the window's contacts, `regularity` lie within
// `jitter` of their median, and the median is at least 30 s (bursts of page loads are not beacons).
bool CampaignCorrelator::regular(const CorrelationRule& rule, const Group& g) {
  constexpr std::int64_t kMinPeriod = 30LL * 1000000000LL;
  intervals_.clear();
  for (std::size_t i = 1; i < g.window.size(); ++i) intervals_.push_back(g.window[i].ts - g.window[i - 1].ts);
  if (intervals_.size() + 1 < rule.gte) return false;
  auto mid = intervals_.begin() + static_cast<std::ptrdiff_t>(intervals_.size() / 2);
  std::nth_element(intervals_.begin(), mid, intervals_.end());
  const std::int64_t median = *mid;
  if (median < kMinPeriod) return false;
  const auto tolerance = static_cast<std::int64_t>(static_cast<double>(median) * rule.jitter);
  const auto near = std::count_if(intervals_.begin(), intervals_.end(), [&](std::int64_t d) { return d >= median - tolerance && d <= median + tolerance; });
  return static_cast<double>(near) >= rule.regularity * static_cast<double>(intervals_.size());
}

void CampaignCorrelator::applyBeaconing(RuleState& state, const gsoc::v1::Event& event, const GroupKey& group,
                                        const std::vector<std::string>& values) {
  const CorrelationRule& rule = state.rule;
  const std::int64_t ts = event.timestamp_ns();
  for (const auto& destination : values) {
    // A popular destination is no beacon: no window is kept for it at all.
    if (!destinationIsRare(state, destination, group, ts)) continue;
    GroupKey key = group;
    key.push_back(destination);
    Group& g = state.groups[key];
    admit(rule, g, event, -1, {});
    if (g.window.size() < rule.gte) continue;
    // Within the suppression only a doubling can update the hit: skip the interval work until then.
    if (g.raised && ts - g.raised_at < rule.suppress_ns && g.window.size() < 2 * g.raised_measure) continue;
    if (regular(rule, g)) raise(rule, g, key, event);
  }
}

void CampaignCorrelator::applySurge(RuleState& state, const gsoc::v1::Event& event, const GroupKey& group) {
  const CorrelationRule& rule = state.rule;
  Group& g = state.groups[group];
  const std::int64_t ts = event.timestamp_ns();
  if (g.last_ts == INT64_MIN) g.first_ts = ts;
  g.last_ts = ts;
  const std::int64_t bucket = ts / rule.bucket_ns;
  const std::int64_t span = rule.baseline_ns / rule.bucket_ns;  // buckets in the baseline
  if (bucket != g.bucket) {
    if (g.bucket != INT64_MIN) {
      g.closed.push_back({g.bucket, g.bucket_count});
      g.closed_sum += g.bucket_count;
    }
    while (!g.closed.empty() && g.closed.front().first < bucket - span) {
      g.closed_sum -= g.closed.front().second;
      g.closed.pop_front();
    }
    g.bucket = bucket;
    g.bucket_count = 0;
    // Empty buckets count as zero: the mean is over the whole baseline, once one was seen.
    const bool learned = bucket * rule.bucket_ns - g.first_ts >= rule.baseline_ns;
    const double mean = static_cast<double>(g.closed_sum) / static_cast<double>(span);
    g.threshold = learned ? std::max<std::uint64_t>(rule.min_events, static_cast<std::uint64_t>(std::ceil(rule.factor * mean))) : 0;
  }
  ++g.bucket_count;
  if (g.threshold == 0 || g.bucket_count < g.threshold) return;
  // Surging: the event joins the surge group (one for all groups, or its own when gte is 1).
  const std::string label = joinGroup(group);
  const GroupKey key = rule.gte == 1 ? group : GroupKey{};
  Group& s = state.surges[key];
  admit(rule, s, event, -1, {label});
  if (conditionHolds(state, s, ts)) raise(rule, s, key, event);
}

void CampaignCorrelator::raise(const CorrelationRule& rule, Group& g, const GroupKey& key, const gsoc::v1::Event& event) {
  const std::int64_t ts = event.timestamp_ns();
  const std::uint64_t m = measure(rule, g);
  bool update = false;
  if (!g.raised || ts - g.raised_at >= rule.suppress_ns) {
    g.raised = true;
    g.raised_at = ts;
  } else if (countsDistinct(rule) ? m > g.raised_measure : m >= 2 * g.raised_measure) {
    // The same campaign grew (another agency; twice the events): update it, do not raise another.
    update = true;
  } else {
    return;
  }
  g.raised_measure = m;
  CorrelationHit hit;
  hit.rule_id = rule.id;
  hit.title = rule.title;
  hit.severity = rule.severity;
  hit.group = key;
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

// Forgets groups idle for longer than their rule's horizon: nothing they hold can matter again.
void CampaignCorrelator::sweep(std::int64_t now) {
  for (RuleState& state : rules_) {
    const std::int64_t keep = state.rule.horizon();
    auto idle = [&](const auto& kv) { return kv.second.last_ts < now - keep; };
    std::erase_if(state.groups, idle);
    std::erase_if(state.surges, idle);
    for (auto it = state.contacts.begin(); it != state.contacts.end();) {
      std::erase_if(it->second, [&](const auto& kv) { return kv.second < now - state.rule.timespan_ns; });
      it = it->second.empty() ? state.contacts.erase(it) : std::next(it);
    }
  }
}

std::vector<CorrelationHit> CampaignCorrelator::takeHits() { return std::exchange(hits_, {}); }

CorrelatorCounters CampaignCorrelator::counters() const {
  CorrelatorCounters c = counters_;
  c.buffered = heap_.size();
  return c;
}

}  // namespace gsoc::collector

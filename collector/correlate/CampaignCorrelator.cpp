#include "collector/correlate/CampaignCorrelator.hpp"

#include <algorithm>
#include <cmath>

#include "collector/store/EventColumns.hpp"

namespace gsoc::collector {
namespace {

// A group key part: the value prefixed by its length, so ("a|b") and ("a", "b") differ.
void appendPart(std::string& packed, std::string_view v) {
  const auto n = static_cast<std::uint32_t>(v.size());
  packed.append(reinterpret_cast<const char*>(&n), sizeof n);
  packed.append(v);
}

constexpr std::uint64_t kSweepEvery = 1 << 16;

template <typename T>
void prefetchBytes(const T* p, std::size_t bytes) {
  const auto* c = reinterpret_cast<const char*>(p);
  for (std::size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off);
}

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

void CampaignCorrelator::add(const gsoc::v1::Event& event) {
  ++counters_.events;
  const std::int64_t ts = event.timestamp_ns();
  if (ts <= released_through_) {  // its window has been decided already
    ++counters_.late_events;
    return;
  }
  max_ts_ = std::max(max_ts_, ts);
  std::uint32_t slot = 0;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  // An event no rule selects (most flow records, with the shipped rules) is never held, only
  // moves the watermark.
  if (read(event, slots_[slot])) {
    queue_.push(Held{ts, slot}, ts, [this](const Held& a, const Held& b) { return later(a, b); });
  } else {
    free_slots_.push_back(slot);
  }
  release(max_ts_ - lateness_);
}

// Reads what each selecting rule needs of the event into `held`; false when no rule can use it.
bool CampaignCorrelator::read(const gsoc::v1::Event& event, HeldEvent& held) {
  held.rules.clear();
  held.ranges.clear();
  held.values.clear();
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const CorrelationRule& rule = rules_[i].rule;
    if (!rule.selection.matches(event, scratch_)) continue;
    HeldEvent::RuleValues rv;
    rv.rule = static_cast<std::uint32_t>(i);
    for (std::size_t s = 0; s < rule.stages.size(); ++s) {
      if (rule.stages[s].selection.matches(event, scratch_)) rv.stages |= std::uint64_t{1} << s;
    }
    if (!rule.stages.empty() && rv.stages == 0) continue;
    rv.fields = static_cast<std::uint32_t>(held.ranges.size());
    const std::size_t values_before = held.values.size();
    bool complete = true;  // every group_by field (and the value field) has a value
    for (const EventField& f : rule.group_by) {
      const std::size_t first = held.values.size();
      f.values(event, held.values);
      held.values.sortUnique(first);
      if (held.values.size() == first) {
        complete = false;
        break;
      }
      held.ranges.push_back({static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(held.values.size() - first)});
    }
    if (complete && !rule.value_field.empty()) {
      const std::size_t first = held.values.size();
      rule.value_field.front().values(event, held.values);
      rv.value = {static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(held.values.size() - first)};
      complete = rv.value.count > 0;
    }
    if (!complete) {
      held.values.truncate(values_before);
      held.ranges.resize(rv.fields);
      continue;
    }
    held.rules.push_back(rv);
  }
  if (held.rules.empty()) return false;
  held.ts = event.timestamp_ns();
  held.event_id.assign(event.event_id());
  held.agency.assign(event.agency_id());
  held.src_ip.assign(event.tuple().src_ip());
  held.dst_ip.assign(event.tuple().dst_ip());
  return true;
}

void CampaignCorrelator::prefetchSlot(const HeldEvent& e) { prefetchBytes(&e, sizeof e); }

void CampaignCorrelator::prefetchLists(const HeldEvent& e) {
  prefetchBytes(e.rules.data(), e.rules.size() * sizeof(HeldEvent::RuleValues));
  prefetchBytes(e.ranges.data(), e.ranges.size() * sizeof(HeldEvent::Range));
  if (!e.values.empty()) prefetchBytes(&e.values[0], e.values.size() * sizeof(std::string));
}

// Release order: (time, event id).
bool CampaignCorrelator::later(const Held& a, const Held& b) const {
  if (a.ts != b.ts) return a.ts > b.ts;
  return slots_[a.slot].event_id > slots_[b.slot].event_id;
}

void CampaignCorrelator::flush() { release(INT64_MAX); }

void CampaignCorrelator::release(std::int64_t watermark) {
  const auto cmp = [this](const Held& a, const Held& b) { return later(a, b); };
  while (!queue_.empty() && queue_.front(cmp).ts <= watermark) {
    const Held held = queue_.front(cmp);
    // The slots were written up to a lateness ago and have left the caches: fetch the next
    // events' slots, and the one after next's lists, while this one is processed.
    if (const Held* next = queue_.ahead(1)) prefetchLists(slots_[next->slot]);
    if (const Held* after = queue_.ahead(2)) prefetchSlot(slots_[after->slot]);
    queue_.pop(cmp);
    released_through_ = std::max(released_through_, held.ts);
    process(slots_[held.slot]);
    free_slots_.push_back(held.slot);
    // Sweeping visits every group: sweep no more often than every `state size` events, so its
    // cost per event stays constant however many groups there are.
    if (++since_sweep_ >= std::max(kSweepEvery, sweep_after_)) {
      since_sweep_ = 0;
      sweep_after_ = sweep(released_through_);
    }
  }
  if (watermark == INT64_MAX) released_through_ = std::max(released_through_, max_ts_);
}

CampaignCorrelator::Group& CampaignCorrelator::groupOf(GroupMap& groups, const std::string& packed, const std::vector<const std::string*>& values) {
  auto [it, inserted] = groups.try_emplace(packed);
  if (inserted) {
    for (const std::string* v : values) it->second.key.push_back(*v);
  }
  return it->second;
}

void CampaignCorrelator::process(const HeldEvent& event) {
  for (const HeldEvent::RuleValues& rv : event.rules) {
    RuleState& state = rules_[rv.rule];
    const CorrelationRule& rule = state.rule;
    const std::span<const std::string> values = event.values.range(rv.value.first, rv.value.count);
    // Every combination of the group_by fields' values, the last field varying fastest (most
    // fields have one value; a mail with two attachments belongs to two groups).
    const std::span<const HeldEvent::Range> fields(event.ranges.data() + rv.fields, rule.group_by.size());
    pick_.assign(fields.size(), 0);
    groups_.clear();
    while (true) {
      packed_.clear();
      combo_.clear();
      for (std::size_t f = 0; f < fields.size(); ++f) {
        const std::string& v = event.values[fields[f].first + pick_[f]];
        appendPart(packed_, v);
        combo_.push_back(&v);
      }
      if (rule.type == CorrelationRule::Type::Beaconing) {
        applyBeaconing(state, event, values);
      } else if (rule.type == CorrelationRule::Type::RateSurge) {
        applySurge(state, event, groupOf(state.groups, packed_, combo_));
      } else {
        groups_.push_back(&groupOf(state.groups, packed_, combo_));
      }
      std::size_t f = fields.size();
      while (f > 0 && ++pick_[f - 1] == fields[f - 1].count) pick_[--f] = 0;
      if (f == 0) break;
    }
    if (rule.stages.empty()) {
      for (Group* g : groups_) apply(state, event, *g, -1, values);
    } else {
      for (std::size_t s = 0; s < rule.stages.size(); ++s) {
        if ((rv.stages >> s & 1) == 0) continue;
        for (Group* g : groups_) apply(state, event, *g, static_cast<int>(s), values);
      }
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
void CampaignCorrelator::admit(const CorrelationRule& rule, Group& g, const HeldEvent& event, int stage,
                               std::span<const std::string> values) {
  const std::int64_t ts = event.ts;
  auto drop_front = [&] {
    if (!g.value_counts.empty()) {
      auto it = g.value_counts.find(g.window.front().value);
      if (it != g.value_counts.end() && --it->second == 0) g.value_counts.erase(it);
    }
    g.window.pop_front();
  };
  while (!g.window.empty() && g.window.front().ts < ts - rule.timespan_ns) drop_front();
  if (values.empty()) {
    g.window.push_back(Entry{ts, event.event_id, {}, stage, event.agency});
  } else {
    for (const auto& v : values) {
      g.window.push_back(Entry{ts, event.event_id, v, stage, event.agency});
      ++g.value_counts[v];
    }
  }
  using Type = CorrelationRule::Type;
  if (rule.type == Type::Beaconing || rule.type == Type::Temporal || rule.type == Type::TemporalOrdered) {
    while (g.window.size() > kMaxWindow) drop_front();
  }
  g.last_ts = ts;
}

void CampaignCorrelator::apply(RuleState& state, const HeldEvent& event, Group& g, int stage, std::span<const std::string> values) {
  const CorrelationRule& rule = state.rule;
  const std::int64_t ts = event.ts;
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
  if (conditionHolds(state, g, ts)) raise(rule, g, event);
}

// Records that the group being processed (packed_) contacted the destination. Exact: the list
// keeps the rare + 1 groups that contacted it last, so if more than `rare` groups did within the
// timespan, more than `rare` of the list's contacts are within it.
bool CampaignCorrelator::destinationIsRare(RuleState& state, const std::string& destination, std::int64_t ts) {
  const CorrelationRule& rule = state.rule;
  if (rule.rare == 0) return true;
  auto& contacts = state.contacts.try_emplace(destination).first->second;
  auto it = std::find_if(contacts.begin(), contacts.end(), [&](const RuleState::Contact& c) { return c.group == packed_; });
  if (it == contacts.end()) {
    if (contacts.size() <= rule.rare) {
      it = contacts.emplace(contacts.end());
    } else {  // events come in time order: the oldest contact is the one to forget
      it = std::min_element(contacts.begin(), contacts.end(), [](const auto& a, const auto& b) { return a.ts < b.ts; });
    }
    it->group.assign(packed_);
  }
  it->ts = ts;
  const auto recent = std::count_if(contacts.begin(), contacts.end(), [&](const auto& c) { return c.ts >= ts - rule.timespan_ns; });
  return static_cast<std::size_t>(recent) <= rule.rare;
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

// Per destination, the group being processed (packed_, combo_) and the destination form the
// beacon's group.
void CampaignCorrelator::applyBeaconing(RuleState& state, const HeldEvent& event, std::span<const std::string> values) {
  const CorrelationRule& rule = state.rule;
  const std::int64_t ts = event.ts;
  for (const auto& destination : values) {
    // A popular destination is no beacon: no window is kept for it at all.
    if (!destinationIsRare(state, destination, ts)) continue;
    beacon_key_ = packed_;
    appendPart(beacon_key_, destination);
    combo_.push_back(&destination);
    Group& g = groupOf(state.groups, beacon_key_, combo_);
    combo_.pop_back();
    admit(rule, g, event, -1, {});
    if (g.window.size() < rule.gte) continue;
    // Within the suppression only a doubling can update the hit: skip the interval work until then.
    if (g.raised && ts - g.raised_at < rule.suppress_ns && g.window.size() < 2 * g.raised_measure) continue;
    if (regular(rule, g)) raise(rule, g, event);
  }
}

// g is the group being processed (packed_, combo_).
void CampaignCorrelator::applySurge(RuleState& state, const HeldEvent& event, Group& g) {
  const CorrelationRule& rule = state.rule;
  const std::int64_t ts = event.ts;
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
  const std::string label = joinGroup(g.key);
  Group& s = rule.gte == 1 ? groupOf(state.surges, packed_, combo_) : groupOf(state.surges, {}, {});
  admit(rule, s, event, -1, std::span<const std::string>(&label, 1));
  if (conditionHolds(state, s, ts)) raise(rule, s, event);
}

void CampaignCorrelator::raise(const CorrelationRule& rule, Group& g, const HeldEvent& event) {
  const std::int64_t ts = event.ts;
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
  hit.group = g.key;
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
  hit.last_src = addressText(event.src_ip);
  hit.last_dst = addressText(event.dst_ip);
  ++(update ? counters_.updates : counters_.hits);
  hits_.push_back(std::move(hit));
}

// Forgets groups idle for longer than their rule's horizon, and destinations nobody contacted
// within the timespan: nothing they hold can matter again.
std::uint64_t CampaignCorrelator::sweep(std::int64_t now) {
  std::uint64_t left = 0;
  for (RuleState& state : rules_) {
    const std::int64_t keep = state.rule.horizon();
    auto idle = [&](const auto& kv) { return kv.second.last_ts < now - keep; };
    std::erase_if(state.groups, idle);
    std::erase_if(state.surges, idle);
    std::erase_if(state.contacts, [&](const auto& kv) {
      return std::all_of(kv.second.begin(), kv.second.end(), [&](const auto& c) { return c.ts < now - state.rule.timespan_ns; });
    });
    left += state.groups.size() + state.surges.size() + state.contacts.size();
  }
  return left;
}

std::vector<CorrelationHit> CampaignCorrelator::takeHits() { return std::exchange(hits_, {}); }

CorrelatorCounters CampaignCorrelator::counters() const {
  CorrelatorCounters c = counters_;
  c.buffered = queue_.size();
  return c;
}

}  // namespace gsoc::collector

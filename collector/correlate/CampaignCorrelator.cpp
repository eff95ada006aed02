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
constexpr std::int64_t kCheckInNs = 10LL * 1000000000LL;

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

// The least count c >= from with P(X >= c) <= p, for X of mean `mean` and variance `variance`:
// Poisson when the variance is no larger than the mean, else negative binomial of that mean and
// variance (real request counts are burstier than Poisson: a crawler, a news item). The CDF is
// summed term by term from 0; counts are small enough (a bucket's events) for that.
std::uint64_t tailThreshold(double mean, double variance, std::uint64_t from, double p) {
  const bool poisson = variance <= mean * 1.0001;
  const double r = poisson ? 0 : mean * mean / (variance - mean);  // NB size
  const double q = poisson ? 0 : mean / (r + mean);                  // NB success ratio per step
  double term = poisson ? std::exp(-mean) : std::exp(r * std::log1p(-q));
  double cdf = 0;
  std::uint64_t k = 0;
  for (; k < from; ++k) {
    cdf += term;
    term *= poisson ? mean / static_cast<double>(k + 1) : (static_cast<double>(k) + r) / static_cast<double>(k + 1) * q;
  }
  while (1.0 - cdf > p && k < from + 1000000) {
    cdf += term;
    term *= poisson ? mean / static_cast<double>(k + 1) : (static_cast<double>(k) + r) / static_cast<double>(k + 1) * q;
    ++k;
  }
  return k;
}

// A registered domain, roughly: the last two labels, or three under a second-level domain of a
// country (go.jp, co.uk). Enough to tell a new name of a known site from a new site.
std::string_view registeredDomain(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const auto last = name.rfind('.');
  if (last == std::string_view::npos || last == 0) return name;
  const auto second = name.rfind('.', last - 1);
  if (second == std::string_view::npos) return name;
  const std::string_view sld = name.substr(second + 1, last - second - 1);
  const bool country = name.size() - last - 1 == 2;
  static constexpr std::string_view kSecondLevel[] = {"co", "go", "ac", "or", "ne", "gr", "lg", "ed", "ad", "com", "net", "org", "gov", "edu"};
  if (country && std::find(std::begin(kSecondLevel), std::end(kSecondLevel), sld) != std::end(kSecondLevel)) {
    const auto third = second == 0 ? std::string_view::npos : name.rfind('.', second - 1);
    return third == std::string_view::npos ? name : name.substr(third + 1);
  }
  return name.substr(second + 1);
}

}  // namespace

std::string joinGroup(const std::vector<std::string>& group) {
  std::string out;
  for (const auto& v : group) out += (out.empty() ? "" : "|") + v;
  return out;
}

CampaignCorrelator::CampaignCorrelator(std::vector<CorrelationRule> rules, std::int64_t allowed_lateness_ns, std::int64_t max_source_lag_ns)
    : lateness_(allowed_lateness_ns), max_lag_(max_source_lag_ns > 0 ? max_source_lag_ns : allowed_lateness_ns) {
  for (auto& r : rules) {
    RuleState state;
    state.rule = std::move(r);
    rules_.push_back(std::move(state));
  }
}

std::uint32_t CampaignCorrelator::sourceOf(const gsoc::v1::Event& event) {
  const std::string& id = event.sensor_id().empty() ? event.agency_id() : event.sensor_id();
  auto it = source_index_.find(std::string_view(id));
  if (it != source_index_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(sources_.size());
  sources_.push_back(Source{id, INT64_MIN, {}});
  source_index_.emplace(id, index);
  return index;
}

// The global watermark: the least of the live sources' watermarks. A source far behind the
// most advanced one is not live and holds nobody back; its events go through its own buffer.
std::int64_t CampaignCorrelator::liveWatermark() const {
  std::int64_t w = INT64_MAX;
  for (const Source& s : sources_) {
    if (s.max_ts >= max_ts_ - max_lag_) w = std::min(w, s.max_ts - lateness_);
  }
  return w;
}

void CampaignCorrelator::add(const gsoc::v1::Event& event) {
  ++counters_.events;
  const std::int64_t ts = event.timestamp_ns();
  const std::uint32_t source_index = sourceOf(event);
  Source& source = sources_[source_index];
  source.max_ts = std::max(source.max_ts, ts);
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
  // moves the watermarks.
  const auto cmp = [this](const Held& a, const Held& b) { return later(a, b); };
  if (!source.behind.empty() && source.behind.front(cmp).ts > released_through_) {
    // The source has caught up: what it still holds rejoins the global order.
    while (!source.behind.empty()) {
      const Held held = source.behind.front(cmp);
      source.behind.pop(cmp);
      queue_.push(held, held.ts, cmp);
    }
  }
  if (!read(event, slots_[slot])) {
    free_slots_.push_back(slot);
  } else if (ts <= released_through_ || !source.behind.empty()) {
    // Behind the frontier: its windows were already evaluated without it. It is processed in its
    // own source's order (so is everything the source sends until it has caught up), against
    // its source's watermark, and what it raises says it is late.
    slots_[slot].source = source_index;
    source.behind.push(Held{ts, slot}, ts, cmp);
  } else {
    slots_[slot].source = source_index;
    queue_.push(Held{ts, slot}, ts, cmp);
  }
  if (!source.behind.empty()) releaseBehind(source, source.max_ts - lateness_);
  release(liveWatermark());
}

void CampaignCorrelator::releaseBehind(Source& source, std::int64_t watermark) {
  const auto cmp = [this](const Held& a, const Held& b) { return later(a, b); };
  while (!source.behind.empty() && source.behind.front(cmp).ts <= watermark) {
    const Held held = source.behind.front(cmp);
    source.behind.pop(cmp);
    const bool late = held.ts <= released_through_;
    if (late) ++counters_.late_events;
    process(slots_[held.slot], late);
    free_slots_.push_back(held.slot);
  }
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
    // The value field first: it is the one most often missing (a flow of a known protocol has
    // no destination), and then the group_by fields need not be read at all.
    if (!rule.value_field.empty()) {
      const std::size_t first = held.values.size();
      rule.value_field.front().values(event, held.values);
      rv.value = {static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(held.values.size() - first)};
      complete = rv.value.count > 0;
    }
    for (const EventField& f : rule.group_by) {
      if (!complete) break;
      const std::size_t first = held.values.size();
      f.values(event, held.values);
      held.values.sortUnique(first);
      if (held.values.size() == first) {
        complete = false;
        break;
      }
      held.ranges.push_back({static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(held.values.size() - first)});
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
  const std::string* indicator = indicatorOf(event);
  if (indicator != nullptr) held.indicator.assign(*indicator);
  else held.indicator.clear();
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

void CampaignCorrelator::flush() {
  release(INT64_MAX);
  settleDue(INT64_MAX);
  for (Source& s : sources_) releaseBehind(s, INT64_MAX);
}

void CampaignCorrelator::release(std::int64_t watermark) {
  const auto cmp = [this](const Held& a, const Held& b) { return later(a, b); };
  while (!queue_.empty() && queue_.front(cmp).ts <= watermark) {
    const Held held = queue_.front(cmp);
    // The slots were written up to a lateness ago and have left the caches: fetch the next
    // events' slots, and the one after next's lists, while this one is processed.
    if (const Held* next = queue_.ahead(1)) prefetchLists(slots_[next->slot]);
    if (const Held* after = queue_.ahead(2)) prefetchSlot(slots_[after->slot]);
    queue_.pop(cmp);
    settleDue(held.ts);
    released_through_ = std::max(released_through_, held.ts);
    process(slots_[held.slot], false);
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

void CampaignCorrelator::process(const HeldEvent& event, bool late) {
  late_ = late;
  placed_ = false;
  too_old_ = false;
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
  if (late && too_old_ && !placed_) ++counters_.late_unplaced;
  late_ = false;
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
      // New: first seen within the window after a baseline-long silence, after the learning
      // period (on the first days, everything would be new), by few hosts, and (new_domain) of
      // a registered domain that is new too.
      return g.value_counts.size() >= rule.gte && ts - g.since <= rule.timespan_ns && ts - g.since >= rule.settle_ns &&
             g.since - state.first_ts >= rule.learning_ns &&
             (rule.max_hosts == 0 || recentHosts(rule, g) <= rule.max_hosts) &&
             (!rule.new_domain || (g.parent_since != INT64_MIN && ts - g.parent_since <= rule.timespan_ns));
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

// Drops window entries older than the timespan before the group's latest event and adds the
// event's, in time order (a late event may land before others).
bool CampaignCorrelator::admit(const CorrelationRule& rule, Group& g, const HeldEvent& event, int stage,
                               std::span<const std::string> values) {
  const std::int64_t ts = event.ts;
  const std::int64_t newest = std::max(g.last_ts, ts);
  auto drop_front = [&] {
    if (!g.value_counts.empty()) {
      auto it = g.value_counts.find(g.window.front().value);
      if (it != g.value_counts.end() && --it->second == 0) g.value_counts.erase(it);
    }
    g.window.pop_front();
  };
  if (ts < newest - rule.timespan_ns) {  // a late event older than the group's window
    too_old_ = true;
    return false;
  }
  while (!g.window.empty() && g.window.front().ts < newest - rule.timespan_ns) drop_front();
  const bool in_order = g.window.empty() || g.window[g.window.size() - 1].ts <= ts;
  auto put = [&](Entry e) {
    if (in_order) g.window.push_back(std::move(e));
    else g.window.insertByTime(std::move(e));
  };
  if (values.empty()) {
    put(Entry{ts, event.event_id, {}, stage, event.agency});
  } else {
    for (const auto& v : values) {
      put(Entry{ts, event.event_id, v, stage, event.agency});
      ++g.value_counts[v];
    }
  }
  using Type = CorrelationRule::Type;
  if (rule.type == Type::Beaconing || rule.type == Type::Temporal || rule.type == Type::TemporalOrdered) {
    while (g.window.size() > kMaxWindow) drop_front();
  }
  g.last_ts = newest;
  placed_ = true;
  return true;
}

void CampaignCorrelator::apply(RuleState& state, const HeldEvent& event, Group& g, int stage, std::span<const std::string> values) {
  const CorrelationRule& rule = state.rule;
  const std::int64_t ts = event.ts;
  if (rule.type == CorrelationRule::Type::NewValue) {
    state.first_ts = std::min(state.first_ts == INT64_MIN ? ts : state.first_ts, ts);
    if (g.last_ts == INT64_MIN || ts - g.last_ts > rule.baseline_ns) g.since = ts;
    if (rule.new_domain && !g.key.empty()) {
      auto& seen = state.parents.try_emplace(std::string(registeredDomain(g.key.back()))).first->second;
      if (seen.last == INT64_MIN || ts - seen.last > rule.baseline_ns) seen.since = ts;
      seen.last = std::max(seen.last, ts);
      g.parent_since = seen.since;
    }
    if (rule.max_hosts != 0) {
      std::string host = event.agency;
      host += '|';
      host += event.src_ip;
      auto& last = g.hosts.try_emplace(std::move(host), ts).first->second;
      last = std::max(last, ts);
    }
    if (ts - g.since > rule.timespan_ns) {  // known now: it can raise nothing until it goes quiet
      g.last_ts = std::max(g.last_ts, ts);
      placed_ = true;
      if (!g.window.empty()) {
        g.window = {};
        g.value_counts.clear();
      }
      g.hosts.clear();
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
  if (!admit(rule, g, event, stage, values)) return;
  if (rule.type == CorrelationRule::Type::NewValue && rule.settle_ns > 0 && ts < g.since + rule.settle_ns) {
    // Too early to tell a new threat from a new service everybody starts using: decide when
    // the name has been known for `settle` (settleDue), from what it is then.
    if (g.pending_due == 0 && !g.raised) {
      g.pending_due = g.since + rule.settle_ns;
      state.pending.emplace_back(g.pending_due, packed_);
      next_due_ = std::min(next_due_, g.pending_due);
    }
    g.pending_ts = ts;
    g.pending_src = event.src_ip;
    g.pending_dst = event.dst_ip;
    g.pending_indicator = event.indicator;
    return;
  }
  if (conditionHolds(state, g, g.last_ts)) raise(rule, g, raiserOf(event));
}

// Decides the new_value groups whose `settle` ended by `now` (event time), in order of time.
void CampaignCorrelator::settleDue(std::int64_t now) {
  if (now < next_due_) return;
  next_due_ = INT64_MAX;
  for (RuleState& state : rules_) {
    auto& pending = state.pending;
    std::sort(pending.begin(), pending.end());
    std::size_t done = 0;
    for (; done < pending.size() && pending[done].first <= now; ++done) {
      auto it = state.groups.find(pending[done].second);
      if (it == state.groups.end() || it->second.pending_due != pending[done].first) continue;
      Group& g = it->second;
      g.pending_due = 0;
      if (conditionHolds(state, g, pending[done].first)) {
        raise(state.rule, g, Raiser{g.pending_ts, g.pending_src, g.pending_dst, g.pending_indicator});
      }
    }
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done));
    if (!pending.empty()) next_due_ = std::min(next_due_, pending.front().first);
  }
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
  it->ts = std::max(it->ts, ts);
  const auto recent = std::count_if(contacts.begin(), contacts.end(), [&](const auto& c) { return c.ts >= ts - rule.timespan_ns; });
  return static_cast<std::size_t>(recent) <= rule.rare;
}

// Distinct internal hosts that contacted a new_value group within its window (forgetting older ones).
std::uint64_t CampaignCorrelator::recentHosts(const CorrelationRule& rule, const Group& g) const {
  const std::int64_t oldest = g.last_ts - rule.timespan_ns;
  return static_cast<std::uint64_t>(std::count_if(g.hosts.begin(), g.hosts.end(), [&](const auto& h) { return h.second >= oldest; }));
}

// Regular contacts: of the intervals between the window's contacts, `regularity` lie within
// `jitter` of their median, and the median is at least 30 s (bursts of page loads are not beacons).
// Missed check-ins (a host asleep, a lost connection) are tolerated: an interval within jitter
// of two or three periods counts as regular, and a longer silence counts for nothing either way.
bool CampaignCorrelator::regular(const CorrelationRule& rule, const Group& g) {
  constexpr std::int64_t kMinPeriod = 30LL * 1000000000LL;
  intervals_.clear();
  for (std::size_t i = 1; i < g.window.size(); ++i) intervals_.push_back(g.window[i].ts - g.window[i - 1].ts);
  if (intervals_.size() + 1 < rule.gte) return false;
  auto mid = intervals_.begin() + static_cast<std::ptrdiff_t>(intervals_.size() / 2);
  std::nth_element(intervals_.begin(), mid, intervals_.end());
  const std::int64_t median = *mid;
  if (median < kMinPeriod) return false;
  const double period = static_cast<double>(median);
  std::size_t near = 0;
  std::size_t counted = 0;
  for (const std::int64_t d : intervals_) {
    const double periods = static_cast<double>(d) / period;
    if (periods > 3.0 * (1.0 + rule.jitter)) continue;  // a silence: neither regular nor not
    ++counted;
    const double k = std::max(1.0, std::round(periods));
    if (std::abs(periods - k) <= rule.jitter * k) ++near;
  }
  if (counted + 1 < rule.gte) return false;
  return static_cast<double>(near) >= rule.regularity * static_cast<double>(counted);
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
    // One check-in is often several records (a lookup, then the connection, then its flow):
    // contacts within a few seconds of the last are the same check-in.
    if (!g.window.empty() && ts >= g.last_ts && ts - g.last_ts < kCheckInNs) {
      g.last_ts = ts;
      placed_ = true;
      continue;
    }
    if (!admit(rule, g, event, -1, {})) continue;
    if (g.window.size() < rule.gte) continue;
    // Within the suppression only a doubling can update the hit: skip the interval work until then.
    if (g.raised && ts - g.raised_at < rule.suppress_ns && g.window.size() < 2 * g.raised_measure) continue;
    if (regular(rule, g)) raise(rule, g, raiserOf(event));
  }
}

// The count at which the group's open bucket is a surge, or 0 while its baseline is still being
// learned. The expectation is the mean of the comparable closed buckets: those at the same time
// of the season (day or week) within half an hour, over the baseline, counting buckets with no
// events as zero (without a season: every bucket of the baseline), and at least half an event.
// A surge is `factor` times that, `min_events`, and at most `p_value` likely given the mean and
// the spread of the comparable buckets.
std::uint64_t CampaignCorrelator::surgeThreshold(const CorrelationRule& rule, const Group& g) {
  const std::int64_t span = rule.baseline_ns / rule.bucket_ns;
  const std::int64_t first = g.first_ts / rule.bucket_ns;  // the first bucket observed
  const std::int64_t oldest = std::max(first, g.bucket - span);
  if (g.bucket - first < span && (rule.season_ns == 0 || g.bucket * rule.bucket_ns - g.first_ts < rule.season_ns)) return 0;
  const std::int64_t per = rule.season_ns / rule.bucket_ns;
  const std::int64_t half = rule.season_ns == 0 ? 0 : (1800LL * 1000000000LL) / rule.bucket_ns;
  auto comparable = [&](std::int64_t b) {
    if (per == 0) return true;
    const std::int64_t back = ((g.bucket - b) % per + per) % per;
    return std::min(back, per - back) <= half;
  };
  double sum = 0;
  double squares = 0;
  for (const auto& [b, n] : g.closed) {
    if (b < oldest || !comparable(b)) continue;
    sum += static_cast<double>(n);
    squares += static_cast<double>(n) * static_cast<double>(n);
  }
  std::int64_t positions = 0;
  for (std::int64_t b = oldest; b < g.bucket; ++b) positions += comparable(b) ? 1 : 0;
  if (positions == 0) return 0;
  const double n = static_cast<double>(positions);
  const double mean = std::max(sum / n, 0.5);
  const double variance = positions > 1 ? (squares - sum * sum / n) / (n - 1) : mean;
  const auto from = std::max<std::uint64_t>(rule.min_events, static_cast<std::uint64_t>(std::ceil(rule.factor * mean)));
  return tailThreshold(mean, variance, from, rule.p_value);
}

// g is the group being processed (packed_, combo_).
void CampaignCorrelator::applySurge(RuleState& state, const HeldEvent& event, Group& g) {
  const CorrelationRule& rule = state.rule;
  const std::int64_t ts = event.ts;
  if (g.last_ts == INT64_MIN) g.first_ts = ts;
  g.last_ts = std::max(g.last_ts, ts);
  const std::int64_t bucket = ts / rule.bucket_ns;
  const std::int64_t span = rule.baseline_ns / rule.bucket_ns;  // buckets in the baseline
  if (bucket < g.bucket) {  // a late event for a bucket already closed: its surge was decided
    too_old_ = true;
    return;
  }
  placed_ = true;
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
    g.threshold = surgeThreshold(rule, g);
  }
  ++g.bucket_count;
  if (g.threshold == 0 || g.bucket_count < g.threshold) return;
  // Surging: the event joins the surge group (one for all groups, or its own when gte is 1).
  const std::string label = joinGroup(g.key);
  Group& s = rule.gte == 1 ? groupOf(state.surges, packed_, combo_) : groupOf(state.surges, {}, {});
  if (!admit(rule, s, event, -1, std::span<const std::string>(&label, 1))) return;
  if (conditionHolds(state, s, s.last_ts)) raise(rule, s, raiserOf(event));
}

void CampaignCorrelator::raise(const CorrelationRule& rule, Group& g, const Raiser& event) {
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
  hit.late = late_;
  hit.last_src = addressText(std::string(event.src_ip));
  hit.last_dst = addressText(std::string(event.dst_ip));
  hit.last_indicator = event.indicator;
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
    std::erase_if(state.parents, [&](const auto& kv) { return kv.second.last < now - keep; });
    left += state.groups.size() + state.surges.size() + state.contacts.size() + state.parents.size();
  }
  return left;
}

std::vector<CorrelationHit> CampaignCorrelator::takeHits() { return std::exchange(hits_, {}); }

CorrelatorCounters CampaignCorrelator::counters() const {
  CorrelatorCounters c = counters_;
  c.buffered = queue_.size();
  for (const Source& s : sources_) {
    c.buffered += s.behind.size();
    if (s.max_ts < max_ts_ - max_lag_) ++c.lagging_sources;
  }
  return c;
}

}  // namespace gsoc::collector

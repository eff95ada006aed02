#include "collector/correlate/CampaignCorrelator.hpp"

#include <algorithm>

#include "collector/store/EventColumns.hpp"

namespace gsoc::collector {
namespace {

constexpr std::uint64_t kSweepEvery = 1 << 16;

template <typename T>
void prefetchBytes(const T* p, std::size_t bytes) {
  const auto* c = reinterpret_cast<const char*>(p);
  for (std::size_t off = 0; off < bytes; off += 64) __builtin_prefetch(c + off);
}

}  // namespace

CampaignCorrelator::CampaignCorrelator(std::vector<CorrelationRule> rules, std::int64_t allowed_lateness_ns, std::int64_t max_source_lag_ns)
    : lateness_(allowed_lateness_ns), max_lag_(max_source_lag_ns > 0 ? max_source_lag_ns : allowed_lateness_ns) {
  for (auto& r : rules) {
    const auto& u = r.unfamiliar;
    sightings_.push_back(u.field.empty() ? nullptr : std::make_unique<FirstSightings>(r.timespan_ns, u.baseline_ns, u.learning_ns, u.known_suffixes));
    rules_.push_back(makeAnalytic(std::move(r), log_));
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
  min_ts_ = std::min(min_ts_, ts);
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
    source.behind.push(Held{ts, slot}, ts, cmp);
  } else {
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
    const CorrelationRule& rule = rules_[i]->rule();
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
    if (complete && !rule.unfamiliar.field.empty()) {
      const std::size_t first = held.values.size();
      rule.unfamiliar.field.front().values(event, held.values);
      rv.unfamiliar = {static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(held.values.size() - first)};
      complete = rv.unfamiliar.count > 0;
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
  advance(INT64_MAX);
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
    if (held.ts >= next_due_) advance(held.ts);
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

void CampaignCorrelator::process(const HeldEvent& event, bool late) {
  const EventView view{event.ts, event.event_id, event.agency, event.src_ip, event.dst_ip, event.indicator, late};
  Placement placement;
  for (const HeldEvent::RuleValues& rv : event.rules) {
    Analytic& analytic = *rules_[rv.rule];
    const CorrelationRule& rule = analytic.rule();
    if (FirstSightings* sightings = sightings_[rv.rule].get()) {
      bool fresh = false;  // every value is sighted, whatever the first says
      for (const auto& v : event.values.range(rv.unfamiliar.first, rv.unfamiliar.count)) {
        fresh = sightings->sightNew(v, event.ts, min_ts_) || fresh;
      }
      if (!fresh) continue;  // a familiar sender: not for this rule
    }
    const std::span<const std::string> values = event.values.range(rv.value.first, rv.value.count);
    // Every combination of the group_by fields' values, the last field varying fastest (most
    // fields have one value; a mail with two attachments belongs to two groups).
    const std::span<const HeldEvent::Range> fields(event.ranges.data() + rv.fields, rule.group_by.size());
    pick_.assign(fields.size(), 0);
    while (true) {
      packed_.clear();
      combo_.clear();
      for (std::size_t f = 0; f < fields.size(); ++f) {
        const std::string& v = event.values[fields[f].first + pick_[f]];
        appendKeyPart(packed_, v);
        combo_.push_back(&v);
      }
      analytic.observe(view, packed_, combo_, values, rv.stages, placement);
      std::size_t f = fields.size();
      while (f > 0 && ++pick_[f - 1] == fields[f - 1].count) pick_[--f] = 0;
      if (f == 0) break;
    }
    next_due_ = std::min(next_due_, analytic.nextDue());
  }
  if (late && placement.too_old && !placement.placed) ++counters_.late_unplaced;
}

void CampaignCorrelator::advance(std::int64_t now) {
  next_due_ = INT64_MAX;
  for (auto& analytic : rules_) next_due_ = std::min(next_due_, analytic->advance(now));
}

// Sweeping visits every group of every rule: what it left decides when to sweep next.
std::uint64_t CampaignCorrelator::sweep(std::int64_t now) {
  std::uint64_t left = 0;
  for (auto& analytic : rules_) left += analytic->sweep(now);
  for (auto& sightings : sightings_) left += sightings ? sightings->sweep(now) : 0;
  return left;
}

std::vector<CorrelationHit> CampaignCorrelator::takeHits() { return std::exchange(log_.hits, {}); }

CorrelatorCounters CampaignCorrelator::counters() const {
  CorrelatorCounters c = counters_;
  c.hits = log_.raised;
  c.updates = log_.updates;
  c.buffered = queue_.size();
  for (const Source& s : sources_) {
    c.buffered += s.behind.size();
    if (s.max_ts < max_ts_ - max_lag_) ++c.lagging_sources;
  }
  return c;
}

}  // namespace gsoc::collector

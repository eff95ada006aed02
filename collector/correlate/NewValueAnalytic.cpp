#include "collector/correlate/NewValueAnalytic.hpp"

#include "collector/correlate/EventField.hpp"

namespace gsoc::collector {

// New: first seen within the window after a baseline-long silence, settled, after the learning
// period (on the first days everything would be new), by few hosts, and (new_domain) of a
// registered domain that is new too.
bool NewValueAnalytic::holds(const Group& g, std::int64_t now) const {
  return g.value_counts.size() >= rule_.gte && now - g.since <= rule_.timespan_ns && now - g.since >= rule_.settle_ns &&
         g.since - first_ts_ >= rule_.learning_ns && (rule_.max_hosts == 0 || recentHosts(g) <= rule_.max_hosts) &&
         (!rule_.new_domain || (g.parent_since != INT64_MIN && now - g.parent_since <= rule_.timespan_ns));
}

// Distinct internal hosts that contacted the group within its window.
std::uint64_t NewValueAnalytic::recentHosts(const Group& g) const {
  const std::int64_t oldest = g.last_ts - rule_.timespan_ns;
  return static_cast<std::uint64_t>(std::count_if(g.hosts.begin(), g.hosts.end(), [&](const auto& h) { return h.second >= oldest; }));
}

void NewValueAnalytic::observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
                               std::span<const std::string> counted, std::uint64_t /*stages*/, Placement& placement) {
  Group& g = groupOf(groups_, key, values);
  const std::int64_t ts = event.ts;
  first_ts_ = first_ts_ == INT64_MIN ? ts : std::min(first_ts_, ts);
  if (g.last_ts == INT64_MIN || ts - g.last_ts > rule_.baseline_ns) g.since = ts;
  if (rule_.new_domain && !g.key.empty()) {
    Seen& seen = parents_.try_emplace(std::string(registeredDomain(g.key.back()))).first->second;
    if (seen.last == INT64_MIN || ts - seen.last > rule_.baseline_ns) seen.since = ts;
    seen.last = std::max(seen.last, ts);
    g.parent_since = seen.since;
  }
  if (rule_.max_hosts != 0) {
    host_.assign(event.agency);
    host_ += '|';
    host_ += event.src_ip;
    auto it = g.hosts.find(host_);
    if (it == g.hosts.end()) g.hosts.emplace(host_, ts);
    else it->second = std::max(it->second, ts);
  }
  if (ts - g.since > rule_.timespan_ns) {  // known now: it can raise nothing until it goes quiet
    g.last_ts = std::max(g.last_ts, ts);
    placement.placed = true;
    if (!g.window.empty()) {
      g.window = {};
      g.value_counts.clear();
    }
    g.hosts.clear();
    return;
  }
  if (!admit(g, event, -1, counted, placement)) return;
  if (rule_.settle_ns > 0 && ts < g.since + rule_.settle_ns) {
    // Too early to tell a new threat from a new service everybody starts using: decide when the
    // name has been known for `settle`, from what it is then.
    if (g.pending_due == 0 && !g.raised) {
      g.pending_due = g.since + rule_.settle_ns;
      pending_.emplace_back(g.pending_due, key);
      next_due_ = std::min(next_due_, g.pending_due);
    }
    g.pending_ts = ts;
    g.pending_src = event.src_ip;
    g.pending_dst = event.dst_ip;
    g.pending_indicator = event.indicator;
    return;
  }
  if (holds(g, g.last_ts)) raise(g, event, true);
}

std::int64_t NewValueAnalytic::advance(std::int64_t now) {
  std::sort(pending_.begin(), pending_.end());
  std::size_t done = 0;
  for (; done < pending_.size() && pending_[done].first <= now; ++done) {
    auto it = groups_.find(pending_[done].second);
    if (it == groups_.end() || it->second.pending_due != pending_[done].first) continue;
    Group& g = it->second;
    g.pending_due = 0;
    if (holds(g, pending_[done].first)) raise(g, EventView{g.pending_ts, {}, {}, g.pending_src, g.pending_dst, g.pending_indicator, false}, true);
  }
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(done));
  next_due_ = pending_.empty() ? INT64_MAX : pending_.front().first;
  return next_due_;
}

std::uint64_t NewValueAnalytic::sweep(std::int64_t now) {
  const std::int64_t keep = rule_.horizon();
  std::erase_if(parents_, [&](const auto& kv) { return kv.second.last < now - keep; });
  return sweepIdle(groups_, now) + parents_.size();
}

}  // namespace gsoc::collector

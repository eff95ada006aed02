#include "collector/correlate/BeaconingAnalytic.hpp"

#include <cmath>

namespace gsoc::collector {
namespace {

constexpr std::int64_t kMinPeriodNs = 30LL * 1000000000LL;
// One check-in is often several records (a lookup, then the connection, then its flow):
// contacts within a few seconds of the last are the same check-in.
constexpr std::int64_t kCheckInNs = 10LL * 1000000000LL;

}  // namespace

// Records that `group` contacted the destination. Exact: the list keeps the rare + 1 groups that
// contacted it last, so if more than `rare` groups did within the timespan, more than `rare` of
// the list's contacts are within it.
bool BeaconingAnalytic::destinationIsRare(const std::string& destination, const std::string& group, std::int64_t ts) {
  if (rule_.rare == 0) return true;
  auto& contacts = contacts_.try_emplace(destination).first->second;
  auto it = std::find_if(contacts.begin(), contacts.end(), [&](const Contact& c) { return c.group == group; });
  if (it == contacts.end()) {
    if (contacts.size() <= rule_.rare) {
      it = contacts.emplace(contacts.end());
    } else {  // events come in time order: the oldest contact is the one to forget
      it = std::min_element(contacts.begin(), contacts.end(), [](const auto& a, const auto& b) { return a.ts < b.ts; });
    }
    it->group.assign(group);
  }
  it->ts = std::max(it->ts, ts);
  const auto recent = std::count_if(contacts.begin(), contacts.end(), [&](const auto& c) { return c.ts >= ts - rule_.timespan_ns; });
  return static_cast<std::size_t>(recent) <= rule_.rare;
}

// The median interval between the window's contacts is the period (at least 30 s: bursts of
// page loads are not beacons). The window is a beacon when it meets either tier: `gte` check-ins
// within `jitter`, or, for a period in the slow range, the fewer `slow.gte` within the tighter
// `slow.jitter` (a loose 3-hour beacon makes a dozen check-ins in a day and a half; a tight one
// is plain in six).
bool BeaconingAnalytic::regular(const Window& g) {
  intervals_.clear();
  for (std::size_t i = 1; i < g.window.size(); ++i) intervals_.push_back(g.window[i].ts - g.window[i - 1].ts);
  if (intervals_.size() + 1 < fewestCheckIns()) return false;
  auto mid = intervals_.begin() + static_cast<std::ptrdiff_t>(intervals_.size() / 2);
  std::nth_element(intervals_.begin(), mid, intervals_.end());
  const std::int64_t median = *mid;
  if (median < kMinPeriodNs) return false;
  const auto period = static_cast<double>(median);
  if (meets(g, period, rule_.gte, rule_.jitter)) return true;
  const bool slow = rule_.slow_gte != 0 && median >= rule_.slow_min_period_ns && median <= rule_.slow_max_period_ns;
  return slow && meets(g, period, rule_.slow_gte, rule_.slow_jitter);
}

// At least `needed` check-ins, and `regularity` of the intervals between them within `jitter` of
// `period` (or of two or three periods: missed check-ins). A longer silence (a host asleep)
// counts for nothing either way, and the contacts on either side of it count as check-ins only
// when they have a neighbour within three periods: a night's gap splits an office-hours implant
// into runs, whose check-ins all count.
bool BeaconingAnalytic::meets(const Window& g, double period, std::uint64_t needed, double jitter) const {
  std::size_t near = 0;
  std::size_t counted = 0;
  std::uint64_t check_ins = 0;
  bool in_run = false;
  for (std::size_t i = 1; i < g.window.size(); ++i) {
    const double periods = static_cast<double>(g.window[i].ts - g.window[i - 1].ts) / period;
    if (periods > 3.0 * (1.0 + jitter)) {
      in_run = false;
      continue;
    }
    ++counted;
    check_ins += in_run ? 1 : 2;
    in_run = true;
    const double k = std::max(1.0, std::round(periods));
    if (std::abs(periods - k) <= jitter * k) ++near;
  }
  if (check_ins < needed) return false;
  return static_cast<double>(near) >= rule_.regularity * static_cast<double>(counted);
}

// The host's group (key, values) and each destination form the beacon's group.
void BeaconingAnalytic::observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
                                std::span<const std::string> counted, std::uint64_t /*stages*/, Placement& placement) {
  const std::int64_t ts = event.ts;
  for (const auto& destination : counted) {
    // A popular destination is no beacon: no window is kept for it at all.
    if (!destinationIsRare(destination, key, ts)) {
      placement.placed = true;
      continue;
    }
    beacon_key_ = key;
    appendKeyPart(beacon_key_, destination);
    combo_.assign(values.begin(), values.end());
    combo_.push_back(&destination);
    Window& g = groupOf(groups_, beacon_key_, combo_);
    if (!g.window.empty() && ts >= g.last_ts && ts - g.last_ts < kCheckInNs) {
      g.last_ts = ts;
      placement.placed = true;
      continue;
    }
    if (!admit(g, event, -1, {}, placement)) continue;
    if (g.window.size() < fewestCheckIns()) continue;
    // Within the suppression only a doubling can update the hit: skip the interval work until then.
    if (g.raised && ts - g.raised_at < rule_.suppress_ns && g.window.size() < 2 * g.raised_measure) continue;
    if (regular(g)) raise(g, event, false);
  }
}

// Forgets idle hosts' windows, and destinations nobody contacted within the timespan.
std::uint64_t BeaconingAnalytic::sweep(std::int64_t now) {
  std::erase_if(contacts_, [&](const auto& kv) {
    return std::all_of(kv.second.begin(), kv.second.end(), [&](const auto& c) { return c.ts < now - rule_.timespan_ns; });
  });
  return sweepIdle(groups_, now) + contacts_.size();
}

}  // namespace gsoc::collector

#include "collector/correlate/FirstSightings.hpp"

namespace gsoc::collector {

bool FirstSightings::sightNew(std::string_view value, std::int64_t ts, std::int64_t start) {
  for (const auto& suffix : known_suffixes_) {
    if (value.ends_with(suffix)) return false;
  }
  auto it = seen_.find(value);
  if (it == seen_.end()) it = seen_.emplace(std::string(value), Seen{}).first;
  Seen& s = it->second;
  if (s.last == INT64_MIN || ts - s.last > baseline_) s.since = ts;
  else s.since = std::min(s.since, ts);  // a late sighting may be the first
  s.last = std::max(s.last, ts);
  return ts - s.since <= window_ && s.since - start >= learning_;
}

std::uint64_t FirstSightings::sweep(std::int64_t now) {
  std::erase_if(seen_, [&](const auto& kv) { return kv.second.last < now - baseline_; });
  return seen_.size();
}

}  // namespace gsoc::collector

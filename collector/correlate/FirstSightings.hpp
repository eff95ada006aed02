#pragma once
// FirstSightings: when each value of a field (a mail sender) was first seen after a silence of
// `baseline`, so a rule can look only at what is new to the whole constituency. Values are kept
// while seen within the baseline; sweep() forgets the rest. Event-time only, like the analytics.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/correlate/Analytic.hpp"

namespace gsoc::collector {

class FirstSightings {
 public:
  // known_suffixes: values ending so are never new (the constituency's own mail domains).
  FirstSightings(std::int64_t window_ns, std::int64_t baseline_ns, std::int64_t learning_ns, std::vector<std::string> known_suffixes = {})
      : window_(window_ns), baseline_(baseline_ns), learning_(learning_ns), known_suffixes_(std::move(known_suffixes)) {}
  // Records a sighting at `ts`; true when the value is new: first seen (after a baseline-long
  // silence) at most `window` before `ts`, and a learning period after `start` (the first event
  // of any kind: a quiet field is not a new network).
  bool sightNew(std::string_view value, std::int64_t ts, std::int64_t start);
  std::uint64_t sweep(std::int64_t now);

 private:
  struct Seen {
    std::int64_t since = 0;
    std::int64_t last = INT64_MIN;
  };
  std::int64_t window_;
  std::int64_t baseline_;
  std::int64_t learning_;
  std::vector<std::string> known_suffixes_;
  KeyMap<Seen> seen_;
};

}  // namespace gsoc::collector

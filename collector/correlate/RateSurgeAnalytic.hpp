#pragma once
// RateSurgeAnalytic: per group (an agency) events per `bucket` against the same time of day (of
// week, from a 14-day baseline; `season`) in the trailing `baseline`: a bucket is a surge when
// its count is at least `factor` times that expectation, at least `min_events`, and at most
// `p_value` likely given the mean and spread of the comparable buckets (Poisson, or negative
// binomial when they are burstier). The same test runs over each of the rule's `spans` (the open
// bucket plus the closed ones before it), so a long mild surge shows in the hour's sum when no
// single bucket is unlikely enough. With `max_per_value`, one source counts at most that many
// events a bucket (a scanner's burst is not an access surge). A small agency's night surge is measured against its own
// quiet nights, a large one's busy morning against its own mornings. `gte` groups surging within
// `timespan` is a hit (a surge at several agencies at once: a DDoS campaign).

#include "collector/correlate/Analytic.hpp"

namespace gsoc::collector {

class RateSurgeAnalytic final : public Analytic {
 public:
  using Analytic::Analytic;
  void observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
               std::span<const std::string> counted, std::uint64_t stages, Placement& placement) override;
  std::uint64_t sweep(std::int64_t now) override { return sweepIdle(rates_, now) + sweepIdle(surges_, now); }

 private:
  // One group's rate: the open bucket, and the counts of the closed ones within the baseline.
  struct Rate {
    std::vector<std::string> key;
    std::int64_t first_ts = 0;
    std::int64_t last_ts = INT64_MIN;
    std::int64_t bucket = INT64_MIN;
    std::uint64_t bucket_count = 0;
    // Per span: the events of its closed buckets, and the count at which it surges (0: the
    // baseline is still being learned).
    std::vector<std::uint64_t> before;
    std::vector<std::uint64_t> thresholds;
    std::unordered_map<std::string, std::uint64_t, KeyHash, std::equal_to<>> per_value;  // this bucket's, with max_per_value
    Fifo<std::pair<std::int64_t, std::uint64_t>> closed;  // buckets with events, oldest first
  };
  struct Expectation {
    double mean = 0;
    double variance = 0;
    bool known = false;
  };
  [[nodiscard]] Expectation expected(const Rate& g, std::int64_t position, std::int64_t oldest) const;
  void openBucket(Rate& g) const;

  KeyMap<Rate> rates_;
  KeyMap<Window> surges_;  // the surging groups' events: one window for all, or per group when gte is 1
};

}  // namespace gsoc::collector

#include "collector/correlate/RateSurgeAnalytic.hpp"

#include <cmath>

namespace gsoc::collector {
namespace {

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
  auto step = [&] {
    cdf += term;
    term *= poisson ? mean / static_cast<double>(k + 1) : (static_cast<double>(k) + r) / static_cast<double>(k + 1) * q;
    ++k;
  };
  while (k < from) step();
  while (1.0 - cdf > p && k < from + 1000000) step();
  return k;
}

}  // namespace

// The count at which the group's open bucket is a surge, or 0 while its baseline is still being
// learned (a whole baseline, or with a season one season). The expectation is the mean of the
// comparable closed buckets: those at the same time of the season within half an hour, over the
// baseline, counting buckets with no events as zero (without a season: every bucket of the
// baseline), and at least half an event.
std::uint64_t RateSurgeAnalytic::threshold(const Rate& g) const {
  const std::int64_t span = rule_.baseline_ns / rule_.bucket_ns;
  const std::int64_t first = g.first_ts / rule_.bucket_ns;  // the first bucket observed
  const std::int64_t oldest = std::max(first, g.bucket - span);
  if (g.bucket - first < span && (rule_.season_ns == 0 || g.bucket * rule_.bucket_ns - g.first_ts < rule_.season_ns)) return 0;
  const std::int64_t per = rule_.season_ns / rule_.bucket_ns;
  const std::int64_t half = rule_.season_ns == 0 ? 0 : (1800LL * 1000000000LL) / rule_.bucket_ns;
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
  const auto from = std::max<std::uint64_t>(rule_.min_events, static_cast<std::uint64_t>(std::ceil(rule_.factor * mean)));
  return tailThreshold(mean, variance, from, rule_.p_value);
}

void RateSurgeAnalytic::observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
                                std::span<const std::string> /*counted*/, std::uint64_t /*stages*/, Placement& placement) {
  Rate& g = groupOf(rates_, key, values);
  const std::int64_t ts = event.ts;
  if (g.last_ts == INT64_MIN) g.first_ts = ts;
  g.last_ts = std::max(g.last_ts, ts);
  const std::int64_t bucket = ts / rule_.bucket_ns;
  const std::int64_t span = rule_.baseline_ns / rule_.bucket_ns;  // buckets in the baseline
  if (bucket < g.bucket) {  // a late event for a bucket already closed: its surge was decided
    placement.too_old = true;
    return;
  }
  placement.placed = true;
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
    g.threshold = threshold(g);
  }
  ++g.bucket_count;
  if (g.threshold == 0 || g.bucket_count < g.threshold) return;
  // Surging: the event joins the surge group (one for all groups, or its own when gte is 1).
  const std::string label = joinGroup(g.key);
  Window& s = rule_.gte == 1 ? groupOf(surges_, key, values) : groupOf(surges_, std::string(), {});
  if (!admit(s, event, -1, std::span<const std::string>(&label, 1), placement)) return;
  if (s.value_counts.size() >= rule_.gte) raise(s, event, true);
}

}  // namespace gsoc::collector

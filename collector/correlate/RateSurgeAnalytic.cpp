#include "collector/correlate/RateSurgeAnalytic.hpp"

#include <algorithm>
#include <cmath>

namespace gsoc::collector {
namespace {

// The least count c >= from with P(X >= c) <= p, for X of mean `mean` and variance `variance`:
// Poisson when the variance is no larger than the mean, else negative binomial of that mean and
// variance (real request counts are burstier than Poisson: a crawler, a news item). The upper
// tail is summed in log space from far above down to `from`: a busy hour's mean of thousands
// underflows exp(-mean), so the CDF cannot be summed up from zero.
std::uint64_t tailThreshold(double mean, double variance, std::uint64_t from, double p) {
  const bool poisson = variance <= mean * 1.0001;
  const double r = poisson ? 0 : mean * mean / (variance - mean);  // NB size
  const double q = poisson ? 0 : mean / (r + mean);                  // NB success ratio per step
  auto log_pmf = [&](double k) {
    return poisson ? k * std::log(mean) - mean - std::lgamma(k + 1)
                   : std::lgamma(k + r) - std::lgamma(r) - std::lgamma(k + 1) + r * std::log1p(-q) + k * std::log(q);
  };
  // Far enough above: past the mean, where one term is below p * e^-30 (the terms after it add
  // less than a geometric series of ratio q, so the tail above is negligible).
  const double log_p = std::log(p);
  double step = std::sqrt(std::max(variance, mean)) + 1;
  double high = std::max(static_cast<double>(from), std::ceil(mean));
  while (log_pmf(high) > log_p - 30) {
    high += std::ceil(step);
    step *= 2;
  }
  double tail = 0;
  for (double k = high; k >= static_cast<double>(from); --k) {
    tail += std::exp(log_pmf(k));
    if (tail > p) return static_cast<std::uint64_t>(k) + 1;
  }
  return from;
}

}  // namespace

// What one bucket at position `p` should hold: the mean and variance of the comparable closed
// buckets since `oldest`: with a season, those at the same time of an earlier season within half
// an hour (never the hours just before: a surge is not its own baseline), otherwise every bucket
// before `p`; buckets with no events count as zero, and the mean is at least half an event.
// Unknown (nothing comparable yet) while the baseline is learned.
RateSurgeAnalytic::Expectation RateSurgeAnalytic::expected(const Rate& g, std::int64_t p, std::int64_t oldest) const {
  const std::int64_t per = rule_.season_ns / rule_.bucket_ns;
  const std::int64_t half = per == 0 ? 0 : (1800LL * 1000000000LL) / rule_.bucket_ns;
  const std::int64_t newest = per == 0 ? p - 1 : p - per + half;
  auto comparable = [&](std::int64_t b) {
    if (b < oldest || b > newest) return false;
    if (per == 0) return true;
    const std::int64_t back = ((p - b) % per + per) % per;
    return std::min(back, per - back) <= half;
  };
  double sum = 0;
  double squares = 0;
  for (const auto& [b, n] : g.closed) {
    if (!comparable(b)) continue;
    sum += static_cast<double>(n);
    squares += static_cast<double>(n) * static_cast<double>(n);
  }
  std::int64_t positions = 0;
  for (std::int64_t b = oldest; b <= newest; ++b) positions += comparable(b) ? 1 : 0;
  if (positions == 0) return {};
  const double n = static_cast<double>(positions);
  const double mean = std::max(sum / n, 0.5);
  return {mean, positions > 1 ? std::max((squares - sum * sum / n) / (n - 1), 0.0) : mean, true};
}

// Sets the open bucket's per-span counts before it and thresholds. A span of k buckets expects
// the sum of its buckets' expectations (means and variances add), so an hour across the evening
// rise is measured against the rise. Thresholds stay 0 while the baseline is learned (a whole
// baseline, or with a season one season).
void RateSurgeAnalytic::openBucket(Rate& g) const {
  const std::size_t spans = rule_.spans_ns.size();
  g.before.assign(spans, 0);
  g.thresholds.assign(spans, 0);
  for (std::size_t i = 0; i < spans; ++i) {
    const std::int64_t from = g.bucket - rule_.spans_ns[i] / rule_.bucket_ns + 1;
    for (const auto& [b, n] : g.closed)
      if (b >= from) g.before[i] += n;
  }
  const std::int64_t baseline = rule_.baseline_ns / rule_.bucket_ns;
  const std::int64_t first = g.first_ts / rule_.bucket_ns;  // the first bucket observed
  if (g.bucket - first < baseline && (rule_.season_ns == 0 || g.bucket * rule_.bucket_ns - g.first_ts < rule_.season_ns)) return;
  const std::int64_t oldest = std::max(first, g.bucket - baseline);
  double mean = 0;
  double variance = 0;
  std::int64_t k = 0;  // buckets summed so far (the spans come shortest first)
  for (std::size_t i = 0; i < spans; ++i) {
    for (const std::int64_t want = rule_.spans_ns[i] / rule_.bucket_ns; k < want; ++k) {
      const Expectation e = expected(g, g.bucket - k, oldest);
      if (!e.known) return;  // this span and the longer ones reach back before the history
      mean += e.mean;
      variance += e.variance;
    }
    const auto from = std::max<std::uint64_t>(rule_.min_events, static_cast<std::uint64_t>(std::ceil(rule_.factor * mean)));
    g.thresholds[i] = tailThreshold(mean, variance, from, rule_.p_value);
  }
}

void RateSurgeAnalytic::observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
                                std::span<const std::string> counted, std::uint64_t /*stages*/, Placement& placement) {
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
    if (g.bucket != INT64_MIN) g.closed.push_back({g.bucket, g.bucket_count});
    while (!g.closed.empty() && g.closed.front().first < bucket - span) g.closed.pop_front();
    g.bucket = bucket;
    g.bucket_count = 0;
    g.per_value.clear();
    openBucket(g);
  }
  if (rule_.max_per_value != 0) {
    const std::string_view source = counted.empty() ? std::string_view() : std::string_view(counted.front());
    auto it = g.per_value.find(source);
    if (it == g.per_value.end()) it = g.per_value.emplace(std::string(source), 0).first;
    if (++it->second > rule_.max_per_value) return;
  }
  ++g.bucket_count;
  bool surging = false;
  for (std::size_t i = 0; i < g.thresholds.size() && !surging; ++i)
    surging = g.thresholds[i] != 0 && g.before[i] + g.bucket_count >= g.thresholds[i];
  if (!surging) return;
  // Surging: the event joins the surge group (one for all groups, or its own when gte is 1).
  const std::string label = joinGroup(g.key);
  Window& s = rule_.gte == 1 ? groupOf(surges_, key, values) : groupOf(surges_, std::string(), {});
  if (!admit(s, event, -1, std::span<const std::string>(&label, 1), placement)) return;
  if (s.value_counts.size() >= rule_.gte) raise(s, event, true);
}

}  // namespace gsoc::collector

#include "collector/correlate/StagedAnalytic.hpp"

namespace gsoc::collector {

void StagedAnalytic::observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
                             std::span<const std::string> counted, std::uint64_t stages, Placement& placement) {
  Group& g = groupOf(groups_, key, values);
  const bool ordered = rule_.type == CorrelationRule::Type::TemporalOrdered;
  for (std::size_t k = 0; k < rule_.stages.size(); ++k) {
    if ((stages >> k & 1) == 0) continue;
    auto& st = g.stage_ts;
    if (st.empty()) st.assign(rule_.stages.size(), INT64_MIN);
    if (!ordered) st[k] = event.ts;
    else if (k == 0) st[0] = event.ts;                                     // a chain may start here
    else if (st[k - 1] != INT64_MIN) st[k] = std::max(st[k], st[k - 1]);  // extends the latest chain
    if (!admit(g, event, static_cast<int>(k), counted, placement)) continue;
    const std::int64_t oldest = g.last_ts - rule_.timespan_ns;
    const bool holds = ordered ? st.back() != INT64_MIN && st.back() >= oldest
                               : std::all_of(st.begin(), st.end(), [&](std::int64_t t) { return t != INT64_MIN && t >= oldest; });
    if (holds) raise(g, event, false);
  }
}

}  // namespace gsoc::collector

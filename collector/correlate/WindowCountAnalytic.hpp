#pragma once
// WindowCountAnalytic: event_count (at least `gte` events per group within `timespan`) and
// value_count (at least `gte` distinct values of `field`, e.g. agencies, per group within
// `timespan`): the Sigma correlation types, over a sliding window per group.

#include "collector/correlate/Analytic.hpp"

namespace gsoc::collector {

class WindowCountAnalytic final : public Analytic {
 public:
  using Analytic::Analytic;
  void observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
               std::span<const std::string> counted, std::uint64_t stages, Placement& placement) override;
  std::uint64_t sweep(std::int64_t now) override { return sweepIdle(groups_, now); }

 private:
  KeyMap<Window> groups_;
};

}  // namespace gsoc::collector

#pragma once
// StagedAnalytic: temporal (every stage seen per group within `timespan`, in any order) and
// temporal_ordered (the stages in order: an attack progressing at one agency, a mail then its
// C2). Per group it keeps, per stage, the latest time it was seen (temporal) or the latest start
// of a chain of stages 0..k in order (temporal_ordered): O(stages) per event, whatever the window.

#include "collector/correlate/Analytic.hpp"

namespace gsoc::collector {

class StagedAnalytic final : public Analytic {
 public:
  using Analytic::Analytic;
  void observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
               std::span<const std::string> counted, std::uint64_t stages, Placement& placement) override;
  std::uint64_t sweep(std::int64_t now) override { return sweepIdle(groups_, now); }

 private:
  struct Group : Window {
    std::vector<std::int64_t> stage_ts;  // INT64_MIN: not seen
  };
  KeyMap<Group> groups_;
};

}  // namespace gsoc::collector

#include "collector/correlate/WindowCountAnalytic.hpp"

namespace gsoc::collector {

void WindowCountAnalytic::observe(const EventView& event, const std::string& key, const std::vector<const std::string*>& values,
                                  std::span<const std::string> counted, std::uint64_t /*stages*/, Placement& placement) {
  Window& g = groupOf(groups_, key, values);
  if (!admit(g, event, -1, counted, placement)) return;
  const bool distinct = rule_.type == CorrelationRule::Type::ValueCount;
  if ((distinct ? g.value_counts.size() : g.window.size()) >= rule_.gte) raise(g, event, distinct);
}

}  // namespace gsoc::collector

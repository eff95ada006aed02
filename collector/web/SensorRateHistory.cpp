#include "collector/web/SensorRateHistory.hpp"

namespace gsoc::collector {

void SensorRateHistory::sample(std::int64_t now_ns, const std::vector<SensorRow>& rows) {
  std::lock_guard lock(mutex_);
  for (const SensorRow& r : rows) {
    auto [it, fresh] = tracks_.try_emplace(r.sensor_id);
    Track& t = it->second;
    if (!fresh && now_ns > t.last_ns) {
      if (r.events < t.last_events) {
        t.rates.clear();
      } else {
        t.rates.push_back(static_cast<double>(r.events - t.last_events) * 1e9 / static_cast<double>(now_ns - t.last_ns));
        if (t.rates.size() > kSamples) t.rates.pop_front();
      }
    }
    t.last_ns = now_ns;
    t.last_events = r.events;
  }
}

std::vector<double> SensorRateHistory::rates(const std::string& sensor_id) const {
  std::lock_guard lock(mutex_);
  const auto it = tracks_.find(sensor_id);
  if (it == tracks_.end()) return {};
  return {it->second.rates.begin(), it->second.rates.end()};
}

}  // namespace gsoc::collector

#pragma once
// SensorRateHistory: each sensor's stored events per second over its last few samples, kept in
// memory for the sensors page's sparklines. The store keeps only a running total per sensor
// (SensorRow::events, over all its streams), so the web console samples the totals on a timer
// (WebConsole) and keeps the differences here; a collector restart starts every history afresh,
// and a total that went down (the sensor's rows rebuilt) starts that sensor's again.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

class SensorRateHistory {
 public:
  static constexpr std::size_t kSamples = 60;  // at the console's 10 s: the last 10 minutes

  // The totals as read at `now_ns`: each sensor's rate since its previous sample.
  void sample(std::int64_t now_ns, const std::vector<SensorRow>& rows);
  // Events per second, oldest first, at most kSamples; empty before a sensor's second sample.
  [[nodiscard]] std::vector<double> rates(const std::string& sensor_id) const;

 private:
  struct Track {
    std::int64_t last_ns = 0;
    std::uint64_t last_events = 0;
    std::deque<double> rates;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Track, std::less<>> tracks_;
};

}  // namespace gsoc::collector

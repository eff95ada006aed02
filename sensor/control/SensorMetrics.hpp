#pragma once
// The sensor's counters in Prometheus' text exposition format (0.0.4), for the /metrics endpoint
// (common/MetricsServer): capture, drops by the layer that dropped, alerts, the spool and the
// shipping to the collector, and an info series naming the sensor and its active ruleset. The
// same figures as the control socket's `stats` and the heartbeats; packaging/prometheus has the
// scrape job and the alert rules that read them.

#include <cstdint>
#include <string>
#include <string_view>

#include "sensor/transport/EventShipper.hpp"
#include "sensor/transport/EventSpool.hpp"
#include "sensor/worker/EngineDrops.hpp"

namespace gsoc::sensor {

struct SensorMetrics {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t alerts = 0;
  std::uint64_t drop_interface = 0;  // by the NIC or kernel before capture
  std::uint64_t drop_capture = 0;    // by the capture layer (libpcap buffer, DPDK missed)
  std::uint64_t drop_ring = 0;       // by the sensor's own dispatch rings
  EngineDrops engine;
  std::uint64_t spool_events = 0;  // appended and not yet acknowledged
  std::uint64_t spool_bytes = 0;
  SpoolCounters spool;
  ShipperCounters shipper;
};

// `transport`: whether the sensor ships to a collector (the spool and shipping series are written
// only then, so a dashboard tells "no spool" from "empty spool").
std::string renderSensorMetrics(const SensorMetrics& m, std::string_view sensor_id, std::string_view agency_id,
                                std::string_view ruleset_version, bool transport);

}  // namespace gsoc::sensor

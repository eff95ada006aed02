#pragma once
// The sensor's counters as a run reports them: SensorTotals, everything the workers counted,
// merged when read, and rendered as the EVE stats record (statsJson, Suricata's layout); and
// LiveCounters, the few figures the capture thread publishes while it runs for the threads that
// report them (heartbeats, the control socket's `stats`, Prometheus metrics).

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/PoolTable.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "sensor/app/AppLayer.hpp"
#include "sensor/capture/PacketSource.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/worker/EngineDrops.hpp"
#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor {

// Everything counted across the workers, merged when read.
struct SensorTotals {
  WorkerCounters worker;
  DecodeCounters decode;
  FragmentCounters fragments;
  FlowTableCounters flows;
  std::size_t active_flows = 0;
  DetectionCounters detection;
  AppLayerCounters app;
  gsoc::PoolTable pools;  // the workers' free lists (parser states, messages, stream windows)
  std::uint64_t ring_drops = 0;
  std::uint64_t ring_truncated = 0;
  // The active ruleset's load outcome, as Suricata's stats.detect.engines[] reports it.
  std::uint64_t rules_loaded = 0;
  std::uint64_t rules_failed = 0;
  std::uint64_t rules_skipped = 0;

  // The rules_* counters from `ruleset`'s load report (left 0 without one).
  void setRuleset(const signatures::CompiledRuleset* ruleset);
};

// Bytes held by a pool's objects in use (stats ftp.memuse, http.memuse: the parser states of live
// flows; what their buffers hold is not counted, and there is no cap, so memcap is 0).
std::uint64_t poolBytes(const gsoc::PoolTable& pools, std::string_view name, std::size_t object_size);

// The EVE stats record's body (Suricata's counter names where it has them).
std::string statsJson(const SensorTotals& t, const CaptureCounters& capture);

// Read by the heartbeat, control socket and metrics threads: published by the capture loop (every
// 1024 packets and while the link is quiet) and the output path (alerts).
struct LiveCounters {
  std::atomic<std::uint64_t> packets{0};
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<std::uint64_t> alerts{0};
  std::atomic<std::uint64_t> drop_interface{0};
  std::atomic<std::uint64_t> drop_capture{0};
  std::atomic<std::uint64_t> drop_ring{0};
  PublishedEngineDrops engine_drops;
};

}  // namespace gsoc::sensor

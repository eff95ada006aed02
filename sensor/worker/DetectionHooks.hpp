#pragma once
// The hooks that feed a worker's flows into a DetectionStage: each packet, the stream bytes it
// completes and each flow's end, with the packet announced first so what its bytes complete
// belongs to it. gsoc-sensor's engine adds its outputs to these; tests and benchmarks that run
// the pipeline in-process use them as they are.

#include "sensor/detect/DetectionStage.hpp"
#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor {

inline WorkerHooks detectionHooks(DetectionStage& detection) {
  WorkerHooks hooks;
  hooks.on_packet = [&detection](const DecodedPacket& p, Flow& flow, signatures::FlowDirection dir) { detection.onPacket(p, flow, dir); };
  hooks.on_stream_data = [&detection](Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data) {
    detection.onStreamData(flow, dir, data);
  };
  hooks.on_flow_end = [&detection](Flow& flow, FlowEndReason) { detection.onFlowEnd(flow); };
  hooks.on_flow_packet_start = [&detection](const DecodedPacket& p) { detection.beginPacket(p); };
  return hooks;
}

}  // namespace gsoc::sensor

#pragma once
// The hooks that feed a worker's flows into its FlowInspector: each packet, the stream bytes it
// completes and each flow's end, with the packet announced first so what its bytes complete
// belongs to it, and the packets that reached no flow. gsoc-sensor's engine adds its outputs to
// these; tests and benchmarks that run the pipeline in-process use them as they are.

#include "sensor/worker/FlowInspector.hpp"
#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor {

inline WorkerHooks inspectionHooks(FlowInspector& inspector) {
  WorkerHooks hooks;
  hooks.on_packet = [&inspector](const DecodedPacket& p, Flow& flow, signatures::FlowDirection dir) { inspector.onPacket(p, flow, dir); };
  hooks.on_stream_data = [&inspector](Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data) {
    inspector.onStreamData(flow, dir, data);
  };
  hooks.on_flow_end = [&inspector](Flow& flow, FlowEndReason) { inspector.onFlowEnd(flow); };
  hooks.on_flow_packet_start = [&inspector](const DecodedPacket& p) { inspector.beginPacket(p); };
  hooks.on_flowless_packet = [&inspector](const DecodedPacket& p) {
    if (p.events.any()) inspector.onFlowlessPacket(p);
  };
  return hooks;
}

}  // namespace gsoc::sensor

#pragma once
// FlowInspector: a worker's inspection of its flows, the app layer and detection side by side.
// Neither owns the other: for each packet, stream chunk and flow end, the inspector calls the
// app layer (identification, parsing, records) and detection (rules) in Suricata's order, and
// hands the app layer's transactions and anomaly events to detection. Each layer keeps its
// per-flow state in its own slot of the flow (Flow::app_layer, Flow::detect). What the ruleset
// asks of the app layer (file hashes, frames, hassh) is set here on every ruleset swap.

#include <cstdint>
#include <span>

#include "sensor/app/AppLayer.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

class FlowInspector {
 public:
  FlowInspector(signatures::CompiledRulesetPtr ruleset, DetectionStage::AlertSink sink);
  FlowInspector(const FlowInspector&) = delete;  // the app layer's sink points back at it
  FlowInspector& operator=(const FlowInspector&) = delete;

  // The worker's hooks (SensorWorker's WorkerHooks).
  // The packet whose stream bytes come next: what they complete carries its capture position.
  void beginPacket(const DecodedPacket& packet) { detect_.beginPacket(packet); }
  void onPacket(const DecodedPacket& packet, Flow& flow, signatures::FlowDirection dir);
  void onStreamData(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data);
  // A packet with anomaly events that reached no flow.
  void onFlowlessPacket(const DecodedPacket& packet) { detect_.onFlowlessPacket(packet); }
  // The flow ends: what is left of its stream is scanned, the app layer finishes its messages,
  // and both layers give their per-flow state back to their pools.
  void onFlowEnd(Flow& flow);

  // A reload: the next packets are matched against `ruleset`, and the app layer does what its
  // rules need (HTTP files hashed only if they need the hashes or hashing is forced, frames
  // delimited if a rule inspects them, hassh computed if a rule reads it).
  void setRuleset(signatures::CompiledRulesetPtr ruleset);
  // Suricata's stream.inline: both layers take a side's bytes as they arrive.
  void setStreamInline(bool on) {
    detect_.setStreamInline(on);
    app_.setStreamInline(on);
  }
  // Hash every HTTP file (MD5, SHA-256 in fileinfo records) whatever the rules need: Suricata's
  // eve-log files force-hash, gsoc-sensor's --force-file-hashes.
  void setForceFileHashes(bool on) {
    force_file_hashes_ = on;
    applyRulesetNeeds();
  }
  // EVE frame records (Suricata's eve-log `frame` type): every frame goes to the metadata sink.
  void setLogFrames(bool on) {
    log_frames_ = on;
    applyRulesetNeeds();
  }
  // The app layer's records reach `sink` stamped with the capture position of the packet being
  // processed (AppMetadata::capture_index).
  void setMetadataSink(MetadataSink sink);

  // Each layer for its own settings and counters.
  [[nodiscard]] AppLayer& app() { return app_; }
  [[nodiscard]] const AppLayer& app() const { return app_; }
  [[nodiscard]] DetectionStage& detection() { return detect_; }
  [[nodiscard]] const DetectionStage& detection() const { return detect_; }
  // Adds both layers' pools to `table` (the worker's stats).
  void addPools(PoolTable& table) const {
    app_.addPools(table);
    detect_.addPools(table);
  }

 private:
  // The app layer finishes the flow's messages (their events go to detection), and both layers
  // give back the flow's parser state and stream windows.
  void finishApp(Flow& flow);
  void takeAppEvents(Flow& flow) { app_.takeEvents(flow, detect_.pendingEvents()); }
  void applyRulesetNeeds();

  DetectionStage detect_;
  AppLayer app_;
  bool force_file_hashes_ = false;
  bool log_frames_ = false;
};

}  // namespace gsoc::sensor

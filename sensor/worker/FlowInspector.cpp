#include "sensor/worker/FlowInspector.hpp"

#include <algorithm>
#include <utility>

#include "gsoc/signatures/Frame.hpp"

namespace gsoc::sensor {

using signatures::FlowDirection;

FlowInspector::FlowInspector(signatures::CompiledRulesetPtr ruleset, DetectionStage::AlertSink sink)
    : detect_(std::move(ruleset), std::move(sink)),
      app_([this](Flow& flow, FlowDirection dir, signatures::MatchInput& input) {
        // The events raised so far with this packet, this transaction's among them, go with it.
        takeAppEvents(flow);
        detect_.onTransaction(flow, dir, input, app_.transactionRecord(), app_.currentFrame());
      }) {
  applyRulesetNeeds();
}

void FlowInspector::setRuleset(signatures::CompiledRulesetPtr ruleset) {
  detect_.setRuleset(std::move(ruleset));
  applyRulesetNeeds();
}

void FlowInspector::applyRulesetNeeds() {
  const signatures::CompiledRuleset& ruleset = detect_.ruleset();
  const auto inspects = [&](auto&& buffer_wanted) {
    return std::any_of(ruleset.rules().begin(), ruleset.rules().end(), [&](const signatures::Rule& r) {
      return std::any_of(r.inspections.begin(), r.inspections.end(),
                         [&](const signatures::BufferInspection& i) { return buffer_wanted(i.buffer); });
    });
  };
  app_.setFileHashing(force_file_hashes_ || ruleset.needsFileHashes());
  // Frames are delimited when a rule inspects one or EVE logs them.
  app_.setFrames(inspects([](signatures::BufferId b) { return signatures::isFrameBuffer(b); }), log_frames_);
  // Suricata enables hassh when a rule inspects a hassh buffer (AppLayer::setSshHassh).
  app_.setSshHassh(inspects([](signatures::BufferId b) {
    using signatures::BufferId;
    return b == BufferId::SshHassh || b == BufferId::SshHasshString || b == BufferId::SshHasshServer ||
           b == BufferId::SshHasshServerString;
  }));
}

void FlowInspector::setMetadataSink(MetadataSink sink) {
  if (!sink) {
    app_.setMetadataSink({});
    return;
  }
  app_.setMetadataSink([this, sink = std::move(sink)](const AppMetadata& record) {
    AppMetadata stamped = record;
    if (const DecodedPacket* current = detect_.currentPacket()) stamped.capture_index = current->capture_index;
    sink(stamped);
  });
}

void FlowInspector::onPacket(const DecodedPacket& packet, Flow& flow, FlowDirection dir) {
  beginPacket(packet);
  // The second FIN closes the connection, but Suricata ends the session's app layer at the ACK
  // of it (its CLOSED state): the app layer finishes at the packet after it (a RST at once).
  const bool closing_fin = (packet.tcp_flags & tcp_flag::kFin) != 0 && (packet.tcp_flags & tcp_flag::kRst) == 0;
  if (flow.tcp_state == TcpState::Closed && !closing_fin && (flow.app_layer.state || !flow.detect.windows[0].empty())) {
    // The connection is over but the flow waits for its timeout: finish the app layer now and
    // give back the per-flow buffers, which are most of a flow's memory. What that raises
    // belongs to this packet. Bytes held behind a hole will not be completed now: the app layer
    // has them first, after the gap, as it would at the flow's end.
    for (const FlowDirection side_dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
      const std::size_t side = side_dir == FlowDirection::ToServer ? Flow::kToServer : Flow::kToClient;
      flow.streams[side].flush([&](std::span<const std::uint8_t> data) { onStreamData(flow, side_dir, data); });
    }
    // The records the end writes (NFS's last) take this packet's direction, as Suricata's.
    if (flow.app == signatures::AppProto::Nfs && flow.app_layer.state) static_cast<NfsState&>(*flow.app_layer.state).last_packet = dir;
    finishApp(flow);
  }
  const std::uint64_t unacked = detect_.acknowledge(packet, flow, dir);
  app_.onPacket(flow, dir, unacked);
  takeAppEvents(flow);  // raised by what this packet acknowledged
  signatures::BufferSet& buffers = detect_.preparePacket(packet, flow, dir);
  if (packet.ip_proto == 17) {
    app_.clearDatagramRecord();
    if (!packet.payload.empty() && !packet.is_tunnel_root) {  // a tunnel's datagrams carry packets, not an app protocol
      app_.onDatagram(flow, dir, packet.payload, buffers, packet.timestamp_ns);
      takeAppEvents(flow);
    }
  }
  detect_.inspectPacket(packet, flow, dir, app_.datagramRecord(flow));
}

void FlowInspector::onStreamData(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  const DecodedPacket* current = detect_.currentPacket();
  const std::int64_t now = current != nullptr ? current->timestamp_ns : flow.last_ns;
  detect_.appendStream(flow, dir, data);
  // The app layer first: it identifies the protocol and runs the transactions these bytes
  // complete, which see the flow's window as their payload. Stream rules scan after it.
  app_.onStream(flow, dir, data, now);
  takeAppEvents(flow);
  detect_.streamParsed(flow, dir, data.size());
}

void FlowInspector::onFlowEnd(Flow& flow) {
  detect_.startFlowEnd(flow);
  finishApp(flow);
  detect_.finishFlowEnd(flow, app_.datagramRecord(flow));
}

void FlowInspector::finishApp(Flow& flow) {
  app_.onFlowEnd(flow);
  takeAppEvents(flow);
  app_.releaseState(flow);
  detect_.releaseWindows(flow);
}

}  // namespace gsoc::sensor

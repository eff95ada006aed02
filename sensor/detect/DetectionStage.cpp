#include "sensor/detect/DetectionStage.hpp"

#include <algorithm>
#include <utility>

#include "gsoc/signatures/Frame.hpp"

namespace gsoc::sensor {

using signatures::BufferId;
using signatures::FlowDirection;
using signatures::Transport;

namespace {
std::size_t sideOf(FlowDirection dir) { return dir == FlowDirection::ToServer ? Flow::kToServer : Flow::kToClient; }

Transport transportOf(std::uint8_t ip_proto) {
  switch (ip_proto) {
    case 6: return Transport::Tcp;
    case 17: return Transport::Udp;
    case 1:
    case 58: return Transport::Icmp;
    case 132: return Transport::Sctp;
    default: return Transport::Any;
  }
}

std::string_view view(std::span<const std::uint8_t> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }
}  // namespace

DetectionStage::DetectionStage(signatures::CompiledRulesetPtr ruleset, AlertSink sink)
    : detector_(std::move(ruleset)),
      sink_(std::move(sink)),
      app_([this](Flow& flow, FlowDirection dir, signatures::MatchInput& input) { onTransaction(flow, dir, input); }) {
  applyFileHashing();
  applyFrames();
}

void DetectionStage::applyFrames() {
  const auto& rules = detector_.ruleset().rules();
  const bool detect = std::any_of(rules.begin(), rules.end(), [](const signatures::Rule& r) {
    return std::any_of(r.inspections.begin(), r.inspections.end(),
                       [](const signatures::BufferInspection& i) { return signatures::isFrameBuffer(i.buffer); });
  });
  app_.setFrames(detect, log_frames_);
}

void DetectionStage::fillMeta(const Flow& flow, FlowDirection dir, std::int64_t ts, signatures::PacketMeta& meta) const {
  meta = signatures::PacketMeta{};
  meta.transport = transportOf(flow.ip_proto);
  meta.app = flow.app;
  meta.direction = dir;
  meta.established = flow.established();
  const bool to_server = dir == FlowDirection::ToServer;
  meta.src = to_server ? flow.client : flow.server;
  meta.dst = to_server ? flow.server : flow.client;
  meta.src_port = to_server ? flow.client_port : flow.server_port;
  meta.dst_port = to_server ? flow.server_port : flow.client_port;
  meta.timestamp_ns = ts;
  meta.ip_proto = flow.ip_proto;
  meta.has_packet = false;
  meta.stream_bytes_to_server = flow.streams[Flow::kToServer].deliveredBytes();
  meta.stream_bytes_to_client = flow.streams[Flow::kToClient].deliveredBytes();
  meta.flow_packets = {flow.counters[Flow::kToServer].packets, flow.counters[Flow::kToClient].packets};
  meta.flow_bytes = {flow.counters[Flow::kToServer].bytes, flow.counters[Flow::kToClient].bytes};
  meta.flow_start_ns = flow.first_ns;
  meta.tls_version = flow.tls_version;
}

void DetectionStage::setMetadataSink(MetadataSink sink) {
  if (!sink) {
    app_.setMetadataSink({});
    return;
  }
  app_.setMetadataSink([this, sink = std::move(sink)](const AppMetadata& record) {
    AppMetadata stamped = record;
    if (current_ != nullptr) stamped.capture_index = current_->capture_index;
    sink(stamped);
  });
}

void DetectionStage::onPacket(const DecodedPacket& packet, Flow& flow, FlowDirection dir) {
  current_ = &packet;
  if (flow.tcp_state == TcpState::Closed && (flow.app_state || !flow.stream_windows[0].empty())) {
    // The connection is over but the flow waits for its timeout: finish the app layer now and
    // give back the per-flow buffers, which are most of a flow's memory. What that raises
    // belongs to this packet. Bytes held behind a hole will not be completed now: the app layer
    // has them first, after the gap, as it would at the flow's end.
    for (const FlowDirection side_dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
      flow.streams[sideOf(side_dir)].flush([&](std::span<const std::uint8_t> data) { onStreamData(flow, side_dir, data); });
    }
    finishApp(flow);
  }
  // What of the other direction's delivered bytes this packet leaves unacknowledged.
  const TcpStream& other = flow.streams[sideOf(dir == FlowDirection::ToServer ? FlowDirection::ToClient : FlowDirection::ToServer)];
  const std::uint64_t unacked = packet.ip_proto != 6 ? 0
                                : (packet.tcp_flags & tcp_flag::kAck) != 0 ? other.unacknowledged(packet.tcp_ack)
                                                                  : other.deliveredBytes();
  app_.onPacket(flow, dir, unacked);
  collectAppEvents(flow);  // raised by what this packet acknowledged
  ++counters_.packet_inputs;
  fillMeta(flow, dir, packet.timestamp_ns, input_.meta);
  auto& meta = input_.meta;
  if (packet.ip_proto == 6) {
    if (flow.packet_app == signatures::AppProto::None && flow.app != signatures::AppProto::None &&
        dir != flow.app_identified_by && flow.established()) {
      flow.packet_app = flow.app;
    }
    meta.app = flow.packet_app;
  }
  meta.has_packet = true;
  meta.events = packet.events;
  meta.payload_size = static_cast<std::uint32_t>(packet.payload.size());
  meta.ttl = packet.ttl;
  meta.tcp_flags = packet.tcp_flags;
  meta.vlan = packet.vlan;
  meta.vlan_count = packet.vlan_count;
  meta.icmp_type = packet.icmp_type;
  meta.icmp_code = packet.icmp_code;
  meta.payload_in_stream = packet.ip_proto == 6;  // TCP payload is inspected as stream data
  meta.first_in_direction = flow.counters[sideOf(dir)].packets == 1;
  input_.buffers.clear();
  if (!packet.ip_header.empty()) input_.buffers.set(packet.ip_version == 4 ? BufferId::Ipv4Hdr : BufferId::Ipv6Hdr, view(packet.ip_header));
  // ip.src / ip.dst: the address bytes inside the IP header (views, nothing copied).
  if (packet.ip_version == 4 && packet.ip_header.size() >= 20) {
    input_.buffers.set(BufferId::IpSrc, view(packet.ip_header.subspan(12, 4)));
    input_.buffers.set(BufferId::IpDst, view(packet.ip_header.subspan(16, 4)));
  } else if (packet.ip_version == 6 && packet.ip_header.size() >= 40) {
    input_.buffers.set(BufferId::IpSrc, view(packet.ip_header.subspan(8, 16)));
    input_.buffers.set(BufferId::IpDst, view(packet.ip_header.subspan(24, 16)));
  }
  if (!packet.transport_header.empty()) {
    switch (packet.ip_proto) {
      case 6: input_.buffers.set(BufferId::TcpHdr, view(packet.transport_header)); break;
      case 17: input_.buffers.set(BufferId::UdpHdr, view(packet.transport_header)); break;
      case 1: input_.buffers.set(BufferId::Icmpv4Hdr, view(packet.transport_header)); break;
      case 58: input_.buffers.set(BufferId::Icmpv6Hdr, view(packet.transport_header)); break;
      default: break;
    }
  }
  if (packet.ip_proto == 17) app_.clearDatagramRecord();
  if (!packet.payload.empty()) {
    input_.buffers.set(BufferId::Payload, view(packet.payload));
    if (packet.ip_proto == 17 && !packet.is_tunnel_root) {  // a tunnel's datagrams carry packets, not an app protocol
      app_.onDatagram(flow, dir, packet.payload, input_.buffers, packet.timestamp_ns);
      meta.app = flow.app;
      collectAppEvents(flow);
    }
  }
  if (packet_events_.any()) {
    meta.events.merge(packet_events_);
    packet_events_.clear();
    // The events' protocol is the flow's, even before packet rules learn it (see above).
    if (meta.app == signatures::AppProto::None) meta.app = flow.app;
  }
  reportAnomalies(meta.events, &flow, &packet, dir, packet.timestamp_ns);
  emit(&flow, dir, packet.timestamp_ns, input_, detector_.match(input_, &flow.flowbits));
  tagPacket(packet, &flow);
}

void DetectionStage::finishApp(Flow& flow) {
  app_.onFlowEnd(flow);
  collectAppEvents(flow);
  app_.releaseState(flow);
  releaseWindows(flow);
}

void DetectionStage::onFlowEnd(Flow& flow) {
  const struct Ending {
    bool& flag;
    explicit Ending(bool& f) : flag(f) { flag = true; }
    ~Ending() { flag = false; }
  } ending{ending_flow_};
  finishApp(flow);
  tagger_.onFlowEnd(flow);
  if (!packet_events_.any()) return;
  // Events the flow's last bytes raised (parsed at its end, no packet acknowledged them): as
  // Suricata's end-of-flow pseudo packet, a packet-less inspection of the events alone.
  fillMeta(flow, FlowDirection::ToServer, flow.last_ns, input_.meta);
  input_.meta.events = packet_events_;
  input_.meta.has_packet = true;  // a pseudo packet, without payload
  input_.meta.established = input_.meta.established || flow.was_established;
  packet_events_.clear();
  input_.buffers.clear();
  reportAnomalies(input_.meta.events, &flow, nullptr, FlowDirection::ToServer, flow.last_ns);
  emit(&flow, FlowDirection::ToServer, flow.last_ns, input_, detector_.match(input_, &flow.flowbits));
}

void DetectionStage::releaseWindows(Flow& flow) {
  for (std::string& kept : flow.stream_windows) {
    if (kept.capacity() <= std::string().capacity()) continue;  // nothing on the heap
    kept.clear();
    windows_.give(std::exchange(kept, std::string()));
  }
}

void DetectionStage::onFlowlessPacket(const DecodedPacket& packet) {
  ++counters_.packet_inputs;
  current_ = nullptr;
  auto& meta = input_.meta;
  meta = signatures::PacketMeta{};
  // Only rules on its events can match: no buffers, no flow, no IP-only first-packet pass.
  meta.transport = packet.ip_version != 0 ? transportOf(packet.ip_proto) : Transport::Any;
  meta.src = packet.src;
  meta.dst = packet.dst;
  meta.src_port = packet.src_port;
  meta.dst_port = packet.dst_port;
  meta.timestamp_ns = packet.timestamp_ns;
  meta.ip_proto = packet.ip_proto;
  meta.ttl = packet.ttl;
  meta.tcp_flags = packet.tcp_flags;
  meta.vlan = packet.vlan;
  meta.vlan_count = packet.vlan_count;
  meta.first_in_direction = false;
  meta.events = packet.events;
  input_.buffers.clear();
  reportAnomalies(meta.events, nullptr, &packet, FlowDirection::ToServer, packet.timestamp_ns);
  current_flowless_ = &packet;
  emit(nullptr, FlowDirection::ToServer, packet.timestamp_ns, input_, detector_.match(input_, nullptr));
  current_flowless_ = nullptr;
  tagPacket(packet, nullptr);
}

void DetectionStage::collectAppEvents(Flow& flow) { app_.takeEvents(flow, packet_events_); }

void DetectionStage::reportAnomalies(const signatures::EventSet& events, const Flow* flow, const DecodedPacket* packet,
                                     FlowDirection dir, std::int64_t ts) {
  if (!anomaly_sink_) return;
  events.forEach([&](signatures::AnomalyEvent e) {
    AnomalyHit hit;
    hit.event = e;
    hit.flow = flow;
    hit.packet = packet;
    hit.direction = dir;
    hit.timestamp_ns = ts;
    // A datagram's app-layer event belongs to the message the datagram carried.
    if (flow != nullptr && packet != nullptr && signatures::anomalyEventInfo(e).kind == signatures::EventKind::AppLayer) {
      if (const AppMetadata* record = app_.datagramRecord(*flow)) hit.tx_id = record->tx_id;
    }
    anomaly_sink_(hit);
  });
}

void DetectionStage::onStreamData(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  const std::size_t side = sideOf(dir);
  const std::int64_t now = current_ != nullptr ? current_->timestamp_ns : flow.last_ns;
  // The window is built in this worker's buffer from what the flow kept (the stream start, or
  // the overlap) and the new bytes; between chunks a flow keeps at most kAnchoredDepth bytes.
  std::string& kept = flow.stream_windows[side];
  if (flow.stream_inspected[side] == 0) kept = windows_.take([] { return std::string(); });
  std::string& window = window_;
  window.assign(kept);
  if (flow.stream_inspected[side] + data.size() > kAnchoredDepth && window.size() > kOverlap) {
    window.erase(0, window.size() - kOverlap);  // slide: keep only the overlap
  }
  const std::size_t new_offset = window.size();
  window.append(reinterpret_cast<const char*>(data.data()), data.size());
  flow.stream_inspected[side] += data.size();
  if (flow.stream_inspected[side] <= kAnchoredDepth) {
    kept.assign(window);  // still the start of the stream
  } else {
    kept.assign(window, window.size() - std::min(window.size(), kOverlap));
    if (kept.capacity() > 2 * kOverlap) kept.shrink_to_fit();  // once, leaving the anchored phase
  }
  // The app layer first: it identifies the protocol and runs the transactions this data
  // completes, which see the window as their payload.
  tx_payload_ = window;
  tx_payload_direction_ = dir;
  app_.onStream(flow, dir, data, now);
  tx_payload_ = {};
  collectAppEvents(flow);
  ++counters_.stream_inputs;
  counters_.stream_bytes_inspected += window.size();
  const std::int64_t ts = current_ != nullptr ? current_->timestamp_ns : flow.last_ns;
  fillMeta(flow, dir, ts, input_.meta);
  input_.meta.is_stream = true;
  input_.meta.stream_new_data_offset = static_cast<std::uint32_t>(new_offset);
  input_.meta.first_in_direction = false;
  input_.buffers.clear();
  input_.buffers.set(BufferId::Payload, window);
  emit(&flow, dir, ts, input_, detector_.match(input_, &flow.flowbits));
}

void DetectionStage::onTransaction(Flow& flow, FlowDirection dir, signatures::MatchInput& input) {
  ++counters_.transaction_inputs;
  const std::int64_t ts = current_ != nullptr ? current_->timestamp_ns : flow.last_ns;
  const signatures::TransactionFacts facts = input.meta.facts;
  fillMeta(flow, dir, ts, input.meta);  // the parser filled only the buffers and the facts
  input.meta.facts = facts;
  // A transaction completed on an established connection stays so when its inspection comes
  // with the packet that closes it (Suricata's established covers every later TCP state).
  input.meta.established = input.meta.established || flow.was_established;
  input.meta.first_in_direction = false;
  input.meta.is_transaction = true;
  if (!tx_payload_.empty() && dir == tx_payload_direction_ && !input.buffers.has(BufferId::Payload)) {
    input.buffers.set(BufferId::Payload, tx_payload_);
  } else if (tx_payload_.empty() && !input.buffers.has(BufferId::Payload) && !flow.stream_windows[sideOf(dir)].empty()) {
    // Inspected with a packet or at the flow's end (bytes parsed once acknowledged): the
    // direction's stream as the flow kept it.
    input.buffers.set(BufferId::Payload, flow.stream_windows[sideOf(dir)]);
  }
  emit(&flow, dir, ts, input, detector_.match(input, &flow.flowbits));
}

void DetectionStage::emit(Flow* flow, FlowDirection dir, std::int64_t ts, const signatures::MatchInput& input,
                          std::span<const signatures::RuleMatch> matches) {
  // A pass rule comes first in Suricata's action order and ends the inspection of what it
  // matched: nothing else alerts on it. An IP-only one passes the whole flow.
  if (flow != nullptr && flow->passed) return;
  bool pass = false;
  for (const signatures::RuleMatch& m : matches) {
    const signatures::Rule& rule = detector_.ruleset().rules()[m.rule];
    if (rule.action != signatures::Action::Pass) continue;
    pass = true;
    if (flow != nullptr && rule.ip_only) flow->passed = true;
  }
  if (pass) return;
  auto raise = [&](const signatures::Rule* rule, const signatures::Indicator* indicator, BufferId buffer,
                   std::span<const signatures::AlertContext> contexts = {}) {
    AlertHit hit;
    hit.contexts = contexts;
    hit.app = input.meta.is_transaction ? app_.transactionRecord() : nullptr;
    hit.frame = input.meta.is_transaction ? app_.currentFrame() : nullptr;
    hit.rule = rule;
    hit.indicator = indicator;
    hit.flow = flow;
    // The packet being processed; none at a flow's end (the packet then in hand is another
    // flow's, which expired this one).
    hit.packet = flow == nullptr ? current_flowless_ : (ending_flow_ ? nullptr : current_);
    hit.direction = dir;
    hit.timestamp_ns = ts;
    hit.buffer = buffer;
    hit.ip_proto = flow != nullptr ? flow->ip_proto : input.meta.ip_proto;
    // A datagram's record (SIP, LDAP over UDP) for a packet rule's alert on it.
    if (!input.meta.is_transaction && flow != nullptr && flow->ip_proto == 17) hit.app = app_.datagramRecord(*flow);
    if (const DecodedPacket* p = flow != nullptr ? current_ : current_flowless_) hit.capture_index = p->capture_index;
    const auto values = input.buffers.get(buffer);
    if (!values.empty()) hit.excerpt = values.front();
    ++counters_.alerts;
    if (flow != nullptr) flow->alerted = true;
    if (rule != nullptr && !rule->tags.empty() && tagged_sink_ && hit.packet != nullptr) tagger_.onAlert(*rule, *hit.packet, flow);
    if (sink_) sink_(hit);
  };
  // Indicator hits: one alert per indicator per flow (an address matches every packet).
  const signatures::IndicatorMatcher* iocs = detector_.ruleset().indicators();
  for (const signatures::IndicatorHit& h : detector_.indicatorHits()) {
    if (flow == nullptr) break;  // the packet's flow will see the same addresses
    auto& seen = flow->alerted_indicators;
    if (std::find(seen.begin(), seen.end(), h.indicator) != seen.end()) continue;
    seen.push_back(h.indicator);
    raise(nullptr, &iocs->set().entries()[h.indicator], h.buffer);
  }
  std::vector<std::uint32_t>* alerted = input.meta.is_transaction ? input.meta.facts.alerted_rules : nullptr;
  for (const signatures::RuleMatch& m : matches) {
    if (alerted != nullptr) {
      const auto rule = static_cast<std::uint32_t>(m.rule);
      if (std::find(alerted->begin(), alerted->end(), rule) != alerted->end()) continue;
      alerted->push_back(rule);
    }
    raise(&detector_.ruleset().rules()[m.rule], nullptr, m.buffer, detector_.contexts(m));
  }
}

}  // namespace gsoc::sensor


#include "sensor/detect/DetectionStage.hpp"

#include <algorithm>
#include <utility>


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
    : detector_(std::move(ruleset)), sink_(std::move(sink)) {}

void DetectionStage::fillMeta(const Flow& flow, FlowDirection dir, std::int64_t ts, signatures::PacketMeta& meta) const {
  meta = signatures::PacketMeta{};
  meta.transport = transportOf(flow.ip_proto);
  meta.app = flow.app;
  // app-layer-protocol with a direction: each side's own protocol (AppFlowSlot::probed).
  const auto probed = [&](std::size_t side) { return flow.app_layer.probed[side] != signatures::AppProto::None ? flow.app_layer.probed[side] : flow.app; };
  meta.app_to_server = probed(Flow::kToServer);
  meta.app_to_client = probed(Flow::kToClient);
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
  meta.tls_version = flow.app_layer.tls_version;
}

std::uint64_t DetectionStage::acknowledge(const DecodedPacket& packet, Flow& flow, FlowDirection dir) {
  current_ = &packet;
  // What of the other direction's delivered bytes this packet leaves unacknowledged.
  const std::size_t other_side = sideOf(dir == FlowDirection::ToServer ? FlowDirection::ToClient : FlowDirection::ToServer);
  const TcpStream& other = flow.streams[other_side];
  const std::uint64_t unacked = packet.ip_proto != 6 ? 0
                                : (packet.tcp_flags & tcp_flag::kAck) != 0 ? other.unacknowledged(packet.tcp_ack)
                                                                  : other.deliveredBytes();
  if (packet.ip_proto == 6 && (packet.tcp_flags & tcp_flag::kAck) != 0) {
    const std::uint64_t acked = other.deliveredBytes() - std::min(unacked, other.deliveredBytes());
    flow.detect.acked[other_side] = std::max(flow.detect.acked[other_side], acked);
  }
  return unacked;
}

signatures::BufferSet& DetectionStage::preparePacket(const DecodedPacket& packet, Flow& flow, FlowDirection dir) {
  current_ = &packet;
  // What this packet acknowledged made the flow encrypted: its pending stream bytes go now.
  if (!payloadInspected(flow) && (flow.detect.unscanned[0] | flow.detect.unscanned[1]) != 0) {
    flushWindows(flow, packet.timestamp_ns);
  }
  if (packet.ip_proto == 6 && !stream_inline_) {
    // IDS mode: this side's bytes the other side has acknowledged, scanned with this packet (as
    // Suricata's raw stream inspection, which stops at the last ACK).
    const std::size_t side = sideOf(dir);
    const std::uint64_t scanned = flow.detect.inspected[side] - flow.detect.unscanned[side];
    if (flow.detect.acked[side] > scanned) scanStream(flow, dir, flow.detect.acked[side] - scanned, packet.timestamp_ns);
  }
  ++counters_.packet_inputs;
  fillMeta(flow, dir, packet.timestamp_ns, input_.meta);
  auto& meta = input_.meta;
  if (packet.ip_proto == 6) {
    if (flow.detect.packet_app == signatures::AppProto::None && flow.app != signatures::AppProto::None &&
        dir != flow.app_layer.identified_by && flow.established()) {
      flow.detect.packet_app = flow.app;
    }
    meta.app = flow.detect.packet_app;
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
  // TCP payload is inspected as stream data, but for a connection picked up mid-way: Suricata
  // (midstream off) keeps no session for it, so its packets are inspected alone.
  meta.payload_in_stream = packet.ip_proto == 6 && !flow.midstream;
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
  if (!packet.payload.empty() && payloadInspected(flow)) input_.buffers.set(BufferId::Payload, view(packet.payload));
  return input_.buffers;
}

void DetectionStage::inspectPacket(const DecodedPacket& packet, Flow& flow, FlowDirection dir, const AppMetadata* datagram_record) {
  auto& meta = input_.meta;
  // A datagram may have identified the flow's protocol just now.
  if (packet.ip_proto == 17 && !packet.payload.empty()) meta.app = flow.app;
  if (packet_events_.any()) {
    meta.events.merge(packet_events_);
    packet_events_.clear();
    // The events' protocol is the flow's, even before packet rules learn it (see above).
    if (meta.app == signatures::AppProto::None) meta.app = flow.app;
  }
  reportAnomalies(meta.events, &flow, &packet, dir, packet.timestamp_ns, datagram_record);
  const AppMetadata* record = flow.ip_proto == 17 ? datagram_record : nullptr;  // for a packet rule's alert on it
  emit(&flow, dir, packet.timestamp_ns, input_, detector_.match(input_, &flow.detect.flowbits), record);
  tagPacket(packet, &flow);
}

void DetectionStage::startFlowEnd(Flow& flow) {
  ending_flow_ = true;
  // What stream rules have not scanned yet, as Suricata's pseudo packets at a flow's end.
  if (flow.ip_proto == 6 && !flow.bypassed) {
    for (const FlowDirection side_dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
      scanStream(flow, side_dir, flow.detect.unscanned[sideOf(side_dir)], flow.last_ns);
    }
  }
}

void DetectionStage::finishFlowEnd(Flow& flow, const AppMetadata* datagram_record) {
  tagger_.onFlowEnd(flow);
  if (packet_events_.any()) {
    // Events the flow's last bytes raised (parsed at its end, no packet acknowledged them): as
    // Suricata's end-of-flow pseudo packet, a packet-less inspection of the events alone.
    fillMeta(flow, FlowDirection::ToServer, flow.last_ns, input_.meta);
    input_.meta.events = packet_events_;
    input_.meta.has_packet = true;  // a pseudo packet, without payload
    input_.meta.established = input_.meta.established || flow.was_established;
    packet_events_.clear();
    input_.buffers.clear();
    reportAnomalies(input_.meta.events, &flow, nullptr, FlowDirection::ToServer, flow.last_ns);
    const AppMetadata* record = flow.ip_proto == 17 ? datagram_record : nullptr;
    emit(&flow, FlowDirection::ToServer, flow.last_ns, input_, detector_.match(input_, &flow.detect.flowbits), record);
  }
  ending_flow_ = false;
}

void DetectionStage::releaseWindows(Flow& flow) {
  for (std::size_t side = 0; side < 2; ++side) {
    std::string& kept = flow.detect.windows[side];
    if (flow.detect.unscanned[side] != 0 && !ending_flow_) continue;  // scanned at the flow's end
    flow.detect.unscanned[side] = 0;
    if (kept.capacity() <= std::string().capacity()) continue;  // nothing on the heap
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

void DetectionStage::reportAnomalies(const signatures::EventSet& events, const Flow* flow, const DecodedPacket* packet,
                                     FlowDirection dir, std::int64_t ts, const AppMetadata* datagram_record) {
  if (!anomaly_sink_) return;
  events.forEach([&](signatures::AnomalyEvent e) {
    AnomalyHit hit;
    hit.event = e;
    hit.flow = flow;
    hit.packet = packet;
    hit.direction = dir;
    hit.timestamp_ns = ts;
    // A datagram's app-layer event belongs to the message the datagram carried.
    if (datagram_record != nullptr && signatures::anomalyEventInfo(e).kind == signatures::EventKind::AppLayer) {
      hit.tx_id = datagram_record->tx_id;
    }
    anomaly_sink_(hit);
  });
}

void DetectionStage::flushWindows(Flow& flow, std::int64_t ts) {
  for (const FlowDirection side_dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    const std::size_t side = sideOf(side_dir);
    if (flow.detect.unscanned[side] != 0) scanWindow(flow, side_dir, flow.detect.unscanned[side], ts);
    flow.detect.unscanned[side] = 0;
    std::string& kept = flow.detect.windows[side];
    if (kept.capacity() > std::string().capacity()) windows_.give(std::exchange(kept, std::string()));
    kept.clear();
  }
}

void DetectionStage::appendStream(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data) {
  const std::size_t side = sideOf(dir);
  if (!payloadInspected(flow)) {  // ciphertext: nothing for stream rules to keep
    flushWindows(flow, now(flow));
    tx_payload_ = {};
    return;
  }
  // The flow keeps the bytes stream rules scanned last for context (the stream start, or the
  // overlap) followed by the bytes they have not scanned yet; the new bytes join those.
  std::string& kept = flow.detect.windows[side];
  if (flow.detect.inspected[side] == 0) kept = windows_.start();
  windows_.reserve(kept, kept.size() + data.size());
  kept.append(reinterpret_cast<const char*>(data.data()), data.size());
  flow.detect.inspected[side] += data.size();
  flow.detect.unscanned[side] += data.size();
  // The transactions the app layer completes with these bytes see the kept bytes as their payload.
  tx_payload_ = kept;
  tx_payload_direction_ = dir;
}

void DetectionStage::streamParsed(Flow& flow, FlowDirection dir, std::size_t bytes) {
  tx_payload_ = {};
  const std::size_t side = sideOf(dir);
  if (flow.midstream) {  // no stream inspection (see preparePacket): nothing to keep for it
    flow.detect.unscanned[side] -= bytes;
    flow.detect.windows[side].clear();
    return;
  }
  if (!payloadInspected(flow)) {  // these bytes made the flow encrypted
    flushWindows(flow, now(flow));
    return;
  }
  // Inline mode scans bytes as they arrive; IDS mode once acknowledged (preparePacket) or at the
  // flow's end (startFlowEnd), unless too many wait.
  if (stream_inline_ || flow.detect.unscanned[side] > kMaxUnscanned) {
    scanStream(flow, dir, flow.detect.unscanned[side], now(flow));
  }
}

void DetectionStage::scanStream(Flow& flow, FlowDirection dir, std::uint64_t bytes, std::int64_t ts) {
  if (!payloadInspected(flow)) return flushWindows(flow, ts);  // encrypted since they were kept
  scanWindow(flow, dir, bytes, ts);
}

void DetectionStage::scanWindow(Flow& flow, FlowDirection dir, std::uint64_t bytes, std::int64_t ts) {
  const std::size_t side = sideOf(dir);
  std::string& kept = flow.detect.windows[side];
  bytes = std::min({bytes, flow.detect.unscanned[side], static_cast<std::uint64_t>(kept.size())});
  if (bytes == 0) return;
  const std::size_t unscanned = static_cast<std::size_t>(flow.detect.unscanned[side]);
  const std::size_t context = kept.size() - unscanned;
  const std::uint64_t scanned_before = flow.detect.inspected[side] - unscanned;
  // The window: the context (slid to the overlap once past the anchored start) and the bytes
  // scanned now. Only matches that end in those alert. It is scanned where the flow keeps it
  // (copying it out cost about 1.5 % of the uplink run), so the kept bytes are trimmed only
  // after the inspection.
  std::size_t from = 0;
  if (scanned_before + bytes > kAnchoredDepth && context > kOverlap) from = context - kOverlap;
  const std::string_view window(kept.data() + from, context - from + static_cast<std::size_t>(bytes));
  const std::size_t new_offset = context - from;
  flow.detect.unscanned[side] -= bytes;
  ++counters_.stream_inputs;
  counters_.stream_bytes_inspected += window.size();
  fillMeta(flow, dir, ts, input_.meta);
  input_.meta.is_stream = true;
  input_.meta.stream_new_data_offset = static_cast<std::uint32_t>(new_offset);
  input_.meta.first_in_direction = false;
  // At the flow's end the connection may be over: as Suricata's established covers every later
  // TCP state.
  if (ending_flow_) input_.meta.established = input_.meta.established || flow.was_established;
  input_.buffers.clear();
  input_.buffers.set(BufferId::Payload, window);
  emit(&flow, dir, ts, input_, detector_.match(input_, &flow.detect.flowbits));
  input_.buffers.clear();  // it views the kept bytes, trimmed now
  // What the flow keeps next: the context for the next scan and the bytes still unscanned.
  if (scanned_before + bytes > kAnchoredDepth) {
    const std::size_t rest = unscanned - static_cast<std::size_t>(bytes);
    const std::size_t keep_context = std::min(window.size(), kOverlap);
    kept.erase(0, kept.size() - rest - keep_context);
    // A large window scanned down to its context goes back to the pool (shrinking it in place
    // meant growing it again for the next burst: allocations per packet).
    windows_.shrink(kept);
  }
}

void DetectionStage::onTransaction(Flow& flow, FlowDirection dir, signatures::MatchInput& input, const AppMetadata* record,
                                   const Frame* frame) {
  ++counters_.transaction_inputs;
  const std::int64_t ts = now(flow);
  const signatures::TransactionFacts facts = input.meta.facts;
  fillMeta(flow, dir, ts, input.meta);  // the parser filled only the buffers and the facts
  input.meta.facts = facts;
  // The app-layer events raised so far with this packet, this transaction's among them: as
  // Suricata's app-layer-event on a transaction, for rules that also inspect its buffers (rules
  // on events alone run with the packet).
  input.meta.events = packet_events_;
  // A transaction completed on an established connection stays so when its inspection comes
  // with the packet that closes it (Suricata's established covers every later TCP state).
  input.meta.established = input.meta.established || flow.was_established;
  input.meta.first_in_direction = false;
  input.meta.is_transaction = true;
  if (!tx_payload_.empty() && dir == tx_payload_direction_ && !input.buffers.has(BufferId::Payload)) {
    input.buffers.set(BufferId::Payload, tx_payload_);
  } else if (tx_payload_.empty() && !input.buffers.has(BufferId::Payload) && !flow.detect.windows[sideOf(dir)].empty()) {
    // Inspected with a packet or at the flow's end (bytes parsed once acknowledged): the
    // direction's stream as the flow kept it.
    input.buffers.set(BufferId::Payload, flow.detect.windows[sideOf(dir)]);
  }
  emit(&flow, dir, ts, input, detector_.match(input, &flow.detect.flowbits), record, frame);
}

void DetectionStage::emit(Flow* flow, FlowDirection dir, std::int64_t ts, const signatures::MatchInput& input,
                          std::span<const signatures::RuleMatch> matches, const AppMetadata* app, const Frame* frame) {
  // A pass rule comes first in Suricata's action order and ends the inspection of what it
  // matched: nothing else alerts on it. As Suricata's "apply action to flow", one that is
  // IP-only, bound to an app-layer protocol, or matched on the stream or a transaction passes
  // the whole flow: it is still tracked and logged, but raises nothing more.
  if (flow != nullptr && detector_.bypassMatched()) flow->bypassed = true;
  if (flow != nullptr && flow->detect.passed) return;
  bool pass = false;
  for (const signatures::RuleMatch& m : matches) {
    const signatures::Rule& rule = detector_.ruleset().rules()[m.rule];
    if (rule.action != signatures::Action::Pass) continue;
    pass = true;
    const bool whole_flow = rule.ip_only || rule.app != signatures::AppProto::None || input.meta.is_stream || input.meta.is_transaction;
    if (flow != nullptr && whole_flow) flow->detect.passed = true;
  }
  if (pass) return;
  auto raise = [&](const signatures::Rule* rule, const signatures::Indicator* indicator, BufferId buffer,
                   std::span<const signatures::AlertContext> contexts = {}) {
    AlertHit hit;
    hit.contexts = contexts;
    hit.app = app;
    hit.frame = frame;
    hit.rule = rule;
    hit.indicator = indicator;
    hit.flow = flow;
    // The packet being processed; none at a flow's end (the packet then in hand is another
    // flow's, which expired this one).
    hit.packet = flow == nullptr ? current_flowless_ : (ending_flow_ ? nullptr : current_);
    hit.direction = dir;
    hit.timestamp_ns = ts;
    hit.buffer = buffer;
    // As Suricata's "stream": a TCP match on reassembled data or on a transaction (state match).
    hit.from_stream = input.meta.transport == signatures::Transport::Tcp && (input.meta.is_stream || input.meta.is_transaction);
    hit.ip_proto = flow != nullptr ? flow->ip_proto : input.meta.ip_proto;
    if (const DecodedPacket* p = flow != nullptr ? current_ : current_flowless_) hit.capture_index = p->capture_index;
    // Stream bytes scanned at the flow's end. (Transactions and events the flow's end completes
    // keep the capture position of the worker's last packet, as before: detect-email-cc's mail is
    // inspected at the end where Suricata inspects it at that last packet.)
    if (flow != nullptr && ending_flow_ && input.meta.is_stream) {
      hit.flow_end = true;
      hit.capture_index = 0;
    }
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
    auto& seen = flow->detect.alerted_indicators;
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


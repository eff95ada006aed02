#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor {

namespace {
constexpr std::int64_t kExpiryInterval = 1'000'000'000;  // check timeouts once per second of packet time
}

SensorWorker::SensorWorker(FlowTableConfig flow_config, WorkerHooks hooks)
    : hooks_(std::move(hooks)), flows_(flow_config, [this](Flow& flow, FlowEndReason reason) { endFlow(flow, reason); }) {}

void SensorWorker::process(const RawPacket& raw) {
  ++counters_.packets;
  counters_.bytes += raw.wire_length;
  counters_.max_packet = std::max<std::uint64_t>(counters_.max_packet, raw.wire_length);
  const bool decoded = decoder_.decode(raw, packet_);
  if (!decoded && decoder_.tunnelRoots().empty()) {
    flowless(packet_);
    return;
  }
  if (raw.timestamp_ns - last_expiry_ns_ >= kExpiryInterval) {
    flows_.expire(raw.timestamp_ns);
    fragments_.expire(raw.timestamp_ns);
    last_expiry_ns_ = raw.timestamp_ns;
  }
  if (decoded) processDecoded();
  else flowless(packet_);
  // The packets that carried this one through tunnels, innermost first, as Suricata processes
  // a tunnel's root after its pseudo packets. (Read after processDecoded: a reassembled datagram
  // may itself have been a tunnel.) Suricata gives UDP (VXLAN, Geneve) and IP-in-IP roots a flow,
  // GRE roots none.
  const std::span<DecodedPacket> roots = decoder_.tunnelRoots();
  for (std::size_t i = roots.size(); i-- > 0;) {
    if (roots[i].ip_proto == 47) flowless(roots[i]);
    else handle(roots[i]);
  }
}

void SensorWorker::processDecoded() {
  if (packet_.is_fragment) {
    const std::span<const std::uint8_t> whole = fragments_.add(packet_);
    if (whole.empty()) {
      flowless(packet_);
      return;
    }
    // The frame is rebuilt first: it reads the fragment's own headers, which decoding keeps.
    const std::span<const std::uint8_t> frame = reassembled_frame_.build(packet_, whole);
    const std::uint8_t level = packet_.recursion_level;
    if (!decoder_.decodeTransport(whole, packet_)) {
      flowless(packet_);
      return;
    }
    if (packet_.recursion_level == level) packet_.frame = frame;
  }
  handle(packet_);
}

void SensorWorker::handle(DecodedPacket& packet) {
  bool created = false;
  Flow& flow = flows_.lookup(packet, created);
  const signatures::FlowDirection dir = flow.directionOf(packet);
  flow.account(packet, dir);
  if (flow.bypassed) {  // a `bypass` rule matched: counted (flow record, stats), not inspected
    ++counters_.bypassed_packets;
    counters_.bypassed_bytes += packet.wire_length;
    return;
  }
  if (hooks_.on_flow_packet_start) hooks_.on_flow_packet_start(packet);
  // Stream first: app-layer detection runs on it, and packet rules bound to an app protocol
  // (alert http ...) then see the flow's protocol, as in Suricata.
  if (packet.ip_proto == 6) {
    TcpStream& stream = flow.streams[dir == signatures::FlowDirection::ToServer ? Flow::kToServer : Flow::kToClient];
    const bool syn = packet.tcp_flags & tcp_flag::kSyn;
    const std::uint64_t gaps = stream.counters().gaps;
    // A RST's payload (a diagnostic text, RFC 9293 3.5.3) is not part of the stream, as in Suricata.
    const bool rst = packet.tcp_flags & tcp_flag::kRst;
    const std::span<const std::uint8_t> payload = rst ? std::span<const std::uint8_t>() : packet.payload;
    stream.segment(packet.tcp_seq, payload, syn, [&](std::span<const std::uint8_t> data) {
      counters_.stream_bytes += data.size();
      if (hooks_.on_stream_data) hooks_.on_stream_data(flow, dir, data);
    });
    // Reassembly gave up waiting for missing bytes: Suricata's stream event, on this packet.
    if (stream.counters().gaps != gaps) packet.events.set(signatures::AnomalyEvent::StreamReassemblySeqGap);
    // A side that sent a RST goes on sending: the RST was likely forged by a third party (as
    // Suricata's StreamTcpPacketCheckPostRst; more RSTs are not unusual).
    const std::size_t side = dir == signatures::FlowDirection::ToServer ? Flow::kToServer : Flow::kToClient;
    if (rst) {
      flow.rst_sent[side] = true;
    } else if (flow.rst_sent[side]) {
      flow.rst_sent[side] = false;
      packet.events.set(signatures::AnomalyEvent::StreamSuspectedRstInject);
    }
  }
  if (hooks_.on_packet) hooks_.on_packet(packet, flow, dir);
}

void SensorWorker::endFlow(Flow& flow, FlowEndReason reason) {
  for (std::size_t side = 0; side < 2; ++side) {
    const auto dir = side == Flow::kToServer ? signatures::FlowDirection::ToServer : signatures::FlowDirection::ToClient;
    if (!flow.bypassed) {  // bytes held behind a hole when the flow was bypassed stay uninspected
      flow.streams[side].flush([&](std::span<const std::uint8_t> data) {
        counters_.stream_bytes += data.size();
        if (hooks_.on_stream_data) hooks_.on_stream_data(flow, dir, data);
      });
    }
    counters_.stream_gaps += flow.streams[side].counters().gaps;
    counters_.stream_reassembly_gaps += flow.streams[side].counters().gaps - flow.streams[side].counters().end_gaps;
    counters_.stream_gap_bytes += flow.streams[side].counters().gap_bytes;
    counters_.stream_out_of_order += flow.streams[side].counters().out_of_order;
  }
  ++counters_.flows_ended;
  if (hooks_.on_flow_end) hooks_.on_flow_end(flow, reason);
}

void SensorWorker::finish() { flows_.flushAll(); }

}  // namespace gsoc::sensor

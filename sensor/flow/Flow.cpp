#include "sensor/flow/Flow.hpp"

#include <algorithm>

namespace gsoc::sensor {

std::string_view tcpStateName(TcpState state) {
  switch (state) {
    case TcpState::None: return "none";
    case TcpState::SynSent: return "syn_sent";
    case TcpState::SynReceived: return "syn_recv";
    case TcpState::Established: return "established";
    case TcpState::Closing: return "closing";
    case TcpState::Closed: return "closed";
  }
  return "none";
}

std::string_view flowEndReasonName(FlowEndReason reason) {
  switch (reason) {
    case FlowEndReason::Timeout: return "timeout";
    case FlowEndReason::Closed: return "closed";
    case FlowEndReason::Evicted: return "evicted";
    case FlowEndReason::Shutdown: return "shutdown";
  }
  return "timeout";
}

Flow::Flow(std::uint64_t flow_id, const FlowKey& flow_key, const DecodedPacket& first, std::size_t stream_cap)
    : id(flow_id),
      key(flow_key),
      client(first.src),
      server(first.dst),
      client_port(first.src_port),
      server_port(first.dst_port),
      ip_proto(first.ip_proto),
      ip_version(first.ip_version),
      vlan(first.vlan),
      vlan_count(first.vlan_count),
      esp_spi(first.esp_spi),
      first_ns(first.timestamp_ns),
      last_ns(first.timestamp_ns),
      streams{TcpStream(stream_cap), TcpStream(stream_cap)} {
  if (first.ip_proto == 6) {
    const bool syn = first.tcp_flags & tcp_flag::kSyn;
    const bool ack = first.tcp_flags & tcp_flag::kAck;
    if (syn && ack) {  // we missed the SYN: the sender of SYN/ACK is the server
      std::swap(client, server);
      std::swap(client_port, server_port);
    } else if (!syn) {
      midstream = true;
      // Picked up mid-connection: guess the server by the well-known (lower) port.
      if (first.src_port < first.dst_port && first.src_port < 1024) {
        std::swap(client, server);
        std::swap(client_port, server_port);
      }
    }
  }
}

bool Flow::established() const {
  if (ip_proto == 6) return tcp_state == TcpState::Established || tcp_state == TcpState::Closing;
  return counters[kToServer].packets > 0 && counters[kToClient].packets > 0;
}

void Flow::account(const DecodedPacket& p, signatures::FlowDirection dir) {
  const std::size_t side = dir == signatures::FlowDirection::ToServer ? kToServer : kToClient;
  DirectionCounters& c = counters[side];
  ++c.packets;
  c.bytes += p.wire_length;
  c.min_ttl = std::min(c.min_ttl, p.ttl);
  c.max_ttl = std::max(c.max_ttl, p.ttl);
  last_ns = p.timestamp_ns;
  if (p.has_ether) {
    if (side == kToServer) macs.add(p.src_mac, p.dst_mac);
    else macs.add(p.dst_mac, p.src_mac);
  }
  if ((ip_proto == 1 || ip_proto == 58) && !icmp_seen[side]) {
    icmp_seen[side] = true;
    icmp_type[side] = p.icmp_type;
    icmp_code[side] = p.icmp_code;
  }
  if (ip_proto != 6) return;
  const std::uint8_t f = p.tcp_flags;
  tcp_flags_seen[side] |= f;
  if (f & tcp_flag::kRst) {
    tcp_state = TcpState::Closed;
    return;
  }
  switch (tcp_state) {
    case TcpState::None:
      // A flow picked up mid-connection stays unestablished (Suricata's default, midstream off).
      if ((f & tcp_flag::kSyn) && !(f & tcp_flag::kAck)) tcp_state = TcpState::SynSent;
      else if ((f & tcp_flag::kSyn) && (f & tcp_flag::kAck)) tcp_state = TcpState::SynReceived;
      break;
    case TcpState::SynSent:
      if ((f & tcp_flag::kSyn) && (f & tcp_flag::kAck) && side == kToClient) {
        tcp_state = TcpState::SynReceived;
      } else if ((f & tcp_flag::kAck) && !(f & tcp_flag::kSyn) && side == kToServer && p.tcp_ack != 0) {
        // The client acknowledges a SYN/ACK this sensor did not see: asymmetric routing puts
        // only one direction on this link ("async one-side"), common at agency uplinks.
        tcp_state = TcpState::Established;
      }
      break;
    case TcpState::SynReceived:
      if ((f & tcp_flag::kAck) && !(f & tcp_flag::kSyn) && side == kToServer) tcp_state = TcpState::Established;
      break;
    case TcpState::Established:
      if (f & tcp_flag::kFin) tcp_state = TcpState::Closing;
      break;
    case TcpState::Closing:
      // Both sides have sent their FIN (a retransmitted FIN of one side closes nothing).
      if ((f & tcp_flag::kFin) && (tcp_flags_seen[kToServer] & tcp_flag::kFin) && (tcp_flags_seen[kToClient] & tcp_flag::kFin)) {
        tcp_state = TcpState::Closed;
      }
      break;
    case TcpState::Closed:
      break;
  }
  if (tcp_state == TcpState::Established) was_established = true;
}

}  // namespace gsoc::sensor

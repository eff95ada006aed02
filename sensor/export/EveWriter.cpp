#include "sensor/export/EveWriter.hpp"

#include <ctime>
#include <stdexcept>

#include "sensor/export/CommunityId.hpp"

namespace gsoc::sensor {

std::string eveTimestamp(std::int64_t ns) {
  const std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  const auto micros = static_cast<long>((ns % 1'000'000'000) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06ld+0000", micros);
  return buf;
}

std::string protoName(std::uint8_t ip_proto) {
  switch (ip_proto) {
    case 1: return "ICMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 58: return "IPv6-ICMP";
    case 132: return "SCTP";
    default: return std::to_string(ip_proto);
  }
}

EveWriter::EveWriter(const std::string& path) : out_(path, std::ios::trunc) {
  if (!out_) throw std::runtime_error(path + ": cannot create EVE output");
}

void EveWriter::flowRecord(const Flow& flow, FlowEndReason reason) {
  const auto& ts = flow.counters[Flow::kToServer];
  const auto& tc = flow.counters[Flow::kToClient];
  out_ << "{\"timestamp\":\"" << eveTimestamp(flow.last_ns) << "\",\"flow_id\":" << flow.id
       << ",\"event_type\":\"flow\",\"src_ip\":\"" << flow.client.toString() << "\",\"src_port\":" << flow.client_port
       << ",\"dest_ip\":\"" << flow.server.toString() << "\",\"dest_port\":" << flow.server_port << ",\"proto\":\""
       << protoName(flow.ip_proto) << "\",\"community_id\":\""
       << communityId(flow.client, flow.server, flow.ip_proto, flow.client_port, flow.server_port) << "\"";
  if (flow.vlan != 0) out_ << ",\"vlan\":[" << flow.vlan << "]";
  if (flow.app != signatures::AppProto::None) out_ << ",\"app_proto\":\"" << signatures::appProtoName(flow.app) << "\"";
  out_ << ",\"flow\":{\"pkts_toserver\":" << ts.packets << ",\"pkts_toclient\":" << tc.packets
       << ",\"bytes_toserver\":" << ts.bytes << ",\"bytes_toclient\":" << tc.bytes << ",\"start\":\""
       << eveTimestamp(flow.first_ns) << "\",\"end\":\"" << eveTimestamp(flow.last_ns)
       << "\",\"age\":" << (flow.last_ns - flow.first_ns) / 1'000'000'000 << ",\"reason\":\"" << flowEndReasonName(reason)
       << "\"}";
  if (flow.ip_proto == 6) out_ << ",\"tcp\":{\"state\":\"" << tcpStateName(flow.tcp_state) << "\"}";
  out_ << "}\n";
  ++records_;
}

void EveWriter::statsRecord(std::int64_t timestamp_ns, const std::string& stats_json) {
  out_ << "{\"timestamp\":\"" << eveTimestamp(timestamp_ns) << "\",\"event_type\":\"stats\",\"stats\":" << stats_json << "}\n";
  ++records_;
}

}  // namespace gsoc::sensor

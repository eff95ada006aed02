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

namespace {
void jsonString(std::ofstream& out, std::string_view s) {
  out << '"';
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"') out << "\\\"";
    else if (c == '\\') out << "\\\\";
    else if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out << buf;
    } else {
      out << c;
    }
  }
  out << '"';
}
}  // namespace

void EveWriter::alertRecord(const AlertHit& hit, std::string_view category) {
  const Flow& flow = *hit.flow;
  const bool to_server = hit.direction == signatures::FlowDirection::ToServer;
  const IpAddress& src = to_server ? flow.client : flow.server;
  const IpAddress& dst = to_server ? flow.server : flow.client;
  const std::uint16_t sport = to_server ? flow.client_port : flow.server_port;
  const std::uint16_t dport = to_server ? flow.server_port : flow.client_port;
  const signatures::Rule& rule = *hit.rule;
  out_ << "{\"timestamp\":\"" << eveTimestamp(hit.timestamp_ns) << "\",\"flow_id\":" << flow.id
       << ",\"event_type\":\"alert\",\"src_ip\":\"" << src.toString() << "\",\"src_port\":" << sport << ",\"dest_ip\":\""
       << dst.toString() << "\",\"dest_port\":" << dport << ",\"proto\":\"" << protoName(flow.ip_proto)
       << "\",\"direction\":\"" << (to_server ? "to_server" : "to_client") << "\",\"community_id\":\""
       << communityId(flow.client, flow.server, flow.ip_proto, flow.client_port, flow.server_port) << "\"";
  if (flow.vlan != 0) out_ << ",\"vlan\":[" << flow.vlan << "]";
  if (flow.app != signatures::AppProto::None) out_ << ",\"app_proto\":\"" << signatures::appProtoName(flow.app) << "\"";
  out_ << ",\"alert\":{\"action\":\"allowed\",\"gid\":" << rule.gid << ",\"signature_id\":" << rule.sid
       << ",\"rev\":" << rule.rev << ",\"signature\":";
  jsonString(out_, rule.msg);
  out_ << ",\"category\":";
  jsonString(out_, category);
  out_ << ",\"severity\":" << static_cast<unsigned>(rule.priority) << ",\"buffer\":\"" << signatures::bufferName(hit.buffer)
       << "\"},\"payload_printable\":";
  jsonString(out_, hit.excerpt.substr(0, 256));
  out_ << "}\n";
  ++records_;
}

void EveWriter::statsRecord(std::int64_t timestamp_ns, const std::string& stats_json) {
  out_ << "{\"timestamp\":\"" << eveTimestamp(timestamp_ns) << "\",\"event_type\":\"stats\",\"stats\":" << stats_json << "}\n";
  ++records_;
}

}  // namespace gsoc::sensor

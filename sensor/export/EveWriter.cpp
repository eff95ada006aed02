#include "sensor/export/EveWriter.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <utility>
#include <stdexcept>

#include "gsoc/signatures/ReferenceUrl.hpp"
#include "sensor/app/DcerpcParser.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/app/FlowFrames.hpp"
#include "gsoc/signatures/Frame.hpp"
#include "sensor/app/FtpData.hpp"
#include "sensor/app/FtpParser.hpp"
#include "sensor/app/Http2Frames.hpp"
#include "sensor/app/HttpParser.hpp"
#include "sensor/app/LdapParser.hpp"
#include "sensor/app/QuicParser.hpp"
#include "sensor/app/MqttParser.hpp"
#include "sensor/app/SipParser.hpp"
#include "sensor/app/HttpFile.hpp"
#include "sensor/app/IkeParser.hpp"
#include "sensor/app/Krb5Parser.hpp"
#include "sensor/app/SmbParser.hpp"
#include "sensor/app/SmtpParser.hpp"
#include "sensor/app/SnmpParser.hpp"
#include "sensor/app/SshParser.hpp"
#include "sensor/app/TlsParser.hpp"
#include "sensor/app/WebsocketParser.hpp"
#include "sensor/export/CommunityId.hpp"
#include "sensor/export/JsonString.hpp"

#include <openssl/evp.h>

namespace gsoc::sensor {

EveTimestamp::EveTimestamp(std::int64_t ns) {
  // The date and time of the last second formatted, per thread: records come seconds apart at
  // most, and gmtime_r and strftime for each would cost more than the rest of the timestamp.
  thread_local std::int64_t cached_second = -1;
  thread_local std::array<char, 24> cached{};
  thread_local std::size_t cached_size = 0;
  const std::int64_t second = ns / 1'000'000'000;
  if (second != cached_second) {
    const auto seconds = static_cast<std::time_t>(second);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    cached_size = std::strftime(cached.data(), cached.size(), "%Y-%m-%dT%H:%M:%S", &tm);
    cached_second = second;
  }
  std::copy_n(cached.data(), cached_size, text_.data());
  const auto micros = static_cast<long>((ns % 1'000'000'000) / 1000);
  const int n = std::snprintf(text_.data() + cached_size, text_.size() - cached_size, ".%06ld+0000", micros);
  size_ = cached_size + static_cast<std::size_t>(std::max(n, 0));
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

EveWriter::EveWriter(const std::string& path, OpenMode mode) : own_file_(std::make_unique<EveFile>(path, mode)), file_(own_file_.get()) {}

EveWriter::EveWriter(EveFile& file) : file_(&file) {}

namespace {

// An address as Suricata 8 writes it: IPv4 dotted, IPv6 as eight groups of four hex digits
// (no :: compression, leading zeros kept), in a fixed buffer.
class EveAddress {
 public:
  explicit EveAddress(const IpAddress& a) {
    if (a.isV4()) {
      const std::uint32_t v = a.v4();
      size_ = static_cast<std::size_t>(std::snprintf(text_.data(), text_.size(), "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff,
                                                     (v >> 8) & 0xff, v & 0xff));
      return;
    }
    const signatures::u128 v = a.value();
    constexpr char kHex[] = "0123456789abcdef";
    for (int group = 0; group < 8; ++group) {
      if (group) text_[size_++] = ':';
      const auto bits = static_cast<std::uint16_t>(v >> (112 - 16 * group));
      for (int shift = 12; shift >= 0; shift -= 4) text_[size_++] = kHex[(bits >> shift) & 0xf];
    }
  }
  [[nodiscard]] std::string_view view() const { return {text_.data(), size_}; }

 private:
  std::array<char, 40> text_{};
  std::size_t size_ = 0;
};

// Suricata's flow state: "new" until the flow is established (TCP: the handshake; other
// protocols: packets both ways), "closed" once the TCP connection is torn down (FINs both ways,
// or a RST), "bypassed" after a `bypass` rule matched.
std::string_view flowStateName(const Flow& flow) {
  if (flow.bypassed) return "bypassed";
  if (flow.ip_proto == 6) {
    switch (flow.tcp_state) {
      case TcpState::Established:
      case TcpState::Closing: return "established";
      case TcpState::Closed: return "closed";
      default: return "new";
    }
  }
  return flow.counters[Flow::kToServer].packets > 0 && flow.counters[Flow::kToClient].packets > 0 ? "established" : "new";
}

}  // namespace

void EveWriter::flowRecord(const Flow& flow, FlowEndReason reason) {
  const Commit commit{*this};
  dns_tx_.forget(flow.id);
  const auto& ts = flow.counters[Flow::kToServer];
  const auto& tc = flow.counters[Flow::kToClient];
  out_ << "{\"timestamp\":\"" << EveTimestamp(flow.last_ns) << "\",\"flow_id\":" << flow.id
       << ",\"event_type\":\"flow\",\"src_ip\":\"" << EveAddress(flow.client).view() << "\",\"src_port\":" << flow.client_port
       << ",\"dest_ip\":\"" << EveAddress(flow.server).view() << "\",\"dest_port\":" << flow.server_port << ",\"proto\":\""
       << protoName(flow.ip_proto) << "\"";
  commonFields(flow);
  if (flow.ip_proto == 1 || flow.ip_proto == 58) {
    if (flow.icmp_seen[Flow::kToServer]) {
      out_ << ",\"icmp_type\":" << unsigned{flow.icmp_type[Flow::kToServer]} << ",\"icmp_code\":" << unsigned{flow.icmp_code[Flow::kToServer]};
    }
    if (flow.icmp_seen[Flow::kToClient]) {
      out_ << ",\"response_icmp_type\":" << unsigned{flow.icmp_type[Flow::kToClient]}
           << ",\"response_icmp_code\":" << unsigned{flow.icmp_code[Flow::kToClient]};
    }
  }
  if (options_.ethernet) etherArrays(flow, false);
  const auto probed_ts = flow.app_layer.probed[Flow::kToServer];
  const auto probed_tc = flow.app_layer.probed[Flow::kToClient];
  const bool mismatch = probed_ts != signatures::AppProto::None && probed_tc != signatures::AppProto::None;
  const auto shown = mismatch ? probed_ts : flow.app;  // AppFlowSlot::probed
  if (shown != signatures::AppProto::None) out_ << ",\"app_proto\":\"" << signatures::appProtoName(shown) << "\"";
  if (mismatch) out_ << ",\"app_proto_tc\":\"" << signatures::appProtoName(probed_tc) << "\"";
  if (flow.app_layer.upgraded_from != signatures::AppProto::None && flow.app_layer.upgraded_from != flow.app) {
    // Suricata's alproto_orig: the protocol the flow changed from (a CONNECT tunnel, a StartTLS).
    out_ << ",\"app_proto_orig\":\"" << signatures::appProtoName(flow.app_layer.upgraded_from) << "\"";
  }
  out_ << ",\"flow\":{\"pkts_toserver\":" << ts.packets << ",\"pkts_toclient\":" << tc.packets
       << ",\"bytes_toserver\":" << ts.bytes << ",\"bytes_toclient\":" << tc.bytes << ",\"start\":\""
       << EveTimestamp(flow.first_ns) << "\",\"end\":\"" << EveTimestamp(flow.last_ns)
       << "\",\"age\":" << (flow.last_ns / 1'000'000'000 - flow.first_ns / 1'000'000'000) << ",\"reason\":\"" << flowEndReasonName(reason)
       << "\",\"alerted\":" << (flow.alerted ? "true" : "false") << ",\"state\":\"" << flowStateName(flow) << "\"}";
  if (flow.ip_proto == 6) {
    // As Suricata: the flags ORed over the flow and per direction (two hex digits), and a key
    // for each flag seen.
    const std::uint8_t ts_flags = flow.tcp_flags_seen[Flow::kToServer];
    const std::uint8_t tc_flags = flow.tcp_flags_seen[Flow::kToClient];
    const std::uint8_t all = ts_flags | tc_flags;
    constexpr char kHex[] = "0123456789abcdef";
    auto hex = [&](std::uint8_t v) { out_ << '"' << kHex[v >> 4] << kHex[v & 15] << '"'; };
    out_ << ",\"tcp\":{\"tcp_flags\":";
    hex(all);
    out_ << ",\"tcp_flags_ts\":";
    hex(ts_flags);
    out_ << ",\"tcp_flags_tc\":";
    hex(tc_flags);
    constexpr std::pair<std::uint8_t, const char*> kFlags[] = {{0x02, "syn"}, {0x01, "fin"}, {0x04, "rst"}, {0x08, "psh"},
                                                               {0x10, "ack"}, {0x20, "urg"}, {0x40, "ecn"}, {0x80, "cwr"}};
    for (const auto& [bit, name] : kFlags) {
      if (all & bit) out_ << ",\"" << name << "\":true";
    }
    out_ << ",\"state\":\"" << tcpStateName(flow.tcp_state) << "\"}";
  }
  out_ << "}\n";
  ++records_;
  if (options_.netflow) {
    netflowRecord(flow, Flow::kToServer);
    if (flow.counters[Flow::kToClient].packets > 0) netflowRecord(flow, Flow::kToClient);
  }
}

void EveWriter::netflowRecord(const Flow& flow, std::size_t side) {
  const bool to_server = side == Flow::kToServer;
  const DirectionCounters& c = flow.counters[side];
  out_ << "{\"timestamp\":\"" << EveTimestamp(flow.last_ns) << "\",\"flow_id\":" << flow.id
       << ",\"event_type\":\"netflow\",\"src_ip\":\"" << EveAddress(to_server ? flow.client : flow.server).view()
       << "\",\"src_port\":" << (to_server ? flow.client_port : flow.server_port) << ",\"dest_ip\":\""
       << EveAddress(to_server ? flow.server : flow.client).view() << "\",\"dest_port\":" << (to_server ? flow.server_port : flow.client_port)
       << ",\"proto\":\"" << protoName(flow.ip_proto) << "\"";
  commonFields(flow);
  if ((flow.ip_proto == 1 || flow.ip_proto == 58) && flow.icmp_seen[side]) {
    out_ << ",\"icmp_type\":" << unsigned{flow.icmp_type[side]} << ",\"icmp_code\":" << unsigned{flow.icmp_code[side]};
  }
  if (options_.ethernet) etherArrays(flow, !to_server);
  if (flow.app != signatures::AppProto::None) out_ << ",\"app_proto\":\"" << signatures::appProtoName(flow.app) << "\"";
  out_ << ",\"netflow\":{\"pkts\":" << c.packets << ",\"bytes\":" << c.bytes << ",\"start\":\"" << EveTimestamp(flow.first_ns)
       << "\",\"end\":\"" << EveTimestamp(flow.last_ns) << "\",\"age\":" << (flow.last_ns / 1'000'000'000 - flow.first_ns / 1'000'000'000)
       << ",\"min_ttl\":" << unsigned{c.packets ? c.min_ttl : std::uint8_t{0}} << ",\"max_ttl\":" << unsigned{c.max_ttl} << "}";
  if (flow.ip_proto == 6) {
    const std::uint8_t flags = flow.tcp_flags_seen[side];
    constexpr char kHex[] = "0123456789abcdef";
    out_ << ",\"tcp\":{\"tcp_flags\":\"" << kHex[flags >> 4] << kHex[flags & 15] << "\"";
    constexpr std::pair<std::uint8_t, const char*> kFlags[] = {{0x02, "syn"}, {0x01, "fin"}, {0x04, "rst"}, {0x08, "psh"},
                                                               {0x10, "ack"}, {0x20, "urg"}, {0x40, "ecn"}, {0x80, "cwr"}};
    for (const auto& [bit, name] : kFlags) {
      if (flags & bit) out_ << ",\"" << name << "\":true";
    }
    out_ << "}";
  }
  out_ << "}\n";
  ++records_;
}

void EveWriter::commonFields(const Flow& flow) {
  out_ << ",\"community_id\":\""
       << communityId(flow.client, flow.server, flow.ip_proto, flow.client_port, flow.server_port, options_.community_id_seed).view()
       << "\"";
  if (options_.suricata_version) out_ << ",\"suricata_version\":\"" << kSuricataCompatVersion << "\"";
  if (flow.ip_version != 0) out_ << ",\"ip_v\":" << unsigned{flow.ip_version};
  if (flow.vlan_count != 0) {
    out_ << ",\"vlan\":[";
    for (std::uint8_t i = 0; i < flow.vlan_count; ++i) out_ << (i ? "," : "") << flow.vlan[i];
    out_ << "]";
  }
  if (flow.ip_proto == 50) out_ << ",\"spi\":" << flow.esp_spi;
}

namespace {
void macText(const MacAddress& mac, char (&text)[18]) {
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
}  // namespace

void EveWriter::etherObject(const MacAddress& src, const MacAddress& dst, std::uint16_t ether_type) {
  char s[18], d[18];
  macText(src, s);
  macText(dst, d);
  out_ << ",\"ether\":{\"ether_type\":" << ether_type << ",\"src_mac\":\"" << s << "\",\"dest_mac\":\"" << d << "\"}";
}

void EveWriter::etherArrays(const Flow& flow, bool swapped) {
  const FlowMacs& m = flow.macs;
  if (m.client_count == 0 && m.server_count == 0) return;
  auto list = [&](const std::array<MacAddress, FlowMacs::kMax>& set, std::uint8_t count) {
    out_ << "[";
    for (std::uint8_t i = 0; i < count; ++i) {
      char text[18];
      macText(set[i], text);
      out_ << (i ? ",\"" : "\"") << text << "\"";
    }
    out_ << "]";
  };
  out_ << ",\"ether\":{\"dest_macs\":";
  if (swapped) list(m.client, m.client_count);
  else list(m.server, m.server_count);
  out_ << ",\"src_macs\":";
  if (swapped) list(m.server, m.server_count);
  else list(m.client, m.client_count);
  out_ << "}";
}

void EveWriter::packetObject(const DecodedPacket& packet) {
  if (packet.frame.empty()) return;
  scratch_.resize(4 * ((packet.frame.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(scratch_.data()), packet.frame.data(), static_cast<int>(packet.frame.size()));
  out_ << ",\"packet\":\"";
  out_.write(scratch_.data(), n);
  out_ << "\",\"packet_info\":{\"linktype\":" << packet.link_type;
  std::string_view name;
  switch (packet.link_type) {
    case 0: name = "NULL"; break;
    case 1: name = "EN10MB"; break;
    case 9: name = "PPP"; break;
    case 12: name = "RAW"; break;  // DLT_RAW: a tunnel's inner packet
    case 101: name = "RAW"; break;
    case 104: name = "C_HDLC"; break;
    case 108: name = "LOOP"; break;
    case 113: name = "LINUX_SLL"; break;
    case 228: name = "IPv4"; break;
    case 229: name = "IPv6"; break;
    default: break;
  }
  if (!name.empty()) out_ << ",\"linktype_name\":\"" << name << "\"";
  out_ << "}";
}

void EveWriter::alertPayload(std::string_view bytes) {
  bytes = bytes.substr(0, 4096);  // Suricata's default payload-buffer-size
  if (options_.alert_payload) {
    payload_scratch_.resize(4 * ((bytes.size() + 2) / 3) + 1);
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(payload_scratch_.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out_ << ",\"payload\":\"";
    out_.write(payload_scratch_.data(), n);
    out_ << "\"";
  }
  if (options_.alert_payload_printable) {
    // As Suricata's PrintStringsToBuffer: printable ASCII, CR and LF as they are, the rest '.'.
    payload_scratch_.assign(bytes);
    for (char& c : payload_scratch_) {
      const auto u = static_cast<unsigned char>(c);
      if (!(u >= 0x20 && u < 0x7f) && c != '\r' && c != '\n') c = '.';
    }
    out_ << ",\"payload_printable\":";
    string(payload_scratch_);
  }
}

void EveWriter::tunnelObject(const DecodedPacket& packet) {
  // Suricata's: the outermost packet's endpoints and how deep inside it this packet was.
  if (packet.recursion_level == 0) return;
  const TunnelRoot& t = packet.tunnel;
  out_ << ",\"tunnel\":{\"src_ip\":\"" << EveAddress(t.src).view() << "\",\"src_port\":" << t.src_port
       << ",\"dest_ip\":\"" << EveAddress(t.dst).view() << "\",\"dest_port\":" << t.dst_port << ",\"proto\":\""
       << protoName(t.ip_proto) << "\",\"depth\":" << unsigned{packet.recursion_level};
  if (packet.capture_index != 0) out_ << ",\"pcap_cnt\":" << packet.capture_index;
  out_ << ",\"pkt_src\":\"wire/pcap\"}";
}

void EveWriter::frameObject(const Frame& f) {
  const signatures::FrameType* type = signatures::frameTypeOf(f.type);
  out_ << ",\"frame\":{\"id\":" << f.id << ",\"type\":\"" << (type != nullptr ? type->name : std::string_view("unknown"))
       << "\",\"direction\":\"" << (f.direction == signatures::FlowDirection::ToServer ? "toserver" : "toclient")
       << "\",\"stream_offset\":" << f.stream_offset << ",\"length\":" << f.length
       << ",\"complete\":" << (f.complete ? "true" : "false");
  if (f.tx_id >= 0) out_ << ",\"tx_id\":" << f.tx_id;
  // The payload as Suricata logs it: base64, and printable with every other byte but CR and LF as '.'.
  scratch_.resize(4 * ((f.bytes.size() + 2) / 3) + 1);
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(scratch_.data()),
                                reinterpret_cast<const unsigned char*>(f.bytes.data()), static_cast<int>(f.bytes.size()));
  out_ << ",\"payload\":\"";
  out_.write(scratch_.data(), n);
  out_ << "\",\"payload_printable\":";
  printable_.assign(f.bytes);
  for (char& c : printable_) {
    if ((c < 0x20 || c > 0x7e) && c != '\r' && c != '\n') c = '.';
  }
  string(printable_);
  out_ << "}";
}

void EveWriter::string(std::string_view s) {
  scratch_.clear();
  appendJsonString(scratch_, s);
  out_.write(scratch_.data(), static_cast<std::streamsize>(scratch_.size()));
}

void EveWriter::header(const Flow& flow, signatures::FlowDirection direction, std::int64_t ts, std::string_view event_type,
                       const DecodedPacket* packet, std::string_view client_ip) {
  const bool to_server = direction == signatures::FlowDirection::ToServer;
  const auto address = [&](bool client) {
    if (client && !client_ip.empty()) out_ << client_ip;
    else out_ << EveAddress(client ? flow.client : flow.server).view();
  };
  out_ << "{\"timestamp\":\"" << EveTimestamp(ts) << "\",\"flow_id\":" << flow.id << ",\"event_type\":\"" << event_type
       << "\",\"src_ip\":\"";
  address(to_server);
  out_ << "\",\"src_port\":" << (to_server ? flow.client_port : flow.server_port) << ",\"dest_ip\":\"";
  address(!to_server);
  out_ << "\",\"dest_port\":" << (to_server ? flow.server_port : flow.client_port)
       << ",\"proto\":\"" << protoName(flow.ip_proto) << "\",\"direction\":\"" << (to_server ? "to_server" : "to_client") << "\"";
  commonFields(flow);
  if (packet != nullptr && (flow.ip_proto == 1 || flow.ip_proto == 58) && !packet->transport_header.empty()) {
    out_ << ",\"icmp_type\":" << unsigned{packet->icmp_type} << ",\"icmp_code\":" << unsigned{packet->icmp_code};
  }
  if (options_.ethernet) {
    if (packet != nullptr) {
      if (packet->has_ether) etherObject(packet->src_mac, packet->dst_mac, packet->ether_type);
    } else if (flow.macs.client_count != 0 && flow.macs.server_count != 0) {
      // A transaction's record: the addresses of its two sides, as its packets carry them.
      const MacAddress& client = flow.macs.client[0];
      const MacAddress& server = flow.macs.server[0];
      etherObject(to_server ? client : server, to_server ? server : client, flow.ip_version == 6 ? 0x86dd : 0x0800);
    }
  }
  if (flow.app != signatures::AppProto::None) out_ << ",\"app_proto\":\"" << signatures::appProtoName(flow.app) << "\"";
}

void EveWriter::header(const DecodedPacket& packet, std::int64_t ts, std::string_view event_type) {
  out_ << "{\"timestamp\":\"" << EveTimestamp(ts) << "\",\"event_type\":\"" << event_type << "\"";
  if (options_.ethernet && packet.has_ether) etherObject(packet.src_mac, packet.dst_mac, packet.ether_type);
  if (packet.ip_version == 0) return;
  const bool ports = packet.ip_proto == 6 || packet.ip_proto == 17 || packet.ip_proto == 132;
  out_ << ",\"src_ip\":\"" << EveAddress(packet.src).view() << "\"";
  if (ports && !packet.transport_header.empty()) out_ << ",\"src_port\":" << packet.src_port;
  out_ << ",\"dest_ip\":\"" << EveAddress(packet.dst).view() << "\"";
  if (ports && !packet.transport_header.empty()) out_ << ",\"dest_port\":" << packet.dst_port;
  out_ << ",\"proto\":\"" << protoName(packet.ip_proto) << "\",\"ip_v\":" << unsigned{packet.ip_version};
  if (packet.vlan_count != 0) {
    out_ << ",\"vlan\":[";
    for (std::uint8_t i = 0; i < packet.vlan_count; ++i) out_ << (i ? "," : "") << packet.vlan[i];
    out_ << "]";
  }
  if ((packet.ip_proto == 1 || packet.ip_proto == 58) && !packet.transport_header.empty()) {
    out_ << ",\"icmp_type\":" << unsigned{packet.icmp_type} << ",\"icmp_code\":" << unsigned{packet.icmp_code};
  }
}

void EveWriter::anomalyRecord(const AnomalyHit& hit) {
  const Commit commit{*this};
  const signatures::AnomalyEventInfo& info = signatures::anomalyEventInfo(hit.event);
  if (hit.flow != nullptr) header(*hit.flow, hit.direction, hit.timestamp_ns, "anomaly", hit.packet);
  else header(*hit.packet, hit.timestamp_ns, "anomaly");
  if (hit.packet != nullptr) captureIndex(hit.packet->capture_index);
  if (hit.tx_id >= 0) out_ << ",\"tx_id\":" << hit.tx_id;
  out_ << ",\"anomaly\":{";
  switch (info.kind) {
    case signatures::EventKind::Decode: out_ << "\"type\":\"decode\",\"event\":\"decoder." << info.name << "\"}"; break;
    case signatures::EventKind::Stream: out_ << "\"type\":\"stream\",\"event\":\"stream." << info.name << "\"}"; break;
    case signatures::EventKind::AppLayer: {
      // Suricata logs the parser's own name for the event: upper case from its C parsers (HTTP,
      // TLS, SMTP), as the rule writes it from the Rust ones (DNS, MQTT, FTP, LDAP).
      // Protocol detection's own events (no protocol of their own) carry the flow's.
      const bool detection = info.app == signatures::AppProto::None;
      const std::string_view proto = signatures::appProtoName(detection && hit.flow != nullptr ? hit.flow->app : info.app);
      std::string event(info.name.substr(info.name.find('.') + 1));
      if (info.app != signatures::AppProto::Dns && info.app != signatures::AppProto::Mdns && info.app != signatures::AppProto::Mqtt &&
          info.app != signatures::AppProto::Ftp && info.app != signatures::AppProto::Ldap && info.app != signatures::AppProto::Quic &&
          info.app != signatures::AppProto::Rfb && info.app != signatures::AppProto::Pgsql && info.app != signatures::AppProto::Pop3 &&
          info.app != signatures::AppProto::Ntp && info.app != signatures::AppProto::BittorrentDht) {
        for (char& c : event) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      out_ << "\"app_proto\":\"" << proto << "\",\"type\":\"applayer\",\"event\":\"" << event
           << "\",\"layer\":\"" << (detection ? "proto_detect" : "proto_parser") << "\"}";
      // A DNS message's events belong to its transaction: the message just parsed.
      if ((info.app == signatures::AppProto::Dns || info.app == signatures::AppProto::Mdns) && hit.flow != nullptr && hit.tx_id < 0) {
        out_ << ",\"tx_id\":" << dns_tx_.last(hit.flow->id);
      }
      break;
    }
  }
  if (options_.anomaly_packet && hit.packet != nullptr) packetObject(*hit.packet);
  out_ << "}\n";
  ++records_;
}

void EveWriter::packetRecord(const DecodedPacket& packet, const Flow* flow) {
  const Commit commit{*this};
  header(packet, packet.timestamp_ns, "packet");
  if (flow != nullptr) out_ << ",\"flow_id\":" << flow->id;
  captureIndex(packet.capture_index);
  packetObject(packet);
  out_ << "}\n";
  ++records_;
}

void EveWriter::arpRecord(const DecodedPacket& packet) {
  const DecodedPacket::Arp& arp = *packet.arp;
  const Commit commit{*this};
  header(packet, packet.timestamp_ns, "arp");
  captureIndex(packet.capture_index);
  std::string_view opcode = "unknown";
  switch (arp.opcode) {
    case 1: opcode = "request"; break;
    case 2: opcode = "reply"; break;
    case 3: opcode = "rarp_request"; break;
    case 4: opcode = "rarp_reply"; break;
    default: break;
  }
  char src[18];
  char dst[18];
  macText(arp.src_mac, src);
  macText(arp.dst_mac, dst);
  out_ << ",\"arp\":{\"hw_type\":\"" << (arp.hw_type == 1 ? "ethernet" : "unknown") << "\",\"proto_type\":\""
       << (arp.proto_type == 0x0800 ? "ipv4" : "unknown") << "\",\"opcode\":\"" << opcode << "\",\"src_mac\":\"" << src
       << "\",\"src_ip\":\"" << EveAddress(arp.src_ip).view() << "\",\"dest_mac\":\"" << dst << "\",\"dest_ip\":\""
       << EveAddress(arp.dst_ip).view() << "\"}}\n";
  ++records_;
}

namespace {

// The forwarded client's address in an X-Forwarded-For value (first or last of its list), when
// it is an IP address; empty otherwise.
std::string_view forwardedAddress(std::string_view value, bool last) {
  std::string_view item = value;
  if (const std::size_t comma = last ? value.rfind(',') : value.find(','); comma != std::string_view::npos) {
    item = last ? value.substr(comma + 1) : value.substr(0, comma);
  }
  while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
  while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
  if (item.empty() || item.size() >= INET6_ADDRSTRLEN) return {};
  char text[INET6_ADDRSTRLEN];
  item.copy(text, item.size());
  text[item.size()] = '\0';
  unsigned char address[16];
  if (inet_pton(AF_INET, text, address) != 1 && inet_pton(AF_INET6, text, address) != 1) return {};
  return item;
}

}  // namespace

// The id of an alert's transaction in its flow, for the alert's top-level tx_id (-1: none, or
// the transaction's object already carries it, as SMTP's and DNS's do).
std::int64_t EveWriter::transactionId(const AppMetadata& r) const {
  switch (r.kind) {
    case AppMetadata::Kind::Mqtt: return static_cast<std::int64_t>(r.mqtt->tx_id);
    case AppMetadata::Kind::Ldap: return static_cast<std::int64_t>(r.ldap->tx_id);
    case AppMetadata::Kind::Quic: return static_cast<std::int64_t>(r.quic->tx_id);
    case AppMetadata::Kind::Ike: return static_cast<std::int64_t>(r.ike->tx_id);
    case AppMetadata::Kind::Sip: return static_cast<std::int64_t>(r.sip->tx_id);
    case AppMetadata::Kind::Ftp: return static_cast<std::int64_t>(r.ftp->tx_id);
    case AppMetadata::Kind::Dcerpc: return static_cast<std::int64_t>(r.dce->id);
    case AppMetadata::Kind::Dns: return r.flow != nullptr ? static_cast<std::int64_t>(dns_tx_.last(r.flow->id)) : -1;
    default: return r.tx_id;
  }
}

void EveWriter::alertRecord(const AlertHit& hit, std::string_view category) {
  const Commit commit{*this};
  std::string_view xff;
  if (xff_.enabled && hit.app != nullptr && hit.app->kind == AppMetadata::Kind::Http && hit.app->request != nullptr) {
    if (const std::string* value = hit.app->request->header(xff_.header)) xff = forwardedAddress(*value, xff_.reverse);
  }
  if (hit.flow != nullptr) header(*hit.flow, hit.direction, hit.timestamp_ns, "alert", hit.packet, xff_.overwrite ? xff : std::string_view());
  else header(*hit.packet, hit.timestamp_ns, "alert");
  captureIndex(hit.capture_index);
  if (hit.flow_end) out_ << ",\"pkt_src\":\"stream (flow timeout)\"";
  if (hit.indicator != nullptr) {
    const signatures::Indicator& ioc = *hit.indicator;
    out_ << ",\"alert\":{\"action\":\"allowed\",\"gid\":" << kIndicatorGid << ",\"signature_id\":0,\"rev\":0,\"signature\":";
    string("GSOC IOC " + std::string(signatures::indicatorTypeName(ioc.type)) + " " + ioc.value +
           (ioc.description.empty() ? std::string() : " (" + ioc.description + ")"));
    out_ << ",\"category\":\"Indicator match\",\"severity\":1,\"buffer\":\"" << signatures::bufferName(hit.buffer)
         << "\",\"indicator\":{\"id\":";
    string(ioc.id);
    out_ << ",\"type\":\"" << signatures::indicatorTypeName(ioc.type) << "\",\"value\":";
    string(ioc.value);
    out_ << "}},\"payload_printable\":";
    string(hit.excerpt.substr(0, 256));
    out_ << "}\n";
    ++records_;
    return;
  }
  const signatures::Rule& rule = *hit.rule;
  out_ << ",\"alert\":{\"action\":\"allowed\",\"gid\":" << rule.gid << ",\"signature_id\":" << rule.sid
       << ",\"rev\":" << rule.rev << ",\"signature\":";
  string(rule.msg);
  out_ << ",\"category\":";
  string(category);
  out_ << ",\"severity\":" << static_cast<unsigned>(rule.priority);
  if (options_.alert_references && !rule.references.empty()) {
    out_ << ",\"references\":[";
    for (std::size_t i = 0; i < rule.references.size(); ++i) {
      if (i) out_ << ",";
      string(signatures::referenceUrl(rule.references[i]));
    }
    out_ << "]";
  }
  if (!hit.contexts.empty()) {
    // datajson: each matched value's JSON object (valid JSON: the load file parsed as JSON and
    // was written back by protobuf's JSON printer) under its context_key, as Suricata's.
    out_ << ",\"context\":{";
    for (std::size_t i = 0; i < hit.contexts.size(); ++i) {
      if (i) out_ << ",";
      string(hit.contexts[i].key);
      out_ << ":" << hit.contexts[i].json;
    }
    out_ << "}";
  }
  if (!xff.empty() && !xff_.overwrite) {
    out_ << ",\"xff\":";
    string(xff);
  }
  out_ << "}";
  if (hit.packet != nullptr) tunnelObject(*hit.packet);
  // Which buffer the rule matched in: gsoc's own, outside Suricata's alert object.
  out_ << ",\"gsoc\":{\"buffer\":\"" << signatures::bufferName(hit.buffer) << "\"}";
  if (hit.app != nullptr && hit.app->kind == AppMetadata::Kind::Dcerpc) dcerpcObject(*hit.app->dce, hit.app->dce_session, false);
  if (hit.app != nullptr && hit.app->kind == AppMetadata::Kind::Smb) {
    smbObject(*hit.app);
    if (hit.app->smb != nullptr && hit.app->smb->type == SmbTransaction::Type::File) smbFileObject(*hit.app->smb, true);
  }
  if (hit.app != nullptr && hit.app->kind == AppMetadata::Kind::Dns && hit.flow != nullptr) {
    // The message's transaction: its dns record (written before detection) took the latest id.
    if (hit.flow->app == signatures::AppProto::Mdns) mdnsObject(*hit.app->dns);
    else dnsObject(*hit.app->dns, dns_tx_.last(hit.flow->id), false);
  }
  if (hit.app != nullptr) {
    const AppMetadata& r = *hit.app;
    if (const std::int64_t tx = transactionId(r); tx >= 0) out_ << ",\"tx_id\":" << tx;
    if (r.kind == AppMetadata::Kind::Http) httpObject(r.request, r.response);
    // DNS over HTTP/2: the transaction's DNS message too, as Suricata's doh2 alerts.
    if (r.kind == AppMetadata::Kind::Http && r.dns != nullptr && hit.flow != nullptr) dnsObject(*r.dns, dns_tx_.last(hit.flow->id), false);
    if (r.kind == AppMetadata::Kind::Dnp3) dnp3AlertObject(*r.dnp3);
    else if (r.kind == AppMetadata::Kind::Krb5) krb5Object(*r.krb5);
    else if (r.kind == AppMetadata::Kind::Ike) ikeObject(*r.ike, *r.ike_state);
    else if (r.kind == AppMetadata::Kind::Nfs) nfsObjects(*r.nfs, *r.nfs_state);
    else if (r.kind == AppMetadata::Kind::Enip) enipObject(*r.enip);
    else if (r.kind == AppMetadata::Kind::Modbus) modbusObject(*r.modbus);
    else appObject(r);  // the transaction's "mqtt" / "ftp" / "ssh", as Suricata's alerts
  }
  if (hit.flow != nullptr) alertFlowObject(*hit.flow);
  if (hit.frame != nullptr) frameObject(*hit.frame);
  if (hit.app != nullptr && hit.app->kind == AppMetadata::Kind::Smtp && !hit.app->mail->attachments.empty()) {
    // The mail's files, as Suricata's alerts on a transaction with files list them.
    const MailTransaction& m = *hit.app->mail;
    out_ << ",\"files\":[";
    const char* sep = "";
    for (const MailAttachment& a : m.attachments) {
      out_ << sep << "{\"filename\":";
      string(a.name);
      out_ << ",\"gaps\":false,\"state\":\"CLOSED\",\"md5\":\"" << a.md5 << "\",\"sha256\":\"" << a.sha256
           << "\",\"stored\":false,\"size\":" << a.size << ",\"tx_id\":" << m.tx_id << "}";
      sep = ",";
    }
    out_ << "]";
  }
  if (options_.alert_payload || options_.alert_payload_printable) {
    // Suricata's payload: the packet's own (a datagram, a packet rule's match); for a match on
    // stream data or a transaction, the inspected bytes stand for its stream segments.
    std::string_view bytes = hit.excerpt;
    if (hit.packet != nullptr && !hit.from_stream) {
      bytes = {reinterpret_cast<const char*>(hit.packet->payload.data()), hit.packet->payload.size()};
    }
    alertPayload(bytes);
  } else {
    out_ << ",\"payload_printable\":";
    string(hit.excerpt.substr(0, 256));
  }
  out_ << ",\"stream\":" << (hit.from_stream ? 1 : 0);  // as Suricata's: the excerpt's source
  if (options_.alert_packet && hit.packet != nullptr) packetObject(*hit.packet);
  out_ << "}\n";
  ++records_;
}

// Suricata's DNS records. Version 3 (Suricata 8, formats detailed and grouped): one per message,
// "request" or "response", with the header's flags, the queries, and the answer, authority and
// additional records. Version 2: a request is one "query" record per question (rrname, rrtype,
// tx_id), a response one "answer" record with the flags, the first question, the rcode, the
// answers, grouped and the authorities, written in the flow's direction (client to server) as
// Suricata 8 writes it. Each message is a transaction of its own (tx_id counts them per flow).
bool EveWriter::dnsRecord(const AppMetadata& r) {
  const DnsMessage& m = *r.dns;
  const std::uint64_t tx_id = dns_tx_.next(r.flow->id);
  if (r.flow->app == signatures::AppProto::Mdns) {  // eve-log mdns: every message, its own shape
    header(*r.flow, r.direction, r.timestamp_ns, "mdns");
    captureIndex(r.capture_index);
    mdnsObject(m);
    out_ << "}\n";
    return true;
  }
  if (!(m.response ? dns_responses_ : dns_requests_)) return false;
  if (!dns_types_.empty() && std::none_of(m.query_types.begin(), m.query_types.end(), [&](std::uint16_t t) {
        return std::find(dns_types_.begin(), dns_types_.end(), t) != dns_types_.end();
      })) {
    return false;
  }
  if (dns_version_ == 2 && !m.response) {
    for (std::size_t i = 0; i < m.queries.size(); ++i) {
      header(*r.flow, r.direction, r.timestamp_ns, "dns");
      captureIndex(r.capture_index);
      out_ << ",\"dns\":{\"type\":\"query\",\"id\":" << m.id << ",\"rrname\":";
      string(m.queries[i]);
      out_ << ",\"rrtype\":\"" << dnsTypeName(i < m.query_types.size() ? m.query_types[i] : 0) << "\",\"tx_id\":" << tx_id;
      if (m.flags & 0x0040) out_ << ",\"z\":true";
      out_ << ",\"opcode\":" << unsigned{m.opcode()} << "}}\n";
      if (i > 0) ++records_;  // metadataRecord counts the first
    }
    return !m.queries.empty();
  }
  header(*r.flow, dns_version_ == 2 ? signatures::FlowDirection::ToServer : r.direction, r.timestamp_ns, "dns");
  captureIndex(r.capture_index);
  dnsObject(m, tx_id, dns_version_ == 2);
  out_ << "}\n";  // metadataRecord counts the record
  return true;
}

// Suricata 8's "mdns" object: the message's type, id, header flags by name, opcode and rcode as
// numbers, the queries (types in lower case), and each record as its name and its data keyed by
// its type's name in lower case (a TXT record's strings as an array, SOA/SRV/SSHFP as objects,
// OPT as its options, other data as its bytes).
void EveWriter::mdnsObject(const DnsMessage& m) {
  auto lowerType = [](std::uint16_t type) {
    std::string name = dnsTypeName(type);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name;
  };
  out_ << ",\"mdns\":{\"type\":\"" << (m.response ? "response" : "request") << "\",\"id\":" << m.id;
  static constexpr std::pair<std::uint16_t, const char*> kBits[] = {{0x0400, "aa"}, {0x0200, "tc"}, {0x0100, "rd"}, {0x0080, "ra"},
                                                                    {0x0040, "z"},  {0x0020, "ad"}, {0x0010, "cd"}};
  bool flags = false;
  for (const auto& [bit, name] : kBits) {
    if (!(m.flags & bit)) continue;
    out_ << (flags ? "," : ",\"flags\":[") << "\"" << name << "\"";
    flags = true;
  }
  if (flags) out_ << "]";
  out_ << ",\"opcode\":" << unsigned{m.opcode()} << ",\"rcode\":" << unsigned{m.rcode};
  if (!m.queries.empty()) {
    out_ << ",\"queries\":[";
    for (std::size_t i = 0; i < m.queries.size(); ++i) {
      out_ << (i ? "," : "") << "{\"rrname\":";
      string(m.queries[i]);
      out_ << ",\"rrtype\":\"" << lowerType(i < m.query_types.size() ? m.query_types[i] : 0) << "\"}";
    }
    out_ << "]";
  }
  auto bytes = [](std::span<const std::uint8_t> b) { return std::string_view(reinterpret_cast<const char*>(b.data()), b.size()); };
  auto records = [&](std::string_view key, const std::vector<DnsMessage::Answer>& list) {
    bool open = false;
    for (const DnsMessage::Answer& a : list) {
      if (a.type == 41 && a.rdata.empty()) continue;  // an OPT record without options is not written
      out_ << (open ? "," : ",\"" + std::string(key) + "\":[") << "{\"rrname\":";
      open = true;
      string(a.name);
      out_ << ",\"" << lowerType(a.type) << "\":";
      switch (a.type) {
        case 1: case 2: case 5: case 12: case 15: case 28: string(a.data); break;
        case 16:
          out_ << "[";
          for (std::size_t t = 0; t < dnsTxtCount(a.rdata); ++t) {
            if (t) out_ << ",";
            string(dnsTxtString(a.rdata, t));
          }
          out_ << "]";
          break;
        case 6: case 33: case 44:
          if ((a.type == 44 && a.rdata.size() >= 2) || (a.type != 44 && a.fields_read)) dnsFieldsObject(a);
          else string(bytes(a.rdata));
          break;
        case 41: {  // OPT: each option's code and data in hex
          static constexpr char kHex[] = "0123456789abcdef";
          out_ << "[";
          for (std::size_t at = 0; at + 4 <= a.rdata.size();) {
            const std::size_t length = std::size_t{a.rdata[at + 2]} << 8 | a.rdata[at + 3];
            const std::size_t end = std::min(a.rdata.size(), at + 4 + length);
            out_ << (at ? "," : "") << "{\"code\":" << (unsigned{a.rdata[at]} << 8 | a.rdata[at + 1]) << ",\"data\":\"";
            for (std::size_t i = at + 4; i < end; ++i) out_ << kHex[a.rdata[i] >> 4] << kHex[a.rdata[i] & 0x0f];
            out_ << "\"}";
            at = end;
          }
          out_ << "]";
          break;
        }
        default: string(bytes(a.rdata)); break;
      }
      out_ << "}";
    }
    if (open) out_ << "]";
  };
  records("answers", m.answers);
  records("authorities", m.authorities);
  records("additionals", m.additionals);
  out_ << "}";
}

// One record's data as Suricata's detailed format writes it (TXT: its i-th character-string).
void EveWriter::dnsRecordData(const DnsMessage::Answer& a, std::size_t txt_index) {
  switch (a.type) {
    case 1: case 2: case 5: case 12: case 15: case 28:
      if (!a.data.empty()) {
        out_ << ",\"rdata\":";
        string(a.data);
      }
      return;
    case 16:
      out_ << ",\"rdata\":";
      string(dnsTxtString(a.rdata, txt_index));
      return;
    case 10:
      out_ << ",\"rdata\":";
      string(std::string_view(reinterpret_cast<const char*>(a.rdata.data()), a.rdata.size()));
      return;
    case 6:
      if (a.fields_read) {
        out_ << ",\"soa\":";
        dnsFieldsObject(a);
      }
      return;
    case 33:
      if (a.fields_read) {
        out_ << ",\"srv\":";
        dnsFieldsObject(a);
      }
      return;
    case 44:
      if (a.rdata.size() >= 2) {
        out_ << ",\"sshfp\":";
        dnsFieldsObject(a);
      }
      return;
    default: return;
  }
}

// The object of an SOA, SRV or SSHFP record's fields (also grouped's value for them).
void EveWriter::dnsFieldsObject(const DnsMessage::Answer& a) {
  if (a.type == 6) {
    out_ << "{\"mname\":";
    string(a.data);
    out_ << ",\"rname\":";
    string(a.soa_rname);
    out_ << ",\"serial\":" << a.soa_serial << ",\"refresh\":" << a.soa_refresh << ",\"retry\":" << a.soa_retry
         << ",\"expire\":" << a.soa_expire << ",\"minimum\":" << a.soa_minimum << "}";
  } else if (a.type == 33) {
    out_ << "{\"priority\":" << a.srv_priority << ",\"weight\":" << a.srv_weight << ",\"port\":" << a.srv_port << ",\"name\":";
    string(a.data);
    out_ << "}";
  } else {  // SSHFP: algorithm, fingerprint type, the fingerprint as colon-separated hex
    static constexpr char kHex[] = "0123456789abcdef";
    out_ << "{\"fingerprint\":\"";
    for (std::size_t i = 2; i < a.rdata.size(); ++i) {
      if (i > 2) out_ << ':';
      out_ << kHex[a.rdata[i] >> 4] << kHex[a.rdata[i] & 0x0f];
    }
    out_ << "\",\"algo\":" << unsigned{a.rdata[0]} << ",\"type\":" << unsigned{a.rdata[1]} << "}";
  }
}

// The "dns" object of a message (and of an alert on it): version 3's, or version 2's answer.
void EveWriter::dnsObject(const DnsMessage& m, std::uint64_t tx_id, bool v2) {
  char flags[8];
  std::snprintf(flags, sizeof flags, "%x", static_cast<unsigned>(m.flags));
  if (v2) {
    out_ << ",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":" << m.id << ",\"flags\":\"" << flags << "\"";
  } else {
    out_ << ",\"dns\":{\"version\":3,\"type\":\"" << (m.response ? "response" : "request") << "\",\"tx_id\":" << tx_id
         << ",\"id\":" << m.id << ",\"flags\":\"" << flags << "\"";
  }
  static constexpr std::pair<std::uint16_t, const char*> kBits[] = {
      {0x8000, "qr"}, {0x0400, "aa"}, {0x0200, "tc"}, {0x0100, "rd"}, {0x0080, "ra"}, {0x0040, "z"}};
  for (const auto& [bit, name] : kBits) {
    if (m.flags & bit) out_ << ",\"" << name << "\":true";
  }
  out_ << ",\"opcode\":" << unsigned{m.opcode()};
  if (v2) {
    if (!m.queries.empty()) {
      out_ << ",\"rrname\":";
      string(m.queries.front());
      out_ << ",\"rrtype\":\"" << dnsTypeName(m.query_types.empty() ? 0 : m.query_types.front()) << "\"";
    }
    out_ << ",\"rcode\":\"" << dnsRcodeName(m.rcode) << "\"";
  } else {
    if (m.response) out_ << ",\"rcode\":\"" << dnsRcodeName(m.rcode) << "\"";
    out_ << ",\"queries\":[";
    for (std::size_t i = 0; i < m.queries.size(); ++i) {
      out_ << (i ? "," : "") << "{\"rrname\":";
      string(m.queries[i]);
      out_ << ",\"rrtype\":\"" << dnsTypeName(i < m.query_types.size() ? m.query_types[i] : 0) << "\"}";
    }
    out_ << "]";
  }
  // TXT records are written as one entry per character-string, as Suricata's.
  auto entries = [](const DnsMessage::Answer& a) { return a.type == 16 ? dnsTxtCount(a.rdata) : std::size_t{1}; };
  auto records = [&](std::string_view key, const std::vector<DnsMessage::Answer>& list) {
    if (list.empty()) return;
    out_ << ",\"" << key << "\":[";
    const char* sep = "";
    for (const DnsMessage::Answer& a : list) {
      for (std::size_t t = 0; t < entries(a); ++t) {
        out_ << sep << "{\"rrname\":";
        sep = ",";
        string(a.name);
        out_ << ",\"rrtype\":\"" << dnsTypeName(a.type) << "\",\"ttl\":" << a.ttl;
        dnsRecordData(a, t);
        out_ << "}";
      }
    }
    out_ << "]";
  };
  records("answers", m.answers);
  // grouped: the answers' data by type, types in order of first appearance.
  auto grouped_value = [&](const DnsMessage::Answer& a, const char*& sep) {
    switch (a.type) {
      case 1: case 2: case 5: case 12: case 15: case 28:
        if (a.data.empty()) return;
        out_ << sep;
        string(a.data);
        break;
      case 16:
        for (std::size_t t = 0; t < dnsTxtCount(a.rdata); ++t) {
          out_ << sep;
          string(dnsTxtString(a.rdata, t));
          sep = ",";
        }
        return;
      case 10:
        out_ << sep;
        string(std::string_view(reinterpret_cast<const char*>(a.rdata.data()), a.rdata.size()));
        break;
      case 6: case 33:
        if (!a.fields_read) return;
        out_ << sep;
        dnsFieldsObject(a);
        break;
      case 44:
        if (a.rdata.size() < 2) return;
        out_ << sep;
        dnsFieldsObject(a);
        break;
      default: return;
    }
    sep = ",";
  };
  auto grouped_kind = [](const DnsMessage::Answer& a) {
    switch (a.type) {
      case 1: case 2: case 5: case 12: case 15: case 28: return !a.data.empty();
      case 6: case 33: return a.fields_read;
      case 44: return a.rdata.size() >= 2;
      case 10: case 16: return true;
      default: return false;
    }
  };
  bool grouped = false;
  for (std::size_t i = 0; i < m.answers.size(); ++i) {
    const DnsMessage::Answer& a = m.answers[i];
    if (!grouped_kind(a)) continue;
    bool first = true;
    for (std::size_t j = 0; j < i; ++j) first = first && !(m.answers[j].type == a.type && grouped_kind(m.answers[j]));
    if (!first) continue;
    out_ << (grouped ? "," : ",\"grouped\":{") << "\"" << dnsTypeName(a.type) << "\":[";
    grouped = true;
    const char* sep = "";
    for (std::size_t j = i; j < m.answers.size(); ++j) {
      if (m.answers[j].type == a.type) grouped_value(m.answers[j], sep);
    }
    out_ << "]";
  }
  if (grouped) out_ << "}";
  records("authorities", m.authorities);
  if (!v2) records("additionals", m.additionals);
  out_ << "}";
}

bool EveWriter::http2Loggable(const HttpMessage* request, const HttpMessage* response) {
  // Suricata's http2 logger writes a transaction only when it has headers, or settings, an
  // error code or a priority to tell: not a PING, a WINDOW_UPDATE or a SETTINGS ack.
  bool any = false, h2 = false;
  for (const HttpMessage* m : {request, response}) {
    if (m == nullptr) continue;
    if (!m->http2) return true;
    h2 = true;
    const Http2Frames* f = m->frames;
    any = any || !m->headers.empty() ||
          (f != nullptr && (!f->settings.empty() || !f->error_codes.empty() || !f->priorities.empty()));
  }
  return !h2 || any;
}

void EveWriter::http2Frames(const Http2Frames& frames) {
  // Suricata's http2 logger: the settings, the first error code (RST_STREAM, GOAWAY) and the
  // first priority weight.
  const char* sep = "";
  const std::string& settings = frames.settings;
  auto be = [](std::string_view bytes) {
    std::uint64_t v = 0;
    for (const char c : bytes) v = v << 8 | static_cast<unsigned char>(c);
    return v;
  };
  if (!settings.empty()) {
    out_ << "\"settings\":[";
    for (std::size_t i = 0; i + 6 <= settings.size(); i += 6) {
      const auto id = static_cast<std::uint16_t>(be(std::string_view(settings).substr(i, 2)));
      const std::string_view name = http2SettingName(id);
      out_ << (i == 0 ? "" : ",") << "{\"settings_id\":\"";
      if (name.empty()) out_ << id;
      else out_ << name;
      out_ << "\",\"settings_value\":" << be(std::string_view(settings).substr(i + 2, 4)) << "}";
    }
    out_ << "]";
    sep = ",";
  }
  if (frames.error_codes.size() >= 4) {
    const auto code = static_cast<std::uint32_t>(be(std::string_view(frames.error_codes).substr(0, 4)));
    const std::string_view name = http2ErrorName(code);
    out_ << sep << "\"error_code\":\"";
    if (name.empty()) out_ << code;
    else out_ << name;
    out_ << "\"";
    if (frames.error_codes.size() > 4) out_ << ",\"has_multiple\":\"error_code\"";
    sep = ",";
  }
  if (!frames.priorities.empty()) out_ << sep << "\"priority\":" << static_cast<unsigned>(static_cast<unsigned char>(frames.priorities[0]));
}

void EveWriter::httpObject(const HttpMessage* request, const HttpMessage* response) {
  out_ << ",\"http\":{";
  const char* sep = "";
  auto field = [&](std::string_view key, std::string_view value) {
    if (value.empty()) return;
    out_ << sep << "\"" << key << "\":";
    string(value);
    sep = ",";
  };
  if (const HttpMessage* q = request) {
    // libhtp's normalized host name: lower case, without the port, which is a field of its own.
    const HttpAuthority authority = httpRequestAuthority(*q);
    host_.assign(authority.host);
    std::transform(host_.begin(), host_.end(), host_.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    field("hostname", host_);
    if (authority.port >= 0) {
      out_ << sep << "\"http_port\":" << authority.port;
      sep = ",";
    }
    field("url", q->raw_uri);
    field("http_method", q->method);
    field("protocol", q->protocol);
    if (const std::string* ua = q->header("User-Agent")) field("http_user_agent", *ua);
    if (const std::string* ref = q->header("Referer")) field("http_refer", *ref);
  }
  if (const HttpMessage* a = response) {
    if (const int status = httpStatusNumber(a->status_code); status > 0) {
      out_ << sep << "\"status\":" << status;
      sep = ",";
    } else {
      field("status_string", a->status_code);  // not a number: Suricata logs the text
    }
    if (const std::string* location = a->header("Location")) field("redirect", *location);
    if (const std::string* ct = a->header("Content-Type")) {
      field("http_content_type", std::string_view(*ct).substr(0, ct->find(';')));  // the media type, as Suricata
    }
    if (const std::string* cr = a->header("Content-Range")) {
      out_ << sep << "\"content_range\":{\"raw\":";
      string(*cr);
      if (HttpContentRange range; parseHttpContentRange(*cr, range)) {
        if (range.start >= 0) out_ << ",\"start\":" << range.start;
        if (range.end >= 0) out_ << ",\"end\":" << range.end;
        if (range.size >= 0) out_ << ",\"size\":" << range.size;
      }
      out_ << "}";
      sep = ",";
    }
  }
  // The response body's length so far, 0 before a response, as Suricata always logs it.
  out_ << sep << "\"length\":" << (response != nullptr ? response->body_length : 0);
  sep = ",";
  auto headers = [&](std::string_view key, const HttpMessage* m) {
    if (m == nullptr) return;
    out_ << sep << "\"" << key << "\":[";
    const char* comma = "";
    for (const auto& [name, value] : m->headers) {
      out_ << comma << "{\"name\":";
      string(name);
      out_ << ",\"value\":";
      string(value);
      out_ << "}";
      comma = ",";
    }
    out_ << "]";
    sep = ",";
  };
  // HTTP/2 (a stream): Suricata's http2 logger, which always lists the headers.
  const HttpMessage* either = request != nullptr ? request : response;
  const bool h2 = either != nullptr && either->http2;
  if (h2) {
    out_ << sep << "\"version\":\"2\"";
    sep = ",";
  }
  if (dump_request_headers_ || h2) headers("request_headers", request);
  if (dump_response_headers_ || h2) headers("response_headers", response);
  if (h2) {
    out_ << ",\"http2\":{\"stream_id\":" << either->stream_id << ",\"request\":{";
    if (request != nullptr && request->frames != nullptr) http2Frames(*request->frames);
    out_ << "},\"response\":{";
    if (response != nullptr && response->frames != nullptr) http2Frames(*response->frames);
    out_ << "}}";
  }
  out_ << "}";
}

void EveWriter::dcerpcObject(const DceTransaction& tx, const DceSession* session, bool smb) {
  out_ << ",\"dcerpc\":{";
  const bool request = tx.request_done && !tx.request_lost;
  out_ << "\"request\":\"" << (request ? dceTypeName(tx.request_type) : std::string("REQUEST_LOST")) << "\"";
  if (smb) out_ << ",\"response\":\"" << (tx.response_done ? dceTypeName(tx.response_type) : std::string("UNREPLIED")) << "\"";
  // The interfaces a request's context names, or a bind's proposals and the answers.
  auto interfaces = [&](bool by_context, bool reason) {
    if (session == nullptr) return;  // connectionless: no binds
    const char* sep = "";
    for (const signatures::DceInterface& i : session->interfaces()) {
      if (by_context ? i.context_id != tx.context_id : i.call_id != tx.call_id) continue;
      out_ << (*sep ? sep : ",\"interfaces\":[") << "{\"uuid\":\"" << dceUuidText(i.uuid) << "\",\"version\":\"" << i.version
           << "." << i.version_minor << "\"";
      if (i.acked && !(smb && by_context)) {
        out_ << ",\"ack_result\":" << i.ack_result;
        if (reason) out_ << ",\"ack_reason\":" << i.ack_reason;
      }
      out_ << "}";
      sep = ",";
    }
    if (*sep) out_ << "]";
  };
  if (request && tx.request_type == dce::kRequest) {
    if (smb) out_ << ",\"opnum\":" << tx.opnum;
    out_ << ",\"req\":{";
    if (!smb) out_ << "\"opnum\":" << tx.opnum << ",";
    out_ << "\"frag_cnt\":" << tx.frags_ts << ",\"stub_data_size\":" << tx.stub_ts.size() << "}";
    if (!tx.connectionless) interfaces(true, false);
  } else if (request && tx.request_type == dce::kBind) {
    interfaces(false, smb);
  }
  if (!smb) out_ << ",\"response\":\"" << (tx.response_done ? dceTypeName(tx.response_type) : std::string("UNREPLIED")) << "\"";
  if (tx.response_done && tx.response_type == dce::kResponse) {
    out_ << ",\"res\":{\"frag_cnt\":" << tx.frags_tc << ",\"stub_data_size\":" << tx.stub_tc.size() << "}";
  }
  if (tx.connectionless) {
    out_ << ",\"activityuuid\":\"" << dceUuidText(tx.activity) << "\",\"seqnum\":" << tx.call_id << ",\"rpc_version\":\"4.0\"}";
    return;
  }
  out_ << ",\"call_id\":" << tx.call_id;
  if (!smb) out_ << ",\"rpc_version\":\"5." << static_cast<unsigned>(tx.version_minor) << "\"";
  out_ << "}";
}

namespace {
constexpr std::string_view kSmbTypes[] = {"negotiate", "session_setup", "tree_connect", "create", "file",
                                          "rename", "set_file_path_info", "ioctl", "dcerpc", "generic"};

std::string_view smbTypeOf(const AppMetadata& r) {
  if (r.smb == nullptr) return "dcerpc";
  switch (r.smb->type) {
    case SmbTransaction::Type::Negotiate: return "negotiate";
    case SmbTransaction::Type::SessionSetup: return "session_setup";
    case SmbTransaction::Type::TreeConnect: return "tree_connect";
    case SmbTransaction::Type::Create: return "create";
    case SmbTransaction::Type::File: return "file";
    case SmbTransaction::Type::Rename: return "rename";
    case SmbTransaction::Type::SetFileInfo: return "set_file_path_info";
    case SmbTransaction::Type::Ioctl: return "ioctl";
    case SmbTransaction::Type::Generic: return "generic";
  }
  return "generic";
}
}  // namespace

bool EveWriter::isSmbType(std::string_view name) {
  return std::find(std::begin(kSmbTypes), std::end(kSmbTypes), name) != std::end(kSmbTypes);
}

void EveWriter::smbFileObject(const SmbTransaction& tx, bool in_alert) {
  const SmbFile& f = tx.file;
  out_ << (in_alert ? ",\"files\":[{\"filename\":" : ",\"fileinfo\":{\"filename\":");
  string(f.name);
  out_ << ",\"gaps\":" << (f.gaps ? "true" : "false") << ",\"state\":\""
       << (!tx.response_done ? "OPEN" : f.closed && !f.gaps ? "CLOSED" : "TRUNCATED") << "\"";
  if (!f.md5.empty()) out_ << ",\"md5\":\"" << f.md5 << "\"";
  if (!f.sha256.empty()) out_ << ",\"sha256\":\"" << f.sha256 << "\"";
  out_ << ",\"stored\":false,\"size\":" << f.size << ",\"tx_id\":" << tx.id << (in_alert ? "}]" : "}");
}

void EveWriter::smbObject(const AppMetadata& r) {
  const SmbState& state = *r.smb_state;
  const SmbTransaction* tx = r.smb;
  const DceTransaction* dce = r.dce;
  out_ << ",\"smb\":{\"id\":" << (tx != nullptr ? tx->id : dce->id) << ",\"dialect\":";
  if (state.dialect() != 0) string(smb2DialectName(state.dialect()));
  else string(state.smb1Dialect().empty() ? std::string_view("unknown") : std::string_view(state.smb1Dialect()));
  const std::uint8_t version = tx != nullptr ? tx->version : dce->smb.version;
  const std::uint16_t command = tx != nullptr ? tx->command : dce->smb.command;
  const bool status_set = tx != nullptr ? tx->status_set : dce->smb.status_set;
  const std::uint32_t status = tx != nullptr ? tx->status : dce->smb.status;
  out_ << ",\"command\":\"" << smbCommandName(version, command) << "\"";
  if (status_set) {
    char code[16];
    if (tx != nullptr && tx->dos_error) {
      std::snprintf(code, sizeof code, "0x%04x", static_cast<unsigned>(status & 0xffff));
      out_ << ",\"status\":\"" << smbDosErrorName(static_cast<std::uint8_t>(status >> 16), static_cast<std::uint16_t>(status))
           << "\",\"status_code\":\"" << code << "\"";
    } else {
      std::snprintf(code, sizeof code, "0x%x", static_cast<unsigned>(status));
      out_ << ",\"status\":\"" << smbStatusName(status) << "\",\"status_code\":\"" << code << "\"";
    }
  }
  out_ << ",\"session_id\":" << (tx != nullptr ? tx->session_id : dce->smb.session_id)
       << ",\"tree_id\":" << (tx != nullptr ? tx->tree_id : dce->smb.tree_id);
  if (dce != nullptr) {
    dcerpcObject(*dce, r.dce_session, true);
    out_ << "}";
    return;
  }
  using Type = SmbTransaction::Type;
  switch (tx->type) {
    case Type::SessionSetup:
      if (tx->has_ntlmssp) {
        out_ << ",\"ntlmssp\":{\"domain\":";
        string(tx->ntlmssp.domain);
        out_ << ",\"user\":";
        string(tx->ntlmssp.user);
        out_ << ",\"host\":";
        string(tx->ntlmssp.host);
        if (!tx->ntlmssp.version.empty()) {
          out_ << ",\"version\":";
          string(tx->ntlmssp.version);
        }
        out_ << "}";
      }
      if (tx->has_request_host) {
        out_ << ",\"request\":{\"native_os\":";
        string(tx->request_native_os);
        out_ << ",\"native_lm\":";
        string(tx->request_native_lm);
        out_ << "}";
      }
      if (tx->has_response_host) {
        out_ << ",\"response\":{\"native_os\":";
        string(tx->response_native_os);
        out_ << ",\"native_lm\":";
        string(tx->response_native_lm);
        out_ << "}";
      }
      break;
    case Type::Create: {
      out_ << (tx->directory ? ",\"directory\":" : ",\"filename\":");
      string(tx->filename.empty() ? std::string_view("<share_root>") : std::string_view(tx->filename));
      static constexpr std::string_view kDispositions[] = {"FILE_SUPERSEDE", "FILE_OPEN",      "FILE_CREATE",
                                                           "FILE_OPEN_IF",   "FILE_OVERWRITE", "FILE_OVERWRITE_IF"};
      out_ << ",\"disposition\":\"" << (tx->disposition < std::size(kDispositions) ? kDispositions[tx->disposition] : "UNKNOWN")
           << "\",\"access\":\"" << (tx->delete_on_close ? "delete on close" : "normal") << "\",\"created\":" << tx->created
           << ",\"accessed\":" << tx->accessed << ",\"modified\":" << tx->modified << ",\"changed\":" << tx->changed
           << ",\"size\":" << tx->size << ",\"fuid\":\"" << smbFileIdText(tx->fid) << "\"";
      break;
    }
    case Type::Negotiate:
      out_ << ",\"client_dialects\":[";
      for (std::size_t i = 0; i < tx->client_dialects.size(); ++i) {
        if (i) out_ << ",";
        string(tx->client_dialects[i]);
      }
      out_ << "]";
      if (tx->has_client_guid) {
        SmbFileId g;
        g.bytes = tx->client_guid;
        g.size = 16;
        out_ << ",\"client_guid\":\"" << smbFileIdText(g) << "\"";
      }
      {
        SmbFileId g;
        g.bytes = tx->server_guid;
        g.size = 16;
        out_ << ",\"server_guid\":\"" << smbFileIdText(g) << "\"";
      }
      if (state.maxReadSize() > 0) out_ << ",\"max_read_size\":" << state.maxReadSize();
      if (state.maxWriteSize() > 0) out_ << ",\"max_write_size\":" << state.maxWriteSize();
      break;
    case Type::TreeConnect:
      out_ << (tx->is_pipe ? ",\"named_pipe\":" : ",\"share\":");
      string(tx->share);
      if (tx->version == 1) {
        out_ << ",\"service\":{";
        out_ << "\"request\":";
        string(tx->service_request);
        if (tx->response_done) {
          out_ << ",\"response\":";
          string(tx->service_response);
        }
        out_ << "}";
      } else {
        static constexpr std::string_view kTypes[] = {"UNKNOWN", "FILE", "PIPE", "PRINT"};
        out_ << ",\"share_type\":\"" << (tx->share_type < std::size(kTypes) ? kTypes[tx->share_type] : "UNKNOWN") << "\"";
      }
      break;
    case Type::File:
      out_ << ",\"filename\":";
      string(tx->file.name);
      out_ << ",\"share\":";
      string(tx->file.share);
      out_ << ",\"fuid\":\"" << smbFileIdText(tx->fid) << "\"";
      break;
    case Type::Ioctl:
      out_ << ",\"function\":\"" << smbFsctlName(tx->function) << "\"";
      break;
    case Type::SetFileInfo:
      out_ << ",\"filename\":";
      string(tx->filename.empty() ? std::string_view("<share_root>") : std::string_view(tx->filename));
      out_ << ",\"access\":\"" << (tx->delete_on_close ? "delete on close" : "normal") << "\",\"fuid\":\"" << smbFileIdText(tx->fid)
           << "\"";
      break;
    case Type::Rename:
      out_ << ",\"set_info\":{\"class\":\"FILE_INFO\",\"info_level\":\"SMB2_FILE_RENAME_INFO\"},\"rename\":{\"from\":";
      string(tx->filename);
      out_ << ",\"to\":";
      string(tx->rename_to);
      out_ << "},\"fuid\":\"" << smbFileIdText(tx->fid) << "\"";
      break;
    case Type::Generic:
      break;
  }
  out_ << "}";
}

void EveWriter::metadataRecord(const AppMetadata& r) {
  const Commit commit{*this};
  const Flow& flow = *r.flow;
  switch (r.kind) {
    case AppMetadata::Kind::Http: {
      if (!http2Loggable(r.request, r.response)) return;
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "http");
      captureIndex(r.capture_index);
      if (r.request != nullptr) out_ << ",\"tx_id\":" << r.request->tx_id;
      httpObject(r.request, r.response);
      out_ << "}\n";
      break;
    }
    case AppMetadata::Kind::HttpFile: {
      // Suricata's fileinfo record of an HTTP file: from the side that sent it, with the
      // exchange's http object.
      const HttpFile& f = *r.file;
      header(flow, r.direction, r.timestamp_ns, "fileinfo");
      captureIndex(r.capture_index);
      httpObject(r.request, r.response);
      out_ << ",\"fileinfo\":{\"filename\":";
      string(f.name);
      out_ << ",\"gaps\":" << (f.gaps ? "true" : "false") << ",\"state\":\"" << (f.truncated ? "TRUNCATED" : "CLOSED") << "\"";
      if (!f.md5.empty()) out_ << ",\"md5\":\"" << f.md5 << "\"";
      if (!f.sha256.empty()) out_ << ",\"sha256\":\"" << f.sha256 << "\"";
      out_ << ",\"stored\":" << (f.stored ? "true" : "false") << ",\"size\":" << f.size;
      // A part of a file (a 206's Content-Range): where it lies in the whole, as Suricata.
      if (const std::string* cr = r.response != nullptr ? r.response->header("Content-Range") : nullptr) {
        if (HttpContentRange range; parseHttpContentRange(*cr, range) && range.start >= 0) {
          out_ << ",\"start\":" << range.start << ",\"end\":" << range.end;
        }
      }
      out_ << ",\"tx_id\":" << f.tx_id << "}}\n";
      break;
    }
    case AppMetadata::Kind::Dns:
      if (!dnsRecord(r)) return;
      break;
    case AppMetadata::Kind::Tls: {
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "tls");
      captureIndex(r.capture_index);
      tlsObject(r);
      out_ << "}\n";
      break;
    }
    case AppMetadata::Kind::Smtp: {
      const MailTransaction& m = *r.mail;
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "smtp");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << m.tx_id;
      mailObjects(m);
      out_ << "}\n";
      for (const MailAttachment& a : m.attachments) {
        // Suricata's fileinfo record of a mail's attachment carries the mail's objects.
        header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "fileinfo");
        captureIndex(r.capture_index);
        mailObjects(m);
        out_ << ",\"fileinfo\":{\"filename\":";
        string(a.name);
        out_ << ",\"gaps\":false,\"state\":\"CLOSED\",\"md5\":\"" << a.md5 << "\",\"sha256\":\"" << a.sha256
             << "\",\"stored\":false,\"size\":" << a.size << ",\"tx_id\":" << m.tx_id << ",\"mime_type\":";
        string(a.content_type);
        out_ << "}}\n";
        ++records_;
      }
      break;
    }
    case AppMetadata::Kind::Dcerpc:
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "dcerpc");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.dce->id;
      dcerpcObject(*r.dce, r.dce_session, false);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Smb:
      if (!smb_types_.empty() && std::find(smb_types_.begin(), smb_types_.end(), smbTypeOf(r)) == smb_types_.end()) return;
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "smb");
      captureIndex(r.capture_index);
      smbObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::SmbFile: {
      // Suricata's fileinfo record of an SMB file: from the side that sent it, with its smb object.
      header(flow, r.direction, r.timestamp_ns, "fileinfo");
      captureIndex(r.capture_index);
      smbObject(r);
      smbFileObject(*r.smb, false);
      out_ << "}\n";
      break;
    }
    case AppMetadata::Kind::Ssh: {
      // Suricata's ssh record: each side's banner versions, and its HASSH when the KEXINIT was seen.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "ssh");
      captureIndex(r.capture_index);
      sshObject(*r.ssh);
      out_ << "}\n";
      break;
    }
    case AppMetadata::Kind::Mqtt:
      // Suricata's mqtt record: one object per packet of the transaction, named by its type.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "mqtt");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.mqtt->tx_id;
      appObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Ldap:
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "ldap");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.ldap->tx_id;
      appObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Websocket:
      header(flow, r.direction, r.timestamp_ns, "websocket");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.websocket->tx_id;
      appObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Frame:
      header(flow, r.frame->direction, r.timestamp_ns, "frame");
      captureIndex(r.capture_index);
      frameObject(*r.frame);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Dnp3:
      // Suricata's dnp3 record: one per application fragment, in the flow's direction.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "dnp3");
      captureIndex(r.capture_index);
      out_ << ",\"dnp3\":{";
      dnp3Fields(*r.dnp3);
      out_ << "}}\n";
      break;
    case AppMetadata::Kind::Ike:
      // Suricata's ike record: one per message, as the message went.
      header(flow, r.direction, r.timestamp_ns, "ike");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.ike->tx_id;
      ikeObject(*r.ike, *r.ike_state);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Nfs:
      // Suricata's nfs record: one per transaction, in the direction of the packet completing it.
      header(flow, r.direction, r.timestamp_ns, "nfs");
      captureIndex(r.capture_index);
      nfsObjects(*r.nfs, *r.nfs_state);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::NfsFile:
      // Suricata's fileinfo record of an NFS file, with its transaction's objects.
      header(flow, r.direction, r.timestamp_ns, "fileinfo");
      captureIndex(r.capture_index);
      nfsObjects(*r.nfs, *r.nfs_state);
      nfsFileObject(*r.nfs);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Krb5:
      // Suricata's krb5 record: one per message, in the flow's direction.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "krb5");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.krb5->tx_id;
      krb5Object(*r.krb5);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Snmp:
      // Suricata's snmp record: one per message, in the flow's direction.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "snmp");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.snmp->tx_id;
      snmpObject(*r.snmp);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Dhcp:
      // Suricata's dhcp record: one per message, each way as the message went.
      header(flow, r.direction, r.timestamp_ns, "dhcp");
      captureIndex(r.capture_index);
      dhcpObject(*r.dhcp);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::FtpData:
      // Suricata's ftp_data record: one per data connection, in the flow's direction.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "ftp_data");
      captureIndex(r.capture_index);
      ftpDataObject(*r.ftp_data);
      out_ << "}\n";
      // Suricata's fileinfo record of the transfer's file, from the side that sent it.
      if (r.ftp_data->size() > 0) {
        header(flow, r.ftp_data->direction(), r.timestamp_ns, "fileinfo");
        captureIndex(r.capture_index);
        ftpDataFileObject(*r.ftp_data);
        out_ << "}\n";
      }
      break;
    case AppMetadata::Kind::Enip:
      // Suricata's enip record: one per transaction, in the flow's direction.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "enip");
      captureIndex(r.capture_index);
      enipObject(*r.enip);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Modbus:
      // Suricata's modbus record: one per transaction, in the flow's direction.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "modbus");
      captureIndex(r.capture_index);
      modbusObject(*r.modbus);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Ntp:
      // Suricata's ntp record: one per message, each way as the message went.
      header(flow, r.direction, r.timestamp_ns, "ntp");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.tx_id;
      ntpObject(*r.ntp);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::BittorrentDht:
      // Suricata's bittorrent_dht record: one per message, each way as the message went.
      header(flow, r.direction, r.timestamp_ns, "bittorrent_dht");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.tx_id;
      bittorrentDhtObject(*r.bittorrent_dht);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Rdp:
      // Suricata's rdp record: one per setup PDU, in the flow's direction.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "rdp");
      captureIndex(r.capture_index);
      rdpObject(*r.rdp);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Tftp:
      // Suricata's tftp record: one per request, in the flow's direction.
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "tftp");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.tx_id;
      tftpObject(*r.tftp);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Quic:
      // Suricata's quic record: one per packet, as the packet went.
      header(flow, r.direction, r.timestamp_ns, "quic");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.quic->tx_id;
      appObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Sip:
      // Suricata's sip record: one per message, each way as the message went.
      header(flow, r.direction, r.timestamp_ns, "sip");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.sip->tx_id;
      appObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Pgsql:
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "pgsql");
      captureIndex(r.capture_index);
      appObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Pop3:
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "pop3");
      captureIndex(r.capture_index);
      appObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Rfb:
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "rfb");
      captureIndex(r.capture_index);
      appObject(r);
      out_ << "}\n";
      break;
    case AppMetadata::Kind::Ftp:
      header(flow, signatures::FlowDirection::ToServer, r.timestamp_ns, "ftp");
      captureIndex(r.capture_index);
      out_ << ",\"tx_id\":" << r.ftp->tx_id;
      appObject(r);
      out_ << "}\n";
      break;
  }
  ++records_;
}

void EveWriter::alertFlowObject(const Flow& flow) {
  const auto& ts = flow.counters[Flow::kToServer];
  const auto& tc = flow.counters[Flow::kToClient];
  out_ << ",\"flow\":{\"pkts_toserver\":" << ts.packets << ",\"pkts_toclient\":" << tc.packets << ",\"bytes_toserver\":" << ts.bytes
       << ",\"bytes_toclient\":" << tc.bytes << ",\"start\":\"" << EveTimestamp(flow.first_ns) << "\",\"src_ip\":\""
       << EveAddress(flow.client).view() << "\",\"dest_ip\":\"" << EveAddress(flow.server).view() << "\"";
  if (flow.ip_proto == 6 || flow.ip_proto == 17 || flow.ip_proto == 132) {
    out_ << ",\"src_port\":" << flow.client_port << ",\"dest_port\":" << flow.server_port;
  }
  out_ << "}";
}

// Suricata's sip object: the request line and its parts or the status line and its parts, and
// the SDP body's lines when it has one.
void EveWriter::sipObject(const SipMessage& m) {
  const auto field = [&](std::string_view key, std::string_view value, const char* sep = ",") {
    out_ << sep << "\"" << key << "\":";
    string(value);
  };
  out_ << ",\"sip\":{";
  if (m.request) {
    field("method", m.method, "");
    field("uri", m.uri);
    field("version", m.version);
    field("request_line", m.line);
  } else {
    field("version", m.version, "");
    field("code", m.code);
    field("reason", m.reason);
    field("response_line", m.line);
  }
  if (m.has_sdp) {
    const SdpMessage& sdp = m.sdp;
    const auto list = [&](std::string_view key, const ReusingVector<std::string>& values) {
      if (values.empty()) return;
      out_ << ",\"" << key << "\":[";
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) out_ << ",";
        string(values[i]);
      }
      out_ << "]";
    };
    const auto optional = [&](std::string_view key, bool has, std::string_view value) {
      if (has) field(key, value);
    };
    out_ << ",\"sdp\":{";
    field("version", sdp.version, "");
    field("origin", sdp.origin);
    field("session_name", sdp.session_name);
    optional("session_info", sdp.has_session_info, sdp.session_info);
    optional("uri", sdp.has_uri, sdp.uri);
    optional("email", sdp.has_email, sdp.email);
    optional("phone_number", sdp.has_phone_number, sdp.phone_number);
    optional("connection_data", sdp.has_connection_data, sdp.connection_data);
    list("bandwidths", sdp.bandwidths);
    if (!sdp.times.empty()) {
      out_ << ",\"time_descriptions\":[";
      for (std::size_t i = 0; i < sdp.times.size(); ++i) {
        out_ << (i ? ",{" : "{");
        field("time", sdp.times[i].time, "");
        optional("repeat_time", sdp.times[i].has_repeat, sdp.times[i].repeat_time);
        out_ << "}";
      }
      out_ << "]";
    }
    optional("timezone", sdp.has_timezone, sdp.timezone);
    optional("encryption_key", sdp.has_encryption_key, sdp.encryption_key);
    list("attributes", sdp.attributes);
    if (!sdp.media.empty()) {
      out_ << ",\"media_descriptions\":[";
      for (std::size_t i = 0; i < sdp.media.size(); ++i) {
        const SdpMediaDescription& media = sdp.media[i];
        out_ << (i ? ",{" : "{");
        field("media", media.media, "");
        optional("media_info", media.has_media_info, media.media_info);
        list("bandwidths", media.bandwidths);
        optional("connection_data", media.has_connection_data, media.connection_data);
        optional("encryption_key", media.has_encryption_key, media.encryption_key);
        list("attributes", media.attributes);
        out_ << "}";
      }
      out_ << "]";
    }
    out_ << "}";
  }
  out_ << "}";
}

// Suricata's smtp object (the envelope) and, for a DATA message, its email object.
void EveWriter::mailObjects(const MailTransaction& m) {
  const auto list = [&](std::string_view key, const ReusingVector<std::string>& values) {
    if (values.empty()) return;  // Suricata leaves the key out
    out_ << ",\"" << key << "\":[";
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) out_ << ",";
      string(values[i]);
    }
    out_ << "]";
  };
  const auto field = [&](std::string_view key, const std::string& value) {
    if (value.empty()) return;
    out_ << ",\"" << key << "\":";
    string(value);
  };
  // Suricata writes only the envelope fields the session sent.
  out_ << ",\"smtp\":{";
  const char* separator = "";
  for (const auto& [key, value] : {std::pair{"helo", &m.helo}, std::pair{"mail_from", &m.mail_from}}) {
    if (value->empty()) continue;
    out_ << separator << "\"" << key << "\":";
    string(*value);
    separator = ",";
  }
  if (!m.rcpt_to.empty()) {
    out_ << separator << "\"rcpt_to\":[";
    for (std::size_t i = 0; i < m.rcpt_to.size(); ++i) {
      if (i) out_ << ",";
      string(m.rcpt_to[i]);
    }
    out_ << "]";
  }
  out_ << "}";
  if (!m.has_message) return;  // no DATA message (an envelope, a rejected DATA, BDAT): no email object
  // The message was read to its end (a mail is logged only then): Suricata's MIME status.
  out_ << ",\"email\":{\"status\":\"PARSE_DONE\",\"from\":";
  string(m.from);
  list("to", m.to);
  list("cc", m.cc);
  out_ << ",\"subject\":";
  string(m.subject);
  out_ << ",\"message_id\":";
  string(m.message_id);
  field("date", m.date);
  field("x_mailer", m.x_mailer);
  list("received", m.received);
  out_ << ",\"attachment\":[";
  for (std::size_t i = 0; i < m.attachments.size(); ++i) {
    if (i) out_ << ",";
    string(m.attachments[i].name);
  }
  out_ << "]";
  list("url", m.urls);
  out_ << "}";
}

// Suricata's tls object: what the client's hello and the server's flight said, as far as seen.
void EveWriter::tlsObject(const AppMetadata& r) {
  const Flow& flow = *r.flow;
  out_ << ",\"tls\":{";
  const char* sep = "";
  auto alpns = [&](std::string_view key, const ReusingVector<std::string>& list) {
    if (list.empty()) return;  // Suricata leaves the key out
    out_ << ",\"" << key << "\":[";
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) out_ << ",";
      string(list[i]);
    }
    out_ << "]";
  };
  if (const TlsHandshake* c = r.client_hello) {
    out_ << "\"sni\":";
    string(c->sni);
    out_ << ",\"ja3\":{\"hash\":\"" << c->ja3_hash << "\",\"string\":\"" << c->ja3 << "\"}";
    if (!c->ja4.empty()) out_ << ",\"ja4\":\"" << c->ja4 << "\"";
    alpns("client_alpns", c->alpns);
    // Only a hello was seen: its version (Suricata 8.0.3 on).
    if (r.server == nullptr && c->version != 0) out_ << ",\"version\":\"" << tlsVersionName(c->version) << "\"";
    sep = ",";
  }
  if (const TlsHandshake* s = r.server) {
    out_ << sep << "\"version\":\"" << tlsVersionName(s->version) << "\"";
    alpns("server_alpns", s->alpns);
    if (!s->ja3s_hash.empty()) out_ << ",\"ja3s\":{\"hash\":\"" << s->ja3s_hash << "\",\"string\":\"" << s->ja3s << "\"}";
    if (!s->certificates.empty()) {
      out_ << ",\"subject\":";
      string(s->certificates.front().subject);
      out_ << ",\"issuerdn\":";
      string(s->certificates.front().issuer);
      out_ << ",\"serial\":";
      string(s->certificates.front().serial);
      if (!s->certificates.front().fingerprint.empty()) {
        out_ << ",\"fingerprint\":";
        string(s->certificates.front().fingerprint);
      }
      if (!s->certificates.front().not_before.empty()) {
        out_ << ",\"notbefore\":";
        string(s->certificates.front().not_before);
        out_ << ",\"notafter\":";
        string(s->certificates.front().not_after);
      }
      if (const auto& names = s->certificates.front().dns_names; !names.empty()) {
        out_ << ",\"subjectaltname\":[";
        for (std::size_t i = 0; i < names.size(); ++i) {
          if (i) out_ << ",";
          string(names[i]);
        }
        out_ << "]";
      }
    }
    if (const TlsHandshake* c = r.client_hello;
        c != nullptr && !s->session_id.empty() && s->session_id == c->session_id && s->version != 0x0304) {
      out_ << ",\"session_resumed\":true";  // the server took up the client's session
    }
  }
  if (flow.app_layer.upgraded_from != signatures::AppProto::None) {
    // Suricata's from_proto: the protocol whose STARTTLS led to this handshake.
    out_ << (r.client_hello != nullptr || r.server != nullptr ? "," : "") << "\"from_proto\":\""
         << signatures::appProtoName(flow.app_layer.upgraded_from) << "\"";
  }
  out_ << "}";
}

void EveWriter::sshObject(const SshState& ssh) {
  out_ << ",\"ssh\":{";
  const char* sep = "";
  for (const auto& [key, side] : {std::pair{"client", &ssh.client()}, std::pair{"server", &ssh.server()}}) {
    if (!side->banner_done) continue;
    out_ << sep << "\"" << key << "\":{\"proto_version\":";
    string(side->proto_version);
    out_ << ",\"software_version\":";
    string(side->software_version);
    if (side->kexinit_done) {
      out_ << ",\"hassh\":{\"hash\":\"" << side->hassh << "\",\"string\":";
      string(side->hassh_string);
      out_ << "}";
    }
    out_ << "}";
    sep = ",";
  }
  out_ << "}";
}

void EveWriter::appObject(const AppMetadata& r) {
  if (r.kind == AppMetadata::Kind::Ssh) {
    sshObject(*r.ssh);
    return;
  }
  if (r.kind == AppMetadata::Kind::Websocket) {
    const WebsocketHeader& h = r.websocket->header;
    out_ << ",\"websocket\":{\"fin\":" << (h.fin ? "true" : "false");
    if ((h.flags & 0x40) != 0) out_ << ",\"compress\":true";
    if (h.masked) out_ << ",\"mask\":" << h.mask;
    out_ << ",\"opcode\":\"" << websocketOpcodeName(h.opcode) << "\"}";
    return;
  }
  if (r.kind == AppMetadata::Kind::Tls) {
    tlsObject(r);
    return;
  }
  if (r.kind == AppMetadata::Kind::Sip) {
    sipObject(*r.sip);
    return;
  }
  if (r.kind == AppMetadata::Kind::Snmp) {  // small UDP/ICS protocols
    snmpObject(*r.snmp);
    return;
  }
  if (r.kind == AppMetadata::Kind::Tftp) {
    tftpObject(*r.tftp);
    return;
  }
  if (r.kind == AppMetadata::Kind::Ntp) {
    ntpObject(*r.ntp);
    return;
  }
  if (r.kind == AppMetadata::Kind::BittorrentDht) {
    bittorrentDhtObject(*r.bittorrent_dht);
    return;
  }
  if (r.kind == AppMetadata::Kind::Rdp) {
    rdpObject(*r.rdp);
    return;
  }
  if (r.kind == AppMetadata::Kind::FtpData) {
    ftpDataObject(*r.ftp_data);
    return;
  }
  if (r.kind == AppMetadata::Kind::Dhcp) {
    dhcpObject(*r.dhcp);
    return;
  }
  if (r.kind == AppMetadata::Kind::Ldap) {
    ldapObject(*r.ldap);
    return;
  }
  if (r.kind == AppMetadata::Kind::Pgsql) {
    pgsqlObject(*r.pgsql);
    return;
  }
  if (r.kind == AppMetadata::Kind::Rfb) {
    rfbObject(*r.rfb);
    return;
  }
  if (r.kind == AppMetadata::Kind::Pop3) {
    pop3Object(*r.pop3);
    return;
  }
  if (r.kind == AppMetadata::Kind::Quic) {
    quicObject(*r.quic, r.direction == signatures::FlowDirection::ToServer);
    return;
  }
  if (r.kind == AppMetadata::Kind::Smtp) {
    out_ << ",\"tx_id\":" << r.mail->tx_id;
    mailObjects(*r.mail);
    return;
  }
  if (r.kind == AppMetadata::Kind::Ftp) {
    // Suricata's ftp object: the command and its data, each reply line and its code.
    const FtpTransaction& tx = *r.ftp;
    out_ << ",\"ftp\":{";
    if (tx.has_command) {
      out_ << "\"command\":";
      string(tx.command);
      if (!tx.command_data.empty()) {
        out_ << ",\"command_data\":";
        string(tx.command_data);
      }
      out_ << ",";
    }
    out_ << "\"reply\":[";
    for (std::size_t i = 0; i < tx.replies.size(); ++i) {
      if (i) out_ << ",";
      string(tx.replies[i]);
    }
    out_ << "],\"completion_code\":[";
    for (std::size_t i = 0; i < tx.codes.size(); ++i) {
      if (i) out_ << ",";
      string(tx.codes[i]);
    }
    out_ << "]";
    if (tx.has_dynamic_port) out_ << ",\"dynamic_port\":" << tx.dynamic_port;
    if (tx.mode != FtpTransaction::Mode::None) out_ << ",\"mode\":\"" << (tx.mode == FtpTransaction::Mode::Active ? "active" : "passive") << "\"";
    out_ << ",\"reply_received\":\"" << (tx.reply_received ? "yes" : "no") << "\",\"command_truncated\":"
         << (tx.command_truncated ? "true" : "false") << ",\"reply_truncated\":" << (tx.reply_truncated ? "true" : "false") << "}";
    return;
  }
  if (r.kind != AppMetadata::Kind::Mqtt) return;
  out_ << ",\"mqtt\":{";
      const auto properties = [&](const ReusingVector<MqttProperty>& list) {
        if (list.empty()) return;
        out_ << ",\"properties\":{";
        const char* sep = "";
        for (const MqttProperty& p : list) {
          if (p.key().empty()) continue;
          out_ << sep;
          string(p.key());
          out_ << ":";
          if (p.isNumber()) out_ << p.number;
          else string(p.value);
          sep = ",";
        }
        out_ << "}";
      };
      const char* sep = "";
      for (const MqttMessage& m : r.mqtt->view()) {
        if (m.type == MqttType::Unassigned && !m.truncated) continue;
        out_ << sep << "\"" << mqttTypeName(m.type) << "\":{\"qos\":" << static_cast<unsigned>(m.qos())
             << ",\"retain\":" << (m.retain() ? "true" : "false") << ",\"dup\":" << (m.dup() ? "true" : "false");
        sep = ",";
        if (m.truncated) {
          out_ << ",\"truncated\":true,\"skipped_length\":" << m.skipped_length << "}";
          continue;
        }
        const auto id = [&] { out_ << ",\"message_id\":" << m.message_id; };
        const auto reason = [&](const char* key) {
          if (m.has_reason_code) out_ << ",\"" << key << "\":" << static_cast<unsigned>(m.reason_code);
        };
        const auto codes = [&](const char* key) {
          out_ << ",\"" << key << "\":[";
          for (std::size_t i = 0; i < m.codes.size(); ++i) out_ << (i ? "," : "") << static_cast<unsigned>(m.codes[i]);
          out_ << "]";
        };
        // string-log-limit: at most `budget` bytes of `s`, then how many were left out.
        const auto limited = [&](std::string_view s, std::size_t& budget) {
          if (options_.mqtt_string_log_limit == 0 || s.size() <= budget) {
            string(s);
            budget -= std::min(budget, s.size());
            return;
          }
          string(std::string(s.substr(0, budget)) + "[truncated " + std::to_string(s.size() - budget) + " additional bytes]");
          budget = 0;
        };
        const std::size_t limit = options_.mqtt_string_log_limit == 0 ? SIZE_MAX : options_.mqtt_string_log_limit;
        switch (m.type) {
          case MqttType::Connect: {
            const auto flag = [&](std::uint8_t bit) { return (m.connect_flags & bit) ? "true" : "false"; };
            out_ << ",\"protocol_string\":";
            string(m.protocol_string);
            out_ << ",\"protocol_version\":" << static_cast<unsigned>(m.protocol_version) << ",\"client_id\":";
            string(m.client_id);
            out_ << ",\"flags\":{\"username\":" << flag(0x80) << ",\"password\":" << flag(0x40)
                 << ",\"will_retain\":" << flag(0x20) << ",\"will\":" << flag(0x04) << ",\"clean_session\":" << flag(0x02)
                 << "}";
            if (m.connect_flags & 0x80) {
              out_ << ",\"username\":";
              string(m.username);
            }
            if (m.connect_flags & 0x40) {
              out_ << ",\"password\":";
              string(m.password);
            }
            if (m.connect_flags & 0x04) {
              out_ << ",\"will\":{\"topic\":";
              string(m.will_topic);
              out_ << ",\"message\":";
              string(m.will_message);
              properties(m.will_properties);
              out_ << "}";
            }
            break;
          }
          case MqttType::Connack:
            out_ << ",\"session_present\":" << (m.session_present ? "true" : "false") << ",\"return_code\":"
                 << static_cast<unsigned>(m.reason_code);
            break;
          case MqttType::Publish: {
            std::size_t topic_budget = limit;
            std::size_t message_budget = limit;
            out_ << ",\"topic\":";
            limited(m.topic, topic_budget);
            if (m.has_message_id) id();
            out_ << ",\"message\":";
            limited(m.payload, message_budget);
            break;
          }
          case MqttType::Puback:
          case MqttType::Pubrec:
          case MqttType::Pubrel:
          case MqttType::Pubcomp:
            id();
            reason("reason_code");
            break;
          case MqttType::Subscribe:
          case MqttType::Unsubscribe: {
            id();
            // As Suricata: the topics share one limit, in their order.
            std::size_t budget = limit;
            out_ << ",\"topics\":[";
            for (std::size_t i = 0; i < m.topics.size(); ++i) {
              if (i) out_ << ",";
              if (m.type == MqttType::Subscribe) {
                out_ << "{\"topic\":";
                limited(m.topics[i].name, budget);
                out_ << ",\"qos\":" << static_cast<unsigned>(m.topics[i].qos) << "}";
              } else {
                limited(m.topics[i].name, budget);
              }
            }
            out_ << "]";
            break;
          }
          case MqttType::Suback:
            id();
            codes("qos_granted");
            break;
          case MqttType::Unsuback:
            id();
            if (!m.codes.empty()) codes("reason_codes");
            break;
          case MqttType::Disconnect:
          case MqttType::Auth:
            reason("reason_code");
            break;
          case MqttType::Pingreq:
          case MqttType::Pingresp:
          case MqttType::Unassigned:
            break;
        }
        properties(m.properties);
        out_ << "}";
      }
  out_ << "}";
}

// Suricata 8's quic object: the version (not of short headers), the SNI and user agent, gQUIC's
// CYU fingerprints, the hello's JA3 (a client's) or JA3S (a server's) and the client's JA4, and
// the hello's extensions in wire order (named where Suricata names them; SNI and ALPN values).
void EveWriter::quicObject(const QuicTransaction& tx, bool client) {
  out_ << ",\"quic\":{";
  const char* sep = "";
  if (tx.has_version) {
    quicVersionName(tx.version, scratch_version_);
    out_ << "\"version\":";
    string(scratch_version_);
    if (tx.has_sni) {
      out_ << ",\"sni\":";
      string(tx.sni);
    }
    if (tx.has_ua) {
      out_ << ",\"ua\":";
      string(tx.ua);
    }
    sep = ",";
  }
  if (!tx.cyu.empty()) {
    out_ << sep << "\"cyu\":[";
    for (std::size_t i = 0; i < tx.cyu.size(); ++i) {
      out_ << (i ? "," : "") << "{\"hash\":";
      string(tx.cyu[i].hash);
      out_ << ",\"string\":";
      string(tx.cyu[i].string);
      out_ << "}";
    }
    out_ << "]";
    sep = ",";
  }
  if (tx.has_hello) {
    out_ << sep << (client ? "\"ja3\"" : "\"ja3s\"") << ":{\"hash\":";
    string(tx.ja3_hash);
    out_ << ",\"string\":";
    string(tx.ja3);
    out_ << "}";
    if (client && !tx.ja4.empty()) {
      out_ << ",\"ja4\":";
      string(tx.ja4);
    }
    sep = ",";
  }
  if (!tx.extensions.empty()) {
    out_ << sep << "\"extensions\":[";
    for (std::size_t i = 0; i < tx.extensions.size(); ++i) {
      const QuicTlsExtension& e = tx.extensions[i];
      out_ << (i ? "," : "") << "{";
      const std::string_view name = quicTlsExtensionName(e.type);
      if (!name.empty()) out_ << "\"name\":\"" << name << "\",";
      out_ << "\"type\":" << e.type;
      if (!e.values.empty()) {
        out_ << ",\"values\":[";
        for (std::size_t j = 0; j < e.values.size(); ++j) {
          if (j) out_ << ",";
          string(e.values[j]);
        }
        out_ << "]";
      }
      out_ << "}";
    }
    out_ << "]";
  }
  out_ << "}";
}

// Suricata 8's ldap object: the request (its message id, operation and the operation's own
// object) and each response in order (its operation, message id when no request was seen, and
// its object).
void EveWriter::ldapObject(const LdapTransaction& tx) {
  // The first key of a response's object takes no comma.
  bool fresh = false;
  const auto comma = [&] {
    if (!fresh) out_ << ",";
    fresh = false;
  };
  const auto key = [&](std::string_view k, std::string_view v) {
    comma();
    out_ << "\"" << k << "\":";
    string(v);
  };
  const auto strings = [&](std::string_view k, const ReusingVector<std::string>& list) {
    if (list.empty()) return;
    comma();
    out_ << "\"" << k << "\":[";
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i) out_ << ",";
      string(list[i]);
    }
    out_ << "]";
  };
  const auto hex = [&](std::string_view k, std::string_view bytes) {
    constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    text.reserve(bytes.size() * 2);
    for (const char c : bytes) {
      text += kHex[static_cast<unsigned char>(c) >> 4];
      text += kHex[static_cast<unsigned char>(c) & 15];
    }
    key(k, text);
  };
  const auto attributes = [&](const ReusingVector<LdapAttribute>& list, std::string_view name_key) {
    if (list.empty()) return;
    comma();
    out_ << "\"attributes\":[";
    for (std::size_t i = 0; i < list.size(); ++i) {
      out_ << (i ? "," : "") << "{\"" << name_key << "\":";
      string(list[i].type);
      strings("values", list[i].values);
      out_ << "}";
    }
    out_ << "]";
  };
  const auto controls = [&](const LdapMessage& m) {
    if (!m.has_controls) return;
    comma();
    out_ << "\"controls\":[";
    for (std::size_t i = 0; i < m.controls.size(); ++i) {
      const LdapControl& c = m.controls[i];
      out_ << (i ? "," : "") << "{\"control_type\":";
      string(c.type);
      out_ << ",\"criticality\":" << (c.criticality ? "true" : "false");
      if (c.has_value) hex("control_value", c.value);
      out_ << "}";
    }
    out_ << "]";
  };
  const auto result = [&](const LdapMessage& m) {
    const std::string_view name = signatures::ldapResultCodeName(m.result_code);
    if (name.empty()) key("result_code", std::to_string(m.result_code));
    else key("result_code", name);
    key("matched_dn", m.matched_dn);
    key("message", m.diagnostic_message);
  };
  out_ << ",\"ldap\":{";
  const char* sep = "";
  if (tx.has_request) {
    const LdapMessage& m = tx.request;
    out_ << "\"request\":{\"message_id\":" << m.message_id << ",\"operation\":\"" << ldapOpName(m.op) << "\"";
    switch (m.op) {
      case LdapOp::SearchRequest:
        out_ << ",\"search_request\":{\"base_object\":";
        string(m.dn);
        out_ << ",\"scope\":" << m.scope << ",\"deref_alias\":" << m.deref_aliases << ",\"size_limit\":" << m.size_limit
             << ",\"time_limit\":" << m.time_limit << ",\"types_only\":" << (m.types_only ? "true" : "false");
        if (m.filter_present) {
          out_ << ",\"filter\":{\"type\":\"present\",\"value\":";
          string(m.filter_attribute);
          out_ << "}";
        }
        strings("attributes", m.names);
        out_ << "}";
        break;
      case LdapOp::BindRequest:
        out_ << ",\"bind_request\":{\"version\":" << m.version;
        key("name", m.dn);
        if (m.sasl) {
          out_ << ",\"sasl\":{\"mechanism\":";
          string(m.sasl_mechanism);
          if (m.has_sasl_credentials) hex("credentials", m.sasl_credentials);
          out_ << "}";
        }
        out_ << "}";
        break;
      case LdapOp::ModifyRequest:
        out_ << ",\"modify_request\":{\"object\":";
        string(m.dn);
        if (!m.changes.empty()) {
          out_ << ",\"changes\":[";
          for (std::size_t i = 0; i < m.changes.size(); ++i) {
            const LdapChange& c = m.changes[i];
            out_ << (i ? "," : "") << "{\"operation\":";
            switch (c.operation) {
              case 0: string("add"); break;
              case 1: string("delete"); break;
              case 2: string("replace"); break;
              default: string(std::to_string(c.operation)); break;
            }
            out_ << ",\"modification\":{\"attribute_type\":";
            string(c.modification.type);
            strings("attribute_values", c.modification.values);
            out_ << "}}";
          }
          out_ << "]";
        }
        out_ << "}";
        break;
      case LdapOp::AddRequest:
        out_ << ",\"add_request\":{\"entry\":";
        string(m.dn);
        attributes(m.attributes, "name");
        out_ << "}";
        break;
      case LdapOp::DelRequest:
        out_ << ",\"del_request\":{\"dn\":";
        string(m.dn);
        out_ << "}";
        break;
      case LdapOp::ModDnRequest:
        out_ << ",\"mod_dn_request\":{\"entry\":";
        string(m.dn);
        key("new_rdn", m.new_rdn);
        out_ << ",\"delete_old_rdn\":" << (m.delete_old_rdn ? "true" : "false");
        if (m.has_new_superior) key("new_superior", m.new_superior);
        out_ << "}";
        break;
      case LdapOp::CompareRequest:
        out_ << ",\"compare_request\":{\"entry\":";
        string(m.dn);
        out_ << ",\"attribute_value_assertion\":{\"description\":";
        string(m.assertion_description);
        key("value", m.assertion_value);
        out_ << "}}";
        break;
      case LdapOp::ExtendedRequest:
        out_ << ",\"extended_request\":{\"name\":";
        string(m.name);
        if (m.has_value) key("value", m.value);
        out_ << "}";
        break;
      default:
        break;
    }
    controls(m);
    out_ << "}";
    sep = ",";
  }
  if (!tx.responses.empty()) {
    out_ << sep << "\"responses\":[";
    for (std::size_t i = 0; i < tx.responses.size(); ++i) {
      const LdapMessage& m = tx.responses[i];
      out_ << (i ? "," : "") << "{\"operation\":\"" << ldapOpName(m.op) << "\"";
      if (!tx.has_request) out_ << ",\"message_id\":" << m.message_id;
      if (m.op != LdapOp::SearchResultReference) {
        out_ << ",\"" << ldapOpName(m.op) << "\":{";
        fresh = true;
      }
      switch (m.op) {
        case LdapOp::SearchResultEntry:
          key("base_object", m.dn);
          attributes(m.attributes, "type");
          break;
        case LdapOp::BindResponse:
          result(m);
          if (m.has_server_sasl_creds) hex("server_sasl_creds", m.server_sasl_creds);
          break;
        case LdapOp::ExtendedResponse:
        case LdapOp::IntermediateResponse:
          if (m.op == LdapOp::ExtendedResponse) result(m);
          if (m.has_name) key("name", m.name);
          if (m.has_value) key("value", m.value);
          break;
        case LdapOp::SearchResultReference:
          break;
        default:
          result(m);
          break;
      }
      if (m.op != LdapOp::SearchResultReference) out_ << "}";
      fresh = false;
      controls(m);
      out_ << "}";
    }
    out_ << "]";
  }
  out_ << "}";
}

void EveWriter::statsRecord(std::int64_t timestamp_ns, const std::string& stats_json) {
  const Commit commit{*this};
  out_ << "{\"timestamp\":\"" << EveTimestamp(timestamp_ns) << "\",\"event_type\":\"stats\",\"stats\":" << stats_json << "}\n";
  ++records_;
}

}  // namespace gsoc::sensor

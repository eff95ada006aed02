#include "sensor/decode/PacketDecoder.hpp"

#include <algorithm>

namespace gsoc::sensor {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86DD;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88A8;
constexpr std::uint16_t kEtherQinQOld = 0x9100;

}  // namespace

std::string_view decodeErrorName(DecodeError error) {
  static constexpr std::string_view kNames[] = {
      "unsupported_link_type", "truncated_link_header", "truncated_vlan", "not_ip",
      "truncated_ipv4", "bad_ipv4_version", "bad_ipv4_header_length", "bad_ipv4_total_length",
      "truncated_ipv6", "bad_ipv6_extension_header", "truncated_tcp", "bad_tcp_header_length",
      "truncated_udp", "bad_udp_length", "truncated_icmp", "truncated_sctp"};
  return kNames[static_cast<std::size_t>(error)];
}

std::uint64_t DecodeCounters::malformed() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kDecodeErrorCount; ++i) {
    if (i != static_cast<std::size_t>(DecodeError::NotIp)) total += errors[i];
  }
  return total;
}

void DecodeCounters::merge(const DecodeCounters& o) {
  decoded += o.decoded;
  ipv4 += o.ipv4;
  ipv6 += o.ipv6;
  tcp += o.tcp;
  udp += o.udp;
  icmp += o.icmp;
  other_transport += o.other_transport;
  vlan += o.vlan;
  fragments += o.fragments;
  for (std::size_t i = 0; i < kDecodeErrorCount; ++i) errors[i] += o.errors[i];
}

bool PacketDecoder::decode(const RawPacket& raw, DecodedPacket& out) {
  out = DecodedPacket{};
  out.timestamp_ns = raw.timestamp_ns;
  out.wire_length = raw.wire_length;
  const std::span<const std::uint8_t> d = raw.data;
  switch (raw.link_type) {
    case LinkType::Ethernet: {
      if (d.size() < 14) return fail(DecodeError::TruncatedLinkHeader);
      return decodeEthernetPayload(be16(d.data() + 12), d.subspan(14), out);
    }
    case LinkType::LinuxSll: {
      if (d.size() < 16) return fail(DecodeError::TruncatedLinkHeader);
      return decodeEthernetPayload(be16(d.data() + 14), d.subspan(16), out);
    }
    case LinkType::Null:
    case LinkType::Loop: {
      if (d.size() < 4) return fail(DecodeError::TruncatedLinkHeader);
      return decodeIp(d.subspan(4), out);
    }
    case LinkType::CiscoHdlc: {
      if (d.size() < 4) return fail(DecodeError::TruncatedLinkHeader);
      return decodeEthernetPayload(be16(d.data() + 2), d.subspan(4), out);
    }
    case LinkType::Raw:
    case LinkType::RawIpv4:
    case LinkType::RawIpv6:
      return decodeIp(d, out);
  }
  return fail(DecodeError::UnsupportedLinkType);
}

bool PacketDecoder::decodeEthernetPayload(std::uint16_t ether_type, std::span<const std::uint8_t> data, DecodedPacket& out) {
  while (ether_type == kEtherVlan || ether_type == kEtherQinQ || ether_type == kEtherQinQOld) {
    if (data.size() < 4) return fail(DecodeError::TruncatedVlan);
    if (out.vlan_count < out.vlan.size()) out.vlan[out.vlan_count++] = be16(data.data()) & 0x0fff;
    ether_type = be16(data.data() + 2);
    data = data.subspan(4);
    ++counters_.vlan;
  }
  if (ether_type == kEtherIpv4) return decodeIpv4(data, out);
  if (ether_type == kEtherIpv6) return decodeIpv6(data, out);
  return fail(DecodeError::NotIp);
}

bool PacketDecoder::decodeIp(std::span<const std::uint8_t> data, DecodedPacket& out) {
  if (data.empty()) return fail(DecodeError::TruncatedIpv4);
  const unsigned version = data[0] >> 4;
  if (version == 4) return decodeIpv4(data, out);
  if (version == 6) return decodeIpv6(data, out);
  return fail(DecodeError::BadIpv4Version);
}

bool PacketDecoder::decodeIpv4(std::span<const std::uint8_t> data, DecodedPacket& out) {
  if (data.size() < 20) return fail(DecodeError::TruncatedIpv4);
  if ((data[0] >> 4) != 4) return fail(DecodeError::BadIpv4Version);
  const std::size_t header_length = std::size_t{data[0] & 0x0fu} * 4;
  if (header_length < 20 || header_length > data.size()) return fail(DecodeError::BadIpv4HeaderLength);
  const std::uint16_t total = be16(data.data() + 2);
  if (total < header_length) return fail(DecodeError::BadIpv4TotalLength);
  if (total > data.size()) return fail(DecodeError::TruncatedIpv4);  // snaplen cut or lying header
  data = data.first(total);  // drop Ethernet padding
  out.ip_version = 4;
  out.ip_total_length = total;
  out.ttl = data[8];
  out.ip_proto = data[9];
  out.src = IpAddress::fromV4(be32(data.data() + 12));
  out.dst = IpAddress::fromV4(be32(data.data() + 16));
  const std::uint16_t frag = be16(data.data() + 6);
  out.more_fragments = (frag & 0x2000) != 0;
  out.fragment_offset = std::uint32_t{frag & 0x1fffu} * 8;
  out.fragment_id = be16(data.data() + 4);
  out.ip_payload = data.subspan(header_length);
  out.ip_header = data.first(header_length);
  ++counters_.ipv4;
  if (out.more_fragments || out.fragment_offset != 0) {
    out.is_fragment = true;
    ++counters_.fragments;
    return true;
  }
  return decodeTransport(out.ip_payload, out);
}

bool PacketDecoder::decodeIpv6(std::span<const std::uint8_t> data, DecodedPacket& out) {
  if (data.size() < 40) return fail(DecodeError::TruncatedIpv6);
  if ((data[0] >> 4) != 6) return fail(DecodeError::BadIpv4Version);
  const std::uint16_t payload_length = be16(data.data() + 4);
  if (std::size_t{payload_length} + 40 > data.size()) return fail(DecodeError::TruncatedIpv6);
  out.ip_version = 6;
  out.ip_total_length = static_cast<std::uint16_t>(payload_length + 40);
  out.ttl = data[7];
  out.src = *IpAddress::fromBytes(data.subspan(8, 16));
  out.dst = *IpAddress::fromBytes(data.subspan(24, 16));
  std::uint8_t next = data[6];
  std::span<const std::uint8_t> rest = data.subspan(40, payload_length);
  ++counters_.ipv6;
  // Walk the extension headers; each starts with (next header, length).
  for (int hops = 0; hops < 8; ++hops) {
    if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
      if (rest.size() < 8) return fail(DecodeError::BadIpv6ExtensionHeader);
      const std::size_t length = (std::size_t{rest[1]} + 1) * 8;
      if (length > rest.size()) return fail(DecodeError::BadIpv6ExtensionHeader);
      next = rest[0];
      rest = rest.subspan(length);
      continue;
    }
    if (next == 51) {  // AH: length in 4-byte units, minus 2
      if (rest.size() < 8) return fail(DecodeError::BadIpv6ExtensionHeader);
      const std::size_t length = (std::size_t{rest[1]} + 2) * 4;
      if (length > rest.size()) return fail(DecodeError::BadIpv6ExtensionHeader);
      next = rest[0];
      rest = rest.subspan(length);
      continue;
    }
    if (next == 44) {  // fragment
      if (rest.size() < 8) return fail(DecodeError::BadIpv6ExtensionHeader);
      const std::uint16_t frag = be16(rest.data() + 2);
      out.fragment_offset = std::uint32_t{frag & 0xfff8u};
      out.more_fragments = (frag & 1) != 0;
      out.fragment_id = be32(rest.data() + 4);
      next = rest[0];
      rest = rest.subspan(8);
      out.ip_proto = next;
      if (out.more_fragments || out.fragment_offset != 0) {
        out.is_fragment = true;
        out.ip_payload = rest;
        ++counters_.fragments;
        return true;
      }
      continue;  // an atomic fragment: decode on
    }
    break;
  }
  out.ip_proto = next;
  out.ip_payload = rest;
  out.ip_header = data.first(static_cast<std::size_t>(rest.data() - data.data()));
  return decodeTransport(rest, out);
}

bool PacketDecoder::decodeTransport(std::span<const std::uint8_t> p, DecodedPacket& out) {
  switch (out.ip_proto) {
    case 6: {
      if (p.size() < 20) return fail(DecodeError::TruncatedTcp);
      const std::size_t offset = static_cast<std::size_t>(p[12] >> 4) * 4;
      if (offset < 20 || offset > p.size()) return fail(DecodeError::BadTcpHeaderLength);
      out.src_port = be16(p.data());
      out.dst_port = be16(p.data() + 2);
      out.tcp_seq = be32(p.data() + 4);
      out.tcp_ack = be32(p.data() + 8);
      out.tcp_flags = p[13];
      out.tcp_window = be16(p.data() + 14);
      out.payload = p.subspan(offset);
      out.transport_header = p.first(offset);
      ++counters_.tcp;
      break;
    }
    case 17: {
      if (p.size() < 8) return fail(DecodeError::TruncatedUdp);
      const std::uint16_t length = be16(p.data() + 4);
      if (length < 8 || length > p.size()) return fail(DecodeError::BadUdpLength);
      out.src_port = be16(p.data());
      out.dst_port = be16(p.data() + 2);
      out.payload = p.subspan(8, length - 8u);
      out.transport_header = p.first(8);
      ++counters_.udp;
      break;
    }
    case 1:
    case 58: {
      if (p.size() < 4) return fail(DecodeError::TruncatedIcmp);
      out.icmp_type = p[0];
      out.icmp_code = p[1];
      out.payload = p.subspan(std::min<std::size_t>(8, p.size()));
      out.transport_header = p.first(std::min<std::size_t>(8, p.size()));
      ++counters_.icmp;
      break;
    }
    case 132: {
      if (p.size() < 12) return fail(DecodeError::TruncatedSctp);
      out.src_port = be16(p.data());
      out.dst_port = be16(p.data() + 2);
      out.payload = p.subspan(12);
      ++counters_.other_transport;
      break;
    }
    default:
      out.payload = p;
      ++counters_.other_transport;
      break;
  }
  ++counters_.decoded;
  return true;
}

}  // namespace gsoc::sensor

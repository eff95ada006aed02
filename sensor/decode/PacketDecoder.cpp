#include "sensor/decode/PacketDecoder.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace gsoc::sensor {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

// Suricata's check of an ICMPv4 message's type and code: a type it does not know, or a code
// its type does not define (RFC 792, 950, 1256), is an event; the message is decoded anyway.
std::optional<signatures::AnomalyEvent> icmpv4TypeCodeEvent(std::uint8_t type, std::uint8_t code) {
  std::uint8_t max_code = 0;
  switch (type) {
    case 0: case 4: case 8: case 12: case 13: case 14: case 15: case 16: case 17: case 18: break;  // code 0 only
    case 3: max_code = 15; break;  // destination unreachable: 0-15
    case 5: max_code = 3; break;   // redirect: network, host, TOS and network, TOS and host
    case 11: max_code = 1; break;  // time exceeded: in transit, in reassembly
    case 9: return std::nullopt;  // router advertisement: any code
    default: return signatures::AnomalyEvent::Icmpv4UnknownType;
  }
  if (code > max_code) return signatures::AnomalyEvent::Icmpv4UnknownCode;
  return std::nullopt;
}

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86DD;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88A8;
constexpr std::uint16_t kEtherQinQOld = 0x9100;
constexpr std::uint16_t kEtherTeb = 0x6558;       // transparent Ethernet bridging (GRE, Geneve)
constexpr std::uint16_t kEtherErspan2 = 0x88BE;   // ERSPAN type I (no sequence number) and II
constexpr std::uint16_t kEtherErspan3 = 0x22EB;
constexpr std::uint16_t kEtherPpp = 0x880B;       // PPTP's enhanced GRE
constexpr std::uint16_t kEtherNsh = 0x894F;
constexpr std::uint16_t kEtherArp = 0x0806;
constexpr std::uint16_t kVxlanPort = 4789;
constexpr std::uint16_t kGenevePort = 6081;
constexpr std::uint16_t kLinkTypeRaw = 12;  // DLT_RAW: Suricata's pseudo packets' link type

constexpr std::uint16_t kPppIpv4 = 0x21;
constexpr std::uint16_t kPppIpv6 = 0x57;

using signatures::AnomalyEvent;

// A PPP protocol field: 1 byte when compressed (odd), else 2. {0, 0} when `p` is too short.
std::pair<std::uint16_t, std::size_t> pppProtocol(std::span<const std::uint8_t> p) {
  if (p.empty()) return {0, 0};
  if (p[0] & 0x01u) return {p[0], 1};
  if (p.size() < 2) return {0, 0};
  return {be16(p.data()), 2};
}

}  // namespace

std::string_view decodeErrorName(DecodeError error) {
  static constexpr std::string_view kNames[] = {
      "unsupported_link_type", "truncated_link_header", "truncated_vlan", "not_ip",
      "truncated_ipv4", "bad_ipv4_version", "bad_ipv4_header_length", "bad_ipv4_total_length",
      "truncated_ipv6", "bad_ipv6_extension_header", "truncated_tcp", "bad_tcp_header_length",
      "truncated_udp", "bad_udp_length", "truncated_icmp", "truncated_sctp", "bad_ipv4_options",
      "truncated_gre"};
  return kNames[static_cast<std::size_t>(error)];
}

std::uint64_t DecodeCounters::malformed() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kDecodeErrorCount; ++i) {
    if (i != static_cast<std::size_t>(DecodeError::NotIp)) total += errors[i];
  }
  return total;
}

bool PacketDecoder::decode(const RawPacket& raw, DecodedPacket& out) {
  out = DecodedPacket{};
  root_count_ = 0;
  nsh_depth_ = 0;
  out.timestamp_ns = raw.timestamp_ns;
  out.wire_length = raw.wire_length;
  out.capture_index = raw.capture_index;
  out.frame = raw.data;
  out.link_type = static_cast<std::uint16_t>(raw.link_type);
  const std::span<const std::uint8_t> d = raw.data;
  switch (raw.link_type) {
    case LinkType::Ethernet: {
      if (d.size() < 14) return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::EthernetPktTooSmall, out);
      out.has_ether = true;
      std::copy_n(d.data(), 6, out.dst_mac.begin());
      std::copy_n(d.data() + 6, 6, out.src_mac.begin());
      out.ether_type = be16(d.data() + 12);
      return decodeEthernetPayload(be16(d.data() + 12), d.subspan(14), out);
    }
    case LinkType::Ppp: {
      // PPP in HDLC-like framing (RFC 1662): address and control, then the protocol.
      std::span<const std::uint8_t> rest = d;
      if (rest.size() >= 2 && rest[0] == 0xff && rest[1] == 0x03) rest = rest.subspan(2);
      return decodePpp(rest, out);
    }
    case LinkType::LinuxSll: {
      if (d.size() < 16) return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::SllPktTooSmall, out);
      return decodeEthernetPayload(be16(d.data() + 14), d.subspan(16), out);
    }
    case LinkType::Null:
    case LinkType::Loop: {
      if (d.size() < 4) return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::LtnullPktTooSmall, out);
      return decodeIp(d.subspan(4), AnomalyEvent::LtnullUnsupportedType, out);
    }
    case LinkType::CiscoHdlc: {
      if (d.size() < 4) return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::ChdlcPktTooSmall, out);
      return decodeEthernetPayload(be16(d.data() + 2), d.subspan(4), out);
    }
    case LinkType::Raw:
    case LinkType::RawIpv4:
    case LinkType::RawIpv6:
      return decodeIp(d, AnomalyEvent::IprawInvalidIpVersion, out);
  }
  return fail(DecodeError::UnsupportedLinkType);
}

bool PacketDecoder::decodeEthernetPayload(std::uint16_t ether_type, std::span<const std::uint8_t> data, DecodedPacket& out) {
  while (ether_type == kEtherVlan || ether_type == kEtherQinQ || ether_type == kEtherQinQOld) {
    if (data.size() < 4) return fail(DecodeError::TruncatedVlan, AnomalyEvent::VlanHeaderTooSmall, out);
    if (out.vlan_count < out.vlan.size()) out.vlan[out.vlan_count++] = be16(data.data()) & 0x0fff;
    else out.events.set(AnomalyEvent::VlanTooManyLayers);  // decoded on, as the tags say nothing of the payload
    ether_type = be16(data.data() + 2);
    data = data.subspan(4);
    ++counters_.vlan;
  }
  if (ether_type == kEtherIpv4) return decodeIpv4(data, out);
  if (ether_type == kEtherIpv6) return decodeIpv6(data, out);
  if (ether_type == kEtherNsh) return decodeNsh(data, out);
  if (ether_type == kEtherArp) return decodeArp(data, out);
  // Suricata knows these (ARP, PPPoE, MPLS, DCE, VN-Tag, NSH, 802.1ah, bridging, ERSPAN, LLDP) and
  // raises its event for any other Ethernet II type; below 0x0600 the field is an 802.3 length.
  static constexpr std::uint16_t kKnown[] = {0x8863, 0x8864, 0x8847, 0x8848, 0x8903, 0x8926,
                                             0x894F, 0x88E7, kEtherTeb, kEtherErspan2, kEtherErspan3, 0x88CC};
  if (ether_type >= 0x0600 && std::find(std::begin(kKnown), std::end(kKnown), ether_type) == std::end(kKnown)) {
    out.events.set(AnomalyEvent::EthernetUnknownEthertype);
  }
  return fail(DecodeError::NotIp);
}

bool PacketDecoder::decodeArp(std::span<const std::uint8_t> data, DecodedPacket& out) {
  // Only Ethernet/IPv4 ARP is read (hardware size 6, protocol size 4), as Suricata does; ARP is
  // never IP, so the packet goes on as one that reached no flow.
  if (data.size() >= 28 && data[4] == 6 && data[5] == 4) {
    DecodedPacket::Arp arp;
    arp.hw_type = be16(data.data());
    arp.proto_type = be16(data.data() + 2);
    arp.opcode = be16(data.data() + 6);
    std::copy_n(data.data() + 8, 6, arp.src_mac.begin());
    std::copy_n(data.data() + 18, 6, arp.dst_mac.begin());
    arp.src_ip = IpAddress::fromV4(be32(data.data() + 14));
    arp.dst_ip = IpAddress::fromV4(be32(data.data() + 24));
    out.arp = arp;
  }
  return fail(DecodeError::NotIp);
}

bool PacketDecoder::decodePpp(std::span<const std::uint8_t> data, DecodedPacket& out) {
  const auto [ppp, length] = pppProtocol(data);
  if (length == 0) return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::PppPktTooSmall, out);
  if (ppp == kPppIpv4) return decodeIpv4(data.subspan(length), out);
  if (ppp == kPppIpv6) return decodeIpv6(data.subspan(length), out);
  return fail(DecodeError::NotIp);
}

bool PacketDecoder::decodeIp(std::span<const std::uint8_t> data, AnomalyEvent bad_version, DecodedPacket& out) {
  if (data.empty()) return fail(DecodeError::TruncatedIpv4, AnomalyEvent::Ipv4PktTooSmall, out);
  const unsigned version = data[0] >> 4;
  if (version == 4) return decodeIpv4(data, out);
  if (version == 6) return decodeIpv6(data, out);
  return fail(DecodeError::BadIpv4Version, bad_version, out);
}

bool PacketDecoder::decodeIpv4(std::span<const std::uint8_t> data, DecodedPacket& out) {
  // The checks in Suricata's order, so a packet wrong in two ways carries the same event.
  if (data.size() < 20) return fail(DecodeError::TruncatedIpv4, AnomalyEvent::Ipv4PktTooSmall, out);
  if ((data[0] >> 4) != 4) return fail(DecodeError::BadIpv4Version, AnomalyEvent::Ipv4WrongIpVersion, out);
  const std::size_t header_length = std::size_t{data[0] & 0x0fu} * 4;
  if (header_length < 20) return fail(DecodeError::BadIpv4HeaderLength, AnomalyEvent::Ipv4HlenTooSmall, out);
  const std::uint16_t total = be16(data.data() + 2);
  if (total < header_length) return fail(DecodeError::BadIpv4TotalLength, AnomalyEvent::Ipv4IplenSmallerThanHlen, out);
  // Snaplen cut or lying header (this also covers a header longer than the packet).
  if (total > data.size()) return fail(DecodeError::TruncatedIpv4, AnomalyEvent::Ipv4TruncPkt, out);
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
  // Options a host would refuse make the packet invalid, as in Suricata (addresses stay set, so
  // the event's alert and anomaly record name them).
  if (header_length > 20 && !checkIpv4Options(data.subspan(20, header_length - 20), out)) return fail(DecodeError::BadIpv4Options);
  ++counters_.ipv4;
  if (out.more_fragments || out.fragment_offset != 0) {
    out.is_fragment = true;
    ++counters_.fragments;
    return true;
  }
  return decodeTransport(out.ip_payload, out);
}

bool PacketDecoder::decodeIpv6(std::span<const std::uint8_t> data, DecodedPacket& out) {
  if (data.size() < 40) return fail(DecodeError::TruncatedIpv6, AnomalyEvent::Ipv6PktTooSmall, out);
  if ((data[0] >> 4) != 6) return fail(DecodeError::BadIpv4Version, AnomalyEvent::Ipv6WrongIpVersion, out);
  const std::uint16_t payload_length = be16(data.data() + 4);
  if (std::size_t{payload_length} + 40 > data.size()) return fail(DecodeError::TruncatedIpv6, AnomalyEvent::Ipv6TruncPkt, out);
  out.ip_version = 6;
  out.ip_total_length = static_cast<std::uint16_t>(payload_length + 40);
  out.ttl = data[7];
  out.src = *IpAddress::fromBytes(data.subspan(8, 16));
  out.dst = *IpAddress::fromBytes(data.subspan(24, 16));
  std::uint8_t next = data[6];
  std::span<const std::uint8_t> rest = data.subspan(40, payload_length);
  ++counters_.ipv6;
  // Walk the extension headers; each starts with (next header, length). The walk goes on past
  // the fragment header of a first fragment, for the events only (duplicates and options there
  // are what the IPv6 evasions play with); the datagram itself is left to the reassembler.
  bool seen_hh = false, seen_rh = false, seen_fh = false, seen_ah = false;
  int dh_since_rh = 0;
  bool fragment = false;
  std::uint8_t fragment_proto = 0;
  std::span<const std::uint8_t> fragment_payload;
  std::size_t next_header_at = 6;  // the byte that names `next`
  std::span<const std::uint8_t> unfragmentable;
  for (int hops = 0; hops < 8; ++hops) {
    // After an extension header, Suricata wants 2 bytes of whatever comes next (none: the
    // packet is invalid), unless the next header is "no next header".
    if (hops > 0 && !fragment && next != 59 && rest.size() < 2) {
      return fail(DecodeError::BadIpv6ExtensionHeader, AnomalyEvent::Ipv6TruncExthdr, out);
    }
    if (next == 0 || next == 43 || next == 60) {  // hop-by-hop, routing, destination options
      if (rest.size() < 8) {
        if (fragment) break;
        return fail(DecodeError::BadIpv6ExtensionHeader, AnomalyEvent::Ipv6TruncExthdr, out);
      }
      const std::size_t length = (std::size_t{rest[1]} + 1) * 8;
      if (length > rest.size()) {
        if (fragment) break;
        return fail(DecodeError::BadIpv6ExtensionHeader, AnomalyEvent::Ipv6TruncExthdr, out);
      }
      if (next == 0) {
        if (seen_hh) out.events.set(AnomalyEvent::Ipv6ExthdrDuplHh);
        seen_hh = true;
        checkIpv6Options(rest.first(length), true, out);
      } else if (next == 43) {
        if (seen_rh) out.events.set(AnomalyEvent::Ipv6ExthdrDuplRh);
        seen_rh = true;
        dh_since_rh = 0;
        if (rest[2] == 0) out.events.set(AnomalyEvent::Ipv6RhType0);  // deprecated, RFC 5095
      } else {
        // One destination-options header may precede the routing header and one follow it.
        if (++dh_since_rh > 1) out.events.set(AnomalyEvent::Ipv6ExthdrDuplDh);
        checkIpv6Options(rest.first(length), false, out);
      }
      next = rest[0];
      next_header_at = static_cast<std::size_t>(rest.data() - data.data());
      rest = rest.subspan(length);
      continue;
    }
    if (next == 51) {  // AH: length in 4-byte units, minus 2
      if (rest.size() < 8 || (std::size_t{rest[1]} + 2) * 4 > rest.size()) {
        if (fragment) break;
        return fail(DecodeError::BadIpv6ExtensionHeader, AnomalyEvent::Ipv6TruncExthdr, out);
      }
      if (seen_ah) out.events.set(AnomalyEvent::Ipv6ExthdrDuplAh);
      seen_ah = true;
      const std::size_t length = (std::size_t{rest[1]} + 2) * 4;
      next = rest[0];
      next_header_at = static_cast<std::size_t>(rest.data() - data.data());
      rest = rest.subspan(length);
      continue;
    }
    if (next == 44) {  // fragment
      if (rest.size() < 8) {
        if (fragment) break;
        return fail(DecodeError::BadIpv6ExtensionHeader, AnomalyEvent::Ipv6TruncExthdr, out);
      }
      if (seen_fh) out.events.set(AnomalyEvent::Ipv6ExthdrDuplFh);
      if (rest[1] != 0) out.events.set(AnomalyEvent::Ipv6FhNonZeroReservedField);
      const std::uint16_t frag = be16(rest.data() + 2);
      const std::uint32_t offset = std::uint32_t{frag & 0xfff8u};
      const bool more = (frag & 1) != 0;
      if (!seen_fh) {
        unfragmentable = data.first(static_cast<std::size_t>(rest.data() - data.data()));
        out.fragment_next_header_at = static_cast<std::uint16_t>(next_header_at);
      }
      next = rest[0];
      next_header_at = static_cast<std::size_t>(rest.data() - data.data());
      rest = rest.subspan(8);
      if (seen_fh) continue;  // the first fragment header describes the datagram
      seen_fh = true;
      out.fragment_offset = offset;
      out.more_fragments = more;
      out.fragment_id = be32(rest.data() - 4);
      out.ip_proto = next;
      if (!more && offset == 0) {
        out.events.set(AnomalyEvent::Ipv6ExthdrUselessFh);
        continue;  // an atomic fragment: decode on
      }
      if (more && rest.size() % 8 != 0) out.events.set(AnomalyEvent::Ipv6FragInvalidLength);
      if (offset + rest.size() > 65535) out.events.set(AnomalyEvent::Ipv6FragPktTooLarge);
      fragment = true;
      fragment_proto = next;
      fragment_payload = rest;
      if (offset != 0) break;  // a later fragment: its bytes are no headers
      continue;
    }
    if (next == 59 && !rest.empty()) out.events.set(AnomalyEvent::Ipv6DataAfterNoneHeader);
    break;
  }
  if (fragment) {
    out.is_fragment = true;
    out.ip_proto = fragment_proto;
    out.ip_payload = fragment_payload;
    out.ip_header = unfragmentable;
    ++counters_.fragments;
    return true;
  }
  out.ip_proto = next;
  out.ip_payload = rest;
  out.ip_header = data.first(static_cast<std::size_t>(rest.data() - data.data()));
  return decodeTransport(rest, out);
}

bool PacketDecoder::checkIpv4Options(std::span<const std::uint8_t> options, DecodedPacket& out) {
  // Suricata's DecodeIPV4Options: a missing or impossible length makes the packet invalid; a
  // repeated or unknown option is only an event.
  constexpr std::uint8_t kKnown[] = {7, 25, 68, 130, 131, 133, 134, 136, 137, 148};  // RR QS TS SEC LSRR ESEC CIPSO SID SSRR RTRALT
  std::uint32_t seen = 0;  // bit per index in kKnown
  std::size_t i = 0;
  while (i < options.size()) {
    const std::uint8_t type = options[i];
    if (type == 0) break;  // end of list
    if (type == 1) {       // no-op
      ++i;
      continue;
    }
    const std::size_t left = options.size() - i;
    if (left < 2) {
      out.events.set(AnomalyEvent::Ipv4OptEolRequired);
      return false;
    }
    const std::size_t length = options[i + 1];
    if (length > left || length < 2) {
      out.events.set(AnomalyEvent::Ipv4OptInvalidLen);
      return false;
    }
    const auto* known = std::find(std::begin(kKnown), std::end(kKnown), type);
    if (known == std::end(kKnown)) {
      out.events.set(AnomalyEvent::Ipv4OptUnknown);
    } else {
      const std::uint32_t bit = 1u << (known - std::begin(kKnown));
      if (seen & bit) out.events.set(AnomalyEvent::Ipv4OptDuplicate);
      seen |= bit;
    }
    i += length;
  }
  return true;
}

void PacketDecoder::checkIpv6Options(std::span<const std::uint8_t> header, bool hop_by_hop, DecodedPacket& out) {
  // Options after the 2-byte (next header, length) prefix: Pad1, PadN, router alert, jumbo
  // payload and home address are known (Suricata's list); a header of padding alone is a
  // covert-channel tell.
  bool only_padding = true;
  std::size_t i = 2;
  while (i < header.size()) {
    const std::uint8_t type = header[i];
    if (type == 0) {  // Pad1
      ++i;
      continue;
    }
    if (i + 1 >= header.size() || i + 2 + std::size_t{header[i + 1]} > header.size()) {
      out.events.set(AnomalyEvent::Ipv6ExthdrInvalidOptlen);
      return;
    }
    if (type != 1) {
      only_padding = false;
      if (type != 0x05 && type != 0xC2 && type != 0xC9) {
        out.events.set(hop_by_hop ? AnomalyEvent::Ipv6HopoptsUnknownOpt : AnomalyEvent::Ipv6DstoptsUnknownOpt);
      }
    }
    i += 2 + std::size_t{header[i + 1]};
  }
  if (only_padding) out.events.set(hop_by_hop ? AnomalyEvent::Ipv6HopoptsOnlyPadding : AnomalyEvent::Ipv6DstoptsOnlyPadding);
}

void PacketDecoder::checkTcpOptions(std::span<const std::uint8_t> options, DecodedPacket& out) {
  // Known options with a fixed length: MSS 4, window scale 3, SACK permitted 2, timestamps 10;
  // SACK and TFO vary. A wrong length or a repeat is an event, not a reason to drop the packet.
  std::uint32_t seen = 0;  // bit per option kind below 32
  std::size_t i = 0;
  while (i < options.size()) {
    const std::uint8_t kind = options[i];
    if (kind == 0) break;
    if (kind == 1) {
      ++i;
      continue;
    }
    if (i + 1 >= options.size() || options[i + 1] < 2 || i + options[i + 1] > options.size()) {
      out.events.set(AnomalyEvent::TcpOptInvalidLen);
      return;
    }
    const std::uint8_t length = options[i + 1];
    const bool bad_length = (kind == 2 && length != 4) || (kind == 3 && length != 3) || (kind == 4 && length != 2) ||
                            (kind == 8 && length != 10) || (kind == 5 && (length < 10 || (length - 2) % 8 != 0));
    if (bad_length) out.events.set(AnomalyEvent::TcpOptInvalidLen);
    if (kind == 2 || kind == 3 || kind == 4 || kind == 5 || kind == 8) {
      if (seen & (1u << kind)) out.events.set(AnomalyEvent::TcpOptDuplicate);
      seen |= 1u << kind;
    }
    i += length;
  }
}

bool PacketDecoder::decodeNsh(std::span<const std::uint8_t> data, DecodedPacket& out) {
  // Base header: version, O bit, TTL, length in 4-byte words; MD type; next protocol. Then the
  // service path header and the metadata (MD type 1: four fixed context headers).
  if (data.size() < 8) return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::NshHeaderTooSmall, out);
  if ((data[0] >> 6) != 0) return fail(DecodeError::NotIp, AnomalyEvent::NshUnsupportedVersion, out);
  const std::size_t length = std::size_t{data[1] & 0x3fu} * 4;
  const unsigned md_type = data[2] & 0x0fu;
  if (length < 8 || length > data.size() || (md_type == 1 && length != 24)) {
    return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::NshBadHeaderLength, out);
  }
  if (md_type != 1 && md_type != 2) return fail(DecodeError::NotIp, AnomalyEvent::NshUnsupportedType, out);
  ++counters_.nsh;
  const std::span<const std::uint8_t> rest = data.subspan(length);
  switch (data[3]) {
    case 1: return decodeIpv4(rest, out);
    case 2: return decodeIpv6(rest, out);
    case 3:
      if (rest.size() < 14) return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::EthernetPktTooSmall, out);
      return decodeEthernetPayload(be16(rest.data() + 12), rest.subspan(14), out);
    case 4:
      if (++nsh_depth_ > kMaxTunnelDepth) return fail(DecodeError::NotIp);
      return decodeNsh(rest, out);
    default:
      out.events.set(AnomalyEvent::NshUnknownPayload);
      return fail(DecodeError::NotIp);
  }
}

// The inner packet of a tunnel, decoded into `out` afresh (the outer addresses, ports and
// fragment fields must not leak into it); the outer packet is kept, whole, as a tunnel root.
std::optional<bool> PacketDecoder::decodeInner(std::uint16_t ether_type, std::span<const std::uint8_t> inner,
                                               std::span<const std::uint8_t> pseudo, DecodedPacket& out,
                                               std::uint16_t tunnel_vlan) {
  if (root_count_ >= roots_.size()) return std::nullopt;
  DecodedPacket& root = roots_[root_count_++];
  root = out;
  root.is_tunnel_root = true;
  root.is_fragment = false;
  ++counters_.decoded;
  TunnelRoot endpoints = out.tunnel;
  if (out.recursion_level == 0) endpoints = TunnelRoot{out.src, out.dst, out.src_port, out.dst_port, out.ip_proto};
  out = DecodedPacket{};
  out.timestamp_ns = root.timestamp_ns;
  out.wire_length = static_cast<std::uint32_t>(pseudo.size());
  out.capture_index = root.capture_index;
  out.vlan = root.vlan;
  out.vlan_count = root.vlan_count;
  if (tunnel_vlan != 0) {
    if (out.vlan_count < out.vlan.size()) out.vlan[out.vlan_count++] = tunnel_vlan;
    else out.events.set(AnomalyEvent::VlanTooManyLayers);
  }
  out.frame = pseudo;
  out.link_type = kLinkTypeRaw;
  out.has_ether = root.has_ether;
  out.src_mac = root.src_mac;
  out.dst_mac = root.dst_mac;
  out.ether_type = root.ether_type;
  out.recursion_level = static_cast<std::uint8_t>(root.recursion_level + 1);
  out.tunnel = endpoints;
  ++counters_.tunnels;
  if (ether_type == kEtherIpv4) return decodeIpv4(inner, out);
  if (ether_type == kEtherIpv6) return decodeIpv6(inner, out);
  if (ether_type == kEtherArp) return decodeArp(inner, out);
  if (inner.size() < 14) return fail(DecodeError::TruncatedLinkHeader, AnomalyEvent::EthernetPktTooSmall, out);
  return decodeEthernetPayload(be16(inner.data() + 12), inner.subspan(14), out);
}

std::optional<bool> PacketDecoder::decodeGre(std::span<const std::uint8_t> p, DecodedPacket& out) {
  if (p.size() < 4) return fail(DecodeError::TruncatedGre, AnomalyEvent::GrePktTooSmall, out);
  const std::uint16_t flags = be16(p.data());
  const std::uint16_t proto = be16(p.data() + 2);
  const unsigned version = flags & 0x7u;
  std::size_t at = 4;
  if (version == 0) {
    if (flags & 0x4000u) return std::nullopt;  // source routing (RFC 1701): obsolete, not followed
    if (flags & 0x8000u) at += 4;              // checksum and reserved
    if (flags & 0x2000u) at += 4;              // key
    if (flags & 0x1000u) at += 4;              // sequence number
  } else if (version == 1 && proto == kEtherPpp) {
    at += 4;                                   // payload length and call id
    if (flags & 0x1000u) at += 4;              // sequence number
    if (flags & 0x0080u) at += 4;              // acknowledgement number
  } else {
    return std::nullopt;
  }
  if (p.size() < at) return fail(DecodeError::TruncatedGre, AnomalyEvent::GrePktTooSmall, out);
  std::span<const std::uint8_t> inner = p.subspan(at);
  switch (proto) {
    case kEtherIpv4:
    case kEtherIpv6: return decodeInner(proto, inner, inner, out);
    case kEtherTeb: return decodeInner(kEtherTeb, inner, inner, out);
    case kEtherArp: return decodeInner(kEtherArp, inner, inner, out);
    case kEtherErspan2:
      // Type I has no sequence number and no ERSPAN header; type II an 8-byte header (version,
      // VLAN, ...) that Suricata's pseudo packet starts with, and whose VLAN the inner packet has.
      if (flags & 0x1000u) {
        if (inner.size() < 8) return std::nullopt;
        const std::uint16_t vlan = be16(inner.data()) & 0x0fffu;
        return decodeInner(kEtherTeb, inner.subspan(8), inner, out, vlan);
      }
      return decodeInner(kEtherTeb, inner, inner, out);
    case kEtherErspan3: {
      if (inner.size() < 12) return std::nullopt;
      const bool platform_subheader = (inner[11] & 0x01u) != 0;
      const std::size_t header = platform_subheader ? 20 : 12;
      if (inner.size() < header) return std::nullopt;
      return decodeInner(kEtherTeb, inner.subspan(header), inner.subspan(header), out);
    }
    case kEtherPpp: {
      // PPP: address and control (0xff 0x03) unless compressed away, then a 1- or 2-byte protocol.
      const std::span<const std::uint8_t> pseudo = inner;
      if (inner.size() >= 2 && inner[0] == 0xff && inner[1] == 0x03) inner = inner.subspan(2);
      const auto [ppp, length] = pppProtocol(inner);
      if (ppp == kPppIpv4) return decodeInner(kEtherIpv4, inner.subspan(length), pseudo, out);
      if (ppp == kPppIpv6) return decodeInner(kEtherIpv6, inner.subspan(length), pseudo, out);
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

std::optional<bool> PacketDecoder::decodeUdpTunnel(std::span<const std::uint8_t> p, DecodedPacket& out) {
  if (out.dst_port == kVxlanPort) {
    // VXLAN (RFC 7348): flags with the I bit (a valid VNI), 24 reserved bits, VNI, reserved.
    if (p.size() < 8 + 14 || (p[0] & 0x08u) == 0) return std::nullopt;
    return decodeInner(kEtherTeb, p.subspan(8), p.subspan(8), out);
  }
  if (out.dst_port == kGenevePort) {
    // Geneve (RFC 8926): version 0, options length in 4-byte words, protocol type.
    if (p.size() < 8 || (p[0] >> 6) != 0) return std::nullopt;
    const std::size_t header = 8 + std::size_t{p[0] & 0x3fu} * 4;
    const std::uint16_t proto = be16(p.data() + 2);
    if (p.size() < header || (proto != kEtherTeb && proto != kEtherIpv4 && proto != kEtherIpv6)) return std::nullopt;
    return decodeInner(proto, p.subspan(header), p.subspan(header), out);
  }
  return std::nullopt;
}

bool PacketDecoder::decodeTransport(std::span<const std::uint8_t> p, DecodedPacket& out) {
  if (out.ip_proto == 47 || out.ip_proto == 4 || out.ip_proto == 41) {
    out.payload = p;  // the tunnel root's payload, for its own inspection
    const std::optional<bool> inner = out.ip_proto == 47 ? decodeGre(p, out)
                                      : decodeInner(out.ip_proto == 4 ? kEtherIpv4 : kEtherIpv6, p, p, out);
    if (inner) return *inner;
  }
  switch (out.ip_proto) {
    case 6: {
      if (p.size() < 20) return fail(DecodeError::TruncatedTcp, AnomalyEvent::TcpPktTooSmall, out);
      const std::size_t offset = static_cast<std::size_t>(p[12] >> 4) * 4;
      if (offset > p.size()) return fail(DecodeError::BadTcpHeaderLength, AnomalyEvent::TcpHlenTooSmall, out);
      if (offset < 20) return fail(DecodeError::BadTcpHeaderLength, AnomalyEvent::TcpInvalidOptlen, out);
      if (offset > 20) checkTcpOptions(p.subspan(20, offset - 20), out);
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
      if (p.size() < 8) return fail(DecodeError::TruncatedUdp, AnomalyEvent::UdpHlenTooSmall, out);
      const std::uint16_t length = be16(p.data() + 4);
      if (length > p.size()) return fail(DecodeError::BadUdpLength, AnomalyEvent::UdpPktTooSmall, out);
      if (length < 8) return fail(DecodeError::BadUdpLength, AnomalyEvent::UdpLenInvalid, out);
      out.src_port = be16(p.data());
      out.dst_port = be16(p.data() + 2);
      out.payload = p.subspan(8, length - 8u);
      out.transport_header = p.first(8);
      ++counters_.udp;
      if (out.dst_port == kVxlanPort || out.dst_port == kGenevePort) {
        if (const auto inner = decodeUdpTunnel(out.payload, out)) return *inner;
      }
      break;
    }
    case 1:
    case 58: {
      const AnomalyEvent too_small = out.ip_proto == 1 ? AnomalyEvent::Icmpv4PktTooSmall : AnomalyEvent::Icmpv6PktTooSmall;
      if (p.size() < 4) return fail(DecodeError::TruncatedIcmp, too_small, out);
      // Suricata wants the full 8-byte header; type and code are there at 4, so decoding goes on.
      if (p.size() < 8) out.events.set(too_small);
      out.icmp_type = p[0];
      out.icmp_code = p[1];
      if (out.ip_proto == 1) {
        if (const auto e = icmpv4TypeCodeEvent(out.icmp_type, out.icmp_code)) out.events.set(*e);
      }
      out.payload = p.subspan(std::min<std::size_t>(8, p.size()));
      std::size_t header = std::min<std::size_t>(8, p.size());
      if (out.ip_proto == 1 && p.size() >= 8) {
        // As Suricata's icmpv4.hdr: a router advertisement's addresses and a timestamp
        // message's times belong to the header.
        std::size_t extra = 0;
        if (out.icmp_type == 9) extra = std::size_t{p[4]} * p[5] * 4;
        else if (out.icmp_type == 13 || out.icmp_type == 14) extra = 12;
        if (header + extra <= p.size()) header += extra;
      }
      out.transport_header = p.first(header);
      ++counters_.icmp;
      break;
    }
    case 132: {
      if (p.size() < 12) return fail(DecodeError::TruncatedSctp, AnomalyEvent::SctpPktTooSmall, out);
      out.src_port = be16(p.data());
      out.dst_port = be16(p.data() + 2);
      out.payload = p.subspan(12);
      ++counters_.other_transport;
      break;
    }
    case 50: {
      // ESP: the SPI tells the security associations (and so the flows) apart.
      if (p.size() >= 8) {
        out.esp_spi = be32(p.data());
        out.payload = p.subspan(8);
      }
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

#pragma once
// A packet after L2-L4 decoding: addresses, ports, TCP/ICMP header fields and a view of the
// transport payload. Views point into the capture buffer (or the fragment reassembler's buffer)
// and are valid until the next packet.

#include <array>
#include <optional>
#include <cstdint>
#include <span>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "gsoc/signatures/IpAddress.hpp"

namespace gsoc::sensor {

using signatures::IpAddress;

namespace tcp_flag {
inline constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20;
}

// The outermost packet of a tunnel, as EVE's `tunnel` object names it on the inner packets.
struct TunnelRoot {
  IpAddress src;
  IpAddress dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint8_t ip_proto = 0;
};

struct DecodedPacket {
  std::int64_t timestamp_ns = 0;
  std::uint32_t wire_length = 0;
  std::uint64_t capture_index = 0;  // RawPacket::capture_index (EVE's pcap_cnt)
  // The frame as captured, with its link type (EVE's alert `packet` and packet_info.linktype).
  std::span<const std::uint8_t> frame;
  std::uint16_t link_type = 0;  // libpcap DLT_* value
  // The outermost Ethernet header's addresses (EVE's ether object), when the frame has one.
  bool has_ether = false;
  std::array<std::uint8_t, 6> src_mac{};
  std::array<std::uint8_t, 6> dst_mac{};
  std::uint16_t ether_type = 0;
  std::array<std::uint16_t, 3> vlan{};
  std::uint8_t vlan_count = 0;

  std::uint8_t ip_version = 0;   // 4 or 6
  IpAddress src;
  IpAddress dst;
  std::uint8_t ip_proto = 0;     // transport protocol after extension headers
  std::uint8_t ttl = 0;
  std::uint16_t ip_total_length = 0;

  // Fragmentation (set before reassembly; the reassembled packet has is_fragment false).
  bool is_fragment = false;
  std::uint32_t fragment_id = 0;
  std::uint32_t fragment_offset = 0;  // bytes
  bool more_fragments = false;
  std::span<const std::uint8_t> ip_payload;  // for the reassembler
  // IPv6 fragment: where in ip_header (the headers before the fragment header) the byte naming
  // the fragment header sits, for ReassembledFrame.
  std::uint16_t fragment_next_header_at = 0;

  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint8_t tcp_flags = 0;
  std::uint16_t tcp_window = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint32_t esp_spi = 0;  // ESP (IP protocol 50)

  // An ARP message for IPv4 over Ethernet (directly, or carried by GRE), for EVE's arp records.
  struct Arp {
    std::uint16_t hw_type = 0;
    std::uint16_t proto_type = 0;
    std::uint16_t opcode = 0;
    std::array<std::uint8_t, 6> src_mac{};
    std::array<std::uint8_t, 6> dst_mac{};
    IpAddress src_ip;
    IpAddress dst_ip;
  };
  std::optional<Arp> arp;

  std::span<const std::uint8_t> payload;  // transport payload
  // The headers as they are on the wire, for ipv4.hdr / ipv6.hdr (with options or extension
  // headers) and tcp.hdr / udp.hdr / icmpv4.hdr / icmpv6.hdr (with options).
  std::span<const std::uint8_t> ip_header;
  std::span<const std::uint8_t> transport_header;

  // What the decoder and the fragment reassembler found wrong with this packet (Suricata's
  // decoder events). A packet that does not decode carries the event that stopped it.
  signatures::EventSet events;

  // Tunnels (Suricata's pseudo packets): an inner packet is decoded as a packet of its own, with
  // its own flow, and the packets carrying it are processed as well. recursion_level counts the
  // tunnels around this packet (0: the captured packet); flows at different levels never join.
  std::uint8_t recursion_level = 0;
  bool is_tunnel_root = false;  // carries an inner packet: no app layer on its payload
  TunnelRoot tunnel;            // the captured packet's endpoints, when recursion_level > 0
};

}  // namespace gsoc::sensor

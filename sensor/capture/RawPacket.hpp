#pragma once
// One captured frame as a capture backend hands it over: a view of the bytes (valid until the
// next call to the source), the capture time and the link type that says how to decode it.

#include <cstdint>
#include <span>

namespace gsoc::sensor {

// DLT_* values of libpcap that the decoder understands.
enum class LinkType : std::uint16_t {
  Null = 0,          // BSD loopback: 4-byte host-order family
  Ethernet = 1,
  Ppp = 9,
  Raw = 101,         // bare IPv4/IPv6
  CiscoHdlc = 104,
  Loop = 108,        // OpenBSD loopback: 4-byte network-order family
  LinuxSll = 113,
  RawIpv4 = 228,
  RawIpv6 = 229,
};

struct RawPacket {
  std::int64_t timestamp_ns = 0;
  std::span<const std::uint8_t> data;
  std::uint32_t wire_length = 0;  // original length; data may be shorter (snaplen)
  LinkType link_type = LinkType::Ethernet;
  // 1-based position of the frame in what its source read: a pcap file's record number (as
  // Suricata's pcap_cnt), a live interface's or a DPDK queue's count; 0 where nobody counted.
  std::uint64_t capture_index = 0;
};

}  // namespace gsoc::sensor

#pragma once
// Internet checksums of a packet's headers, for the checksum keywords (ipv4-csum, tcpv4-csum,
// tcpv6-csum, udpv4-csum, udpv6-csum, icmpv4-csum, icmpv6-csum): whether the header's checksum
// field is right for the bytes the packet carries. TCP, UDP and ICMPv6 sums cover the IPv4 or
// IPv6 pseudo header; a truncated segment (a capture cut short) never sums right.

#include <cstdint>
#include <string_view>

namespace gsoc::signatures {

enum class ChecksumKind : std::uint8_t { Ipv4, TcpV4, TcpV6, UdpV4, UdpV6, IcmpV4, IcmpV6 };

// `checksum:valid` / `checksum:invalid` of one header.
struct ChecksumCondition {
  ChecksumKind kind = ChecksumKind::Ipv4;
  bool valid = true;
};

// Whether `kind`'s checksum holds for a packet with this IP header (IPv4, or IPv6 with its
// extension headers), transport header and payload. False when the packet is not of that kind
// (a udpv4-csum on a TCP packet never says valid, nor invalid: see checksumApplies).
bool checksumValid(ChecksumKind kind, std::string_view ip_header, std::string_view transport_header, std::string_view payload,
                   std::uint8_t ip_proto);
// Whether the packet is of `kind` at all (IPv4 or IPv6, and its transport protocol).
bool checksumApplies(ChecksumKind kind, std::string_view ip_header, std::uint8_t ip_proto);

}  // namespace gsoc::signatures

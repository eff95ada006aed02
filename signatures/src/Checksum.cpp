#include "gsoc/signatures/Checksum.hpp"

namespace gsoc::signatures {

namespace {

// One's complement sum of 16-bit big-endian words; an odd last byte is padded with zero.
struct OnesSum {
  std::uint64_t sum = 0;
  bool odd = false;  // the previous part ended mid-word
  void add(std::string_view bytes) {
    for (const char ch : bytes) {
      const auto b = static_cast<std::uint8_t>(ch);
      sum += odd ? b : static_cast<std::uint64_t>(b) << 8;
      odd = !odd;
    }
  }
  void addWord(std::uint32_t word) { sum += word; }
  [[nodiscard]] bool zero() const {
    std::uint64_t s = sum;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return s == 0xffff;  // the data and its checksum sum to all ones
  }
};

bool isV4(std::string_view ip) { return ip.size() >= 20 && (static_cast<std::uint8_t>(ip[0]) >> 4) == 4; }
bool isV6(std::string_view ip) { return ip.size() >= 40 && (static_cast<std::uint8_t>(ip[0]) >> 4) == 6; }

std::uint8_t protoOf(ChecksumKind kind) {
  switch (kind) {
    case ChecksumKind::TcpV4:
    case ChecksumKind::TcpV6: return 6;
    case ChecksumKind::UdpV4:
    case ChecksumKind::UdpV6: return 17;
    case ChecksumKind::IcmpV4: return 1;
    case ChecksumKind::IcmpV6: return 58;
    case ChecksumKind::Ipv4: return 0;
  }
  return 0;
}

bool wantsV6(ChecksumKind kind) {
  return kind == ChecksumKind::TcpV6 || kind == ChecksumKind::UdpV6 || kind == ChecksumKind::IcmpV6;
}

}  // namespace

bool checksumApplies(ChecksumKind kind, std::string_view ip_header, std::uint8_t ip_proto) {
  if (kind == ChecksumKind::Ipv4) return isV4(ip_header);
  if (wantsV6(kind) ? !isV6(ip_header) : !isV4(ip_header)) return false;
  return ip_proto == protoOf(kind);
}

bool checksumValid(ChecksumKind kind, std::string_view ip_header, std::string_view transport_header, std::string_view payload,
                   std::uint8_t ip_proto) {
  if (!checksumApplies(kind, ip_header, ip_proto)) return false;
  if (kind == ChecksumKind::Ipv4) {
    const std::size_t ihl = (static_cast<std::uint8_t>(ip_header[0]) & 0x0f) * 4u;
    if (ihl < 20 || ihl > ip_header.size()) return false;
    OnesSum s;
    s.add(ip_header.substr(0, ihl));
    return s.zero();
  }
  if (transport_header.empty()) return false;
  // The length the IP header gives the segment: bytes missing from the capture make it fail.
  const auto be16 = [&](std::size_t at) {
    return static_cast<std::uint32_t>(static_cast<std::uint8_t>(ip_header[at]) << 8 | static_cast<std::uint8_t>(ip_header[at + 1]));
  };
  const std::size_t carried = transport_header.size() + payload.size();
  std::size_t length = carried;
  if (isV4(ip_header)) {
    const std::size_t ihl = (static_cast<std::uint8_t>(ip_header[0]) & 0x0f) * 4u;
    const std::uint32_t total = be16(2);
    if (total < ihl || total - ihl != carried) return false;
  } else {
    const std::uint32_t ext = static_cast<std::uint32_t>(ip_header.size() - 40);  // extension headers
    const std::uint32_t payload_length = be16(4);
    if (payload_length < ext || payload_length - ext != carried) return false;
  }
  // UDP over IPv4 may leave its checksum out (zero); IPv6 may not.
  if (kind == ChecksumKind::UdpV4 && transport_header.size() >= 8 && transport_header[6] == 0 && transport_header[7] == 0) {
    return true;
  }
  OnesSum s;
  if (kind != ChecksumKind::IcmpV4) {
    if (isV4(ip_header)) s.add(ip_header.substr(12, 8));
    else s.add(ip_header.substr(8, 32));
    s.addWord(static_cast<std::uint32_t>(length >> 16));
    s.addWord(static_cast<std::uint32_t>(length & 0xffff));
    s.addWord(ip_proto);
  }
  s.add(transport_header);
  s.add(payload);
  return s.zero();
}

}  // namespace gsoc::signatures

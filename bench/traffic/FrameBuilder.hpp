#pragma once
// Builds frames for tests and the traffic generator: Ethernet (optionally VLAN-tagged) carrying IPv4 or IPv6 with TCP, UDP
// or ICMP, with correct lengths (checksums are left zero: the decoder does not verify them).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/IpAddress.hpp"

namespace gsoc::traffic {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
inline void putAddress(Bytes& b, const signatures::IpAddress& a) {
  const int n = a.isV4() ? 4 : 16;
  for (int i = n - 1; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(a.value() >> (8 * i)));
}

struct PacketSpec {
  std::string src = "192.0.2.10";
  std::string dst = "198.51.100.20";
  std::uint8_t proto = 6;
  std::uint16_t sport = 40000;
  std::uint16_t dport = 80;
  std::uint32_t seq = 1000;
  std::uint32_t ack = 0;
  std::uint8_t flags = 0x18;  // PSH|ACK
  std::string payload;
  std::vector<std::uint16_t> vlans;
  std::uint8_t ttl = 64;
  // IPv4 fragmentation fields (the payload is then the raw IP payload slice).
  std::uint16_t ip_id = 1;
  std::uint16_t frag_offset_bytes = 0;
  bool more_fragments = false;
  bool raw_ip_payload = false;  // payload is already the L4 header + data
};

inline Bytes transport(const PacketSpec& s) {
  Bytes l4;
  if (s.raw_ip_payload) return Bytes(s.payload.begin(), s.payload.end());
  if (s.proto == 6) {
    put16(l4, s.sport);
    put16(l4, s.dport);
    put32(l4, s.seq);
    put32(l4, s.ack);
    l4.push_back(5 << 4);
    l4.push_back(s.flags);
    put16(l4, 65535);
    put32(l4, 0);
  } else if (s.proto == 17) {
    put16(l4, s.sport);
    put16(l4, s.dport);
    put16(l4, static_cast<std::uint16_t>(8 + s.payload.size()));
    put16(l4, 0);
  } else if (s.proto == 1 || s.proto == 58) {
    l4.push_back(static_cast<std::uint8_t>(s.sport));  // type
    l4.push_back(static_cast<std::uint8_t>(s.dport));  // code
    put16(l4, 0);
    put32(l4, 0);
  }
  l4.insert(l4.end(), s.payload.begin(), s.payload.end());
  return l4;
}

inline Bytes ethernetFrame(const PacketSpec& s) {
  const auto src = *signatures::IpAddress::parse(s.src);
  const auto dst = *signatures::IpAddress::parse(s.dst);
  const Bytes l4 = transport(s);
  Bytes f = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  for (std::size_t i = 0; i < s.vlans.size(); ++i) {
    put16(f, i == 0 && s.vlans.size() > 1 ? 0x88A8 : 0x8100);
    put16(f, s.vlans[i]);
  }
  if (src.isV4()) {
    put16(f, 0x0800);
    f.push_back(0x45);
    f.push_back(0);
    put16(f, static_cast<std::uint16_t>(20 + l4.size()));
    put16(f, s.ip_id);
    put16(f, static_cast<std::uint16_t>((s.more_fragments ? 0x2000 : 0) | (s.frag_offset_bytes / 8)));
    f.push_back(s.ttl);
    f.push_back(s.proto);
    put16(f, 0);
    putAddress(f, src);
    putAddress(f, dst);
  } else {
    put16(f, 0x86DD);
    put32(f, 0x60000000);
    put16(f, static_cast<std::uint16_t>(l4.size()));
    f.push_back(s.proto);
    f.push_back(s.ttl);
    putAddress(f, src);
    putAddress(f, dst);
  }
  f.insert(f.end(), l4.begin(), l4.end());
  return f;
}

// One TCP connection between a client and a server: handshake, then data each way, with the
// sequence numbers kept right. Frames come back ready to send.
class TcpConversation {
 public:
  explicit TcpConversation(PacketSpec base, std::uint32_t client_isn = 1000, std::uint32_t server_isn = 90000)
      : base_(std::move(base)), client_seq_(client_isn), server_seq_(server_isn) {}

  Bytes client(std::string_view payload, std::uint8_t flags = 0x18) { return segment(true, payload, flags); }
  Bytes server(std::string_view payload, std::uint8_t flags = 0x18) { return segment(false, payload, flags); }
  std::vector<Bytes> handshake() { return {segment(true, "", 0x02), segment(false, "", 0x12), segment(true, "", 0x10)}; }
  std::vector<Bytes> close() { return {segment(true, "", 0x11), segment(false, "", 0x11), segment(true, "", 0x10)}; }

 private:
  Bytes segment(bool from_client, std::string_view payload, std::uint8_t flags) {
    PacketSpec s = base_;
    if (!from_client) {
      std::swap(s.src, s.dst);
      std::swap(s.sport, s.dport);
    }
    std::uint32_t& seq = from_client ? client_seq_ : server_seq_;
    s.seq = seq;
    s.ack = from_client ? server_seq_ : client_seq_;
    s.flags = flags;
    s.payload = std::string(payload);
    seq += static_cast<std::uint32_t>(payload.size()) + ((flags & 0x03) ? 1 : 0);  // SYN and FIN take one
    return ethernetFrame(s);
  }

  PacketSpec base_;
  std::uint32_t client_seq_;
  std::uint32_t server_seq_;
};

}  // namespace gsoc::traffic

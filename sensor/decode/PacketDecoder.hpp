#pragma once
// L2-L4 decoding: Ethernet, 802.1Q/802.1ad (QinQ) VLAN tags, Linux SLL, BSD loopback, Cisco
// HDLC, PPP, NSH and raw IP; IPv4 (options), IPv6 (hop-by-hop, routing, destination options, fragment and
// AH extension headers); TCP, UDP, SCTP ports, ICMP and ICMPv6. A malformed or truncated packet
// is counted by reason and reported as not decodable; nothing reads past the captured bytes.
// Every anomaly also sets Suricata's decoder event on the packet (DecodedPacket::events).

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/CounterTable.hpp"
#include "sensor/capture/RawPacket.hpp"
#include "sensor/decode/DecodedPacket.hpp"

namespace gsoc::sensor {

enum class DecodeError : std::uint8_t {
  UnsupportedLinkType,
  TruncatedLinkHeader,
  TruncatedVlan,
  NotIp,              // ARP, LLDP...: counted, not an error of the packet
  TruncatedIpv4,
  BadIpv4Version,
  BadIpv4HeaderLength,
  BadIpv4TotalLength,
  TruncatedIpv6,
  BadIpv6ExtensionHeader,
  TruncatedTcp,
  BadTcpHeaderLength,
  TruncatedUdp,
  BadUdpLength,
  TruncatedIcmp,
  TruncatedSctp,
  BadIpv4Options,
  TruncatedGre,
  Count_
};
inline constexpr std::size_t kDecodeErrorCount = static_cast<std::size_t>(DecodeError::Count_);
std::string_view decodeErrorName(DecodeError error);

struct DecodeCounters {
  std::uint64_t decoded = 0;
  std::uint64_t ipv4 = 0;
  std::uint64_t ipv6 = 0;
  std::uint64_t tcp = 0;
  std::uint64_t udp = 0;
  std::uint64_t icmp = 0;
  std::uint64_t other_transport = 0;
  std::uint64_t vlan = 0;
  std::uint64_t fragments = 0;
  std::uint64_t tunnels = 0;  // packets decoded from inside GRE, ERSPAN, VXLAN, Geneve or IP-in-IP
  std::uint64_t nsh = 0;
  std::array<std::uint64_t, kDecodeErrorCount> errors{};
  [[nodiscard]] std::uint64_t malformed() const;  // errors other than NotIp

  static constexpr auto counterFields() {
    using F = gsoc::CounterField<DecodeCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"decoded", &DecodeCounters::decoded, kCounter, "Packets decoded."},
        F{"ipv4", &DecodeCounters::ipv4, kCounter, "IPv4 packets."},
        F{"ipv6", &DecodeCounters::ipv6, kCounter, "IPv6 packets."},
        F{"tcp", &DecodeCounters::tcp, kCounter, "TCP packets."},
        F{"udp", &DecodeCounters::udp, kCounter, "UDP packets."},
        F{"icmp", &DecodeCounters::icmp, kCounter, "ICMP and ICMPv6 packets."},
        F{"other_transport", &DecodeCounters::other_transport, kCounter, "Packets of another transport."},
        F{"vlan", &DecodeCounters::vlan, kCounter, "VLAN-tagged packets."},
        F{"fragments", &DecodeCounters::fragments, kCounter, "IP fragments."},
        F{"tunnels", &DecodeCounters::tunnels, kCounter, "Packets decoded from inside a tunnel."},
        F{"nsh", &DecodeCounters::nsh, kCounter, "Packets with a Network Service Header."},
    };
  }
  static constexpr auto counterArrays() {
    return std::array{gsoc::CounterArrayField<DecodeCounters, kDecodeErrorCount>{
        "errors", &DecodeCounters::errors,
        [](std::size_t i) { return decodeErrorName(static_cast<DecodeError>(i)); }, gsoc::CounterKind::Counter,
        "Packets that did not decode, by error (not_ip included)."}};
  }
};
static_assert(gsoc::countersCoverStruct<DecodeCounters>());

class PacketDecoder {
 public:
  // True when `out` holds a decoded IP packet. Fragments decode up to the IP layer
  // (is_fragment set, ip_payload filled) for the fragment reassembler.
  bool decode(const RawPacket& raw, DecodedPacket& out);
  // Decodes the transport header of `ip_payload` (used again after fragment reassembly).
  bool decodeTransport(std::span<const std::uint8_t> ip_payload, DecodedPacket& out);
  [[nodiscard]] const DecodeCounters& counters() const { return counters_; }
  // The packets around the last decoded one when it came out of tunnels, outermost first (each
  // decoded up to its tunnel's header, is_tunnel_root set): Suricata processes these too, each
  // with a flow of its own. Valid until the next decode().
  [[nodiscard]] std::span<DecodedPacket> tunnelRoots() { return std::span(roots_).first(root_count_); }
  // The captured packet: the outermost tunnel root, else `decoded` itself.
  [[nodiscard]] const DecodedPacket& captured(const DecodedPacket& decoded) const {
    return root_count_ != 0 ? roots_[0] : decoded;
  }

 private:
  bool decodeEthernetPayload(std::uint16_t ether_type, std::span<const std::uint8_t> data, DecodedPacket& out);
  bool decodeIp(std::span<const std::uint8_t> data, signatures::AnomalyEvent bad_version, DecodedPacket& out);
  bool decodeArp(std::span<const std::uint8_t> data, DecodedPacket& out);
  bool decodePpp(std::span<const std::uint8_t> data, DecodedPacket& out);  // after address and control
  bool decodeIpv4(std::span<const std::uint8_t> data, DecodedPacket& out);
  bool decodeIpv6(std::span<const std::uint8_t> data, DecodedPacket& out);
  // Tunnels: the inner packet replaces the outer one (what an IDS fed by an ERSPAN mirror or
  // watching a GRE or VXLAN link means to inspect). nullopt when `p` is not a tunnel payload
  // gsoc knows (the packet stays the outer one), else whether the inner packet decoded.
  std::optional<bool> decodeGre(std::span<const std::uint8_t> p, DecodedPacket& out);
  std::optional<bool> decodeUdpTunnel(std::span<const std::uint8_t> udp_payload, DecodedPacket& out);
  // `pseudo`: where Suricata's pseudo packet for the tunnel starts (its length is what the inner
  // flow counts); `inner`: where the inner Ethernet frame or IP packet starts. `tunnel_vlan`: an
  // ERSPAN header's VLAN id (0: none).
  std::optional<bool> decodeInner(std::uint16_t ether_type, std::span<const std::uint8_t> inner,
                                  std::span<const std::uint8_t> pseudo, DecodedPacket& out, std::uint16_t tunnel_vlan = 0);
  // NSH (RFC 8300) in an Ethernet frame: decoded in place, as Suricata does (no pseudo packet).
  bool decodeNsh(std::span<const std::uint8_t> data, DecodedPacket& out);
  bool fail(DecodeError error) {
    ++counters_.errors[static_cast<std::size_t>(error)];
    return false;
  }
  // Fails with the counter's reason and records Suricata's event for it on the packet.
  bool fail(DecodeError error, signatures::AnomalyEvent event, DecodedPacket& out) {
    out.events.set(event);
    return fail(error);
  }
  // Options and extension headers: events that do not stop decoding (except where noted).
  bool checkIpv4Options(std::span<const std::uint8_t> options, DecodedPacket& out);
  void checkIpv6Options(std::span<const std::uint8_t> header, bool hop_by_hop, DecodedPacket& out);
  void checkTcpOptions(std::span<const std::uint8_t> options, DecodedPacket& out);

  DecodeCounters counters_;
  // Tunnels inside tunnels are decoded this deep at most: a crafted packet cannot recurse.
  static constexpr unsigned kMaxTunnelDepth = 3;
  std::array<DecodedPacket, kMaxTunnelDepth> roots_{};
  std::size_t root_count_ = 0;
  unsigned nsh_depth_ = 0;
};

}  // namespace gsoc::sensor

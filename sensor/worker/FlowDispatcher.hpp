#pragma once
// Spreads packets over workers by a symmetric hash of the two addresses, the transport protocol
// and the VLAN: both directions of a flow, and every fragment of a datagram (which carry no
// ports after the first), land on the same worker, which then owns that flow alone.

#include <cstdint>

#include "sensor/decode/PacketDecoder.hpp"

namespace gsoc::sensor {

class FlowDispatcher {
 public:
  explicit FlowDispatcher(std::size_t lanes) : lanes_(lanes) {}

  std::size_t laneOf(const RawPacket& raw) {
    if (lanes_ <= 1) return 0;
    // By the captured packet's addresses: a tunnel's flow and the flows inside it share a lane.
    if (!decoder_.decode(raw, packet_) && decoder_.tunnelRoots().empty()) return 0;  // undecodable: lane 0 counts it
    const DecodedPacket& p = decoder_.captured(packet_);
    const signatures::u128 a = p.src.value() < p.dst.value() ? p.src.value() : p.dst.value();
    const signatures::u128 b = p.src.value() < p.dst.value() ? p.dst.value() : p.src.value();
    std::uint64_t h = static_cast<std::uint64_t>(a) * 0x9E3779B97F4A7C15ULL;
    h ^= static_cast<std::uint64_t>(a >> 64) + 0xBF58476D1CE4E5B9ULL + (h << 6) + (h >> 2);
    h ^= static_cast<std::uint64_t>(b) * 0xC2B2AE3D27D4EB4FULL + (h << 6) + (h >> 2);
    h ^= static_cast<std::uint64_t>(b >> 64) + (h << 6) + (h >> 2);
    h ^= (std::uint64_t{p.ip_proto} << 16 | (p.vlan_count ? p.vlan[0] : 0u)) * 0x165667B19E3779F9ULL;
    h ^= h >> 29;
    return static_cast<std::size_t>(h % lanes_);
  }

 private:
  std::size_t lanes_;
  PacketDecoder decoder_;
  DecodedPacket packet_;
};

}  // namespace gsoc::sensor

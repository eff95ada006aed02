#pragma once
// The bidirectional identity of a flow: both endpoints in a canonical order, the transport
// protocol, the VLAN ids and an ESP flow's SPI, so both directions of a connection find the same
// entry. Also the symmetric hash that spreads flows over workers (same value for both directions).

#include <array>
#include <cstdint>
#include <functional>

#include "sensor/decode/DecodedPacket.hpp"

namespace gsoc::sensor {

struct FlowKey {
  signatures::u128 addr_lo = 0;
  signatures::u128 addr_hi = 0;
  std::uint16_t port_lo = 0;
  std::uint16_t port_hi = 0;
  std::uint8_t ip_proto = 0;
  std::array<std::uint16_t, 3> vlan{};  // up to three tags, outermost first (as Suricata tracks)
  std::uint32_t esp_spi = 0;     // ESP flows are told apart by SPI, as in Suricata 8
  std::uint8_t recursion_level = 0;  // tunnel depth: a flow inside a tunnel is not the same flow outside
  bool operator==(const FlowKey&) const = default;

  static FlowKey of(const DecodedPacket& p) {
    FlowKey k;
    k.ip_proto = p.ip_proto;
    for (std::uint8_t i = 0; i < p.vlan_count && i < k.vlan.size(); ++i) k.vlan[i] = p.vlan[i];
    k.esp_spi = p.esp_spi;
    k.recursion_level = p.recursion_level;
    const auto a = p.src.value(), b = p.dst.value();
    if (a < b || (a == b && p.src_port <= p.dst_port)) {
      k.addr_lo = a, k.addr_hi = b, k.port_lo = p.src_port, k.port_hi = p.dst_port;
    } else {
      k.addr_lo = b, k.addr_hi = a, k.port_lo = p.dst_port, k.port_hi = p.src_port;
    }
    return k;
  }

  // Same for both directions by construction; mixes every field.
  [[nodiscard]] std::uint64_t hash() const {
    auto mix = [](std::uint64_t h, std::uint64_t v) {
      h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
      return h * 0xBF58476D1CE4E5B9ULL;
    };
    std::uint64_t h = 0x243F6A8885A308D3ULL;
    h = mix(h, static_cast<std::uint64_t>(addr_lo));
    h = mix(h, static_cast<std::uint64_t>(addr_lo >> 64));
    h = mix(h, static_cast<std::uint64_t>(addr_hi));
    h = mix(h, static_cast<std::uint64_t>(addr_hi >> 64));
    h = mix(h, std::uint64_t{port_lo} << 32 | std::uint64_t{port_hi} << 16 | ip_proto);
    h = mix(h, std::uint64_t{vlan[2]} << 32 | std::uint64_t{vlan[1]} << 16 | vlan[0]);
    h = mix(h, std::uint64_t{recursion_level} << 32 | esp_spi);
    return h ^ (h >> 31);
  }
};

struct FlowKeyHash {
  std::size_t operator()(const FlowKey& k) const { return k.hash(); }
};

}  // namespace gsoc::sensor

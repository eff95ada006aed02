#pragma once
// An IPv4 or IPv6 address as one 128-bit number (IPv4 mapped into ::ffff:0:0/96), so address sets,
// prefix tables and flow keys handle both families with one code path.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace gsoc::signatures {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang builtin; -Wpedantic needs the marker

class IpAddress {
 public:
  constexpr IpAddress() = default;
  static IpAddress fromV4(std::uint32_t host_order) { return IpAddress((u128{0xffff} << 32) | host_order); }
  static IpAddress fromValue(u128 value) { return IpAddress(value); }
  // 4 or 16 network-order bytes, as carried in packets and in gsoc.v1.FiveTuple.
  static std::optional<IpAddress> fromBytes(std::span<const std::uint8_t> bytes);
  static std::optional<IpAddress> parse(std::string_view text);

  [[nodiscard]] constexpr u128 value() const { return value_; }
  [[nodiscard]] bool isV4() const { return (value_ >> 32) == 0xffff; }
  [[nodiscard]] std::uint32_t v4() const { return static_cast<std::uint32_t>(value_); }
  [[nodiscard]] std::string toString() const;
  auto operator<=>(const IpAddress&) const = default;

 private:
  constexpr explicit IpAddress(u128 value) : value_(value) {}
  u128 value_ = 0;
};

// "192.0.2.0/24", "2001:db8::/32" or a bare address. Returns the inclusive range covered.
struct CidrRange {
  IpAddress first;
  IpAddress last;
  unsigned prefix_len = 128;  // in the 128-bit space (IPv4 /24 is 120)
};
std::optional<CidrRange> parseCidr(std::string_view text);

}  // namespace gsoc::signatures

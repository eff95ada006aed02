#include "gsoc/signatures/IpAddress.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace gsoc::signatures {

std::optional<IpAddress> IpAddress::fromBytes(std::span<const std::uint8_t> bytes) {
  if (bytes.size() == 4) {
    return fromV4((std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) | bytes[3]);
  }
  if (bytes.size() == 16) {
    u128 v = 0;
    for (const std::uint8_t b : bytes) v = (v << 8) | b;
    return IpAddress(v);
  }
  return std::nullopt;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (text.find(':') == std::string_view::npos) {
    in_addr a4{};
    if (inet_pton(AF_INET, buf, &a4) != 1) return std::nullopt;
    return fromV4(ntohl(a4.s_addr));
  }
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) != 1) return std::nullopt;
  return fromBytes(std::span<const std::uint8_t>(a6.s6_addr, 16));
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN];
  if (isV4()) {
    in_addr a4{};
    a4.s_addr = htonl(v4());
    inet_ntop(AF_INET, &a4, buf, sizeof buf);
  } else {
    in6_addr a6{};
    u128 v = value_;
    for (int i = 15; i >= 0; --i) {
      a6.s6_addr[i] = static_cast<std::uint8_t>(v & 0xff);
      v >>= 8;
    }
    inet_ntop(AF_INET6, &a6, buf, sizeof buf);
  }
  return buf;
}

std::optional<CidrRange> parseCidr(std::string_view text) {
  const auto slash = text.find('/');
  const auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  const unsigned family_bits = addr->isV4() ? 32 : 128;
  unsigned len = family_bits;
  if (slash != std::string_view::npos) {
    const std::string_view len_text = text.substr(slash + 1);
    const auto [ptr, ec] = std::from_chars(len_text.data(), len_text.data() + len_text.size(), len);
    if (ec != std::errc() || ptr != len_text.data() + len_text.size() || len > family_bits) {
      // Suricata also accepts dotted netmasks: 192.0.2.0/255.255.255.0
      const auto mask = addr->isV4() ? IpAddress::parse(len_text) : std::nullopt;
      if (!mask || !mask->isV4()) return std::nullopt;
      const std::uint32_t m = mask->v4();
      if (m != 0 && (~m & (~m + 1)) != 0) return std::nullopt;  // not contiguous
      len = static_cast<unsigned>(__builtin_popcount(m));
    }
  }
  const unsigned prefix = len + (128 - family_bits);
  const u128 host_mask = prefix == 128 ? u128{0} : (~u128{0} >> prefix);
  CidrRange range;
  range.first = IpAddress::fromValue(addr->value() & ~host_mask);
  range.last = IpAddress::fromValue(addr->value() | host_mask);
  range.prefix_len = prefix;
  return range;
}

}  // namespace gsoc::signatures

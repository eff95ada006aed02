#pragma once
// Community ID v1 flow hashes ("1:base64(sha1(...))"), so gsoc's flow records join with those of
// Zeek, Suricata and other tools that speak the same standard. Every event carries one, so the
// text is returned by value in a fixed buffer (30 characters) and the digest reuses a per-thread
// context: no allocation per event.

#include <array>
#include <cstdint>
#include <string_view>

#include "gsoc/signatures/IpAddress.hpp"

namespace gsoc::sensor {

class CommunityId {
 public:
  [[nodiscard]] std::string_view view() const { return {text_.data(), size_}; }
  friend bool operator==(const CommunityId& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const CommunityId& a, const CommunityId& b) { return a.view() == b.view(); }

 private:
  friend CommunityId communityId(const signatures::IpAddress&, const signatures::IpAddress&, std::uint8_t, std::uint16_t,
                                 std::uint16_t, std::uint16_t);
  std::array<char, 32> text_{};  // "1:" and 28 base64 characters (and the encoder's NUL)
  std::size_t size_ = 0;
};

CommunityId communityId(const signatures::IpAddress& src, const signatures::IpAddress& dst, std::uint8_t ip_proto,
                        std::uint16_t src_port, std::uint16_t dst_port, std::uint16_t seed = 0);

}  // namespace gsoc::sensor

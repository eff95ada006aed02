#pragma once
// An IPv4 or IPv6 address as text, byte for byte as glibc's inet_ntop writes it (IPv6: lower-case
// groups without leading zeros, the first longest run of two or more zero groups as "::", an
// IPv4-compatible or IPv4-mapped address with its last 32 bits dotted). The DNS parser writes
// every A and AAAA answer this way: inet_ntop formats IPv6 groups with sprintf, which was about
// 2 % of the sensor's time on the uplink profile (issue 17).

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace gsoc::sensor {

class AddressText {
 public:
  // `address` is 4 bytes (IPv4) or 16 (IPv6); any other size gives an empty text.
  explicit AddressText(std::span<const std::uint8_t> address) {
    if (address.size() == 4) {
      writeIpv4(address.data());
    } else if (address.size() == 16) {
      writeIpv6(address.data());
    }
  }
  [[nodiscard]] std::string_view view() const { return {text_.data(), size_}; }

 private:
  void put(char c) { text_[size_++] = c; }

  void writeDecimal(unsigned v) {
    if (v >= 100) put(static_cast<char>('0' + v / 100));
    if (v >= 10) put(static_cast<char>('0' + v / 10 % 10));
    put(static_cast<char>('0' + v % 10));
  }

  void writeIpv4(const std::uint8_t* a) {
    for (int i = 0; i < 4; ++i) {
      if (i != 0) put('.');
      writeDecimal(a[i]);
    }
  }

  void writeHex(unsigned v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned d = (v >> shift) & 0xf;
      if (d == 0 && !started && shift != 0) continue;
      started = true;
      put(kDigits[d]);
    }
  }

  void writeIpv6(const std::uint8_t* a) {
    unsigned words[8];
    for (int i = 0; i < 8; ++i) words[i] = static_cast<unsigned>(a[2 * i] << 8 | a[2 * i + 1]);
    // The first longest run of zero groups; a single zero group is not compressed.
    int best_base = -1, best_len = 0, cur_base = -1, cur_len = 0;
    for (int i = 0; i < 8; ++i) {
      if (words[i] == 0) {
        if (cur_base == -1) {
          cur_base = i;
          cur_len = 0;
        }
        ++cur_len;
        continue;
      }
      if (cur_base != -1 && (best_base == -1 || cur_len > best_len)) {
        best_base = cur_base;
        best_len = cur_len;
      }
      cur_base = -1;
    }
    if (cur_base != -1 && (best_base == -1 || cur_len > best_len)) {
      best_base = cur_base;
      best_len = cur_len;
    }
    if (best_base != -1 && best_len < 2) best_base = -1;
    for (int i = 0; i < 8; ++i) {
      if (best_base != -1 && i >= best_base && i < best_base + best_len) {
        if (i == best_base) put(':');
        continue;
      }
      if (i != 0) put(':');
      if (i == 6 && best_base == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
        writeIpv4(a + 12);  // ::a.b.c.d and ::ffff:a.b.c.d
        return;
      }
      writeHex(words[i]);
    }
    if (best_base != -1 && best_base + best_len == 8) put(':');
  }

  std::array<char, 46> text_{};  // INET6_ADDRSTRLEN
  std::size_t size_ = 0;
};

}  // namespace gsoc::sensor

#pragma once
// Test oracles for EVE's text, written apart from the product's own table-driven code: strict
// UTF-8 (RFC 3629: no overlong forms, surrogates or code points past U+10FFFF) decoded code point
// by code point, and what Suricata logs for bytes that are not UTF-8 (ASCII as is, every other
// byte as the text \xNN). Used by tests/sensor/JsonStringTest.cpp and the fuzz targets.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace gsoc::oracle {

inline bool strictUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : -1;
    if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) return false;
    std::uint32_t cp = extra == 0 ? c : c & (0x3fu >> extra);
    for (int k = 1; k <= extra; ++k) {
      const auto d = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

inline std::string suricataText(std::string_view bytes) {
  if (strictUtf8(bytes)) return std::string(bytes);
  std::string out;
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace gsoc::oracle

#include "sensor/export/JsonString.hpp"

#include <cstddef>
#include <cstdint>

namespace gsoc::sensor {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool continuation(unsigned char c) { return (c & 0xc0) == 0x80; }

}  // namespace

bool isValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Unicode's table of well-formed sequences: the second byte's range depends on the lead
    // byte, which is what excludes overlong forms, surrogates and code points past U+10FFFF.
    std::size_t len = 0;
    unsigned char low = 0x80, high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0) low = 0xa0;
      if (c == 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0) low = 0x90;
      if (c == 0xf4) high = 0x8f;
    } else {
      return false;  // 0x80-0xc1 cannot start a sequence; 0xf5-0xff never appear
    }
    if (i + len > n || p[i + 1] < low || p[i + 1] > high) return false;
    for (std::size_t k = 2; k < len; ++k) {
      if (!continuation(p[i + k])) return false;
    }
    i += len;
  }
  return true;
}

void appendJsonString(std::string& out, std::string_view bytes) {
  const bool utf8 = isValidUtf8(bytes);
  out.push_back('"');
  for (const char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      default: break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else if (c >= 0x80 && !utf8) {
      out += "\\\\x";  // the text \xNN, its backslash escaped for JSON
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

}  // namespace gsoc::sensor

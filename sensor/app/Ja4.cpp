#include "sensor/app/Ja4.hpp"

#include <algorithm>
#include <cctype>

#include "gsoc/signatures/Sha256.hpp"

namespace gsoc::sensor {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string hexList(const std::vector<std::uint16_t>& values) {
  std::string out;
  for (const std::uint16_t v : values) {
    if (!out.empty()) out.push_back(',');
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(v >> shift) & 15]);
  }
  return out;
}

std::string sha256Prefix12(const std::string& text) { return signatures::Sha256::hex(text).substr(0, 12); }

std::string versionLabel(std::uint16_t v) {
  switch (v) {
    case 0x0304: return "13";
    case 0x0303: return "12";
    case 0x0302: return "11";
    case 0x0301: return "10";
    case 0x0300: return "s3";
    case 0x0002: return "s2";
    case 0xfeff: return "d1";
    case 0xfefd: return "d2";
    case 0xfefc: return "d3";
    default: return "00";
  }
}

std::string twoDigits(std::size_t n) {
  n = std::min<std::size_t>(n, 99);
  return {static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)};
}

// First and last character of the first ALPN value; of its hex form when either is not
// alphanumeric (binary ALPN values exist).
std::string alpnLabel(const std::string& alpn) {
  if (alpn.empty()) return "00";
  const auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 && static_cast<unsigned char>(c) < 0x80; };
  if (alnum(alpn.front()) && alnum(alpn.back())) return {alpn.front(), alpn.back()};
  const auto first = static_cast<unsigned char>(alpn.front());
  const auto last = static_cast<unsigned char>(alpn.back());
  return {kHex[first >> 4], kHex[last & 15]};
}

}  // namespace

std::string ja4(const ClientHelloFields& hello) {
  std::uint16_t version = hello.version;
  if (!hello.supported_versions.empty()) {
    version = 0;
    for (const std::uint16_t v : hello.supported_versions) {
      // DTLS numbers count down; no DTLS here (transport "t"), so the highest value is the newest.
      version = std::max(version, v);
    }
  }
  std::string out = "t" + versionLabel(version) + (hello.sni ? "d" : "i") + twoDigits(hello.ciphers.size()) +
                    twoDigits(hello.extensions.size()) + alpnLabel(hello.first_alpn);
  std::vector<std::uint16_t> ciphers = hello.ciphers;
  std::sort(ciphers.begin(), ciphers.end());
  out += "_" + (ciphers.empty() ? std::string(12, '0') : sha256Prefix12(hexList(ciphers)));
  std::vector<std::uint16_t> extensions;
  for (const std::uint16_t e : hello.extensions) {
    if (e != 0x0000 && e != 0x0010) extensions.push_back(e);
  }
  std::sort(extensions.begin(), extensions.end());
  std::string c = hexList(extensions);
  if (!hello.signature_algorithms.empty()) c += "_" + hexList(hello.signature_algorithms);
  out += "_" + (hello.extensions.empty() ? std::string(12, '0') : sha256Prefix12(c));
  return out;
}

}  // namespace gsoc::sensor

#include "sensor/app/Ja4.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "gsoc/signatures/Sha256.hpp"

namespace gsoc::sensor {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendHexList(const std::vector<std::uint16_t>& values, std::string& out) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    for (int shift = 12; shift >= 0; shift -= 4) out.push_back(kHex[(values[i] >> shift) & 15]);
  }
}

// The first 12 hex digits of the SHA-256 of scratch.list, appended to `out`.
void appendSha256Prefix12(Ja4Scratch& scratch, std::string& out) {
  scratch.sha256.update(scratch.list);
  scratch.sha256.hexDigestAndRestart(scratch.digest);
  out.append(scratch.digest, 0, 12);
}

std::string_view versionLabel(std::uint16_t v) {
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

void appendTwoDigits(std::size_t n, std::string& out) {
  n = std::min<std::size_t>(n, 99);
  out.push_back(static_cast<char>('0' + n / 10));
  out.push_back(static_cast<char>('0' + n % 10));
}

// First and last character of the first ALPN value; of its hex form when either is not
// alphanumeric (binary ALPN values exist).
void appendAlpnLabel(const std::string& alpn, std::string& out) {
  if (alpn.empty()) {
    out.append("00");
    return;
  }
  const auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 && static_cast<unsigned char>(c) < 0x80; };
  if (alnum(alpn.front()) && alnum(alpn.back())) {
    out.push_back(alpn.front());
    out.push_back(alpn.back());
    return;
  }
  const auto first = static_cast<unsigned char>(alpn.front());
  const auto last = static_cast<unsigned char>(alpn.back());
  out.push_back(kHex[first >> 4]);
  out.push_back(kHex[last & 15]);
}

}  // namespace

void ja4(const ClientHelloFields& hello, Ja4Scratch& scratch, std::string& out) {
  std::uint16_t version = hello.version;
  if (!hello.supported_versions.empty()) {
    version = 0;
    for (const std::uint16_t v : hello.supported_versions) {
      // DTLS numbers count down; no DTLS here (transport "t"), so the highest value is the newest.
      version = std::max(version, v);
    }
  }
  out.assign(hello.quic ? "q" : "t").append(versionLabel(version)).push_back(hello.sni ? 'd' : 'i');
  appendTwoDigits(hello.ciphers.size(), out);
  appendTwoDigits(hello.extensions.size(), out);
  appendAlpnLabel(hello.first_alpn, out);
  std::vector<std::uint16_t>& sorted = scratch.sorted;
  sorted.assign(hello.ciphers.begin(), hello.ciphers.end());
  std::sort(sorted.begin(), sorted.end());
  out.push_back('_');
  if (sorted.empty()) {
    out.append(12, '0');
  } else {
    scratch.list.clear();
    appendHexList(sorted, scratch.list);
    appendSha256Prefix12(scratch, out);
  }
  sorted.clear();
  for (const std::uint16_t e : hello.extensions) {
    if (e != 0x0000 && e != 0x0010) sorted.push_back(e);
  }
  std::sort(sorted.begin(), sorted.end());
  scratch.list.clear();
  appendHexList(sorted, scratch.list);
  // The separator is there even without signature algorithms, as in Suricata (its JA4 of a
  // TLSv1 hello without them, suricata-verify bug-5713-02-ja4); FoxIO's text leaves it out.
  scratch.list.push_back('_');
  appendHexList(hello.signature_algorithms, scratch.list);
  out.push_back('_');
  if (hello.extensions.empty()) out.append(12, '0');
  else appendSha256Prefix12(scratch, out);
}

std::string ja4(const ClientHelloFields& hello) {
  Ja4Scratch scratch;
  std::string out;
  ja4(hello, scratch, out);
  return out;
}

}  // namespace gsoc::sensor

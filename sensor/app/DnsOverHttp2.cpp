#include "sensor/app/DnsOverHttp2.hpp"

#include <cctype>
#include <cstdint>

#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {

namespace {

// Suricata keeps at most this much of a DoH body (its "UDP limit").
constexpr std::uint64_t kMaxDohBytes = 0xFFFF;

int base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

bool isDnsMessageType(const std::string* content_type) {
  if (content_type == nullptr) return false;
  constexpr std::string_view kType = "application/dns-message";
  const std::string_view v = *content_type;
  if (v.size() < kType.size()) return false;
  for (std::size_t i = 0; i < kType.size(); ++i) {
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(v[i]))) != kType[i]) return false;
  }
  return v.size() == kType.size() || v[kType.size()] == ';' || v[kType.size()] == ' ';
}

// The value of the path's "dns" query parameter; empty when there is none.
std::string_view dnsParameter(std::string_view path) {
  const std::size_t query = path.find('?');
  if (query == std::string_view::npos) return {};
  std::string_view rest = path.substr(query + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    if (pair.starts_with("dns=")) return pair.substr(4);
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return {};
}

std::span<const std::uint8_t> bytesOf(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

}  // namespace

bool decodeBase64Url(std::string_view text, std::string& out) {
  out.clear();
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::uint32_t bits = 0;
  int held = 0;
  for (const char c : text) {
    const int v = base64UrlValue(c);
    if (v < 0) return false;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    held += 6;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<char>((bits >> held) & 0xff));
    }
  }
  return text.size() % 4 != 1;
}

DohPayload dohPayload(const HttpMessage& m, std::string& scratch) {
  DohPayload out;
  if (!m.http2) return out;
  if (m.request && m.method == "GET") {
    const std::string_view param = dnsParameter(m.raw_uri);
    if (!param.empty() && decodeBase64Url(param, scratch)) {
      out.kind = DohPayload::Kind::Dns;
      out.bytes = bytesOf(scratch);
    }
    return out;
  }
  if (!isDnsMessageType(m.header("content-type"))) return out;
  if (m.body_wire_bytes >= kMaxDohBytes || m.body.size() >= kMaxDohBytes) {
    out.kind = DohPayload::Kind::TooLong;
    return out;
  }
  if (m.body.empty()) return out;
  out.kind = DohPayload::Kind::Dns;
  out.bytes = bytesOf(m.body);
  return out;
}

}  // namespace gsoc::sensor

#include "sensor/app/SipParser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

bool isAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool isToken(char c) { return std::string_view("!%'*+-._`").find(c) != std::string_view::npos; }
bool isMethodChar(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool isUriChar(char c) { return isAlnum(c) || isToken(c) || std::string_view("~#@:;=?+&$,/").find(c) != std::string_view::npos; }
bool isVersionChar(char c) { return isAlnum(c) || c == '.' || c == '/'; }
bool isReasonChar(char c) {
  return isAlnum(c) || isToken(c) || std::string_view("$&(),/:;=?@[\\]^ ").find(c) != std::string_view::npos ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool isHeaderNameChar(char c) { return isAlnum(c) || isToken(c); }

// The compact header names of RFC 3261 7.3.3 (and RFC 3265, 3903), as Suricata expands them.
std::string_view longName(std::string_view name) {
  if (name.size() != 1) return name;
  switch (std::tolower(static_cast<unsigned char>(name[0]))) {
    case 'i': return "Call-ID";
    case 'm': return "Contact";
    case 'e': return "Content-Encoding";
    case 'l': return "Content-Length";
    case 'c': return "Content-Type";
    case 'f': return "From";
    case 's': return "Subject";
    case 'k': return "Supported";
    case 't': return "To";
    case 'v': return "Via";
    default: return name;
  }
}

// A run of characters of class `is` at `at`; its length.
template <typename Is>
std::size_t run(std::string_view s, std::size_t at, Is is) {
  std::size_t end = at;
  while (end < s.size() && is(s[end])) ++end;
  return end - at;
}

// The line ending at `at`: its length (2 for CRLF, 1 for a bare LF), 0 when there is none,
// npos when the data stops before it can tell.
std::size_t lineEnd(std::string_view s, std::size_t at) {
  if (at >= s.size()) return std::string_view::npos;
  if (s[at] == '\n') return 1;
  if (s[at] != '\r') return 0;
  if (at + 1 >= s.size()) return std::string_view::npos;
  return s[at + 1] == '\n' ? 2 : 0;
}

// A start line's parts, viewing the input.
struct StartLine {
  bool request = false;
  std::string_view method, uri, code, reason, version, line;
};

// The start line; sets `at` past its line ending.
SipParse parseStartLine(std::string_view s, StartLine& out, std::size_t& at) {
  at = 0;
  if (s.starts_with("SIP/")) {
    const std::size_t v = 4 + run(s, 4, isVersionChar);
    if (v == 4 || v >= s.size()) return v >= s.size() ? SipParse::Incomplete : SipParse::Invalid;
    if (s[v] != ' ') return SipParse::Invalid;
    const std::size_t c = run(s, v + 1, [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; });
    if (v + 1 + c >= s.size()) return SipParse::Incomplete;
    if (c != 3 || s[v + 1 + c] != ' ') return SipParse::Invalid;
    const std::size_t r = v + 5 + run(s, v + 5, isReasonChar);
    const std::size_t eol = lineEnd(s, r);
    if (eol == std::string_view::npos) return SipParse::Incomplete;
    if (eol == 0) return SipParse::Invalid;
    out = {false, {}, {}, s.substr(v + 1, 3), s.substr(v + 5, r - v - 5), s.substr(0, v), s.substr(0, r)};
    at = r + eol;
    return SipParse::Ok;
  }
  const std::size_t m = run(s, 0, isMethodChar);
  if (m >= s.size()) return SipParse::Incomplete;
  if (m == 0 || s[m] != ' ') return SipParse::Invalid;
  const std::size_t u = m + 1 + run(s, m + 1, isUriChar);
  if (u >= s.size()) return SipParse::Incomplete;
  if (u == m + 1 || s[u] != ' ') return SipParse::Invalid;
  const std::string_view version = s.substr(u + 1);
  if (version.size() < 4) return std::string_view("SIP/").starts_with(version) ? SipParse::Incomplete : SipParse::Invalid;
  if (!version.starts_with("SIP/")) return SipParse::Invalid;
  const std::size_t v = u + 5 + run(s, u + 5, isVersionChar);
  const std::size_t eol = lineEnd(s, v);
  if (eol == std::string_view::npos) return SipParse::Incomplete;
  if (eol == 0 || v == u + 5) return SipParse::Invalid;
  out = {true, s.substr(0, m), s.substr(m + 1, u - m - 1), {}, {}, s.substr(u + 1, v - u - 1), s.substr(0, v)};
  at = v + eol;
  return SipParse::Ok;
}

// One header's value from `at` (after the colon and its blanks) up to a line ending not followed
// by a blank (a folded value continues); trailing blanks dropped, folds joined by their blanks.
SipParse parseValue(std::string_view s, std::size_t& at, std::string& value) {
  value.clear();
  for (;;) {
    const std::size_t nl = s.find('\n', at);
    if (nl == std::string_view::npos || nl + 1 >= s.size()) return SipParse::Incomplete;
    std::size_t end = nl;
    if (end > at && s[end - 1] == '\r') --end;
    std::string_view part = s.substr(at, end - at);
    for (const char c : part) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return SipParse::Invalid;
    }
    value.append(part);
    at = nl + 1;
    if (s[at] != ' ' && s[at] != '\t') break;
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  return SipParse::Ok;
}

}  // namespace

bool SipMessage::equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

SipParse parseSipHead(std::string_view s, SipMessage& out, std::size_t& header_bytes) {
  out.headers.clear();
  out.body = {};
  out.has_sdp = false;
  std::size_t at = 0;
  StartLine start;
  if (const SipParse r = parseStartLine(s, start, at); r != SipParse::Ok) return r;
  out.request = start.request;
  out.method.assign(start.method);
  out.uri.assign(start.uri);
  out.code.assign(start.code);
  out.reason.assign(start.reason);
  out.version.assign(start.version);
  out.line.assign(start.line);
  for (;;) {
    const std::size_t eol = lineEnd(s, at);
    if (eol == std::string_view::npos) return SipParse::Incomplete;
    if (eol != 0) {
      header_bytes = at + eol;
      return SipParse::Ok;
    }
    const std::size_t n = run(s, at, isHeaderNameChar);
    std::size_t colon = at + n;
    while (colon < s.size() && (s[colon] == ' ' || s[colon] == '\t')) ++colon;
    if (colon >= s.size()) return SipParse::Incomplete;
    if (n == 0 || s[colon] != ':') return SipParse::Invalid;
    SipHeader& h = out.headers.next();
    h.name.assign(longName(s.substr(at, n)));
    at = colon + 1;
    while (at < s.size() && (s[at] == ' ' || s[at] == '\t')) ++at;
    if (const SipParse r = parseValue(s, at, h.value); r != SipParse::Ok) return r;
  }
}

bool looksLikeSip(std::span<const std::uint8_t> data) {
  const std::string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  if (s.starts_with("SIP/2.0 ")) return true;
  StartLine probe;  // views only: nothing allocated while a flow is being identified
  std::size_t at = 0;
  return parseStartLine(s.substr(0, std::min<std::size_t>(s.size(), 1024)), probe, at) == SipParse::Ok && probe.request;
}

void SipState::finish(FlowDirection dir, std::string_view body, const MessageSink& sink) {
  message_.tx_id = next_tx_id_++;
  message_.body = body;
  message_.has_sdp = false;
  if (!body.empty()) {
    bool sdp = false;
    message_.forEach("Content-Type", [&](std::string_view v) { sdp = sdp || v.starts_with("application/sdp"); });
    message_.has_sdp = sdp && parseSdp(body, message_.sdp);
  }
  sink(dir, message_);
}

void SipState::datagram(FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink) {
  const std::string_view s(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t head = 0;
  // As Suricata's: the client's datagrams are parsed as requests, the server's as responses.
  if (parseSipHead(s, message_, head) != SipParse::Ok || message_.request != (dir == FlowDirection::ToServer)) {
    ++errors_;
    return;
  }
  finish(dir, s.substr(head), sink);
}

void SipState::feed(FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink) {
  std::string& pending = pending_[dir == FlowDirection::ToServer ? 0 : 1];
  pending.append(reinterpret_cast<const char*>(data.data()), data.size());
  std::size_t done = 0;
  while (done < pending.size()) {
    const std::string_view s = std::string_view(pending).substr(done);
    std::size_t head = 0;
    const SipParse r = parseSipHead(s, message_, head);
    if (r == SipParse::Incomplete) {
      if (s.size() > kMaxMessageBytes) {  // a head that never ends
        ++errors_;
        done = pending.size();
      }
      break;
    }
    if (r == SipParse::Invalid) {  // not SIP: the side's bytes are dropped, as Suricata gives up
      ++errors_;
      done = pending.size();
      break;
    }
    std::size_t body = 0;
    bool bad_length = false;
    message_.forEach("Content-Length", [&](std::string_view v) {
      std::size_t n = 0;
      const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n > kMaxMessageBytes) bad_length = true;
      else body = n;
    });
    if (bad_length) {
      ++errors_;
      done = pending.size();
      break;
    }
    if (s.size() < head + body) break;  // the body is still coming
    finish(dir, s.substr(head, body), sink);
    done += head + body;
  }
  pending.erase(0, done);
}

void SipState::reset() {
  for (std::string& p : pending_) p.clear();
  message_.headers.clear();
  message_.body = {};
  message_.has_sdp = false;
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor

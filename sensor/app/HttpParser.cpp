#include "sensor/app/HttpParser.hpp"

#include <brotli/decode.h>
#include <zlib.h>

#include "common/AsciiCase.hpp"
#include "sensor/app/Http2Frames.hpp"
#include "sensor/app/Http2Parser.hpp"
#include "sensor/app/HttpMessagePool.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <memory>

namespace gsoc::sensor {

using signatures::BufferId;
using signatures::FlowDirection;
using signatures::AnomalyEvent;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) { return asciiEqualsNoCase(a, b); }

bool containsNoCase(std::string_view haystack, std::string_view needle) {
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// libhtp's treat_response_line_as_body: a line that does not start (after blanks or NULs) with
// "http", in any case, is no response line.
bool looksLikeBody(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\0' || line[i] == '\r' || line[i] == '\n' ||
                             line[i] == '\v' || line[i] == '\f')) {
    ++i;
  }
  return !iequals(line.substr(i, 4), "http");
}

// The length of the head at the start of `bytes`, up to and with the empty line that ends it
// (CRLF or a bare LF, in any mix, as browsers and libhtp read them), or npos.
std::size_t headLength(std::string_view bytes) {
  for (std::size_t eol = bytes.find('\n'); eol != std::string_view::npos; eol = bytes.find('\n', eol + 1)) {
    std::size_t next = eol + 1;
    if (next < bytes.size() && bytes[next] == '\r') ++next;
    if (next < bytes.size() && bytes[next] == '\n') return next + 1;
  }
  return std::string_view::npos;
}

// Whether held response bytes start with a status line ("http" after blanks, in any case): 1
// yes, 0 no, -1 too few bytes yet to tell.
int startsStatusLine(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size() && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\r' || bytes[i] == '\n')) ++i;
  if (bytes.size() - i < 4) return -1;
  return looksLikeBody(bytes.substr(i)) ? 0 : 1;
}

// The length of an HTTP/0.9 request at the start of `bytes` (a request line with a method and a
// URI but no protocol, ended by a line feed), or npos. As Suricata 8, lines that follow it with
// a header field among them ("name:" before a blank line) make it a request with a missing
// protocol instead, whose headers are parsed as usual.
std::size_t http09RequestLength(std::string_view bytes) {
  const std::size_t eol = bytes.find('\n');
  if (eol == std::string_view::npos) return std::string_view::npos;
  std::string_view line = bytes.substr(0, eol);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  const std::size_t first = line.find(' ');
  const std::size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == 0 || first + 1 >= line.size()) return std::string_view::npos;
  if (last > first && line.substr(last + 1).starts_with("HTTP/")) return std::string_view::npos;
  std::string_view rest = bytes.substr(eol + 1);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view next = rest.substr(0, end);
    if (!next.empty() && next.back() == '\r') next.remove_suffix(1);
    if (next.empty()) break;
    if (next.find(':') != std::string_view::npos) return std::string_view::npos;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  return eol + 1;
}

// libhtp's request_finalize: the line after a complete request starts the next request when its
// first word (after blanks) is a method libhtp knows; a blank line or any other word is more of
// this request's body. Returns whether the line is body, and sets `unexpected` for a word.
bool requestLineIsBody(std::string_view line, bool& unexpected) {
  static constexpr std::array<std::string_view, 28> kMethods = {
      "GET", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "PROPFIND", "PROPPATCH",
      "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN",
      "UPDATE", "LABEL", "REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE", "INVALID", "HEAD"};
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  std::size_t i = 0;
  while (i < line.size() && space(line[i])) ++i;
  std::size_t end = i;
  while (end < line.size() && !space(line[end])) ++end;
  const std::string_view word = line.substr(i, end - i);
  unexpected = false;
  if (word.empty()) return true;
  if (std::find(kMethods.begin(), kMethods.end(), word) != kMethods.end()) return false;
  unexpected = true;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), asciiLower);
  return out;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string normalizeHttpUri(std::string_view raw) {
  std::string out;
  normalizeHttpUri(raw, out);
  return out;
}

void normalizeHttpUri(std::string_view raw, std::string& out) {
  out.clear();
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      const int hi = hexValue(raw[i + 1]);
      const int lo = hexValue(raw[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(raw[i]);
  }
}

namespace {

HttpAuthority parseAuthority(std::string_view a) {
  HttpAuthority out;
  if (const std::size_t at = a.rfind('@'); at != std::string_view::npos) a.remove_prefix(at + 1);  // userinfo
  std::string_view port;
  if (a.starts_with('[')) {
    const std::size_t close = a.find(']');
    out.host = a.substr(0, close == std::string_view::npos ? a.size() : close + 1);
    if (close != std::string_view::npos && a.substr(close + 1).starts_with(':')) port = a.substr(close + 2);
  } else {
    const std::size_t colon = a.find(':');
    out.host = a.substr(0, colon);
    if (colon != std::string_view::npos) port = a.substr(colon + 1);
  }
  while (!out.host.empty() && out.host.back() == '.') out.host.remove_suffix(1);
  port = trim(port);
  unsigned value = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (!port.empty() && ec == std::errc() && ptr == port.data() + port.size() && value >= 1 && value <= 65535) {
    out.port = static_cast<int>(value);
  }
  return out;
}

}  // namespace

HttpAuthority httpRequestAuthority(const HttpMessage& request) {
  std::string_view uri = request.raw_uri;
  if (request.method == "CONNECT") return parseAuthority(trim(uri));
  // An absolute URI: scheme "://" authority [path]
  const std::size_t scheme_end = uri.find("://");
  if (scheme_end != std::string_view::npos && scheme_end > 0 &&
      std::all_of(uri.begin(), uri.begin() + static_cast<std::ptrdiff_t>(scheme_end),
                  [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'; })) {
    uri.remove_prefix(scheme_end + 3);
    return parseAuthority(uri.substr(0, uri.find_first_of("/?#")));
  }
  if (const std::string* host = request.hostHeader()) return parseAuthority(trim(*host));
  return {};
}

bool parseHttpContentRange(std::string_view value, HttpContentRange& out) {
  out = {};
  std::string_view v = trim(value);
  if (!iequals(v.substr(0, 5), "bytes")) return false;
  v = trim(v.substr(5));
  const auto number = [](std::string_view text, std::int64_t& n) {
    text = trim(text);
    if (text == "*") return true;  // stays -1
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    return !text.empty() && ec == std::errc() && ptr == text.data() + text.size() && n >= 0;
  };
  const std::size_t slash = v.find('/');
  if (slash == std::string_view::npos || !number(v.substr(slash + 1), out.size)) return false;
  const std::string_view range = trim(v.substr(0, slash));
  if (range == "*") return true;
  const std::size_t dash = range.find('-');
  return dash != std::string_view::npos && number(range.substr(0, dash), out.start) && number(range.substr(dash + 1), out.end) &&
         out.start >= 0 && out.end >= out.start;
}

int httpStatusNumber(std::string_view status_code) {
  const std::string_view digits = trim(status_code);
  if (digits.size() != 3 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return 0;
  const int value = (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
  return value >= 100 ? value : 0;
}

namespace {

bool inflateBody(const std::string& in, bool gzip, std::string& out, std::size_t cap) {
  z_stream zs{};
  // "deflate" is meant as a zlib stream, but servers send raw deflate too (libhtp takes both):
  // without a zlib header (CM 8, header checksum) the bytes are read as raw deflate.
  const bool zlib_header = in.size() >= 2 && (static_cast<unsigned char>(in[0]) & 0x0f) == 8 &&
                           ((static_cast<unsigned>(static_cast<unsigned char>(in[0])) << 8) | static_cast<unsigned char>(in[1])) % 31 == 0;
  const int window_bits = gzip ? 16 + MAX_WBITS : zlib_header ? MAX_WBITS : -MAX_WBITS;
  if (inflateInit2(&zs, window_bits) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buffer[16384];
  int rc = Z_OK;
  while (rc == Z_OK && out.size() < cap) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof buffer;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buffer, sizeof buffer - zs.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    if (zs.avail_in == 0 && rc == Z_OK && zs.avail_out != 0) break;
  }
  // A wrong CRC-32 or length in the gzip trailer (or Adler-32 after a zlib stream) comes after
  // the whole content has been inflated; browsers do not check it, so the content is kept.
  const bool trailer_only = rc == Z_DATA_ERROR && zs.msg != nullptr &&
                            (std::string_view(zs.msg) == "incorrect data check" || std::string_view(zs.msg) == "incorrect length check");
  inflateEnd(&zs);
  if (out.size() > cap) out.resize(cap);
  return rc == Z_OK || rc == Z_STREAM_END || trailer_only;
}

// Brotli (RFC 7932, Content-Encoding "br"), as browsers and Suricata 8 decode it; at most `cap`
// bytes out, a stream cut short keeps what it decoded.
bool decodeBrotli(const std::string& in, std::string& out, std::size_t cap) {
  const std::unique_ptr<BrotliDecoderState, decltype(&BrotliDecoderDestroyInstance)> state(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr), &BrotliDecoderDestroyInstance);
  if (!state) return false;
  const auto* next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  std::size_t avail_in = in.size();
  std::uint8_t buffer[16384];
  BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT && out.size() < cap) {
    std::uint8_t* next_out = buffer;
    std::size_t avail_out = sizeof buffer;
    rc = BrotliDecoderDecompressStream(state.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.append(reinterpret_cast<const char*>(buffer), sizeof buffer - avail_out);
  }
  if (out.size() > cap) out.resize(cap);
  return rc != BROTLI_DECODER_RESULT_ERROR && !out.empty();
}

}  // namespace

HttpContentCodings httpContentCodings(std::string_view encoding) {
  using Coding = HttpContentCodings::Coding;
  HttpContentCodings out;
  // libhtp's fast path: the whole value names one coding.
  if (iequals(encoding, "gzip") || iequals(encoding, "x-gzip")) {
    out.codings[out.count++] = Coding::Gzip;
    return out;
  }
  if (iequals(encoding, "deflate") || iequals(encoding, "x-deflate")) {
    out.codings[out.count++] = Coding::Deflate;
    return out;
  }
  if (iequals(encoding, "br")) {
    out.codings[out.count++] = Coding::Brotli;
    return out;
  }
  // A list ("identity, gzip"), split at commas and spaces: a token naming gzip or deflate
  // anywhere is that coding, anything else none. Past libhtp's layer limit the event is raised;
  // past the decode limit the rest stays encoded.
  std::size_t layers = 0;
  while (!encoding.empty()) {
    const std::size_t end = encoding.find_first_of(", ");
    const std::string_view token = encoding.substr(0, end);
    encoding = end == std::string_view::npos ? std::string_view() : encoding.substr(end + 1);
    if (token.empty()) continue;
    if (++layers > HttpContentCodings::kLayerLimit) out.too_many_layers = true;
    if (layers > HttpContentCodings::kDecodeLimit) break;
    if (containsNoCase(token, "gzip")) out.codings[out.count++] = Coding::Gzip;
    else if (containsNoCase(token, "deflate")) out.codings[out.count++] = Coding::Deflate;
    else if (iequals(token, "br")) out.codings[out.count++] = Coding::Brotli;
  }
  return out;
}

bool decodeHttpBody(std::string& body, std::string_view encoding) {
  const HttpContentCodings codings = httpContentCodings(encoding);
  // The coding applied last comes off first.
  for (std::size_t i = codings.count; i-- > 0;) {
    std::string decoded;
    constexpr std::size_t kCap = HttpState::kMaxBodyBytes * 4;
    const HttpContentCodings::Coding coding = codings.codings[i];
    const bool ok = coding == HttpContentCodings::Coding::Brotli
                        ? decodeBrotli(body, decoded, kCap)
                        : inflateBody(body, coding == HttpContentCodings::Coding::Gzip, decoded, kCap);
    if (!ok) return false;
    body.swap(decoded);
  }
  return true;
}

HttpState::HttpState(HttpMessagePool* messages) : messages_(messages) {}
HttpState::~HttpState() = default;

std::uint64_t HttpState::errors() const { return errors_ + (h2_ ? h2_->errors() : 0); }

const std::string* HttpMessage::hostHeader() const {
  if (http2) {  // HTTP/2 names the host in :authority
    if (const std::string* authority = header(":authority")) return authority;
  }
  return header("Host");
}

const std::string* HttpMessage::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (iequals(n, name)) return &v;
  }
  return nullptr;
}

void HttpMessage::clear() {
  request = true;
  for (std::string* s : {&method, &uri, &raw_uri, &protocol, &start_line, &status_code, &status_message, &raw_headers, &body}) {
    if (s->capacity() > kKeepBytes) std::string().swap(*s);
    else s->clear();
  }
  headers.clear();
  body_length = 0;
  body_wire_bytes = 0;
  body_truncated = false;
  body_gaps = false;
  tx_id = 0;
  stream_id = 0;
  http2 = false;
  frames = nullptr;
}

HttpMessage HttpMessage::summary(bool all_headers) const {
  HttpMessage s;
  s.request = request;
  s.method = method;
  s.raw_uri = raw_uri;
  s.protocol = protocol;
  if (all_headers) {
    s.headers = headers;
  } else {
    for (const char* name : {":authority", "Host", "User-Agent", "Referer", "X-Forwarded-For"}) {
      if (const std::string* value = header(name)) s.headers.emplace_back(name, *value);
    }
  }
  s.body_length = body_length;
  s.body_wire_bytes = body_wire_bytes;
  s.body_truncated = body_truncated;
  s.body_gaps = body_gaps;
  s.tx_id = tx_id;
  s.stream_id = stream_id;
  s.http2 = http2;
  return s;
}

void HttpState::feed(FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink) {
  if (h2_) return h2_->feed(dir, data, sink);
  Side& side = sides_[dir == FlowDirection::ToServer ? 0 : 1];
  if (dir == FlowDirection::ToServer && !client_started_) {
    // The client's first bytes decide between HTTP/1.x and HTTP/2 (prior knowledge).
    const std::string_view preface = Http2Connection::kPreface;
    const std::string_view held = std::string_view(side.pending).substr(0, preface.size());
    const std::string_view more(reinterpret_cast<const char*>(data.data()), std::min(data.size(), preface.size() - held.size()));
    const std::size_t n = held.size() + more.size();
    if (preface.substr(0, held.size()) != held || preface.substr(held.size(), more.size()) != more) {
      client_started_ = true;
    } else if (n < preface.size()) {
      side.pending.append(reinterpret_cast<const char*>(data.data()), data.size());  // wait for the rest
      return;
    } else {
      std::string client = std::move(side.pending);
      client.append(reinterpret_cast<const char*>(data.data()), data.size());
      // The server's bytes so far were held unparsed (no HTTP/1 head in them): they are frames.
      std::string server = std::move(sides_[1].pending);
      sides_[0] = Side{};
      sides_[1] = Side{};
      h2_ = std::make_unique<Http2Connection>(events);
      auto bytes = [](const std::string& s) { return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
      h2_->feed(FlowDirection::ToServer, bytes(client), sink);
      h2_->feed(FlowDirection::ToClient, bytes(server), sink);
      return;
    }
  }
  if (side.phase == Phase::Broken) return;
  const std::string_view arrived(reinterpret_cast<const char*>(data.data()), data.size());
  if (messages_ != nullptr) {
    messages_->buffers().lend(side.pending);
    messages_->buffers().append(side.pending, arrived);  // grows through the pool's classes
  } else {
    side.pending.append(arrived);
  }
  pump(side, dir, sink);
  if (messages_ != nullptr) messages_->buffers().keep(side.pending);  // between messages a side holds no buffer
}

void HttpState::close(FlowDirection dir, const MessageSink& sink) {
  if (h2_) return h2_->close(dir, sink);
  Side& side = sides_[dir == FlowDirection::ToServer ? 0 : 1];
  if (!side.message && side.phase == Phase::StartLine && (dir == FlowDirection::ToClient || client_started_)) {
    // A head cut short by the end of the connection: libhtp has parsed its start line (and the
    // header lines that ended) into a transaction, and Suricata inspects every transaction at
    // the end of the stream whatever its progress, so http.uri, http.method... match on it.
    std::size_t skip = 0;
    while (skip < side.pending.size() && (side.pending[skip] == '\r' || side.pending[skip] == '\n')) ++skip;
    // A last line without its end is taken as it is (libhtp parses what it holds at the close).
    if (skip >= side.pending.size()) return;
    startMessage(side);
    side.message->request = dir == FlowDirection::ToServer;
    side.message->raw_headers.assign(side.pending, skip);
    side.pending.clear();
    // Anomalies that need the whole head (a missing Host, the body's framing) say nothing here.
    const signatures::EventSet events_before = events;
    const std::uint64_t errors_before = errors_;
    parseHead(side, side.message->request);
    events = events_before;
    errors_ = errors_before;
    if (side.phase == Phase::Broken) {
      endMessage(side);
      return;
    }
    finish(side, dir, sink);
    return;
  }
  if (!side.message) return;
  if (side.phase == Phase::Finalize) {
    // What is held is a last line without its end: more of the body unless it looks like a
    // response line.
    bool unexpected = false;
    const bool body = side.message->request ? requestLineIsBody(side.pending, unexpected) : looksLikeBody(side.pending);
    if (!side.pending.empty() && body) {
      if (unexpected) events.set(AnomalyEvent::HttpRequestBodyUnexpected);
      appendBody(side, side.pending);
    }
    side.pending.clear();
    finish(side, dir, sink);
    return;
  }
  // A head whose body was still to come is a transaction too: Suricata inspects it at the end of
  // the stream (its headers, http.uri...), whatever its progress.
  if (side.phase == Phase::UntilClose || side.phase == Phase::Body || side.phase == Phase::Chunked) {
    side.message->body_truncated = side.phase != Phase::UntilClose;
    finish(side, dir, sink);
  }
}

void HttpState::pump(Side& side, FlowDirection dir, const MessageSink& sink) {
  const bool request = dir == FlowDirection::ToServer;
  for (;;) {
    switch (side.phase) {
      case Phase::Broken:
        side.pending.clear();
        return;
      case Phase::StartLine: {
        std::size_t skip = 0;
        while (skip < side.pending.size() && (side.pending[skip] == '\r' || side.pending[skip] == '\n')) ++skip;
        side.pending.erase(0, skip);
        if (!request && http09_answer_ && !side.any_message) {
          // The answer to an HTTP/0.9 request: no status line, no headers, the bytes until the
          // close are the body (libhtp and browsers read it so), unless it has a status line.
          const int status_line = startsStatusLine(side.pending);
          if (status_line < 0) return;  // too few bytes to tell
          if (status_line == 0) {
            startMessage(side);
            side.message->request = false;
            side.phase = Phase::UntilClose;
            continue;
          }
        }
        // An HTTP/0.9 request is its request line alone.
        const std::size_t simple_request = request ? http09RequestLength(side.pending) : std::string::npos;
        std::size_t head_len = simple_request;
        if (head_len != std::string::npos) {
          http09_answer_ = true;
        } else if ((head_len = headLength(side.pending)) == std::string::npos) {
          if (side.pending.size() > kMaxHeaderBytes) {
            ++errors_;
            side.phase = Phase::Broken;
          }
          return;
        }
        startMessage(side);
        side.message->request = request;
        side.message->raw_headers.assign(side.pending, 0, head_len);
        side.pending.erase(0, head_len);
        parseHead(side, request);
        if (side.phase == Phase::Broken) return;
        if (side.phase == Phase::StartLine) {  // no body
          // (The answer to a CONNECT ends with its head: what follows a 2xx is the tunnel's.)
          // A request, too, is complete only once the next line is known not to be its body.
          if (request ? side.message->method != "CONNECT" : !connect_waiting_ && !side.message->status_code.starts_with('1')) {
            side.phase = Phase::Finalize;
          }
          else finish(side, dir, sink);
        }
        continue;
      }
      case Phase::Body: {
        const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(side.pending.size(), side.body_left));
        appendBody(side, std::string_view(side.pending).substr(0, take));
        side.pending.erase(0, take);
        side.body_left -= take;
        if (side.body_left > 0) return;
        side.phase = Phase::Finalize;
        continue;
      }
      case Phase::Finalize: {
        if (side.pending.empty()) {
          finish(side, dir, sink);
          return;
        }
        const std::size_t eol = side.pending.find('\n');
        if (eol == std::string::npos) {
          if (side.pending.size() > kMaxHeaderBytes) {
            ++errors_;
            side.phase = Phase::Broken;
          }
          return;  // the line decides: wait for its end
        }
        const std::string_view line = std::string_view(side.pending).substr(0, eol + 1);
        bool unexpected = false;
        if (request ? !requestLineIsBody(line, unexpected) : !looksLikeBody(line)) {
          finish(side, dir, sink);
          continue;
        }
        if (unexpected) events.set(AnomalyEvent::HttpRequestBodyUnexpected);
        appendBody(side, line);
        side.pending.erase(0, eol + 1);
        continue;
      }
      case Phase::Chunked: {
        if (side.chunk_left > 0) {
          const std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(side.pending.size(), side.chunk_left));
          appendBody(side, std::string_view(side.pending).substr(0, take));
          side.pending.erase(0, take);
          side.chunk_left -= take;
          if (side.chunk_left > 0) return;
          side.chunk_left = 0;
          side.body_left = 2;  // the CRLF after the chunk data
        }
        if (side.body_left > 0) {
          while (side.body_left > 0 && !side.pending.empty() && (side.pending[0] == '\r' || side.pending[0] == '\n')) {
            const bool lf = side.pending[0] == '\n';
            side.pending.erase(0, 1);
            side.body_left = lf ? 0 : side.body_left - 1;
          }
          if (side.body_left > 0 && side.pending.empty()) return;
          side.body_left = 0;
        }
        const std::size_t eol = side.pending.find('\n');
        if (eol == std::string::npos) {
          if (side.pending.size() > 1024) {
            ++errors_;
            side.phase = Phase::Broken;
          }
          return;
        }
        const std::string_view line = trim(std::string_view(side.pending).substr(0, eol));
        if (side.chunk_trailer) {
          const bool end = line.empty();
          side.pending.erase(0, eol + 1);
          if (end) side.phase = Phase::Finalize;
          continue;
        }
        const std::string_view size_text = trim(line.substr(0, line.find(';')));
        std::uint64_t size = 0;
        const auto [ptr, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        if (ec != std::errc() || ptr != size_text.data() + size_text.size()) {
          ++errors_;
          events.set(side.message->request ? AnomalyEvent::HttpInvalidRequestChunkLen : AnomalyEvent::HttpInvalidResponseChunkLen);
          side.phase = Phase::Broken;
          return;
        }
        // libhtp notes a request's chunk extension (";name=value" after the size).
        if (request && line.find(';') != std::string_view::npos) events.set(AnomalyEvent::HttpRequestChunkExtension);
        side.pending.erase(0, eol + 1);
        if (size == 0) side.chunk_trailer = true;
        else side.chunk_left = size;
        continue;
      }
      case Phase::UntilClose:
        appendBody(side, side.pending);
        side.pending.clear();
        return;
      case Phase::Tunnel:
        if (side.pending.size() > kMaxHeaderBytes) {  // an answer that never comes: stop holding
          ++errors_;
          side.phase = Phase::Broken;
          side.pending.clear();
        }
        return;
    }
  }
}

void HttpState::parseHead(Side& side, bool request) {
  HttpMessage& m = *side.message;
  std::string_view head = m.raw_headers;
  auto nextLine = [&head]() {
    const std::size_t eol = head.find('\n');
    std::string_view line = head.substr(0, eol);
    head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
  };
  const std::string_view start = nextLine();
  m.start_line.assign(start);
  // raw_headers keeps the head without its start line; the views below point into it until then.
  const auto start_bytes = static_cast<std::size_t>(head.empty() ? m.raw_headers.size() : head.data() - m.raw_headers.data());
  if (request) {
    const std::size_t first = start.find(' ');
    const std::size_t last = start.rfind(' ');
    if (first == std::string_view::npos || first == 0) {
      ++errors_;
      events.set(first == 0 ? AnomalyEvent::HttpRequestLineLeadingWhitespace : AnomalyEvent::HttpRequestLineInvalid);
      side.phase = Phase::Broken;
      return;
    }
    m.method.assign(start.substr(0, first));
    if (last > first && start.substr(last + 1).starts_with("HTTP/")) {
      m.protocol.assign(start.substr(last + 1));
      m.raw_uri.assign(trim(start.substr(first + 1, last - first - 1)));
    } else {
      m.raw_uri.assign(trim(start.substr(first + 1)));  // HTTP/0.9 style
      events.set(AnomalyEvent::HttpRequestLineMissingProtocol);
    }
    normalizeHttpUri(m.raw_uri, m.uri);
  } else {
    if (!iequals(start.substr(0, 5), "HTTP/")) {  // browsers take "http/1.1" too
      ++errors_;
      events.set(AnomalyEvent::HttpResponseInvalidProtocol);
      side.phase = Phase::Broken;
      return;
    }
    const std::size_t sp1 = start.find(' ');
    m.protocol.assign(start.substr(0, sp1));
    if (sp1 != std::string_view::npos) {
      const std::string_view rest = start.substr(sp1 + 1);
      const std::size_t sp2 = rest.find(' ');
      m.status_code.assign(rest.substr(0, sp2));
      if (sp2 != std::string_view::npos) m.status_message.assign(rest.substr(sp2 + 1));
    }
  }
  while (!head.empty()) {
    const std::string_view line = nextLine();
    if (line.empty()) break;
    if ((line.front() == ' ' || line.front() == '\t') && !m.headers.empty()) {  // obsolete line folding
      m.headers.back().second.append(" ").append(trim(line));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      ++errors_;
      events.set(request ? AnomalyEvent::HttpRequestFieldMissingColon : AnomalyEvent::HttpResponseFieldMissingColon);
      continue;
    }
    m.headers.emplace_back(trim(line.substr(0, colon)), trim(line.substr(colon + 1)));
  }
  m.raw_headers.erase(0, start_bytes);

  // Framing of the body.
  const std::string* te = m.header("Transfer-Encoding");
  const std::string* cl = m.header("Content-Length");
  const std::string* ce = m.header("Content-Encoding");
  if (request && m.protocol == "HTTP/1.1" && m.header("Host") == nullptr) events.set(AnomalyEvent::HttpMissingHostHeader);
  if (cl != nullptr) {
    const auto lengths = std::count_if(m.headers.begin(), m.headers.end(), [](const auto& h) { return iequals(h.first, "Content-Length"); });
    if (lengths > 1) {
      events.set(request ? AnomalyEvent::HttpDuplicateContentLengthInRequest : AnomalyEvent::HttpDuplicateContentLengthInResponse);
    }
  }
  // Repeated Content-Encoding fields are one list (RFC 9110 5.3), as browsers and libhtp join
  // them: "deflate" then "gzip" is gzip over deflate.
  side.encoding.clear();
  for (const auto& [name, value] : m.headers) {
    if (!iequals(name, "Content-Encoding")) continue;
    if (!side.encoding.empty()) side.encoding.append(", ");
    side.encoding.append(value);
  }
  if (ce != nullptr && httpContentCodings(side.encoding).too_many_layers) events.set(AnomalyEvent::HttpTooManyEncodingLayers);
  side.chunk_left = 0;
  side.chunk_trailer = false;
  side.body_left = 0;
  const int status = m.status_code.empty() ? 0 : std::atoi(m.status_code.c_str());
  const bool no_body = !request && ((status >= 100 && status < 200) || status == 204 || status == 304 ||
                                    (connect_waiting_ && status >= 200 && status < 300) || answersHead());
  if (no_body) {
    side.phase = Phase::StartLine;
  } else if (te && lower(*te).find("chunked") != std::string::npos) {
    side.phase = Phase::Chunked;
  } else if (cl) {
    std::uint64_t length = 0;
    const std::string_view t = trim(*cl);
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), length);
    if (ec != std::errc() || ptr != t.data() + t.size()) {
      ++errors_;
      events.set(request ? AnomalyEvent::HttpInvalidContentLengthInRequest : AnomalyEvent::HttpInvalidContentLengthInResponse);
    }
    side.body_left = length;
    side.phase = length > 0 ? Phase::Body : Phase::StartLine;
  } else {
    side.phase = request ? Phase::StartLine : Phase::UntilClose;
  }
}

void HttpState::gap(FlowDirection dir, std::uint64_t length, const MessageSink& sink) {
  if (h2_ || length == 0) return;
  Side& side = sides_[dir == FlowDirection::ToServer ? 0 : 1];
  switch (side.phase) {
    case Phase::Broken:
      return;
    case Phase::Body: {
      // The body is parsed up to the hole first (pump leaves nothing it could take).
      const std::uint64_t take = std::min(length, side.body_left);
      side.message->body_gaps = true;
      side.message->body_truncated = true;
      side.message->body_wire_bytes += take;
      side.body_left -= take;
      if (side.body_left == 0) finish(side, dir, sink);  // a gap in Finalize completes the message
      return;
    }
    case Phase::UntilClose:
      side.message->body_gaps = true;
      side.message->body_truncated = true;
      side.message->body_wire_bytes += length;
      return;
    case Phase::Finalize:
      side.pending.clear();
      finish(side, dir, sink);
      return;
    case Phase::Tunnel:
      return;
    case Phase::StartLine:
      if (dir == FlowDirection::ToClient && !side.any_message && side.pending.empty()) {
        side.phase = Phase::Broken;  // the first response's start was lost
        return;
      }
      [[fallthrough]];
    case Phase::Chunked:
      // libhtp takes no gap here: the lost bytes are skipped, the state kept.
      ++errors_;
      return;
  }
}

void HttpState::appendBody(Side& side, std::string_view bytes) {
  std::string& body = side.message->body;
  const std::size_t room = kMaxBodyBytes > body.size() ? kMaxBodyBytes - body.size() : 0;
  if (bytes.size() > room) side.message->body_truncated = true;
  side.message->body_wire_bytes += bytes.size();
  const std::size_t needed = body.size() + std::min(bytes.size(), room);
  if (messages_ != nullptr && needed > body.capacity()) {
    if (needed > HttpMessage::kKeepBytes) {
      messages_->growBody(body, needed);  // into a large body, or a large one up a class
    } else {
      // Straight to kKeepBytes, in one step: the body is a pooled message's, kept with it, and
      // doubling towards the limit allocated at every step as the messages' bodies took turns
      // (half of what the uplink still allocated in steady state). Never past it: one that grew
      // past would go to the large bodies while the message drew a fresh small one in
      // HttpMessagePool::give. Into a new string, since reserve() on this one would double.
      std::string grown;
      grown.reserve(HttpMessage::kKeepBytes);
      grown.assign(body);
      body.swap(grown);
    }
  }
  body.append(bytes.substr(0, room));
}

void HttpState::finish(Side& side, FlowDirection dir, const MessageSink& sink) {
  HttpMessage& m = *side.message;
  // A body that does not inflate stays as it came: better inspected encoded than not at all.
  if (!m.body.empty() && !decodeHttpBody(m.body, side.encoding)) {
    ++errors_;
    events.set(AnomalyEvent::HttpGzipDecompressionFailed);
  }
  m.body_length = m.body.size();
  sink(dir, m);
  side.phase = Phase::StartLine;
  const bool connect = m.request && m.method == "CONNECT";
  const int status = m.request ? 0 : httpStatusNumber(m.status_code);
  if (m.request) {
    if (m.method == "HEAD") head_requests_ |= std::uint64_t{1} << (requests_ % 64);
    else head_requests_ &= ~(std::uint64_t{1} << (requests_ % 64));
    ++requests_;
  } else if (status >= 200 && answered_ < requests_) {
    ++answered_;  // a final answer; interim (1xx) ones leave the request waiting
  }
  // An Upgrade: websocket answered 101 Switching Protocols: the connection is WebSocket's from here.
  const bool websocket = status == 101 && !m.request && [&] {
    const std::string* upgrade = m.header("Upgrade");
    return upgrade != nullptr && lower(*upgrade).find("websocket") != std::string::npos;
  }();
  if (websocket) {
    const std::string* extensions = m.header("Sec-WebSocket-Extensions");
    websocket_deflate_ = extensions != nullptr && lower(*extensions).find("permessage-deflate") != std::string::npos;
  }
  // h2c (RFC 7540 3.2): a 101 answer to "Upgrade: h2c" makes the rest of the connection HTTP/2,
  // which Suricata follows: the client's preface and both sides' frames come next.
  const std::string* upgrade = status == 101 ? m.header("Upgrade") : nullptr;
  const bool h2c = upgrade != nullptr && containsNoCase(*upgrade, "h2c");
  endMessage(side);
  if (websocket) {
    websocket_ = true;
    sides_[0].phase = Phase::Tunnel;
    sides_[1].phase = Phase::Tunnel;
    return;
  }
  if (h2c) return upgradeToHttp2(sink);
  if (connect) {
    // libhtp parses nothing more from the client until the answer says whether a tunnel opens.
    connect_waiting_ = true;
    side.phase = Phase::Tunnel;
  } else if (connect_waiting_ && dir == FlowDirection::ToClient && status >= 200) {
    connect_waiting_ = false;
    if (status < 300) {
      tunnel_ = true;
      side.phase = Phase::Tunnel;
      return;
    }
    sides_[0].phase = Phase::StartLine;  // refused: the client's next bytes are HTTP again
    pump(sides_[0], FlowDirection::ToServer, sink);
  }
  if (side.pending.capacity() > 64 * 1024 && side.pending.size() < 4096) side.pending.shrink_to_fit();
}

void HttpState::upgradeToHttp2(const MessageSink& sink) {
  std::string client = std::move(sides_[0].pending);
  std::string server = std::move(sides_[1].pending);
  for (Side& side : sides_) {
    if (side.message) endMessage(side);
    side = Side{};
  }
  h2_ = std::make_unique<Http2Connection>(events);
  auto bytes = [](const std::string& s) { return std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
  h2_->feed(FlowDirection::ToServer, bytes(client), sink);
  h2_->feed(FlowDirection::ToClient, bytes(server), sink);
}

void HttpState::reset() {
  constexpr std::size_t kKeepPending = 16 * 1024;  // a larger buffer is given back, not kept
  for (Side& side : sides_) {
    if (side.message) endMessage(side);
    side.phase = Phase::StartLine;
    if (side.pending.capacity() > kKeepPending) std::string().swap(side.pending);
    else side.pending.clear();
    if (messages_ != nullptr) messages_->buffers().keep(side.pending);  // the next flow's side takes one when it has bytes
    side.body_left = 0;
    side.chunk_left = 0;
    side.chunk_trailer = false;
    side.encoding.clear();
    side.any_message = false;
  }
  gap_bytes_seen[0] = gap_bytes_seen[1] = 0;
  connect_waiting_ = false;
  http09_answer_ = false;
  tunnel_ = false;
  websocket_ = false;
  websocket_deflate_ = false;
  requests_ = answered_ = head_requests_ = 0;
  unanswered_.clear();
  summary_waits_ = SummaryWait::None;  // the queued request's summary is not needed any more
  next_tx_id = 0;
  errors_ = 0;
  client_started_ = false;
  h2_.reset();
  awaiting_ack.clear();
  clearUninspected(FlowDirection::ToServer);
  clearUninspected(FlowDirection::ToClient);
  keep_message_[0] = keep_message_[1] = false;
  events.clear();
}

void HttpState::startMessage(Side& side) {
  const bool request = &side == &sides_[0];
  side.any_message = true;
  side.message = messages_ != nullptr ? messages_->take(request) : std::make_unique<HttpMessage>();
}

UninspectedHttp& HttpState::queueMessage(FlowDirection dir) {
  const std::size_t d = dir == FlowDirection::ToServer ? 0 : 1;
  if (d == 0 && summary_waits_ != SummaryWait::None) summarizeQueued();  // it stays the last request's
  UninspectedHttp& entry = uninspected_.emplace_back();  // the vector keeps its capacity: no allocation once warm
  keep_message_[d] = true;
  return entry;
}

UninspectedHttpContext& HttpState::contextOf(UninspectedHttp& entry) {
  if (!entry.context) {
    entry.context = messages_ != nullptr ? messages_->takeContext() : std::make_unique<UninspectedHttpContext>();
    entry.context->answers = false;
    entry.context->has_file = false;
  }
  return *entry.context;
}

const HttpMessage* HttpState::uninspectedResponse(std::uint64_t tx_id) const {
  const HttpMessage* response = nullptr;
  for (std::size_t i = 0; i < uninspected_.size(); ++i) {
    const UninspectedHttp& r = uninspected_[i];
    if (!isRequestEntry(i) && r.request() != nullptr && r.tx_id == tx_id && r.message) response = r.message.get();
  }
  return response;
}

void HttpState::summarizeQueued() {
  const bool all_headers = summary_waits_ == SummaryWait::AllHeaders;
  summary_waits_ = SummaryWait::None;
  for (std::size_t i = uninspected_.size(); i-- > 0;) {
    if (!isRequestEntry(i)) continue;
    // The sink's own message (the last entry's) is the side's until the parser is done with it.
    const UninspectedHttp& entry = uninspected_[i];
    const bool sinks = !entry.message && keep_message_[0] && i + 1 == uninspected_.size();
    const HttpMessage* m = sinks ? sides_[0].message.get() : entry.message.get();
    if (m == nullptr) return;  // cannot be: a queued request keeps its message until cleared
    unanswered_.push_back(m->summary(all_headers));
    unanswered_.back().tx_id = entry.tx_id;
    return;
  }
}

const HttpMessage* HttpState::responseInProgress() {
  Side& side = sides_[1];
  if (h2_ || !side.message || side.message->request) return nullptr;
  if (side.phase != Phase::Body && side.phase != Phase::Chunked && side.phase != Phase::UntilClose && side.phase != Phase::Finalize) {
    return nullptr;
  }
  side.message->body_length = side.message->body_wire_bytes;
  return side.message.get();
}

void HttpState::clearUninspected(FlowDirection dir) {
  const bool requests = dir == FlowDirection::ToServer;
  if (requests && summary_waits_ != SummaryWait::None) summarizeQueued();  // made before the message goes back
  std::size_t kept = 0;
  for (std::size_t i = 0; i < uninspected_.size(); ++i) {
    UninspectedHttp& entry = uninspected_[i];
    if (isRequestEntry(i) != requests) {  // the other direction's: kept, in order
      if (kept != i) uninspected_[kept] = std::move(entry);
      ++kept;
      continue;
    }
    if (messages_ != nullptr) {
      if (entry.message) messages_->give(std::move(entry.message));
      if (entry.context) messages_->giveContext(std::move(entry.context));
    }
    entry.message.reset();
    entry.context.reset();
  }
  uninspected_.resize(kept);
}

void HttpState::endMessage(Side& side) {
  const std::size_t d = &side == &sides_[0] ? 0 : 1;
  if (keep_message_[d]) {  // the sink queued it (the last entry): it waits there for its inspection
    keep_message_[d] = false;
    uninspected_.back().message = std::move(side.message);
    return;
  }
  if (messages_ == nullptr) {
    side.message.reset();
    return;
  }
  messages_->give(std::move(side.message));  // cleared there: a large body's memory goes back now
}

void addHttp2FrameBuffers(const Http2Frames& frames, signatures::BufferSet& buffers) {
  auto each = [&buffers](BufferId id, const std::string& list, std::size_t width) {
    for (std::size_t i = 0; i + width <= list.size(); i += width) buffers.add(id, std::string_view(list).substr(i, width));
  };
  each(BufferId::Http2FrameTypeNumber, frames.types, 1);
  each(BufferId::Http2ErrorCodeNumber, frames.error_codes, 4);
  each(BufferId::Http2PriorityNumber, frames.priorities, 1);
  each(BufferId::Http2WindowNumber, frames.windows, 4);
  each(BufferId::Http2SizeUpdateNumber, frames.size_updates, 4);
  each(BufferId::Http2SettingNumber, frames.settings, 6);
}

void fillHttpBuffers(const HttpMessage& m, std::vector<std::string>& scratch, signatures::BufferSet& buffers) {
  // One string per "Name: value" instance after the four below, sized up front: the buffers are
  // views into them.
  const std::size_t instances = std::min(m.headers.size(), signatures::BufferSet::kMaxInstances);
  if (scratch.size() < 4 + instances) scratch.resize(4 + instances);
  for (std::size_t i = 0; i < 4 + instances; ++i) scratch[i].clear();
  std::string& normalized = scratch[0];
  std::string& names = scratch[1];
  std::string& host = scratch[2];
  std::string& start = scratch[3];
  names.append("\r\n");
  for (const auto& [name, value] : m.headers) {
    normalized.append(name).append(": ").append(value).append("\r\n");
    names.append(name).append("\r\n");
  }
  names.append("\r\n");
  start.append(m.start_line).append("\r\n").append(m.raw_headers);
  auto set = [&buffers](BufferId id, std::string_view v) {
    if (!v.empty()) buffers.set(id, v);
  };
  // A header that is present but empty is an empty buffer (bsize:0 matches it), as Suricata's.
  auto setHeader = [&](BufferId id, std::string_view name) {
    if (const std::string* v = m.header(name)) buffers.set(id, *v);
  };
  for (std::size_t i = 0; i < instances; ++i) {
    scratch[4 + i].append(m.headers[i].first).append(": ").append(m.headers[i].second);
    buffers.add(m.request ? BufferId::HttpRequestHeader : BufferId::HttpResponseHeader, scratch[4 + i]);
    if (m.http2) {
      buffers.add(BufferId::Http2Header, scratch[4 + i]);
      buffers.add(BufferId::Http2HeaderName, m.headers[i].first);
    }
  }
  if (m.frames != nullptr) addHttp2FrameBuffers(*m.frames, buffers);
  set(BufferId::HttpProtocol, m.protocol);
  set(BufferId::HttpHeader, normalized);
  set(BufferId::HttpRawHeader, m.raw_headers);
  set(BufferId::HttpHeaderNames, names);
  set(BufferId::HttpStart, start);
  setHeader(BufferId::HttpContentType, "Content-Type");
  setHeader(BufferId::HttpContentLen, "Content-Length");
  setHeader(BufferId::HttpConnection, "Connection");
  if (m.request) {
    set(BufferId::HttpMethod, m.method);
    set(BufferId::HttpUri, m.uri);
    set(BufferId::HttpRawUri, m.raw_uri);
    set(BufferId::HttpRequestLine, m.start_line);
    if (const std::string* h = m.hostHeader()) {
      set(BufferId::HttpRawHost, *h);
      std::string_view bare = *h;
      if (!bare.empty() && bare.front() != '[') bare = bare.substr(0, bare.rfind(':'));
      host.assign(bare);
      std::transform(host.begin(), host.end(), host.begin(), asciiLower);
      set(BufferId::HttpHost, host);
    }
    setHeader(BufferId::HttpUserAgent, "User-Agent");
    setHeader(BufferId::HttpCookie, "Cookie");
    setHeader(BufferId::HttpReferer, "Referer");
    setHeader(BufferId::HttpAccept, "Accept");
    setHeader(BufferId::HttpAcceptEnc, "Accept-Encoding");
    setHeader(BufferId::HttpAcceptLang, "Accept-Language");
  } else {
    set(BufferId::HttpStatCode, m.status_code);
    set(BufferId::HttpStatMsg, m.status_message);
    set(BufferId::HttpResponseLine, m.start_line);
    setHeader(BufferId::HttpServer, "Server");
    setHeader(BufferId::HttpLocation, "Location");
    setHeader(BufferId::HttpCookie, "Set-Cookie");
  }
  set(BufferId::FileData, m.body);
}

}  // namespace gsoc::sensor

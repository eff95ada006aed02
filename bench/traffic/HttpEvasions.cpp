#include "bench/traffic/HttpEvasions.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace gsoc::traffic {
namespace {

constexpr std::string_view kEicar = R"(X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*)";

enum class Wrapper { Zlib, Raw, Gzip };

std::string deflateBytes(std::string_view data, Wrapper wrapper) {
  z_stream z{};
  const int bits = wrapper == Wrapper::Zlib ? 15 : wrapper == Wrapper::Raw ? -15 : 31;
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

std::string gzip(std::string_view data) { return deflateBytes(data, Wrapper::Gzip); }

// A gzip member with the optional original-name field (FNAME), as `gzip file` writes it.
std::string gzipWithName(std::string_view data, std::string_view name) {
  const std::string plain = gzip(data);
  std::string out = plain.substr(0, 10);
  out[3] = static_cast<char>(out[3] | 0x08);
  out += name;
  out += '\0';
  out += plain.substr(10);
  return out;
}

std::string brotli(std::string_view data) {
  std::string out(BrotliEncoderMaxCompressedSize(data.size()) + 16, '\0');
  std::size_t size = out.size();
  if (BrotliEncoderCompress(BROTLI_DEFAULT_QUALITY, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, data.size(),
                            reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                            reinterpret_cast<std::uint8_t*>(out.data())) == BROTLI_FALSE) {
    throw std::runtime_error("brotli: compression failed");
  }
  out.resize(size);
  return out;
}

std::string hex(std::size_t n, bool upper = false) {
  char text[24];
  std::snprintf(text, sizeof text, upper ? "%zX" : "%zx", n);
  return text;
}

// The body in chunks of `piece` bytes, each size line built by `size_line`, then the last chunk.
template <typename SizeLine>
std::string chunked(std::string_view body, std::size_t piece, SizeLine size_line, std::string_view eol = "\r\n",
                    std::string_view last = "0\r\n\r\n") {
  std::string out;
  for (std::size_t at = 0; at < body.size(); at += piece) {
    const std::string_view part = body.substr(at, piece);
    out += size_line(part.size());
    out += eol;
    out += part;
    out += eol;
  }
  out += last;
  return out;
}

std::string chunked(std::string_view body, std::size_t piece = 16) {
  return chunked(body, piece, [](std::size_t n) { return hex(n); });
}

constexpr std::string_view kRequest = "GET /download/eicar.com HTTP/1.1\r\nHost: files.example.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n";
constexpr std::string_view kType = "Content-Type: application/octet-stream\r\n";

std::string length(std::string_view body) { return "Content-Length: " + std::to_string(body.size()) + "\r\n"; }

}  // namespace

std::string_view eicarTestFile() { return kEicar; }

std::vector<HttpEvasion> httpEvasions(std::string_view file) {
  std::vector<HttpEvasion> all;
  const std::string request(kRequest);
  const std::string ok = "HTTP/1.1 200 OK\r\n";
  auto add = [&](std::string family, std::string name, std::string quirk, std::string response) -> HttpEvasion& {
    HttpEvasion e;
    e.family = std::move(family);
    e.name = std::move(name);
    e.quirk = std::move(quirk);
    e.request = request;
    e.response = std::move(response);
    all.push_back(std::move(e));
    return all.back();
  };
  const std::string f(file);

  // Framing: where the body ends.
  add("framing", "content-length", "plain Content-Length body (the reference)", ok + std::string(kType) + length(f) + "\r\n" + f);
  add("framing", "close-delimited", "HTTP/1.1 without Content-Length or chunking: the body ends at the close",
      ok + std::string(kType) + "Connection: close\r\n\r\n" + f)
      .server_closes = true;
  add("framing", "http10-close-delimited", "HTTP/1.0 response without a length, ended by the close",
      "HTTP/1.0 200 OK\r\n" + std::string(kType) + "\r\n" + f)
      .server_closes = true;
  {
    HttpEvasion& e = add("framing", "http09-response", "an HTTP/0.9 request answered with the bare file, no status line or headers", f);
    e.request = "GET /download/eicar.com\r\n";
    e.server_closes = true;
  }
  add("framing", "duplicate-content-length-equal", "Content-Length twice with the same value",
      ok + std::string(kType) + length(f) + length(f) + "\r\n" + f)
      .events = {"http.duplicate_content_length_field_in_response"};
  add("framing", "content-length-leading-zeros", "Content-Length written with leading zeros",
      ok + std::string(kType) + "Content-Length: 000" + std::to_string(f.size()) + "\r\n\r\n" + f);
  add("framing", "chunked-overrides-content-length", "Transfer-Encoding: chunked beside a wrong Content-Length: chunking wins",
      ok + std::string(kType) + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(f));
  add("framing", "content-length-list-equal", "Content-Length as a list of one value twice (\"68, 68\")",
      ok + "Content-Length: " + std::to_string(f.size()) + ", " + std::to_string(f.size()) + "\r\n\r\n" + f)
      .events = {"http.invalid_content_length_field_in_response"};
  add("framing", "transfer-encoding-identity", "Transfer-Encoding: identity (obsolete) beside Content-Length",
      ok + "Transfer-Encoding: identity\r\n" + length(f) + "\r\n" + f);
  add("framing", "interim-100-continue", "an interim 100 Continue before the real response",
      "HTTP/1.1 100 Continue\r\n\r\n" + ok + std::string(kType) + length(f) + "\r\n" + f);
  {
    const std::string decoy = "<html>nothing here</html>";
    HttpEvasion& e = add("framing", "second-response-on-keep-alive", "the file is the second response of a keep-alive connection",
                         ok + "Content-Type: text/html\r\n" + length(decoy) + "\r\n" + decoy + ok + std::string(kType) + length(f) + "\r\n" + f);
    e.request = request + request;
  }

  // Chunking.
  add("chunking", "chunked", "chunked body, 16-byte chunks", ok + std::string(kType) + "Transfer-Encoding: chunked\r\n\r\n" + chunked(f));
  add("chunking", "chunk-size-uppercase-hex", "chunk sizes in upper-case hexadecimal",
      ok + "Transfer-Encoding: chunked\r\n\r\n" + chunked(f, 30, [](std::size_t n) { return hex(n, true); }));
  add("chunking", "chunk-size-leading-zeros", "chunk sizes padded with zeros",
      ok + "Transfer-Encoding: chunked\r\n\r\n" + chunked(f, 16, [](std::size_t n) { return "0000000" + hex(n); }));
  add("chunking", "chunk-extension", "chunk extensions after every size",
      ok + "Transfer-Encoding: chunked\r\n\r\n" + chunked(f, 16, [](std::size_t n) { return hex(n) + ";name=\"value\""; }));
  add("chunking", "chunk-size-trailing-space", "white space after the chunk size",
      ok + "Transfer-Encoding: chunked\r\n\r\n" + chunked(f, 16, [](std::size_t n) { return hex(n) + " \t"; }));
  add("chunking", "one-byte-chunks", "every byte its own chunk", ok + "Transfer-Encoding: chunked\r\n\r\n" + chunked(f, 1));
  add("chunking", "chunked-trailer", "a trailer section after the last chunk",
      ok + "Transfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n" +
          chunked(f, 16, [](std::size_t n) { return hex(n); }, "\r\n", "0\r\nX-Checksum: 1234\r\n\r\n"));
  add("chunking", "chunked-lf-only", "chunk lines ended by a bare LF",
      ok + "Transfer-Encoding: chunked\r\n\r\n" + chunked(f, 16, [](std::size_t n) { return hex(n); }, "\n", "0\n\n"));
  add("chunking", "transfer-encoding-uppercase", "Transfer-Encoding: CHUNKED", ok + "Transfer-Encoding: CHUNKED\r\n\r\n" + chunked(f));
  add("chunking", "transfer-encoding-padded", "Transfer-Encoding value surrounded by white space",
      ok + "Transfer-Encoding: \t chunked \t\r\n\r\n" + chunked(f));
  add("chunking", "chunked-ended-by-close", "chunked body whose last chunk never comes: the close ends it",
      ok + "Transfer-Encoding: chunked\r\n\r\n" + chunked(f, 16, [](std::size_t n) { return hex(n); }, "\r\n", ""))
      .server_closes = true;

  // Content-encoding.
  auto encoded = [&](std::string name, std::string quirk, std::string header, const std::string& body) -> HttpEvasion& {
    return add("encoding", std::move(name), std::move(quirk), ok + std::string(kType) + header + length(body) + "\r\n" + body);
  };
  encoded("gzip", "gzip body", "Content-Encoding: gzip\r\n", gzip(f));
  encoded("x-gzip", "the x-gzip alias", "Content-Encoding: x-gzip\r\n", gzip(f));
  encoded("gzip-uppercase", "Content-Encoding: GZIP", "Content-Encoding: GZIP\r\n", gzip(f));
  encoded("gzip-with-file-name", "a gzip member carrying the original file name", "Content-Encoding: gzip\r\n",
          gzipWithName(f, "eicar.com"));
  encoded("deflate-zlib", "deflate as a zlib stream (RFC 1950)", "Content-Encoding: deflate\r\n", deflateBytes(f, Wrapper::Zlib));
  encoded("deflate-raw", "deflate without the zlib header, as IIS sent it and browsers accept", "Content-Encoding: deflate\r\n",
          deflateBytes(f, Wrapper::Raw));
  encoded("brotli", "brotli body", "Content-Encoding: br\r\n", brotli(f));
  encoded("deflate-then-gzip-list", "two codings in one header: deflate applied first, then gzip", "Content-Encoding: deflate, gzip\r\n",
          gzip(deflateBytes(f, Wrapper::Zlib)));
  encoded("two-content-encoding-headers", "the same two codings in two Content-Encoding headers",
          "Content-Encoding: deflate\r\nContent-Encoding: gzip\r\n", gzip(deflateBytes(f, Wrapper::Zlib)));
  encoded("identity-then-gzip", "identity listed before gzip (identity is no coding)", "Content-Encoding: identity, gzip\r\n", gzip(f));
  {
    std::string bad_crc = gzip(f);
    bad_crc[bad_crc.size() - 8] = static_cast<char>(bad_crc[bad_crc.size() - 8] ^ 0x5a);
    encoded("gzip-bad-crc", "a gzip member whose CRC-32 is wrong (browsers do not check it)", "Content-Encoding: gzip\r\n", bad_crc);
    const std::string whole = gzip(f);
    encoded("gzip-without-trailer", "a gzip member cut before its 8-byte trailer", "Content-Encoding: gzip\r\n",
            whole.substr(0, whole.size() - 8));
    add("encoding", "deflate-raw-chunked", "raw deflate in 5-byte chunks",
        ok + "Content-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(deflateBytes(f, Wrapper::Raw), 5));
  }
  encoded("three-coding-layers", "gzip three times over: browsers decode every layer", "Content-Encoding: gzip, gzip, gzip\r\n",
          gzip(gzip(gzip(f))))
      .events = {"http.too_many_encoding_layers"};
  {
    const std::string body = chunked(gzip(f), 9);
    add("encoding", "gzip-chunked", "gzip body in 9-byte chunks",
        ok + std::string(kType) + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + body);
  }

  // Header syntax.
  add("headers", "lf-only-head", "status line and headers ended by a bare LF",
      "HTTP/1.1 200 OK\n" + std::string("Content-Type: application/octet-stream\n") + "Content-Encoding: gzip\n" + "Content-Length: " +
          std::to_string(gzip(f).size()) + "\n\n" + gzip(f));
  add("headers", "mixed-line-ends", "CRLF and bare LF mixed in one head",
      "HTTP/1.1 200 OK\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(gzip(f).size()) + "\n\r\n" + gzip(f));
  add("headers", "header-without-colon", "a header line without a colon, which browsers skip",
      ok + "X-Broken header\r\nContent-Encoding: gzip\r\n" + length(gzip(f)) + "\r\n" + gzip(f))
      .events = {"http.response_field_missing_colon"};
  add("headers", "folded-content-encoding", "Content-Encoding value on a folded continuation line (obs-fold)",
      ok + "Content-Encoding:\r\n gzip\r\n" + length(gzip(f)) + "\r\n" + gzip(f));
  add("headers", "folded-transfer-encoding", "Transfer-Encoding value on a folded continuation line (obs-fold)",
      ok + "Transfer-Encoding:\r\n\tchunked\r\n\r\n" + chunked(f));
  add("headers", "header-names-mixed-case", "header names in odd case",
      ok + "cOnTeNt-EnCoDiNg: gzip\r\ntRaNsFeR-eNcOdInG: chunked\r\n\r\n" + chunked(gzip(f)));
  add("headers", "no-space-after-colon", "no white space between header names and values",
      ok + "Content-Encoding:gzip\r\nContent-Length:" + std::to_string(gzip(f).size()) + "\r\n\r\n" + gzip(f));

  // Status line.
  add("status", "status-without-reason", "status line with no reason phrase", "HTTP/1.1 200\r\n" + length(f) + "\r\n" + f);
  add("status", "status-without-reason-or-space", "status line ending right after the code, no space",
      "HTTP/1.1 200\r\nContent-Encoding: gzip\r\n" + length(gzip(f)) + "\r\n" + gzip(f));
  add("status", "status-extra-spaces", "several spaces between the status line's fields",
      "HTTP/1.1   200   OK\r\n" + length(f) + "\r\n" + f);
  add("status", "status-lowercase-http", "the protocol name in lower case", "http/1.1 200 OK\r\n" + length(f) + "\r\n" + f);
  add("status", "blank-line-before-status", "an empty line before the status line", "\r\n" + ok + length(f) + "\r\n" + f);
  add("status", "status-odd-reason", "a reason phrase that is not the code's",
      "HTTP/1.1 200 Not Found\r\n" + length(f) + "\r\n" + f);

  // TCP delivery of a gzip + chunked response.
  const std::string layered = ok + std::string(kType) + "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked(gzip(f), 11);
  add("tcp", "small-segments", "the response in 7-byte segments", layered).plan = SegmentPlan::SmallPieces;
  add("tcp", "one-byte-segments", "the response one byte per segment", layered).plan = SegmentPlan::OneByte;
  add("tcp", "reversed-segments", "7-byte segments sent last first", layered).plan = SegmentPlan::Reversed;
  add("tcp", "retransmitted-segments", "every segment sent twice", layered).plan = SegmentPlan::Retransmitted;
  add("tcp", "overlapping-segments", "14-byte segments each overlapping the next by 7 bytes", layered).plan = SegmentPlan::Overlapping;
  add("tcp", "plain-one-byte-segments", "a plain body one byte per segment", ok + length(f) + "\r\n" + f).plan = SegmentPlan::OneByte;

  // What browsers refuse: no file, but the anomaly is raised.
  auto rejected = [&](std::string name, std::string quirk, std::string response, std::string event) {
    HttpEvasion& e = add("rejected", std::move(name), std::move(quirk), std::move(response));
    e.browser_accepts = false;
    e.events = {std::move(event)};
  };
  rejected("invalid-chunk-size", "a chunk size that is not hexadecimal", ok + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + f + "\r\n0\r\n\r\n",
           "http.invalid_response_chunk_len");
  rejected("invalid-content-length", "a Content-Length that is not a number", ok + "Content-Length: 6x8\r\n\r\n" + f,
           "http.invalid_content_length_field_in_response");
  {
    const std::string corrupt = std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) + "this is not deflate data";
    rejected("corrupt-gzip", "a gzip body that does not inflate", ok + "Content-Encoding: gzip\r\n" + length(corrupt) + "\r\n" + corrupt,
             "http.gzip_decompression_failed");
  }
  return all;
}

std::vector<Bytes> httpEvasionFrames(const HttpEvasion& evasion, const PacketSpec& base) {
  std::vector<Bytes> frames;
  std::uint32_t client_seq = 1000;
  std::uint32_t server_seq = 90000;
  auto segment = [&](bool from_client, std::uint32_t seq, std::string_view payload, std::uint8_t flags) {
    PacketSpec s = base;
    if (!from_client) {
      std::swap(s.src, s.dst);
      std::swap(s.sport, s.dport);
    }
    s.seq = seq;
    s.ack = from_client ? server_seq : client_seq;
    s.flags = flags;
    s.payload = std::string(payload);
    frames.push_back(ethernetFrame(s));
  };
  segment(true, client_seq++, "", 0x02);
  segment(false, server_seq++, "", 0x12);
  segment(true, client_seq, "", 0x10);
  segment(true, client_seq, evasion.request, 0x18);
  client_seq += static_cast<std::uint32_t>(evasion.request.size());
  segment(false, server_seq, "", 0x10);

  const std::string_view response = evasion.response;
  const std::size_t piece = evasion.plan == SegmentPlan::Mss ? 1460 : evasion.plan == SegmentPlan::OneByte ? 1 : 7;
  const std::size_t span = evasion.plan == SegmentPlan::Overlapping ? 2 * piece : piece;
  std::vector<std::pair<std::uint32_t, std::string_view>> pieces;
  for (std::size_t at = 0; at < response.size(); at += piece) {
    pieces.emplace_back(server_seq + static_cast<std::uint32_t>(at), response.substr(at, span));
  }
  if (evasion.plan == SegmentPlan::Reversed) std::reverse(pieces.begin(), pieces.end());
  const std::uint32_t response_end = server_seq + static_cast<std::uint32_t>(response.size());
  for (const auto& [seq, bytes] : pieces) {
    segment(false, seq, bytes, 0x18);
    if (evasion.plan == SegmentPlan::Retransmitted) segment(false, seq, bytes, 0x18);
    if (evasion.plan != SegmentPlan::Reversed) {
      server_seq = seq + static_cast<std::uint32_t>(bytes.size());
      segment(true, client_seq, "", 0x10);
    }
  }
  server_seq = response_end;
  segment(true, client_seq, "", 0x10);
  // The close: the server's first when it delimits the body.
  if (evasion.server_closes) {
    segment(false, server_seq++, "", 0x11);
    segment(true, client_seq++, "", 0x11);
    segment(false, server_seq, "", 0x10);
  } else {
    segment(true, client_seq++, "", 0x11);
    segment(false, server_seq++, "", 0x11);
    segment(true, client_seq, "", 0x10);
  }
  return frames;
}

}  // namespace gsoc::traffic

#pragma once
// HTTP evasion variants of one file download, for testing that a passive sensor sees the file a
// browser would save. Each variant is one TCP connection: a GET, then a response that delivers
// the same file through one quirk browsers accept (odd chunking, stacked or unusual
// content-encodings, folded or duplicate headers, status lines without a reason, HTTP/0.9,
// bodies that end at the close, TCP segmentation games), or one that a browser rejects and a
// sensor should flag as an anomaly. Written from RFC 9110/9112 and browsers' documented
// leniency, in the spirit of the public HTTP Evader corpus, not copied from it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/traffic/FrameBuilder.hpp"

namespace gsoc::traffic {

// How the server's bytes are cut into TCP segments.
enum class SegmentPlan {
  Mss,          // full-size segments, in order
  SmallPieces,  // 7-byte segments, in order (the file's pattern always spans segments)
  OneByte,      // one byte per segment
  Reversed,     // 7-byte segments sent last first: reassembly must reorder them
  Retransmitted, // every 7-byte segment sent twice
  Overlapping    // 14-byte segments starting 7 bytes apart: each repeats half of the one before
};

struct HttpEvasion {
  std::string name;     // stable identifier, e.g. "chunk-size-leading-zeros"
  std::string family;   // framing, chunking, encoding, headers, status, tcp, rejected
  std::string quirk;    // one line: what the variant does
  std::string request;  // the client's bytes
  std::string response; // the server's bytes, as on the wire
  SegmentPlan plan = SegmentPlan::Mss;
  // The server closes right after its response (the body may be delimited by that close).
  bool server_closes = false;
  // Whether a browser saves the file: a sensor must then see it (file data matches). A variant
  // a browser rejects need not be seen, but must raise `events`.
  bool browser_accepts = true;
  // App-layer events (Suricata's names) a sensor raises on the variant: the non-conformance a
  // SOC analyst would want to know about.
  std::vector<std::string> events;
};

// The EICAR anti-virus test file: the payload of every variant.
[[nodiscard]] std::string_view eicarTestFile();

// Every variant, delivering `file`.
[[nodiscard]] std::vector<HttpEvasion> httpEvasions(std::string_view file = eicarTestFile());

// The variant's connection as Ethernet frames: handshake, request, response (cut as its plan
// says, each segment acknowledged), close.
[[nodiscard]] std::vector<Bytes> httpEvasionFrames(const HttpEvasion& evasion, const PacketSpec& base = {});

}  // namespace gsoc::traffic

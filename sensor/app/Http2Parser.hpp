#pragma once
// HTTP/2 over cleartext TCP (h2c with prior knowledge: the client opens with the connection
// preface "PRI * HTTP/2.0"): frames per direction, header blocks (HEADERS + CONTINUATION) decoded
// with HPACK, DATA collected per stream as the body. Each request or response becomes an
// HttpMessage, handed to the same sink as HTTP/1.x, when its stream ends (END_STREAM), when its
// body reaches the inspection cap, or when the connection closes. DATA frames are consumed as
// they arrive, so a long frame is never buffered whole. A malformed frame or header block is
// counted and stops parsing of that direction. Each frame of stream 0 (SETTINGS, PING, GOAWAY,
// WINDOW_UPDATE) is a message of its own (stream_id 0, no headers), as Suricata makes it a
// transaction; a message carries what its direction's frames said (Http2Frames).

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "common/FunctionRef.hpp"
#include "gsoc/signatures/AnomalyEvent.hpp"
#include "gsoc/signatures/MatchInput.hpp"
#include "sensor/app/Hpack.hpp"

namespace gsoc::sensor {

struct HttpMessage;
struct Http2Frames;

class Http2Connection {
 public:
  static constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  static constexpr std::size_t kMaxFrameBytes = 1u << 24;     // the protocol's largest frame
  static constexpr std::size_t kMaxHeaderBlockBytes = 256 * 1024;
  static constexpr std::size_t kMaxOpenStreams = 128;          // per direction
  // Body bytes held for inspection over all open streams of a direction: many streams each
  // sending part of a body must not make one connection hold 128 bodies.
  static constexpr std::size_t kMaxHeldBodyBytes = 1024 * 1024;

  using MessageSink = FunctionRef<void(signatures::FlowDirection, const HttpMessage&)>;

  // `events`: where the http2 app-layer events go (the owning state's).
  explicit Http2Connection(signatures::EventSet& events);
  ~Http2Connection();
  Http2Connection(const Http2Connection&) = delete;
  Http2Connection& operator=(const Http2Connection&) = delete;

  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink);
  // The connection closed: streams still open in `dir` are complete as they are.
  void close(signatures::FlowDirection dir, const MessageSink& sink);
  [[nodiscard]] std::uint64_t errors() const { return errors_; }

 private:
  struct Stream;
  struct Side;

  void frame(Side& side, signatures::FlowDirection dir, const MessageSink& sink);
  // What a frame (its payload `p`) tells for the http2.* keywords and the records.
  static void recordFrame(Side& side, Http2Frames& frames, std::span<const std::uint8_t> p);
  void headerBlock(Side& side, signatures::FlowDirection dir, std::uint32_t stream, bool end_stream, const MessageSink& sink);
  void data(Side& side, std::span<const std::uint8_t> bytes);
  void endStream(Side& side, std::uint32_t stream, signatures::FlowDirection dir, const MessageSink& sink);
  void fail(Side& side, signatures::AnomalyEvent event);

  std::unique_ptr<Side> sides_[2];
  std::uint64_t errors_ = 0;
  signatures::EventSet& events_;
};

}  // namespace gsoc::sensor

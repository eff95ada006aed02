#pragma once
// HTTP/1.x over one TCP flow: request and response lines, headers, bodies delimited by
// Content-Length or chunked encoding (or connection close), and gzip/deflate content decoding.
// One transaction per message: when a message is complete (or its body reaches the inspection
// cap) its buffers are handed to the sink. Malformed input is counted and the direction stops
// being parsed; nothing is read past what arrived. A connection that opens with the HTTP/2
// preface is handed to Http2Connection, whose messages reach the same sink.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/FunctionRef.hpp"
#include "sensor/app/AckedSides.hpp"
#include "sensor/app/HttpFileInfo.hpp"
#include "gsoc/signatures/MatchInput.hpp"
#include "sensor/app/HttpHeaders.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct Http2Frames;

struct HttpMessage {
  std::string method, uri, raw_uri, protocol, start_line;  // start_line: request or status line
  std::string status_code, status_message;
  HttpHeaders headers;  // in order, values trimmed
  std::string raw_headers;                                   // as received, without the start line
  std::string body;                                          // decoded (de-chunked, decompressed)
  std::uint64_t body_length = 0;  // body.size() once complete; kept by a summary without the body
  // Every body byte that arrived (de-chunked, before decoding), those past the cap included.
  std::uint64_t body_wire_bytes = 0;
  // The transaction's number in its flow (0 first, Suricata's tx_id): a request's, which its
  // response shares. Set by the app layer.
  std::uint64_t tx_id = 0;
  std::uint32_t stream_id = 0;    // HTTP/2: the stream (a response answers the request of its stream)
  // The flags together, in stream_id's word (issue 17: every request waiting for its
  // inspection holds a message).
  bool request = true;
  bool body_truncated = false;
  bool body_gaps = false;  // bytes of the body were lost (a TCP gap): counted in body_wire_bytes
  bool http2 = false;             // an HTTP/2 stream, or a frame of stream 0 (stream_id 0)
  // HTTP/2: what this direction's frames said; set only while the message is handed to the sink.
  const Http2Frames* frames = nullptr;
  // A frame of HTTP/2's stream 0: a transaction for detection and EVE, not an HTTP exchange
  // (gsoc.v1 has no record for it).
  [[nodiscard]] bool http2ConnectionFrame() const { return http2 && stream_id == 0; }
  [[nodiscard]] const std::string* header(std::string_view name) const;
  // The Host header; on HTTP/2 (a stream) :authority first.
  [[nodiscard]] const std::string* hostHeader() const;
  // What a request's metadata record needs while it waits for its response: the method, URI,
  // protocol, Host, User-Agent and Referer, and the body length. Most of a flow's memory is
  // HTTP state, so waiting requests keep only this.
  // `all_headers`: every header field is kept (EVE's dump-all-headers).
  [[nodiscard]] HttpMessage summary(bool all_headers = false) const;
  // Back to a new message, keeping the strings' capacity for the next one (see HttpMessagePool;
  // a string grown past kKeepBytes is given back instead).
  void clear();
  // A string grown past this (a large body) is given back by clear() rather than kept: a message
  // drawn from the pool for a flow that then waits holds what it kept. (HttpMessagePool keeps
  // large bodies apart.)
  static constexpr std::size_t kKeepBytes = 4 * 1024;
};

class HttpMessagePool;

class Http2Connection;

// What a queued response's inspection needs besides the message: its request's summary (for
// its alerts and its file's name) and the file it carries (also a queued request's, a PUT's).
// Drawn from the HttpMessagePool when an entry needs one; each field is written whole before
// it is read (`answers`, `has_file` say which are).
struct UninspectedHttpContext {
  HttpMessage request;
  HttpFile file;
  bool answers = false;   // a response, answering `request`
  bool has_file = false;  // `file` is the message's
};

// An HTTP/1 message parsed from acknowledged bytes, waiting for its inspection at the next
// packet of its direction, as Suricata inspects it (AppLayer; issue 15). Most flows wait with a
// request queued, so an entry is three words: what only responses and files need is in
// `context` (HttpState::contextOf).
struct UninspectedHttp {
  std::unique_ptr<HttpMessage> message;  // the parsed message itself, kept from the pool
  std::unique_ptr<UninspectedHttpContext> context;
  std::uint64_t tx_id = 0;
  [[nodiscard]] const HttpMessage* request() const { return context && context->answers ? &context->request : nullptr; }
  [[nodiscard]] const HttpFile* file() const { return context && context->has_file ? &context->file : nullptr; }
};

// http.uri: the URI with %XX escapes decoded (as libhtp normalizes it).
std::string normalizeHttpUri(std::string_view raw);
void normalizeHttpUri(std::string_view raw, std::string& out);
// The host and port a request names, as libhtp takes them: an absolute URI's authority (or a
// CONNECT's host:port), else the Host header. `host` views the message; it keeps its case (EVE
// lower-cases it). `port` is -1 when none is given (or it is not a number from 1 to 65535).
struct HttpAuthority {
  std::string_view host;
  int port = -1;
};
HttpAuthority httpRequestAuthority(const HttpMessage& request);
// A Content-Range value, "bytes START-END/SIZE" (SIZE may be "*", or START-END "*"): the
// numbers, -1 where "*"; false when the value is not one.
struct HttpContentRange {
  std::int64_t start = -1, end = -1, size = -1;
};
bool parseHttpContentRange(std::string_view value, HttpContentRange& out);
// A status code libhtp takes as one: three digits (surrounding blanks aside) from 100 to 999;
// 0 otherwise (EVE then logs the text as status_string).
int httpStatusNumber(std::string_view status_code);

// The content codings a Content-Encoding value names, as libhtp takes them: one name, or a
// list of at most kLayerLimit codings (libhtp's default decompression layer limit), in the
// order they were applied; `too_many_layers` when the list goes on past the limit.
struct HttpContentCodings {
  // More layers than libhtp's limit raise http.too_many_encoding_layers; browsers decode them
  // all, so up to kDecodeLimit are still decoded (each capped), and the file is seen.
  static constexpr std::size_t kLayerLimit = 2;
  static constexpr std::size_t kDecodeLimit = 4;
  enum class Coding : std::uint8_t { Gzip, Deflate, Brotli };
  Coding codings[kDecodeLimit] = {};
  std::size_t count = 0;
  bool too_many_layers = false;
};
HttpContentCodings httpContentCodings(std::string_view encoding);
// Decodes a body in place by its Content-Encoding (gzip, x-gzip, deflate, x-deflate, br, or a
// list of them, see httpContentCodings), up to four times the body cap; any other coding is left
// as it is. False when the body does not decode: it stays encoded.
bool decodeHttpBody(std::string& body, std::string_view encoding);

class HttpState final : public AppState {
 public:
  // `messages`: where messages come from and go back to (the worker's); none: each is allocated.
  explicit HttpState(HttpMessagePool* messages = nullptr);
  ~HttpState() override;
  HttpState(const HttpState&) = delete;
  HttpState& operator=(const HttpState&) = delete;

  static constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
  static constexpr std::size_t kMaxBodyBytes = 256 * 1024;

  using MessageSink = FunctionRef<void(signatures::FlowDirection, const HttpMessage&)>;

  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink);
  // Requests waiting for their response (summaries), oldest first, for the exchange records.
  // A request still queued for its inspection gets its summary here, when first asked for (see
  // summarizeWhenNeeded).
  std::vector<HttpMessage>& unanswered() {
    if (summary_waits_ != SummaryWait::None) summarizeQueued();
    return unanswered_;
  }
  // The request just queued (queueMessage, the sink's message) joins unanswered() with the
  // summary made from its message when unanswered() is next asked for, or before the message
  // goes back to the pool or another request is queued: a request that waits for both its
  // inspection and its response is held once, not twice. Same summary, same order as pushing it
  // now. `all_headers`: as HttpMessage::summary's.
  void summarizeWhenNeeded(bool all_headers) {
    if (summary_waits_ != SummaryWait::None) summarizeQueued();
    summary_waits_ = all_headers ? SummaryWait::AllHeaders : SummaryWait::Listed;
  }
  // The connection closed: a message delimited by close is complete now.
  void close(signatures::FlowDirection dir, const MessageSink& sink);
  // `length` bytes of the direction were lost (a TCP gap), as libhtp takes them: inside a body of
  // known length (or one delimited by close) they are the body's, which then has gaps; the rest,
  // or a gap anywhere else, is skipped and parsing goes on with the next bytes; a response
  // side whose first bytes are lost is not parsed.
  void gap(signatures::FlowDirection dir, std::uint64_t length, const MessageSink& sink);
  // A CONNECT was answered with a 2xx status: the rest of the connection is a tunnel, which
  // the app layer identifies anew; HTTP parsing is over. tunnelBytes(): what each side sent
  // past the HTTP exchange, the tunnel's first bytes.
  [[nodiscard]] bool tunnel() const { return tunnel_; }
  // An Upgrade: websocket was answered 101: the connection is WebSocket's from here (HTTP
  // parsing is over; tunnelBytes() are its first bytes), with permessage-deflate or not.
  [[nodiscard]] bool websocket() const { return websocket_; }
  [[nodiscard]] bool websocketDeflate() const { return websocket_deflate_; }
  std::string& tunnelBytes(signatures::FlowDirection dir) { return sides_[dir == signatures::FlowDirection::ToServer ? 0 : 1].pending; }
  // Per direction, the stream's gap bytes already passed to gap() (kept by the app layer).
  std::uint64_t gap_bytes_seen[2] = {0, 0};
  [[nodiscard]] std::uint64_t errors() const override;
  [[nodiscard]] bool http2() const { return h2_ != nullptr; }
  // The next transaction's tx_id (HttpMessage::tx_id), counted by the app layer.
  std::uint64_t next_tx_id = 0;
  // HTTP/1 bytes waiting for their acknowledgement (AppLayer; issue 15).
  AckedSides awaiting_ack;
  // Called by the sink: the message it is handed joins `dir`'s uninspected messages (as the
  // returned entry's message, once the parser is done with it) instead of going back to the pool.
  UninspectedHttp& queueMessage(signatures::FlowDirection dir);
  // The entry's context (a queued response's request, a queued message's file), drawn from the
  // pool the first time it is asked for; it goes back with the entry.
  UninspectedHttpContext& contextOf(UninspectedHttp& entry);
  // Calls f(const UninspectedHttp&) for each of `dir`'s uninspected messages, oldest first.
  template <typename F>
  void forUninspected(signatures::FlowDirection dir, F&& f) const {
    const bool requests = dir == signatures::FlowDirection::ToServer;
    for (std::size_t i = 0; i < uninspected_.size(); ++i) {
      if (isRequestEntry(i) == requests) f(uninspected_[i]);
    }
  }
  [[nodiscard]] bool anyUninspected(signatures::FlowDirection dir) const {
    const bool requests = dir == signatures::FlowDirection::ToServer;
    for (std::size_t i = 0; i < uninspected_.size(); ++i) {
      if (isRequestEntry(i) == requests) return true;
    }
    return false;
  }
  // The uninspected response that answers transaction `tx_id` (the last such), if any.
  [[nodiscard]] const HttpMessage* uninspectedResponse(std::uint64_t tx_id) const;
  // The response being received, once its head is parsed (its body_length: the body bytes so
  // far), for the alerts of the request it answers (Suricata's transaction holds it by then).
  const HttpMessage* responseInProgress();
  // The direction's uninspected messages (and their contexts) go back to the pool.
  void clearUninspected(signatures::FlowDirection dir);
  // Back to the state of a new connection, keeping the buffers' capacity, for the next flow
  // (AppLayer pools HttpStates); messages in the middle of parsing go back to the pool.
  void reset();

 private:
  // A 101 answer to an h2c upgrade: what follows on both sides is HTTP/2.
  void upgradeToHttp2(const MessageSink& sink);
  // Finalize: a message's body ended; the next line is the next message's, unless it does
  // not look like one, when libhtp takes it as more of this body ("unexpected ... body").
  // Tunnel: after a CONNECT the client's bytes wait for the answer; after a 2xx answer both
  // sides' bytes are the tunnel's (see tunnel()).
  enum class Phase : std::uint8_t { StartLine, Body, Chunked, UntilClose, Finalize, Tunnel, Broken };
  struct Side {
    std::string pending;  // unparsed bytes (start line + headers, or chunk framing)
    std::uint64_t body_left = 0;
    std::uint64_t chunk_left = 0;
    std::string encoding;  // Content-Encoding, as sent
    // The message being parsed; none between messages, which is where most flows wait (an idle
    // side costs a pointer, not a message).
    std::unique_ptr<HttpMessage> message;
    Phase phase = Phase::StartLine;  // the small fields last, in one word (a Side per direction per flow)
    bool chunk_trailer = false;
    bool any_message = false;  // a message has started on this side
  };

  void parseHead(Side& side, bool request);
  void finish(Side& side, signatures::FlowDirection dir, const MessageSink& sink);
  void appendBody(Side& side, std::string_view bytes);
  void pump(Side& side, signatures::FlowDirection dir, const MessageSink& sink);

  void startMessage(Side& side);
  void endMessage(Side& side);
  // Makes the summary summarizeWhenNeeded() left waiting (the last queued request's) into
  // unanswered_.
  void summarizeQueued();
  // Whether uninspected_[i] is a request (else a response). Only the last entry can be without
  // its message: the sink's, still the side's (keep_message_).
  [[nodiscard]] bool isRequestEntry(std::size_t i) const {
    const std::unique_ptr<HttpMessage>& m = uninspected_[i].message;
    return m ? m->request : keep_message_[0];
  }

  HttpMessagePool* messages_;
  Side sides_[2];
  // Both directions' uninspected messages, in the order they were queued (one vector, not one
  // per direction: an HttpState per flow).
  std::vector<UninspectedHttp> uninspected_;
  std::vector<HttpMessage> unanswered_;  // a deque would allocate 600 bytes even when empty
  std::uint64_t errors_ = 0;
  // The last queued request's summary is not in unanswered_ yet (summarizeWhenNeeded): it is
  // to list the usual headers or all of them.
  enum class SummaryWait : std::uint8_t { None, Listed, AllHeaders };
  SummaryWait summary_waits_ = SummaryWait::None;
  bool keep_message_[2] = {false, false};  // queueMessage() asked for the side's current message
  bool client_started_ = false;             // the client's first bytes were not the HTTP/2 preface
  bool connect_waiting_ = false;            // a CONNECT request waits for its final answer
  bool http09_answer_ = false;              // an HTTP/0.9 request was seen: its answer may be a bare body
  bool tunnel_ = false;
  bool websocket_ = false;
  bool websocket_deflate_ = false;
  // The answer being parsed is to a HEAD request, so it has no body whatever its headers say
  // (RFC 9110 9.3.2; libhtp). HTTP/1 answers in order: requests_ and answered_ count the
  // requests and final answers, head_requests_ marks the last 64 requests' HEADs.
  [[nodiscard]] bool answersHead() const {
    return answered_ < requests_ && requests_ - answered_ <= 64 && ((head_requests_ >> (answered_ % 64)) & 1) != 0;
  }
  std::uint64_t requests_ = 0;
  std::uint64_t answered_ = 0;
  std::uint64_t head_requests_ = 0;
  std::unique_ptr<Http2Connection> h2_;
};

// Fills the signature engine's HTTP buffers from a parsed message. The buffers view `scratch`
// and `message`; both must outlive the match. `scratch` is reused from message to message (its
// strings are cleared, never shrunk).
// The http2.* frame buffers (Buffer.hpp's Http2*Number), views of `frames`.
void addHttp2FrameBuffers(const Http2Frames& frames, signatures::BufferSet& buffers);
void fillHttpBuffers(const HttpMessage& message, std::vector<std::string>& scratch, signatures::BufferSet& buffers);

}  // namespace gsoc::sensor

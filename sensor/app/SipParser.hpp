#pragma once
// SIP (RFC 3261) requests and responses, over UDP (one message a datagram) and over TCP (messages
// framed by their Content-Length), parsed as Suricata's SIP parser does: the request line
// (METHOD SP Request-URI SP SIP/x.y) or status line (SIP/x.y SP code SP reason), the headers
// with compact names expanded (f From, t To, v Via, i Call-ID, m Contact, l Content-Length,
// c Content-Type, e Content-Encoding, s Subject, k Supported), folded values joined, a header
// sent twice kept twice, and an SDP body. Each message is a transaction of its own, as
// Suricata's. The message and the TCP reassembly buffers are reused for the flow's life.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/SdpParser.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct SipHeader {
  std::string name;  // as sent, a compact name in its long form
  std::string value;
};

struct SipMessage {
  std::uint64_t tx_id = 0;
  bool request = false;
  std::string method, uri;  // requests
  std::string code, reason;  // responses
  std::string version;       // "SIP/2.0"
  std::string line;          // the request or status line, without its CRLF
  ReusingVector<SipHeader> headers;
  std::string_view body;     // valid during the sink's call only
  bool has_sdp = false;
  SdpMessage sdp;

  // Calls f(value) for each header named `name` (case-insensitively), in order.
  template <typename F>
  void forEach(std::string_view name, F&& f) const {
    for (const SipHeader& h : headers) {
      if (equalsIgnoreCase(h.name, name)) f(std::string_view(h.value));
    }
  }
  static bool equalsIgnoreCase(std::string_view a, std::string_view b);
};

enum class SipParse : std::uint8_t { Ok, Incomplete, Invalid };

// Parses the start line and headers at the front of `data` into `out` (its body left empty);
// `header_bytes` is their length with the empty line that ends them.
SipParse parseSipHead(std::string_view data, SipMessage& out, std::size_t& header_bytes);

// Whether `data` starts as a SIP message does: a whole request line naming SIP/x.y, or a status
// line beginning "SIP/2.0 " (identification on any port, as Suricata's probe).
bool looksLikeSip(std::span<const std::uint8_t> data);

class SipState final : public AppState {
 public:
  // Larger bodies (a Content-Length past this) and heads cannot be framed: counted and dropped.
  static constexpr std::size_t kMaxMessageBytes = 1 << 20;
  using MessageSink = FunctionRef<void(signatures::FlowDirection, const SipMessage&)>;

  // One UDP datagram: one message, its body the rest of the datagram.
  void datagram(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink);
  // TCP stream data of one side: each whole message (head and Content-Length bytes of body).
  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink);
  // The message of the last sink call (UDP detection reads its buffers after the call).
  [[nodiscard]] const SipMessage& message() const { return message_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  [[nodiscard]] std::uint64_t transactions() const { return next_tx_id_; }
  void reset();

 private:
  void finish(signatures::FlowDirection dir, std::string_view body, const MessageSink& sink);

  std::string pending_[2];  // TCP: each side's bytes not yet a whole message
  SipMessage message_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor

#pragma once
// WebSocket (RFC 6455), as Suricata 8 parses it once an HTTP/1 Upgrade: websocket request is
// answered 101: each WebSocket frame of either side is a transaction with its FIN and RSV bits,
// opcode, mask key and payload (unmasked). A message fragmented over several frames is
// reassembled: its last frame's payload is the whole message (control frames may come between
// its fragments). With permessage-deflate negotiated, a message whose first frame has RSV1 set
// is inflated (each direction keeps its inflate window across messages: context takeover).
// Per-flow state, pooled by the app layer with its buffers' capacity.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// A frame's header: its length (2 to 14 bytes) and fields.
struct WebsocketHeader {
  std::size_t size = 0;  // header bytes
  bool fin = false;
  std::uint8_t flags = 0;  // first byte & 0xf0: FIN, RSV1 (compressed), RSV2, RSV3
  std::uint8_t opcode = 0;
  bool masked = false;
  std::uint32_t mask = 0;
  std::uint64_t payload_length = 0;
};
// The header at the start of `b`; nullopt while incomplete.
std::optional<WebsocketHeader> parseWebsocketHeader(std::span<const std::uint8_t> b);
// "text", "ping"...; "unknown" for a reserved opcode.
std::string_view websocketOpcodeName(std::uint8_t opcode);

struct WebsocketFrame {
  std::uint64_t tx_id = 0;
  signatures::FlowDirection direction = signatures::FlowDirection::ToServer;
  WebsocketHeader header;
  std::string_view payload;  // valid during the sink's call
};

class WebsocketState final : public AppState {
 public:
  // A payload (or reassembled message) is kept up to this size, the rest counted and skipped.
  static constexpr std::size_t kMaxPayload = 1 << 20;
  using FrameSink = FunctionRef<void(const WebsocketFrame&)>;

  WebsocketState();
  ~WebsocketState() override;
  WebsocketState(const WebsocketState&) = delete;
  WebsocketState& operator=(const WebsocketState&) = delete;

  // permessage-deflate was negotiated (the 101's Sec-WebSocket-Extensions).
  void setDeflate(bool on) { deflate_ = on; }
  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const FrameSink& sink);
  // For a new flow, keeping the buffers' capacity.
  void reset();
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  // The last frame `dir` sent (its header and transaction; no payload), null before any: the
  // transaction of that side's frames (`frame:websocket.*`) for their alerts.
  [[nodiscard]] const WebsocketFrame* last(signatures::FlowDirection dir) const {
    const WebsocketFrame& f = last_[dir == signatures::FlowDirection::ToServer ? 0 : 1];
    return f.header.size != 0 ? &f : nullptr;
  }

 private:
  struct Inflater;
  struct Side {
    std::string pending;   // bytes of the frame in progress
    std::string payload;   // the frame's unmasked payload
    std::string message;   // a fragmented message's payload so far
    bool in_message = false;
    bool message_compressed = false;
    std::string inflated;  // a compressed message, inflated
  };
  // Inflates `in` (a whole compressed message) into side.inflated; false when it does not inflate.
  bool inflate(std::size_t side_index, std::string_view in);

  std::array<Side, 2> sides_;
  std::array<std::unique_ptr<Inflater>, 2> inflaters_;
  std::array<WebsocketFrame, 2> last_{};
  bool deflate_ = false;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor

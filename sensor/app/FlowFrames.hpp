#pragma once
// Suricata 7's frames: the protocol data units (and their parts) of a flow, as its protocol
// delimits them in each direction's stream or in each datagram: MQTT packets, SSH records,
// DCERPC PDUs, DNS messages, LDAP messages, NBSS/SMB1/SMB2 PDUs, SMTP command and reply lines
// and mail data, SIP messages, HTTP/1 requests and responses. A frame is handed on once its
// bytes are all there (or, incomplete, when the flow ends): rules inspect it with the `frame:`
// sticky buffer and EVE can log it. The delimiting runs on the raw bytes, beside the protocol's
// parser, only when a rule or the EVE output asks for frames. A direction keeps only the bytes
// of its frame in progress, in a buffer that keeps its capacity for the flow's next frames.

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "gsoc/signatures/Buffer.hpp"
#include "gsoc/signatures/AppProto.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct Frame {
  signatures::BufferId type = signatures::BufferId::Payload;  // a frame buffer (Frame.hpp)
  signatures::FlowDirection direction = signatures::FlowDirection::ToServer;
  std::uint64_t id = 0;             // per flow, from 1, in the order frames are handed on
  std::uint64_t stream_offset = 0;  // TCP: of its first byte in its direction's stream; UDP: 0
  std::uint64_t length = 0;         // of `bytes`
  bool complete = true;             // false: the flow ended before its end
  std::int64_t tx_id = -1;          // the transaction it belongs to, where known
  // Inspected before its length is known, as far as the stream went (Suricata's SMTP command
  // lines): detection only; the frame comes again, complete, and is logged then.
  bool provisional = false;
  std::string_view bytes;           // valid during the callback
};

using FrameSink = std::function<void(const Frame&)>;

class FlowFrames final : public FrameState {
 public:
  // A direction's frame in progress is given up past this size (counted as dropped).
  static constexpr std::size_t kMaxHeld = 1 << 20;

  // Reassembled bytes of `dir` for a flow of protocol `app`.
  void onStream(signatures::AppProto app, signatures::FlowDirection dir, std::span<const std::uint8_t> data,
                const FrameSink& sink);
  // One datagram of a UDP flow of protocol `app`.
  void onDatagram(signatures::AppProto app, signatures::FlowDirection dir, std::span<const std::uint8_t> payload,
                  const FrameSink& sink);
  // The flow ends: the frames in progress, incomplete.
  void onEnd(signatures::AppProto app, const FrameSink& sink);
  // For a new flow; buffers keep their capacity.
  void reset();
  [[nodiscard]] std::uint64_t dropped() const { return dropped_; }

  // Per direction: the bytes held since the frame in progress began, and what the protocol's
  // delimiting needs to remember between frames.
  struct Side {
    std::string held;
    std::uint64_t held_offset = 0;  // stream offset of held[0]
    bool stopped = false;           // encrypted from here, or given up on
    bool banner_done = false;       // SSH: past the version line
    bool in_data = false;           // SMTP: between DATA and the end-of-data line
  };

 private:
  std::array<Side, 2> sides_{};
  std::uint64_t next_id_ = 1;
  std::uint64_t dropped_ = 0;
};

}  // namespace gsoc::sensor

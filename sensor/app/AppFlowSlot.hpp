#pragma once
// AppFlowSlot: what the app layer keeps per flow (Flow::app_layer): how the flow's protocol was
// identified, its parser's state and its frame delimiting. Only the app layer writes it;
// detection and EVE read the identification. The protocol found is the flow's own (Flow::app),
// since every layer reports it.

#include <array>
#include <cstdint>
#include <memory>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "gsoc/signatures/AppProto.hpp"
#include "gsoc/signatures/FlowDirection.hpp"

namespace gsoc::sensor {

// Per-flow state of an application-layer parser; each parser's state derives from it.
class AppState {
 public:
  virtual ~AppState() = default;
  // Malformed input the parser counted and skipped so far (the app layer reports the total).
  [[nodiscard]] virtual std::uint64_t errors() const { return 0; }
  // App-layer anomaly events the parser raised that detection has not taken yet.
  signatures::EventSet events;
};

// Per-flow state of the frame delimiting (FlowFrames), when frames are asked for.
class FrameState {
 public:
  virtual ~FrameState() = default;
};

struct AppFlowSlot {
  std::unique_ptr<AppState> state;    // the flow's parser, from the app layer's pools
  std::unique_ptr<FrameState> frames;  // frames: null unless asked for
  std::uint16_t tls_version = 0;       // from the ServerHello, for tls.version
  // TLS application data was seen: the rest of the flow's payload is ciphertext, which
  // detection leaves alone unless told to inspect it (DetectionStage::setInspectEncrypted).
  bool encrypted = false;
  bool detection_done = false;         // the protocol is known, or will not be
  // TCP: the direction whose data identified the protocol (Any: not yet, or not TCP).
  signatures::FlowDirection identified_by = signatures::FlowDirection::Any;
  // Each direction's first data probed on its own (Flow::kToServer, kToClient): the identifying
  // side's protocol, and the other side's only where it disagrees. Both set: Suricata then
  // reports the client's protocol as the flow's and the server's apart (EVE app_proto_tc), and
  // raises applayer_mismatch_protocol_both_directions; the parser stays the one first identified.
  std::array<signatures::AppProto, 2> probed{};
  std::array<bool, 2> probe_done{};  // that direction's first data was probed
  // The protocol that handed the flow over to Flow::app (LDAP's StartTLS: EVE tls.from_proto).
  signatures::AppProto upgraded_from = signatures::AppProto::None;
};

}  // namespace gsoc::sensor

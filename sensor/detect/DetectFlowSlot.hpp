#pragma once
// DetectFlowSlot: what detection keeps per flow (Flow::detect): the stream bytes kept for the
// next inspection window and how far each direction was scanned, the flow's flowbits, the
// indicators it alerted on, and whether a pass rule ended its alerts. Only DetectionStage
// writes it.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "gsoc/signatures/AppProto.hpp"
#include "gsoc/signatures/FlowBits.hpp"

namespace gsoc::sensor {

struct DetectFlowSlot {
  // Per direction, the stream bytes kept for the next inspection window: the stream start while
  // it is short, then the overlap (see DetectionStage).
  std::array<std::string, 2> windows;
  std::array<std::uint64_t, 2> inspected{};  // bytes of each direction inspected so far
  // Per direction, how many bytes at the end of `windows` stream rules have not scanned yet:
  // as Suricata's raw reassembly in IDS mode, a side's bytes are scanned once the other side has
  // acknowledged them, at that side's next packet, or else at the flow's end.
  std::array<std::uint64_t, 2> unscanned{};
  // Per direction, how many of its delivered stream bytes the other side has acknowledged.
  std::array<std::uint64_t, 2> acked{};
  signatures::FlowBits flowbits;
  std::vector<std::uint32_t> alerted_indicators;  // one alert per indicator per flow
  // The protocol packet rules see. As in Suricata's IDS mode, a TCP packet learns the flow's
  // protocol only once the other side has answered the identifying data on the established
  // connection (the data is parsed when it is acknowledged).
  signatures::AppProto packet_app = signatures::AppProto::None;
  // A pass rule passed the whole flow (IP-only, app-layer, stream or transaction): the rest of
  // the flow raises no alerts (its records are still written).
  bool passed = false;
};

}  // namespace gsoc::sensor

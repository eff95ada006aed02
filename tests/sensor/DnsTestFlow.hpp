#pragma once
// DnsTestFlow: a decoded UDP packet to port 53 and the flow it opens, for tests that write EVE
// dns records without a capture. The frame is kept here because the decoded packet points into
// it. `decoded` says whether the decoder took the frame (tests ASSERT it).

#include <cstdint>
#include <optional>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct DnsTestFlow {
  DnsTestFlow(std::uint64_t flow_id, std::int64_t timestamp_ns) {
    traffic::PacketSpec spec;
    spec.proto = 17;
    spec.dport = 53;
    frame = traffic::ethernetFrame(spec);
    raw.data = frame;
    raw.wire_length = static_cast<std::uint32_t>(frame.size());
    raw.timestamp_ns = timestamp_ns;
    PacketDecoder decoder;
    decoded = decoder.decode(raw, packet);
    if (decoded) flow.emplace(flow_id, FlowKey::of(packet), packet, 1024);
  }
  DnsTestFlow(const DnsTestFlow&) = delete;
  DnsTestFlow& operator=(const DnsTestFlow&) = delete;

  traffic::Bytes frame;
  RawPacket raw;
  DecodedPacket packet;
  bool decoded = false;
  std::optional<Flow> flow;
};

}  // namespace gsoc::sensor

#pragma once
// One run-to-completion worker: decode -> fragment reassembly -> flow -> TCP stream reassembly,
// for the packets its source (or its share of the flow hash) hands it. It owns its flows and
// counters; nothing here is shared with other threads. Later stages (app-layer parsing,
// detection) attach through the hooks.

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <span>

#include "common/CounterTable.hpp"
#include "sensor/capture/RawPacket.hpp"
#include "sensor/decode/FragmentReassembler.hpp"
#include "sensor/decode/ReassembledFrame.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/flow/FlowTable.hpp"

namespace gsoc::sensor {

struct WorkerCounters {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint64_t stream_bytes = 0;
  std::uint64_t stream_gaps = 0;
  std::uint64_t stream_gap_bytes = 0;
  std::uint64_t stream_out_of_order = 0;
  // Of stream_gaps, those skipped while the connection went on (Suricata's tcp.reassembly_gap):
  // not the holes left when it ended.
  std::uint64_t stream_reassembly_gaps = 0;
  std::uint64_t flows_ended = 0;
  // Packets and bytes of bypassed flows, counted and not inspected (stats flow_bypassed).
  std::uint64_t bypassed_packets = 0;
  std::uint64_t bypassed_bytes = 0;
  std::uint64_t max_packet = 0;  // the longest packet's wire length (stats decoder.max_pkt_size)

  static constexpr auto counterFields() {
    using F = gsoc::CounterField<WorkerCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"packets", &WorkerCounters::packets, kCounter, "Packets processed."},
        F{"bytes", &WorkerCounters::bytes, kCounter, "Bytes of the packets processed (wire length)."},
        F{"stream_bytes", &WorkerCounters::stream_bytes, kCounter, "TCP bytes reassembled in order."},
        F{"stream_gaps", &WorkerCounters::stream_gaps, kCounter, "Holes skipped by TCP reassembly."},
        F{"stream_gap_bytes", &WorkerCounters::stream_gap_bytes, kCounter, "TCP bytes never seen (in the holes)."},
        F{"stream_out_of_order", &WorkerCounters::stream_out_of_order, kCounter, "TCP segments that came out of order."},
        F{"stream_reassembly_gaps", &WorkerCounters::stream_reassembly_gaps, kCounter,
          "Holes skipped while the connection went on (not at its end)."},
        F{"flows_ended", &WorkerCounters::flows_ended, kCounter, "Flows ended, for any reason."},
        F{"bypassed_packets", &WorkerCounters::bypassed_packets, kCounter, "Packets of bypassed flows."},
        F{"bypassed_bytes", &WorkerCounters::bypassed_bytes, kCounter, "Bytes of bypassed flows."},
        F{"max_packet", &WorkerCounters::max_packet, gsoc::CounterKind::Max, "The longest packet's wire length."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<WorkerCounters>());

struct WorkerHooks {
  // Every decoded packet, with its flow and direction.
  std::function<void(const DecodedPacket&, Flow&, signatures::FlowDirection)> on_packet;
  // Reassembled in-order TCP bytes of one direction.
  std::function<void(Flow&, signatures::FlowDirection, std::span<const std::uint8_t>)> on_stream_data;
  // A packet with anomaly events, or an ARP message, that reaches no flow: it did not decode,
  // or it is a fragment of a datagram not complete yet. Rules on its events still see it, as
  // in Suricata.
  std::function<void(const DecodedPacket&)> on_flowless_packet;
  // A flow ends (exactly once per flow).
  std::function<void(Flow&, FlowEndReason)> on_flow_end;
  // A packet reached its flow, before its stream bytes (on_stream_data) and on_packet: what its
  // stream bytes complete belongs to it (EVE's pcap_cnt).
  std::function<void(const DecodedPacket&)> on_flow_packet_start;
};

class SensorWorker {
 public:
  SensorWorker(FlowTableConfig flow_config, WorkerHooks hooks);

  void process(const RawPacket& raw);
  // Ends every flow (flushing held stream bytes first); call once at shutdown.
  void finish();

  [[nodiscard]] const WorkerCounters& counters() const { return counters_; }
  [[nodiscard]] const DecodeCounters& decodeCounters() const { return decoder_.counters(); }
  [[nodiscard]] const FragmentCounters& fragmentCounters() const { return fragments_.counters(); }
  [[nodiscard]] const FlowTableCounters& flowCounters() const { return flows_.counters(); }
  [[nodiscard]] std::size_t activeFlows() const { return flows_.size(); }

 private:
  void processDecoded();  // packet_, decoded: through fragment reassembly to its flow
  void handle(DecodedPacket& packet);
  void flowless(const DecodedPacket& packet) {
    if ((packet.events.any() || packet.arp) && hooks_.on_flowless_packet) hooks_.on_flowless_packet(packet);
  }
  void endFlow(Flow& flow, FlowEndReason reason);

  WorkerHooks hooks_;
  PacketDecoder decoder_;
  FragmentReassembler fragments_;
  ReassembledFrame reassembled_frame_;
  FlowTable flows_;
  DecodedPacket packet_;
  std::int64_t last_expiry_ns_ = 0;
  WorkerCounters counters_;
};

}  // namespace gsoc::sensor

#pragma once
// Runs the signature engine on what a worker sees: every packet (header rules, tcp-pkt rules,
// UDP/ICMP payload), every stretch of reassembled TCP stream (payload rules, so a pattern split
// across segments matches), and every app-layer transaction's named buffers. Each hit goes to
// the alert sink with the flow, direction and the packet time. It keeps its per-flow state in
// the flow's detect slot (DetectFlowSlot); the app layer runs beside it, not inside it: the
// worker's FlowInspector calls both in turn and hands the app layer's transactions and events
// to it.
//
// Stream windows: a direction's window holds its reassembled bytes from the stream start until
// it reaches kAnchoredDepth (so offset/depth rules see the stream as it began, where protocol
// headers are), and after that the last kOverlap bytes plus the new ones: a pattern or relative
// chain up to kOverlap bytes long still matches across segment boundaries. Only matches that
// end in the new bytes alert. Each stream byte is scanned about 1 + kOverlap/MSS times.

#include <array>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "common/ByteBufferPool.hpp"
#include "common/CounterTable.hpp"
#include "common/PoolTable.hpp"
#include "gsoc/signatures/Detector.hpp"
#include "sensor/app/AppMetadata.hpp"  // AlertHit::app (Frame is only pointed to)
#include "sensor/detect/PacketTagger.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct AlertHit {
  const signatures::Rule* rule = nullptr;            // a signature hit, or
  const signatures::Indicator* indicator = nullptr;  // an indicator-list hit (rule is null)
  const Flow* flow = nullptr;                        // null for a packet that reached no flow:
  // then this packet (its addresses, if decoded); with a flow, the packet being processed when
  // the rule matched (null at the flow's end), for its Ethernet header and frame.
  const DecodedPacket* packet = nullptr;
  signatures::FlowDirection direction = signatures::FlowDirection::ToServer;
  std::int64_t timestamp_ns = 0;
  signatures::BufferId buffer = signatures::BufferId::Payload;
  std::string_view excerpt;  // bytes of the inspected buffer, valid during the callback
  std::uint8_t ip_proto = 0;
  // The capture position of the packet being processed when the rule matched (EVE's pcap_cnt):
  // for stream and transaction inputs, the packet whose data completed them; 0 unknown.
  std::uint64_t capture_index = 0;
  // datajson: the JSON objects the rule's dataset keywords add (EVE alert.context), valid
  // during the callback.
  std::span<const signatures::AlertContext> contexts;
  // A transaction input's record where its parser offers one (DCERPC, SMB, MQTT, FTP: EVE adds
  // the transaction's protocol object to the alert, as Suricata does), valid during the callback.
  const AppMetadata* app = nullptr;
  // A frame input's frame (EVE adds the frame object to the alert), valid during the callback.
  const Frame* frame = nullptr;
  bool from_stream = false;  // a TCP match on stream data or a transaction (EVE's "stream": 1)
  // Stream bytes scanned at the flow's end, on no packet (Suricata's flow-end pseudo packet: EVE
  // pkt_src "stream (flow timeout)", no pcap_cnt).
  bool flow_end = false;
};

// One anomaly event for EVE `anomaly` records: on a packet of `flow`, or on a packet that
// reached no flow (`flow` null, `packet` set).
struct AnomalyHit {
  signatures::AnomalyEvent event{};
  const Flow* flow = nullptr;
  const DecodedPacket* packet = nullptr;
  signatures::FlowDirection direction = signatures::FlowDirection::ToServer;
  std::int64_t timestamp_ns = 0;
  // An app-layer event's transaction in its flow, when the parser tied it to one (EVE's
  // tx_id); -1 otherwise.
  std::int64_t tx_id = -1;
};

struct DetectionCounters {
  std::uint64_t packet_inputs = 0;
  std::uint64_t stream_inputs = 0;
  std::uint64_t transaction_inputs = 0;
  std::uint64_t alerts = 0;
  std::uint64_t stream_bytes_inspected = 0;
  std::uint64_t host_tags_dropped = 0;  // PacketTagger::hostTagsDropped

  static constexpr auto counterFields() {
    using F = gsoc::CounterField<DetectionCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"packet_inputs", &DetectionCounters::packet_inputs, kCounter, "Packets inspected."},
        F{"stream_inputs", &DetectionCounters::stream_inputs, kCounter, "Stream chunks inspected."},
        F{"transaction_inputs", &DetectionCounters::transaction_inputs, kCounter, "Transactions inspected."},
        F{"alerts", &DetectionCounters::alerts, kCounter, "Alerts raised."},
        F{"stream_bytes_inspected", &DetectionCounters::stream_bytes_inspected, kCounter, "Stream bytes inspected."},
        F{"host_tags_dropped", &DetectionCounters::host_tags_dropped, kCounter, "Host tags refused at the cap."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<DetectionCounters>());

class DetectionStage {
 public:
  using AlertSink = std::function<void(const AlertHit&)>;
  using AnomalySink = std::function<void(const AnomalyHit&)>;
  // A packet that a rule's `tag` covers (flow null for a packet that reached no flow).
  using TaggedPacketSink = std::function<void(const DecodedPacket&, const Flow*)>;
  static constexpr std::size_t kAnchoredDepth = 2 * 1024;
  static constexpr std::size_t kOverlap = 512;

  DetectionStage(signatures::CompiledRulesetPtr ruleset, AlertSink sink);

  // The packet whose stream bytes come next (SensorWorker's on_flow_packet_start): what they
  // complete carries its capture position, the flow's first packet's included.
  void beginPacket(const DecodedPacket& packet) { current_ = &packet; }
  // The packet being processed (null after a flowless one): its time and capture position go
  // with what its bytes complete.
  [[nodiscard]] const DecodedPacket* currentPacket() const { return current_; }

  // A packet of `flow` is inspected in three steps, with the app layer's work between them
  // (FlowInspector::onPacket):
  // 1. What it acknowledges of the other direction's stream. Returns the other direction's
  //    delivered bytes it leaves unacknowledged (what the app layer may not parse yet).
  std::uint64_t acknowledge(const DecodedPacket& packet, Flow& flow, signatures::FlowDirection dir);
  // 2. In IDS mode, this direction's bytes the other side has acknowledged are scanned; then the
  //    packet's input is set up. Returns its buffers, which the app layer's datagram parsers add to.
  signatures::BufferSet& preparePacket(const DecodedPacket& packet, Flow& flow, signatures::FlowDirection dir);
  // 3. The packet's rules, on its events and those the app layer raised meanwhile
  //    (pendingEvents). `datagram_record`: the record the app layer made of this datagram, if any.
  void inspectPacket(const DecodedPacket& packet, Flow& flow, signatures::FlowDirection dir,
                     const AppMetadata* datagram_record);

  // Stream bytes of `flow`, in two steps around the app layer's parsing of them:
  // appendStream keeps them in the flow's window (transactions they complete see the window as
  // their payload); streamParsed scans them where they need not wait for an ACK.
  void appendStream(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data);
  void streamParsed(Flow& flow, signatures::FlowDirection dir, std::size_t bytes);

  // One app-layer transaction (or record) of `flow`: `input.buffers` filled by the parser.
  // `record` and `frame` (may be null) go with its alerts to EVE.
  void onTransaction(Flow& flow, signatures::FlowDirection dir, signatures::MatchInput& input, const AppMetadata* record,
                     const Frame* frame);
  // App-layer events raised while the current packet is processed go here (the app layer's
  // takeEvents): they belong to that packet, and transactions inspected meanwhile see them.
  [[nodiscard]] signatures::EventSet& pendingEvents() { return packet_events_; }

  // A packet with anomaly events that reached no flow (SensorWorker's on_flowless_packet).
  void onFlowlessPacket(const DecodedPacket& packet);

  // The flow ends, in two steps around the app layer's end of it (FlowInspector::onFlowEnd):
  // startFlowEnd scans what stream rules have not scanned yet; finishFlowEnd inspects the events
  // the end raised. Between them alerts are on no packet, and releaseWindows gives back every
  // window.
  void startFlowEnd(Flow& flow);
  void finishFlowEnd(Flow& flow, const AppMetadata* datagram_record);
  // Gives a flow's stream windows (its connection is over) back to the pool, but for a side with
  // bytes not scanned yet (they wait for the flow's end).
  void releaseWindows(Flow& flow);

  void setAnomalySink(AnomalySink sink) { anomaly_sink_ = std::move(sink); }
  // Tagged packets (the `tag` keyword) go to `sink`; without one, tags are not tracked.
  void setTaggedPacketSink(TaggedPacketSink sink) { tagged_sink_ = std::move(sink); }
  // Suricata's stream.inline: stream rules scan a side's bytes as they arrive, not once
  // acknowledged.
  void setStreamInline(bool on) { stream_inline_ = on; }
  // Suricata's tls encryption-handling: by default (track-only) a TLS flow's packet payloads and
  // stream bytes are no longer inspected once it carries application data (AppFlowSlot::
  // encrypted), as content rules cannot match ciphertext; its header, flow and tls.* rules
  // still run. On: inspected like any other flow (Suricata's `full`).
  void setInspectEncrypted(bool on) { inspect_encrypted_ = on; }
  // A reload: the next packets are matched against `ruleset`.
  void setRuleset(signatures::CompiledRulesetPtr ruleset) { detector_.setRuleset(std::move(ruleset)); }
  // Every prefilter scan, told to `observer` (benchmarks; nullptr: none).
  void observeScans(signatures::ScanObserver* observer) { detector_.observeScans(observer); }
  // The ruleset in use: the one whose rules the next alerts name.
  [[nodiscard]] const signatures::CompiledRuleset& ruleset() const { return detector_.ruleset(); }

  [[nodiscard]] const DetectionCounters& counters() const { return counters_; }
  [[nodiscard]] const signatures::Detector& detector() const { return detector_; }
  // Adds this stage's pools (the stream windows) to `table`.
  void addPools(PoolTable& table) const {
    windows_.addPools(table, "stream_windows");
  }

 private:
  void fillMeta(const Flow& flow, signatures::FlowDirection dir, std::int64_t ts, signatures::PacketMeta& meta) const;
  // `app`, `frame`: the app layer's record and frame for the alerts' EVE objects.
  void emit(Flow* flow, signatures::FlowDirection dir, std::int64_t ts, const signatures::MatchInput& input,
            std::span<const signatures::RuleMatch> matches, const AppMetadata* app = nullptr, const Frame* frame = nullptr);
  // Stream rules scan the first `bytes` of a side's unscanned bytes, in a window with the bytes
  // before them kept for context (the stream start, or the overlap).
  void scanStream(Flow& flow, signatures::FlowDirection dir, std::uint64_t bytes, std::int64_t ts);
  // scanStream without the encryption check.
  void scanWindow(Flow& flow, signatures::FlowDirection dir, std::uint64_t bytes, std::int64_t ts);
  // Whether the flow's payload is inspected (setInspectEncrypted): false once a TLS flow is
  // encrypted.
  [[nodiscard]] bool payloadInspected(const Flow& flow) const { return inspect_encrypted_ || !flow.app_layer.encrypted; }
  // The flow became encrypted: as Suricata when it newly turns a flow's raw reassembly off, the
  // stream bytes not scanned yet, both ways, are scanned once more (acknowledged or not), and
  // the windows go back to the pool; nothing is kept for stream rules after that.
  void flushWindows(Flow& flow, std::int64_t ts);
  void reportAnomalies(const signatures::EventSet& events, const Flow* flow, const DecodedPacket* packet,
                       signatures::FlowDirection dir, std::int64_t ts, const AppMetadata* datagram_record = nullptr);
  [[nodiscard]] std::int64_t now(const Flow& flow) const { return current_ != nullptr ? current_->timestamp_ns : flow.last_ns; }

  signatures::Detector detector_;
  AlertSink sink_;
  AnomalySink anomaly_sink_;
  TaggedPacketSink tagged_sink_;
  PacketTagger tagger_;
  // After a packet's detection: tells the tagged-packet sink when a tag covers it.
  void tagPacket(const DecodedPacket& packet, const Flow* flow) {
    if (tagged_sink_ && !tagger_.empty() && tagger_.onPacket(packet, flow)) tagged_sink_(packet, flow);
    counters_.host_tags_dropped = tagger_.hostTagsDropped();
  }
  // Stream and app-layer events raised while the current packet's stream data was processed:
  // they belong to that packet (Suricata sets them on it), which inspectPacket inspects next.
  signatures::EventSet packet_events_;

  signatures::MatchInput input_;
  const DecodedPacket* current_ = nullptr;  // the packet being processed, for stream inputs
  const DecodedPacket* current_flowless_ = nullptr;  // during onFlowlessPacket, for its alerts
  bool ending_flow_ = false;                         // between startFlowEnd and finishFlowEnd
  bool stream_inline_ = false;                       // Suricata's stream.inline
  bool inspect_encrypted_ = false;                   // tls encryption-handling full
  // Unscanned bytes a side holds at most: past it they are scanned as they arrive (a capture
  // that misses the other side's ACKs must not grow a window without bound).
  static constexpr std::uint64_t kMaxUnscanned = 64 * 1024;
  // The buffers of the stream windows (DetectFlowSlot::windows), in capacity classes: short TCP
  // flows and growing windows then cost no allocation. At most 4096 small, 4096 of 1 KiB, 1024
  // of 4 KiB, 512 of 64 KiB and 32 of 128 KiB are kept (52 MiB): on the uplink profile 417
  // windows of 64 KiB are in use at once (bytes waiting for an ACK), and with fewer kept the
  // flows after a wave of expiries allocated them again. Kept buffers are the peak's: the
  // peak memory is the same, it is only not given back.
  ByteBufferPool windows_{ByteBufferPool::Kept{4096, 4096, 1024, 512, 32}};
  // Between appendStream and streamParsed: the window, as the payload of the transactions the
  // app layer completes with those bytes.
  std::string_view tx_payload_;
  signatures::FlowDirection tx_payload_direction_ = signatures::FlowDirection::ToServer;
  DetectionCounters counters_;
};

}  // namespace gsoc::sensor

#pragma once
// One bidirectional connection as a worker tracks it: who the client is, counters each way, TCP
// state, the reassembled streams, flowbits, and (later) the app-layer parser state. Owned by
// one worker's FlowTable; never shared between threads.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/Detector.hpp"
#include "sensor/flow/FlowKey.hpp"
#include "sensor/flow/TcpStream.hpp"

namespace gsoc::sensor {

enum class TcpState : std::uint8_t { None, SynSent, SynReceived, Established, Closing, Closed };
std::string_view tcpStateName(TcpState state);

enum class FlowEndReason : std::uint8_t { Timeout, Closed, Evicted, Shutdown };
std::string_view flowEndReasonName(FlowEndReason reason);

struct DirectionCounters {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint8_t min_ttl = 255;  // EVE netflow min_ttl / max_ttl
  std::uint8_t max_ttl = 0;
};

using MacAddress = std::array<std::uint8_t, 6>;

// The Ethernet addresses a flow was seen with (EVE's flow ether.src_macs / dest_macs): the
// client side's (the source of packets to the server, the destination of replies) and the server
// side's, each in order of first sight and up to kMax, kept in place so a flow allocates nothing.
struct FlowMacs {
  static constexpr std::size_t kMax = 4;
  std::array<MacAddress, kMax> client{};
  std::array<MacAddress, kMax> server{};
  std::uint8_t client_count = 0;
  std::uint8_t server_count = 0;
  void add(const MacAddress& client_mac, const MacAddress& server_mac) {
    addTo(client, client_count, client_mac);
    addTo(server, server_count, server_mac);
  }

 private:
  static void addTo(std::array<MacAddress, kMax>& set, std::uint8_t& count, const MacAddress& mac) {
    for (std::uint8_t i = 0; i < count; ++i) {
      if (set[i] == mac) return;
    }
    if (count < kMax) set[count++] = mac;
  }
};

// Per-flow state of an application-layer parser; the app component derives from it.
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

class Flow {
 public:
  static constexpr std::size_t kToServer = 0;
  static constexpr std::size_t kToClient = 1;

  Flow(std::uint64_t id, const FlowKey& key, const DecodedPacket& first, std::size_t stream_cap);

  // Which way this packet goes, relative to the client that opened the flow.
  [[nodiscard]] signatures::FlowDirection directionOf(const DecodedPacket& p) const {
    return (p.src == client && p.src_port == client_port) ? signatures::FlowDirection::ToServer
                                                          : signatures::FlowDirection::ToClient;
  }
  // TCP: handshake completed (or the client's ACK of an unseen SYN/ACK); other: replies seen.
  [[nodiscard]] bool established() const;
  // Updates counters and TCP state from one packet.
  void account(const DecodedPacket& p, signatures::FlowDirection dir);

  std::uint64_t id;
  FlowKey key;
  IpAddress client;
  IpAddress server;
  std::uint16_t client_port;
  std::uint16_t server_port;
  std::uint8_t ip_proto;
  std::uint8_t ip_version;
  std::array<std::uint16_t, 3> vlan;  // the packets' VLAN ids, outermost first
  std::uint8_t vlan_count;
  std::uint32_t esp_spi;  // ESP: the security parameter index, part of the flow's identity
  // ICMP: the first type and code each way (EVE's icmp_type, response_icmp_type).
  std::array<std::uint8_t, 2> icmp_type{};
  std::array<std::uint8_t, 2> icmp_code{};
  std::array<bool, 2> icmp_seen{};
  FlowMacs macs;
  std::int64_t first_ns;
  std::int64_t last_ns;
  std::array<DirectionCounters, 2> counters{};
  TcpState tcp_state = TcpState::None;
  // The TCP handshake completed at some point (the state may be Closing or Closed since).
  bool was_established = false;
  // TCP flags seen, ORed, per direction (EVE's tcp_flags_ts / tcp_flags_tc).
  std::array<std::uint8_t, 2> tcp_flags_seen{};
  // A side sent a RST and nothing since (SensorWorker: another packet of that side raises
  // Suricata's stream.suspected_rst_inject).
  std::array<bool, 2> rst_sent{};
  // An alert was raised on the flow (EVE's flow.alerted).
  bool alerted = false;
  // An IP-only pass rule matched: the rest of the flow raises no alerts (Suricata passes the
  // whole flow; its records are still written).
  bool passed = false;
  // A `bypass` rule matched: later packets are counted, nothing more (SensorWorker).
  bool bypassed = false;
  bool midstream = false;
  std::array<TcpStream, 2> streams;
  // Per direction, the stream bytes kept for the next inspection window: the stream start while
  // it is short, then the overlap (see DetectionStage).
  std::array<std::string, 2> stream_windows;
  std::array<std::uint64_t, 2> stream_inspected{};  // bytes of each direction inspected so far
  // Per direction, how many bytes at the end of stream_windows stream rules have not scanned yet:
  // as Suricata's raw reassembly in IDS mode, a side's bytes are scanned once the other side has
  // acknowledged them, at that side's next packet, or else at the flow's end (DetectionStage).
  std::array<std::uint64_t, 2> stream_unscanned{};
  // Per direction, how many of its delivered stream bytes the other side has acknowledged.
  std::array<std::uint64_t, 2> stream_acked{};
  signatures::FlowBits flowbits;
  signatures::AppProto app = signatures::AppProto::None;
  bool app_detection_done = false;
  // TCP: the direction whose data identified `app`, and the protocol that packet rules see. As in
  // Suricata's IDS mode, a packet learns the protocol only once the other side has answered the
  // identifying data on the established connection (the data is parsed when it is acknowledged).
  signatures::FlowDirection app_identified_by = signatures::FlowDirection::Any;
  signatures::AppProto packet_app = signatures::AppProto::None;
  // Each direction's first data probed on its own (kToServer, kToClient): the identifying side's
  // protocol, and the other side's only where it disagrees. Both set: Suricata then reports the
  // client's protocol as the flow's and the server's apart (EVE app_proto_tc), and raises
  // applayer_mismatch_protocol_both_directions; gsoc's parser stays the one first identified.
  std::array<signatures::AppProto, 2> app_probed{};
  std::array<bool, 2> app_probe_done{};  // that direction's first data was probed
  // The protocol that handed the flow over to `app` (LDAP's StartTLS: EVE tls.from_proto).
  signatures::AppProto app_upgraded_from = signatures::AppProto::None;
  std::uint16_t tls_version = 0;  // from the ServerHello, for tls.version
  std::vector<std::uint32_t> alerted_indicators;  // one alert per indicator per flow
  std::unique_ptr<AppState> app_state;
  std::unique_ptr<FrameState> frame_state;  // frames (issue 15): null unless asked for
};

}  // namespace gsoc::sensor

#pragma once
// One bidirectional connection as a worker tracks it: who the client is, counters each way, TCP
// state, the reassembled streams and the protocol found, plus one slot per inspecting layer:
// the app layer's (AppFlowSlot) and detection's (DetectFlowSlot), each defined and written by its
// own layer. Owned by one worker's FlowTable; never shared between threads.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/AppProto.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/AppFlowSlot.hpp"
#include "sensor/detect/DetectFlowSlot.hpp"
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
  std::array<TcpStream, 2> streams;
  // The layers' slots may lend their tail padding to the small fields after them (a flow's size
  // is the sensor's memory per flow).
  [[no_unique_address]] AppFlowSlot app_layer;  // the app layer's per-flow state
  // The protocol the app layer identified (EVE's app_proto), None until then.
  signatures::AppProto app = signatures::AppProto::None;
  // An alert was raised on the flow (EVE's flow.alerted).
  bool alerted = false;
  // A `bypass` rule matched: later packets are counted, nothing more (SensorWorker).
  bool bypassed = false;
  bool midstream = false;
  [[no_unique_address]] DetectFlowSlot detect;  // detection's per-flow state
};

}  // namespace gsoc::sensor

#pragma once
// What the sensor hands the detection engine for one packet, stream chunk or app-layer
// transaction: the flow's protocol and direction, the packet header fields some rules test, and
// views of the named buffers. Nothing is copied: buffers are string_views into the sensor's
// memory, valid for the duration of one match() call. A BufferSet is reused per worker, so
// filling it never allocates.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "gsoc/signatures/Buffer.hpp"
#include "gsoc/signatures/IpAddress.hpp"
#include "gsoc/signatures/Rule.hpp"

namespace gsoc::signatures {

class BufferSet {
 public:
  static constexpr std::size_t kMaxInstances = 16;

  // Forgets the buffers set since the last clear (only those: a set holds a few of hundreds).
  void clear() {
    for (std::size_t i = 0; i < present_count_; ++i) counts_[index(present_[i])] = 0;
    present_count_ = 0;
  }
  // Replaces all instances of `id` with one value.
  void set(BufferId id, std::string_view value) {
    auto& count = counts_[index(id)];
    if (count == 0) present_[present_count_++] = id;
    values_[index(id)][0] = value;
    count = 1;
  }
  // Adds one more instance (certificates, recipients). Returns false when full.
  bool add(BufferId id, std::string_view value) {
    auto& count = counts_[index(id)];
    if (count >= kMaxInstances) return false;
    if (count == 0) present_[present_count_++] = id;
    values_[index(id)][count++] = value;
    return true;
  }
  [[nodiscard]] std::span<const std::string_view> get(BufferId id) const {
    return {values_[index(id)].data(), counts_[index(id)]};
  }
  // The buffers with at least one value, in the order they were first set.
  [[nodiscard]] std::span<const BufferId> present() const { return {present_.data(), present_count_}; }
  [[nodiscard]] bool has(BufferId id) const { return counts_[index(id)] != 0; }

 private:
  std::array<std::array<std::string_view, kMaxInstances>, kBufferCount> values_{};
  std::array<std::uint8_t, kBufferCount> counts_{};
  std::array<BufferId, kBufferCount> present_{};
  std::size_t present_count_ = 0;
};

// One interface a DCERPC connection (or an SMB session's named pipes) bound, as dcerpc.iface
// tests it: the context id it was bound to, the interface's UUID (in the order of its text form)
// and version, whether its BIND carried the first-fragment flag, and the server's answer.
struct DceInterface {
  std::array<std::uint8_t, 16> uuid{};
  std::uint16_t version = 0;
  std::uint16_t version_minor = 0;
  std::uint16_t context_id = 0;
  std::uint32_t call_id = 0;  // of the BIND or ALTER_CONTEXT that proposed it
  bool first_frag = false;
  bool acked = false;
  std::uint16_t ack_result = 0;  // 0 acceptance, 1 user rejection, 2 provider rejection
  std::uint16_t ack_reason = 0;
};

// A DCERPC transaction as the dce keywords see it.
struct DceFacts {
  std::span<const DceInterface> interfaces;  // every interface bound so far
  bool request = false;                      // a REQUEST (not a BIND...): opnum and context_id are its
  std::uint16_t opnum = 0;
  std::uint16_t context_id = 0;
};

// What a transaction's parser knows beyond its buffers, for the keywords that test it
// (dcerpc.iface, dcerpc.opnum, smb.version); views valid for one match() call.
struct TransactionFacts {
  const DceFacts* dce = nullptr;  // a DCERPC transaction (over TCP or in an SMB named pipe)
  std::uint8_t smb_version = 0;   // an SMB transaction: 1 or 2
  // A transaction inspected more than once as it grows (LDAP, at each response): the rules that
  // alerted on it so far, by index, so that each alerts once per transaction as in Suricata.
  // The detection stage skips and adds to it.
  std::vector<std::uint32_t>* alerted_rules = nullptr;
  // The transaction's number in its flow (transactional `=>` rules pair a request with its own
  // response by it); 0 for protocols with one transaction per flow.
  std::uint64_t tx_id = 0;
};

struct PacketMeta {
  Transport transport = Transport::Tcp;  // Any is not valid here
  AppProto app = AppProto::None;         // detected application protocol of the flow
  // The protocol each direction's own data was detected as: the same as `app`, except where
  // the two directions disagree (an HTTP client talking to an SSH server).
  AppProto app_to_server = AppProto::None;
  AppProto app_to_client = AppProto::None;
  FlowDirection direction = FlowDirection::ToServer;
  bool established = false;              // TCP handshake seen / UDP seen both ways
  bool is_stream = false;                // payload is reassembled stream data, not one packet
  bool has_packet = true;                // header fields below are valid
  IpAddress src;
  IpAddress dst;
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  std::int64_t timestamp_ns = 0;
  std::uint32_t payload_size = 0;        // dsize
  std::uint8_t ip_proto = 6;
  std::uint8_t ttl = 64;
  std::uint8_t tcp_flags = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint64_t stream_bytes_to_server = 0;  // stream_size: client-side bytes so far
  std::uint64_t stream_bytes_to_client = 0;  // server-side bytes so far
  std::uint16_t tls_version = 0;             // negotiated record version; 0 unknown
  // flow.pkts / flow.bytes / flow.age: the flow's counters with this packet, to server and to
  // client, and its first packet's time.
  std::array<std::uint64_t, 2> flow_packets{};
  std::array<std::uint64_t, 2> flow_bytes{};
  std::int64_t flow_start_ns = 0;
  // Packet inputs of a reassembled TCP flow: the payload is inspected as stream data, so rules
  // that inspect the payload (other than tcp-pkt / no_stream ones) skip this packet.
  bool payload_in_stream = false;
  // Stream inputs: the payload holds already-inspected bytes before this offset; a payload match
  // must end after it, so overlap between windows never alerts twice.
  std::uint32_t stream_new_data_offset = 0;
  // IP-only rules fire on the first packet of each flow direction only.
  bool first_in_direction = true;
  // Transaction inputs: the payload (the stream window the transaction completed in) is there
  // only for rules that mix it with app-layer buffers (`content:"GET"; pcre:"/x/U";`); it is not
  // scanned, and rules that inspect nothing else are left to the stream inputs.
  bool is_transaction = false;
  // Anomaly events of this input (decoder, defragmentation, stream, app layer), for the event
  // keywords.
  EventSet events;
  // Transaction inputs: set by the parser with the buffers.
  TransactionFacts facts;
  // helper-decode: the packet's VLAN ids, outermost first (vlan.id, vlan.layers).
  std::array<std::uint16_t, 3> vlan{};
  std::uint8_t vlan_count = 0;
};

struct MatchInput {
  PacketMeta meta;
  BufferSet buffers;
};

}  // namespace gsoc::signatures

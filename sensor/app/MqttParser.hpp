#pragma once
// MQTT 3.1, 3.1.1 and 5.0 (OASIS) over one TCP flow: each side's control packets (fixed header,
// remaining length, then the variable header and payload of every packet type, v5 properties
// included) grouped into Suricata's transactions: a request and the reply that answers it
// (CONNECT and CONNACK; PUBLISH and its PUBACK, or PUBREC, PUBREL and PUBCOMP; SUBSCRIBE and
// SUBACK; UNSUBSCRIBE and UNSUBACK) form one, every other packet is one on its own. A packet
// longer than the configured maximum is skipped unread and logged as truncated. Malformed input
// (a remaining length over four bytes, a packet body that its fields overrun) is counted, raises
// mqtt.malformed_traffic, and that side stops being parsed. Transactions, messages and their
// strings are reused: a flow's steady state allocates nothing.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

enum class MqttType : std::uint8_t {
  Unassigned = 0, Connect, Connack, Publish, Puback, Pubrec, Pubrel, Pubcomp,
  Subscribe, Suback, Unsubscribe, Unsuback, Pingreq, Pingresp, Disconnect, Auth,
};
// "connect", "puback"... (Suricata's EVE object names); "unassigned" for 0.
std::string_view mqttTypeName(MqttType type);

// A one-byte field as a buffer for the integer keywords' byte tests (a view of the field itself).
template <typename T>
  requires(sizeof(T) == 1)
std::string_view mqttByteView(const T& field) {
  return {reinterpret_cast<const char*>(&field), 1};
}

// One v5 property: a number, a string or binary data, or a user property (name and value).
struct MqttProperty {
  std::uint8_t id = 0;
  std::uint32_t number = 0;
  std::string name;   // user property's name
  std::string value;  // string or binary data; user property's value
  // The EVE key ("receive_maximum"...; a user property's own name), empty for unknown ids.
  [[nodiscard]] std::string_view key() const;
  [[nodiscard]] bool isNumber() const;
};

struct MqttTopic {
  std::string name;
  std::uint8_t qos = 0;
};

// One control packet, every type's fields in one record (those of its type are set).
struct MqttMessage {
  MqttType type = MqttType::Unassigned;
  std::uint8_t flags = 0;  // the fixed header's low nibble: DUP 8, QoS 6, RETAIN 1
  std::uint8_t qos_level = 0;  // from flags, kept as a byte for the mqtt.qos keyword's view
  std::uint32_t remaining_length = 0;
  [[nodiscard]] std::uint8_t qos() const { return qos_level; }
  [[nodiscard]] bool dup() const { return (flags & 8) != 0; }
  [[nodiscard]] bool retain() const { return (flags & 1) != 0; }
  // Longer than the maximum: skipped unread, `skipped_length` bytes with its fixed header.
  bool truncated = false;
  std::uint64_t skipped_length = 0;
  // CONNECT
  std::string protocol_string;
  std::uint8_t protocol_version = 0;
  std::uint8_t connect_flags = 0;  // username 0x80, password 0x40, will retain 0x20, will 0x04, clean session 0x02
  std::string client_id, username, password, will_topic, will_message;
  ReusingVector<MqttProperty> will_properties;
  // CONNACK
  bool session_present = false;
  // CONNACK's return code, the v5 reason code of PUBACK..PUBCOMP, DISCONNECT and AUTH.
  bool has_reason_code = false;
  std::uint8_t reason_code = 0;
  // PUBLISH (QoS 1 and 2), PUBACK..PUBCOMP, SUBSCRIBE..UNSUBACK
  bool has_message_id = false;
  std::uint16_t message_id = 0;
  std::string topic;    // PUBLISH
  std::string payload;  // PUBLISH's application message
  ReusingVector<MqttTopic> topics;  // SUBSCRIBE (with requested QoS), UNSUBSCRIBE
  std::vector<std::uint8_t> codes;  // SUBACK's granted QoS / reason codes, UNSUBACK's reason codes
  ReusingVector<MqttProperty> properties;
  void clear();
};

// Parses one whole packet (`packet`: fixed header, then exactly `remaining_length` bytes) of a
// connection whose CONNECT announced `version`. False when its fields overrun it.
bool parseMqttPacket(std::span<const std::uint8_t> packet, std::uint8_t version, MqttMessage& out);

// A request and what answers it, or one packet alone.
struct MqttTransaction {
  static constexpr std::size_t kMaxMessages = 4;  // PUBLISH, PUBREC, PUBREL, PUBCOMP
  std::uint64_t tx_id = 0;
  std::array<MqttMessage, kMaxMessages> messages;
  std::size_t count = 0;
  bool awaits_reply = false;  // not complete: its packet id (or CONNECT) may still be answered
  bool connect = false;       // awaits a CONNACK
  std::uint16_t packet_id = 0;
  signatures::FlowDirection direction = signatures::FlowDirection::ToServer;  // of its first packet
  [[nodiscard]] std::span<const MqttMessage> view() const { return {messages.data(), count}; }
};

struct MqttLimits {
  std::uint32_t max_msg_length = 1024 * 1024;  // Suricata's app-layer.protocols.mqtt.max-msg-length
  std::size_t max_tx = 1024;                   // its max-tx: open transactions kept at most
};

class MqttState final : public AppState {
 public:
  using TransactionSink = FunctionRef<void(signatures::FlowDirection, const MqttTransaction&)>;

  explicit MqttState(const MqttLimits& limits) : limits_(&limits) {}
  // Reassembled data of one side; each transaction is handed to `sink` once complete.
  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink);
  // The flow ends: transactions still waiting for their reply are handed over as they are.
  void close(const TransactionSink& sink);
  [[nodiscard]] std::uint8_t protocolVersion() const { return version_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  // Back to the state of a new connection, keeping buffers and transactions (AppLayer pools them).
  void reset();

 private:
  struct Side {
    std::string pending;     // a packet not yet whole
    std::uint64_t skip = 0;  // bytes of a truncated packet still to skip
    bool failed = false;     // malformed: no longer parsed
  };
  // Parses whole packets from the front of `data`; returns the bytes consumed.
  std::size_t parse(Side& side, signatures::FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink);
  void handle(signatures::FlowDirection dir, const TransactionSink& sink);
  MqttTransaction& open(signatures::FlowDirection dir, const TransactionSink& sink);
  void finish(std::size_t index, signatures::FlowDirection dir, const TransactionSink& sink);
  MqttTransaction* awaiting(bool connect, std::uint16_t packet_id);
  void malformed(Side& side);

  const MqttLimits* limits_;
  Side sides_[2];
  MqttMessage message_;  // the packet being handled
  std::vector<std::unique_ptr<MqttTransaction>> open_;   // waiting for their reply, oldest first
  std::vector<std::unique_ptr<MqttTransaction>> spare_;  // handed over, for reuse
  std::uint64_t next_tx_id_ = 0;
  std::uint8_t version_ = 0;
  bool connected_ = false;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor

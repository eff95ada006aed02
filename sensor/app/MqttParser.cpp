#include "sensor/app/MqttParser.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace gsoc::sensor {

using signatures::AnomalyEvent;
using signatures::FlowDirection;

namespace {

constexpr std::size_t kMaxFixedHeaderBytes = 5;  // the type byte and a remaining length of up to 4 bytes

// The v5 property identifiers (MQTT 5.0, 2.2.2.2) by the form of their value.
enum class PropertyForm : std::uint8_t { Unknown, Byte, Two, Four, VarInt, String, Binary, Pair };

PropertyForm propertyForm(std::uint32_t id) {
  switch (id) {
    case 1: case 23: case 25: case 36: case 37: case 40: case 41: case 42: return PropertyForm::Byte;
    case 19: case 33: case 34: case 35: return PropertyForm::Two;
    case 2: case 17: case 24: case 39: return PropertyForm::Four;
    case 11: return PropertyForm::VarInt;
    case 3: case 8: case 18: case 21: case 26: case 28: case 31: return PropertyForm::String;
    case 9: case 22: return PropertyForm::Binary;
    case 38: return PropertyForm::Pair;
    default: return PropertyForm::Unknown;
  }
}

// Reads the fields of one packet body; every read fails (and stays failed) past its end.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] std::size_t left() const { return ok_ ? data_.size() - at_ : 0; }
  [[nodiscard]] bool atEnd() const { return left() == 0; }

  std::uint8_t u8() {
    if (left() < 1) return fail();
    return data_[at_++];
  }
  std::uint16_t u16() {
    if (left() < 2) return fail();
    const auto v = static_cast<std::uint16_t>(data_[at_] << 8 | data_[at_ + 1]);
    at_ += 2;
    return v;
  }
  std::uint32_t u32() {
    if (left() < 4) return fail();
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | data_[at_++];
    return v;
  }
  // Variable byte integer: 7 bits a byte, least significant first, at most 4 bytes.
  std::uint32_t varint() {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint8_t b = u8();
      if (!ok_) return 0;
      value |= static_cast<std::uint32_t>(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) return value;
    }
    return fail();
  }
  // A two-byte length, then that many bytes (UTF-8 string or binary data).
  void lengthPrefixed(std::string& out) {
    const std::uint16_t length = u16();
    if (left() < length) {
      fail();
      return;
    }
    out.assign(reinterpret_cast<const char*>(data_.data() + at_), length);
    at_ += length;
  }
  void rest(std::string& out) {
    out.assign(reinterpret_cast<const char*>(data_.data() + at_), left());
    at_ = data_.size();
  }
  void rest(std::vector<std::uint8_t>& out) {
    out.assign(data_.begin() + static_cast<std::ptrdiff_t>(at_), data_.end());
    at_ = data_.size();
  }
  // The first `n` bytes from here, as a reader of their own; this one moves past them.
  Reader take(std::size_t n) {
    if (left() < n) {
      fail();
      return Reader({});
    }
    Reader sub(data_.subspan(at_, n));
    at_ += n;
    return sub;
  }

 private:
  std::uint8_t fail() {
    ok_ = false;
    return 0;
  }
  std::span<const std::uint8_t> data_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

// A v5 property list: its length, then the properties. Unknown identifiers are skipped alone
// (their value's size is unknown), as Suricata does.
bool readProperties(Reader& in, ReusingVector<MqttProperty>& out) {
  out.clear();
  const std::uint32_t length = in.varint();
  Reader list = in.take(length);
  if (!in.ok()) return false;
  while (!list.atEnd()) {
    const std::uint32_t id = list.varint();
    if (!list.ok()) return false;
    const PropertyForm form = propertyForm(id);
    if (form == PropertyForm::Unknown) continue;
    MqttProperty& p = out.next();
    p.id = static_cast<std::uint8_t>(id);
    p.number = 0;
    p.name.clear();
    p.value.clear();
    switch (form) {
      case PropertyForm::Byte: p.number = list.u8(); break;
      case PropertyForm::Two: p.number = list.u16(); break;
      case PropertyForm::Four: p.number = list.u32(); break;
      case PropertyForm::VarInt: p.number = list.varint(); break;
      case PropertyForm::String:
      case PropertyForm::Binary: list.lengthPrefixed(p.value); break;
      case PropertyForm::Pair:
        list.lengthPrefixed(p.name);
        list.lengthPrefixed(p.value);
        break;
      case PropertyForm::Unknown: break;
    }
    if (!list.ok()) return false;
  }
  return true;
}

// PUBACK, PUBREC, PUBREL, PUBCOMP: the packet id, and from v5 a reason code and properties
// that may be left out (remaining length 2: success, none).
bool readAck(Reader& in, std::uint8_t version, MqttMessage& m) {
  m.message_id = in.u16();
  m.has_message_id = in.ok();
  if (version < 5 || !in.ok()) return in.ok();
  m.has_reason_code = true;
  if (in.atEnd()) return true;
  m.reason_code = in.u8();
  if (in.atEnd()) return in.ok();
  return readProperties(in, m.properties);
}

}  // namespace

std::string_view mqttTypeName(MqttType type) {
  switch (type) {
    case MqttType::Unassigned: return "unassigned";
    case MqttType::Connect: return "connect";
    case MqttType::Connack: return "connack";
    case MqttType::Publish: return "publish";
    case MqttType::Puback: return "puback";
    case MqttType::Pubrec: return "pubrec";
    case MqttType::Pubrel: return "pubrel";
    case MqttType::Pubcomp: return "pubcomp";
    case MqttType::Subscribe: return "subscribe";
    case MqttType::Suback: return "suback";
    case MqttType::Unsubscribe: return "unsubscribe";
    case MqttType::Unsuback: return "unsuback";
    case MqttType::Pingreq: return "pingreq";
    case MqttType::Pingresp: return "pingresp";
    case MqttType::Disconnect: return "disconnect";
    case MqttType::Auth: return "auth";
  }
  return "unassigned";
}

std::string_view MqttProperty::key() const {
  switch (id) {
    case 1: return "payload_format_indicator";
    case 2: return "message_expiry_interval";
    case 3: return "content_type";
    case 8: return "response_topic";
    case 9: return "correlation_data";
    case 11: return "subscription_identifier";
    case 17: return "session_expiry_interval";
    case 18: return "assigned_client_identifier";
    case 19: return "server_keep_alive";
    case 21: return "authentication_method";
    case 22: return "authentication_data";
    case 23: return "request_problem_information";
    case 24: return "will_delay_interval";
    case 25: return "request_response_information";
    case 26: return "response_information";
    case 28: return "server_reference";
    case 31: return "reason_string";
    case 33: return "receive_maximum";
    case 34: return "topic_alias_maximum";
    case 35: return "topic_alias";
    case 36: return "maximum_qos";
    case 37: return "retain_available";
    case 38: return name;
    case 39: return "maximum_packet_size";
    case 40: return "wildcard_subscription_available";
    case 41: return "subscription_identifier_available";
    case 42: return "shared_subscription_available";
    default: return {};
  }
}

bool MqttProperty::isNumber() const {
  const PropertyForm form = propertyForm(id);
  return form == PropertyForm::Byte || form == PropertyForm::Two || form == PropertyForm::Four || form == PropertyForm::VarInt;
}

void MqttMessage::clear() {
  type = MqttType::Unassigned;
  flags = 0;
  qos_level = 0;
  remaining_length = 0;
  truncated = false;
  skipped_length = 0;
  protocol_string.clear();
  protocol_version = 0;
  connect_flags = 0;
  client_id.clear();
  username.clear();
  password.clear();
  will_topic.clear();
  will_message.clear();
  will_properties.clear();
  session_present = false;
  has_reason_code = false;
  reason_code = 0;
  has_message_id = false;
  message_id = 0;
  topic.clear();
  payload.clear();
  topics.clear();
  codes.clear();
  properties.clear();
}

bool parseMqttPacket(std::span<const std::uint8_t> packet, std::uint8_t version, MqttMessage& m) {
  m.clear();
  if (packet.empty()) return false;
  m.type = static_cast<MqttType>(packet[0] >> 4);
  m.flags = packet[0] & 0x0F;
  m.qos_level = (m.flags >> 1) & 3;
  Reader header(packet.subspan(1));
  m.remaining_length = header.varint();
  Reader in = header.take(m.remaining_length);
  if (!header.ok()) return false;
  switch (m.type) {
    case MqttType::Connect: {
      in.lengthPrefixed(m.protocol_string);
      m.protocol_version = in.u8();
      m.connect_flags = in.u8();
      in.u16();  // keep alive
      const bool v5 = m.protocol_version == 5;
      if (v5 && !readProperties(in, m.properties)) return false;
      in.lengthPrefixed(m.client_id);
      if (m.connect_flags & 0x04) {  // will
        if (v5 && !readProperties(in, m.will_properties)) return false;
        in.lengthPrefixed(m.will_topic);
        in.lengthPrefixed(m.will_message);
      }
      if (m.connect_flags & 0x80) in.lengthPrefixed(m.username);
      if (m.connect_flags & 0x40) in.lengthPrefixed(m.password);
      return in.ok();
    }
    case MqttType::Connack:
      m.session_present = (in.u8() & 1) != 0;
      m.reason_code = in.u8();
      m.has_reason_code = in.ok();
      if (version == 5 && in.ok()) return readProperties(in, m.properties);
      return in.ok();
    case MqttType::Publish:
      in.lengthPrefixed(m.topic);
      if (m.qos() > 0) {
        m.message_id = in.u16();
        m.has_message_id = in.ok();
      }
      if (version == 5 && in.ok() && !readProperties(in, m.properties)) return false;
      in.rest(m.payload);
      return in.ok();
    case MqttType::Puback:
    case MqttType::Pubrec:
    case MqttType::Pubrel:
    case MqttType::Pubcomp:
      return readAck(in, version, m);
    case MqttType::Subscribe:
    case MqttType::Unsubscribe: {
      m.message_id = in.u16();
      m.has_message_id = in.ok();
      if (version == 5 && in.ok() && !readProperties(in, m.properties)) return false;
      while (in.ok() && !in.atEnd()) {
        MqttTopic& t = m.topics.next();
        in.lengthPrefixed(t.name);
        t.qos = m.type == MqttType::Subscribe ? in.u8() : 0;
      }
      return in.ok() && (m.type == MqttType::Unsubscribe || !m.topics.empty());
    }
    case MqttType::Suback:
    case MqttType::Unsuback:
      m.message_id = in.u16();
      m.has_message_id = in.ok();
      if (version == 5 && in.ok() && !readProperties(in, m.properties)) return false;
      in.rest(m.codes);
      return in.ok();
    case MqttType::Pingreq:
    case MqttType::Pingresp:
    case MqttType::Unassigned:
      return true;
    case MqttType::Disconnect:
    case MqttType::Auth:
      // v5: a reason code and properties, both left out for 0 (normal disconnection, success).
      if (version < 5 && m.type == MqttType::Disconnect) return true;
      m.has_reason_code = true;
      if (in.atEnd()) return true;
      m.reason_code = in.u8();
      if (in.atEnd()) {
        // Suricata 8 reports a DISCONNECT that carries a reason code but no properties as
        // reason 0 (its parser's shortcut for that length); rules and EVE consumers written
        // against it see 0, so gsoc does the same. AUTH keeps its code.
        if (m.type == MqttType::Disconnect) m.reason_code = 0;
        return in.ok();
      }
      return readProperties(in, m.properties);
  }
  return false;
}

void MqttState::feed(FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink) {
  Side& side = sides_[dir == FlowDirection::ToServer ? 0 : 1];
  if (side.failed || data.empty()) return;
  if (side.skip > 0) {  // the rest of a truncated packet
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(side.skip, data.size()));
    side.skip -= n;
    data = data.subspan(n);
  }
  if (side.pending.empty()) {
    const std::size_t used = parse(side, dir, data, sink);
    if (!side.failed) side.pending.assign(reinterpret_cast<const char*>(data.data() + used), data.size() - used);
    return;
  }
  side.pending.append(reinterpret_cast<const char*>(data.data()), data.size());
  const std::span<const std::uint8_t> pending(reinterpret_cast<const std::uint8_t*>(side.pending.data()), side.pending.size());
  const std::size_t used = parse(side, dir, pending, sink);
  if (!side.failed) side.pending.erase(0, used);
}

std::size_t MqttState::parse(Side& side, FlowDirection dir, std::span<const std::uint8_t> data, const TransactionSink& sink) {
  std::size_t at = 0;
  while (data.size() - at >= 2) {
    // The fixed header: type and flags, then the remaining length.
    std::uint64_t length = 0;
    std::size_t header = 0;
    bool whole = false;
    for (std::size_t i = 1; i < kMaxFixedHeaderBytes && at + i < data.size(); ++i) {
      const std::uint8_t b = data[at + i];
      length |= static_cast<std::uint64_t>(b & 0x7F) << (7 * (i - 1));
      if ((b & 0x80) == 0) {
        header = i + 1;
        whole = true;
        break;
      }
      if (i == kMaxFixedHeaderBytes - 1) {
        malformed(side);  // a fifth length byte
        return data.size();
      }
    }
    if (!whole) break;
    const std::uint64_t total = header + length;
    if (length > limits_->max_msg_length) {
      // Too long to keep: skipped unread, logged as truncated with its type and flags.
      message_.clear();
      message_.type = static_cast<MqttType>(data[at] >> 4);
      message_.flags = data[at] & 0x0F;
      message_.qos_level = (message_.flags >> 1) & 3;
      message_.remaining_length = static_cast<std::uint32_t>(length);
      message_.truncated = true;
      message_.skipped_length = total;
      const std::size_t available = data.size() - at;
      if (total > available) {
        side.skip = total - available;
        at = data.size();
      } else {
        at += static_cast<std::size_t>(total);
      }
      handle(dir, sink);
      continue;
    }
    if (data.size() - at < total) break;
    if (!parseMqttPacket(data.subspan(at, static_cast<std::size_t>(total)), version_, message_)) {
      malformed(side);
      return data.size();
    }
    at += static_cast<std::size_t>(total);
    handle(dir, sink);
  }
  return at;
}

void MqttState::malformed(Side& side) {
  ++errors_;
  events.set(AnomalyEvent::MqttMalformedTraffic);
  side.failed = true;
  side.pending.clear();
}

MqttTransaction& MqttState::open(FlowDirection dir, const TransactionSink& sink) {
  // Suricata's max-tx: past it, the oldest transaction still waiting is given up on.
  if (open_.size() >= limits_->max_tx && !open_.empty()) {
    events.set(AnomalyEvent::MqttTooManyTransactions);
    finish(0, open_.front()->direction, sink);
  }
  std::unique_ptr<MqttTransaction> tx;
  if (spare_.empty()) {
    tx = std::make_unique<MqttTransaction>();
  } else {
    tx = std::move(spare_.back());
    spare_.pop_back();
  }
  tx->tx_id = next_tx_id_++;
  tx->count = 0;
  tx->awaits_reply = false;
  tx->connect = false;
  tx->packet_id = 0;
  tx->direction = dir;
  std::swap(tx->messages[tx->count++], message_);
  open_.push_back(std::move(tx));
  return *open_.back();
}

void MqttState::finish(std::size_t index, FlowDirection dir, const TransactionSink& sink) {
  std::unique_ptr<MqttTransaction> tx = std::move(open_[index]);
  open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(index));
  sink(dir, *tx);
  spare_.push_back(std::move(tx));
}

MqttTransaction* MqttState::awaiting(bool connect, std::uint16_t packet_id) {
  for (auto& tx : open_) {
    if (tx->awaits_reply && tx->connect == connect && (connect || tx->packet_id == packet_id)) return tx.get();
  }
  return nullptr;
}

void MqttState::handle(FlowDirection dir, const TransactionSink& sink) {
  const MqttType type = message_.type;
  // A transaction of its own, complete at once (with `event` when one is due).
  const auto alone = [&](std::optional<AnomalyEvent> event, bool needs_connect) {
    if (event) events.set(*event);
    if (needs_connect && !connected_) events.set(AnomalyEvent::MqttUnintroducedMessage);
    open(dir, sink);
    finish(open_.size() - 1, dir, sink);
  };
  // A reply: appended to the transaction it answers, which it may complete.
  const auto reply = [&](MqttTransaction* tx, bool completes) {
    if (tx->count < MqttTransaction::kMaxMessages) std::swap(tx->messages[tx->count++], message_);
    if (!completes) return;
    tx->awaits_reply = false;
    for (std::size_t i = 0; i < open_.size(); ++i) {
      if (open_[i].get() == tx) {
        finish(i, dir, sink);
        return;
      }
    }
  };
  if (message_.truncated) {
    open(dir, sink);
    finish(open_.size() - 1, dir, sink);
    return;
  }
  switch (type) {
    case MqttType::Connect: {
      version_ = message_.protocol_version;
      if (connected_) events.set(AnomalyEvent::MqttDoubleConnect);
      MqttTransaction& tx = open(dir, sink);
      tx.awaits_reply = true;
      tx.connect = true;
      return;
    }
    case MqttType::Publish:
    case MqttType::Subscribe:
    case MqttType::Unsubscribe: {
      // QoS 0 needs no answer; 1 and 2 wait for the reply to their packet id.
      const std::uint8_t qos = message_.qos();
      const bool has_id = message_.has_message_id;
      const std::uint16_t id = message_.message_id;
      if (!connected_) events.set(AnomalyEvent::MqttUnintroducedMessage);
      if (qos > 2) events.set(AnomalyEvent::MqttInvalidQosLevel);
      if (qos > 0 && qos <= 2 && !has_id) events.set(AnomalyEvent::MqttMissingMsgId);
      MqttTransaction& tx = open(dir, sink);
      if (qos > 0 && qos <= 2 && has_id) {
        tx.awaits_reply = true;
        tx.packet_id = id;
      } else {
        finish(open_.size() - 1, dir, sink);
      }
      return;
    }
    case MqttType::Connack:
      if (MqttTransaction* tx = awaiting(true, 0)) {
        connected_ = true;
        reply(tx, true);
      } else {
        alone(AnomalyEvent::MqttMissingConnect, false);
      }
      return;
    case MqttType::Puback:
    case MqttType::Pubrec:
    case MqttType::Pubrel:
    case MqttType::Pubcomp:
    case MqttType::Suback:
    case MqttType::Unsuback: {
      if (MqttTransaction* tx = awaiting(false, message_.message_id)) {
        reply(tx, type != MqttType::Pubrec && type != MqttType::Pubrel);
        return;
      }
      const AnomalyEvent missing = type == MqttType::Suback     ? AnomalyEvent::MqttMissingSubscribe
                                   : type == MqttType::Unsuback ? AnomalyEvent::MqttMissingUnsubscribe
                                                                : AnomalyEvent::MqttMissingPublish;
      alone(missing, true);
      return;
    }
    case MqttType::Unassigned:
      alone(AnomalyEvent::MqttUnassignedMsgType, false);
      return;
    case MqttType::Pingreq:
    case MqttType::Pingresp:
    case MqttType::Disconnect:
    case MqttType::Auth:
      alone(std::nullopt, true);
      return;
  }
}

void MqttState::close(const TransactionSink& sink) {
  while (!open_.empty()) finish(0, open_.front()->direction, sink);
}

void MqttState::reset() {
  for (Side& side : sides_) {
    side.pending.clear();
    side.skip = 0;
    side.failed = false;
  }
  while (!open_.empty()) {
    spare_.push_back(std::move(open_.back()));
    open_.pop_back();
  }
  next_tx_id_ = 0;
  version_ = 0;
  connected_ = false;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor

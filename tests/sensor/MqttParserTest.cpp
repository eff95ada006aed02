// MQTT as MqttState reads it: 3.1.1 and 5.0 packets (CONNECT with will and properties, PUBLISH
// at each QoS, SUBSCRIBE/SUBACK, UNSUBSCRIBE/UNSUBACK, DISCONNECT), requests and replies grouped
// into Suricata's transactions, segments split anywhere, packets over the maximum skipped as
// truncated, the app-layer events, max-tx, and malformed input counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "sensor/app/MqttParser.hpp"

using gsoc::sensor::MqttLimits;
using gsoc::sensor::MqttMessage;
using gsoc::sensor::MqttState;
using gsoc::sensor::MqttTransaction;
using gsoc::sensor::MqttType;
using gsoc::signatures::AnomalyEvent;
using gsoc::signatures::FlowDirection;

namespace {

constexpr auto kToServer = FlowDirection::ToServer;
constexpr auto kToClient = FlowDirection::ToClient;

std::string u16(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }
std::string str(const std::string& s) { return u16(static_cast<std::uint16_t>(s.size())) + s; }

// A packet: the type and flags byte, the remaining length, the body.
std::string packet(std::uint8_t first, const std::string& body) {
  std::string out(1, static_cast<char>(first));
  std::size_t n = body.size();
  do {
    std::uint8_t b = n & 0x7f;
    n >>= 7;
    if (n) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (n);
  return out + body;
}

std::string connect311(const std::string& client, const std::string& user, const std::string& pass) {
  return packet(0x10, str("MQTT") + "\x04" + "\xc2" + u16(60) + str(client) + str(user) + str(pass));
}

// The transactions handed over, as (type of each packet...) plus the packets themselves.
struct MqttRun {
  MqttLimits limits;
  MqttState state{limits};
  std::vector<std::vector<MqttMessage>> txs;
  std::vector<std::uint64_t> ids;
  void feed(FlowDirection dir, const std::string& bytes, std::size_t piece = 0) {
    const auto sink = [&](FlowDirection, const MqttTransaction& tx) {
      txs.emplace_back(tx.view().begin(), tx.view().end());
      ids.push_back(tx.tx_id);
    };
    if (piece == 0) piece = bytes.size();
    for (std::size_t at = 0; at < bytes.size(); at += piece) {
      const std::string part = bytes.substr(at, piece);
      state.feed(dir, {reinterpret_cast<const std::uint8_t*>(part.data()), part.size()}, sink);
    }
  }
  void close() {
    state.close([&](FlowDirection, const MqttTransaction& tx) { txs.emplace_back(tx.view().begin(), tx.view().end()); });
  }
};

TEST(MqttParser, ConnectAndConnackFormOneTransaction) {
  MqttRun run;
  run.feed(kToServer, connect311("myvoiceismypassport", "user", "pass"));
  EXPECT_TRUE(run.txs.empty());  // waits for its CONNACK
  run.feed(kToClient, packet(0x20, std::string("\x00\x00", 2)));
  ASSERT_EQ(run.txs.size(), 1U);
  ASSERT_EQ(run.txs[0].size(), 2U);
  const MqttMessage& c = run.txs[0][0];
  EXPECT_EQ(c.type, MqttType::Connect);
  EXPECT_EQ(c.protocol_string, "MQTT");
  EXPECT_EQ(c.protocol_version, 4);
  EXPECT_EQ(c.client_id, "myvoiceismypassport");
  EXPECT_EQ(c.username, "user");
  EXPECT_EQ(c.password, "pass");
  EXPECT_EQ(c.connect_flags, 0xc2);
  EXPECT_EQ(run.txs[0][1].type, MqttType::Connack);
  EXPECT_TRUE(run.txs[0][1].has_reason_code);
  EXPECT_EQ(run.txs[0][1].reason_code, 0);
  EXPECT_FALSE(run.state.events.any());
}

TEST(MqttParser, PublishQos2WaitsForPubcompAndSplitsAnywhere) {
  MqttRun run;
  const std::string stream = connect311("c", "u", "p");
  run.feed(kToServer, stream, 1);
  run.feed(kToClient, packet(0x20, std::string("\x00\x00", 2)), 1);
  run.feed(kToServer, packet(0x34, str("topicX") + u16(7) + "baabaablacksheep"), 3);
  run.feed(kToClient, packet(0x50, u16(7)));
  run.feed(kToServer, packet(0x62, u16(7)));
  ASSERT_EQ(run.txs.size(), 1U);  // still waiting for PUBCOMP
  run.feed(kToClient, packet(0x70, u16(7)));
  ASSERT_EQ(run.txs.size(), 2U);
  const auto& tx = run.txs[1];
  ASSERT_EQ(tx.size(), 4U);
  EXPECT_EQ(tx[0].topic, "topicX");
  EXPECT_EQ(tx[0].payload, "baabaablacksheep");
  EXPECT_EQ(tx[0].qos(), 2);
  EXPECT_EQ(tx[0].message_id, 7);
  EXPECT_EQ(tx[3].type, MqttType::Pubcomp);
  EXPECT_EQ(run.ids, (std::vector<std::uint64_t>{0, 1}));
}

TEST(MqttParser, Version5PropertiesAndReasonCodes) {
  MqttRun run;
  // CONNECT v5: receive maximum 20 and a user property; a will with its own properties.
  const std::string props = std::string("\x21", 1) + u16(20) + "\x26" + str("k") + str("v");
  const std::string will_props = std::string("\x18\x00\x00\x00\xc8", 5);  // will delay interval 200
  std::string body = str("MQTT") + "\x05" + "\x06" + u16(60);
  body += static_cast<char>(props.size());
  body += props + str("id");
  body += static_cast<char>(will_props.size());
  body += will_props + str("willtopic") + str("willmessage");
  run.feed(kToServer, packet(0x10, body));
  run.feed(kToClient, packet(0x20, std::string("\x01\x86\x03\x22\x00\x0a", 6)));
  ASSERT_EQ(run.txs.size(), 1U);
  const MqttMessage& c = run.txs[0][0];
  ASSERT_EQ(c.properties.size(), 2U);
  EXPECT_EQ(c.properties[0].key(), "receive_maximum");
  EXPECT_EQ(c.properties[0].number, 20U);
  EXPECT_EQ(c.properties[1].key(), "k");
  EXPECT_EQ(c.properties[1].value, "v");
  EXPECT_EQ(c.will_topic, "willtopic");
  EXPECT_EQ(c.will_message, "willmessage");
  ASSERT_EQ(c.will_properties.size(), 1U);
  EXPECT_EQ(c.will_properties[0].key(), "will_delay_interval");
  EXPECT_EQ(c.will_properties[0].number, 200U);
  const MqttMessage& ack = run.txs[0][1];
  EXPECT_TRUE(ack.session_present);
  EXPECT_EQ(ack.reason_code, 0x86);
  ASSERT_EQ(ack.properties.size(), 1U);
  EXPECT_EQ(ack.properties[0].key(), "topic_alias_maximum");
  // DISCONNECT with no body: reason code 0 (normal disconnection).
  run.feed(kToServer, packet(0xe0, ""));
  ASSERT_EQ(run.txs.size(), 2U);
  EXPECT_TRUE(run.txs[1][0].has_reason_code);
  EXPECT_EQ(run.txs[1][0].reason_code, 0);
  // A reason code without properties reads as 0, as Suricata 8 reports it (mqtt5-sub-userpass);
  // with properties after it, the code is kept.
  run.feed(kToServer, packet(0xe0, "\x04"));
  run.feed(kToServer, packet(0xe0, std::string("\x04\x00", 2)));
  ASSERT_EQ(run.txs.size(), 4U);
  EXPECT_EQ(run.txs[2][0].reason_code, 0);
  EXPECT_EQ(run.txs[3][0].reason_code, 4);
}

TEST(MqttParser, SubscribeAndUnsubscribeWithTheirAcks) {
  MqttRun run;
  run.feed(kToServer, connect311("c", "u", "p"));
  run.feed(kToClient, packet(0x20, std::string("\x00\x00", 2)));
  run.feed(kToServer, packet(0x82, u16(1) + str("topicX") + '\0' + str("topicY") + '\1'));
  run.feed(kToClient, packet(0x90, u16(1) + std::string("\x00\x01", 2)));
  run.feed(kToServer, packet(0xa2, u16(2) + str("topicX")));
  run.feed(kToClient, packet(0xb0, u16(2)));
  ASSERT_EQ(run.txs.size(), 3U);
  ASSERT_EQ(run.txs[1][0].topics.size(), 2U);
  EXPECT_EQ(run.txs[1][0].topics[1].name, "topicY");
  EXPECT_EQ(run.txs[1][0].topics[1].qos, 1);
  EXPECT_EQ(run.txs[1][1].codes, (std::vector<std::uint8_t>{0, 1}));
  EXPECT_EQ(run.txs[2][0].type, MqttType::Unsubscribe);
  EXPECT_EQ(run.txs[2][1].type, MqttType::Unsuback);
}

TEST(MqttParser, EventsOfSuricatasMqttParser) {
  MqttRun run;
  run.feed(kToClient, packet(0x20, std::string("\x00\x00", 2)));  // CONNACK without CONNECT
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::MqttMissingConnect));
  run.feed(kToServer, packet(0x36, str("t") + u16(1)));  // QoS 3
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::MqttInvalidQosLevel));
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::MqttUnintroducedMessage));
  run.feed(kToClient, packet(0x40, u16(9)));  // PUBACK of nothing
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::MqttMissingPublish));
  run.feed(kToServer, packet(0x00, ""));  // type 0
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::MqttUnassignedMsgType));
  run.feed(kToServer, connect311("c", "u", "p"));
  run.feed(kToClient, packet(0x20, std::string("\x00\x00", 2)));
  run.feed(kToServer, connect311("c", "u", "p"));
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::MqttDoubleConnect));
  EXPECT_EQ(run.state.errors(), 0U);
}

TEST(MqttParser, LongPacketsAreSkippedAsTruncated) {
  MqttRun run;
  run.limits.max_msg_length = 50;
  run.feed(kToServer, connect311("c", "u", "p"));
  run.feed(kToClient, packet(0x20, std::string("\x00\x00", 2)));
  const std::string big = packet(0x32, str("topic") + u16(3) + std::string(1000, 'X'));
  run.feed(kToServer, big + packet(0xc0, ""), 100);  // PINGREQ right after it
  ASSERT_EQ(run.txs.size(), 3U);
  EXPECT_TRUE(run.txs[1][0].truncated);
  EXPECT_EQ(run.txs[1][0].type, MqttType::Publish);
  EXPECT_EQ(run.txs[1][0].skipped_length, big.size());
  EXPECT_EQ(run.txs[2][0].type, MqttType::Pingreq);
}

TEST(MqttParser, MaxTxGivesUpOnTheOldestWaitingTransaction) {
  MqttRun run;
  run.limits.max_tx = 2;
  run.feed(kToServer, connect311("c", "u", "p"));
  run.feed(kToClient, packet(0x20, std::string("\x00\x00", 2)));
  for (std::uint16_t id = 1; id <= 3; ++id) run.feed(kToServer, packet(0x32, str("t") + u16(id) + "m"));
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::MqttTooManyTransactions));
  ASSERT_EQ(run.txs.size(), 2U);
  EXPECT_EQ(run.txs[1][0].message_id, 1);
  run.close();  // the two still waiting
  EXPECT_EQ(run.txs.size(), 4U);
}

TEST(MqttParser, MalformedInputIsCountedAndStopsThatSide) {
  MqttRun run;
  run.feed(kToServer, std::string("\x10\xff\xff\xff\xff\x01", 6));  // a fifth length byte
  EXPECT_EQ(run.state.errors(), 1U);
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::MqttMalformedTraffic));
  run.feed(kToServer, connect311("c", "u", "p"));
  EXPECT_TRUE(run.txs.empty());
  // A CONNECT whose client id overruns the packet.
  MqttRun other;
  other.feed(kToServer, packet(0x10, str("MQTT") + "\x04\x02" + u16(60) + u16(50) + "abc"));
  EXPECT_EQ(other.state.errors(), 1U);
}

TEST(MqttParser, ResetKeepsNothingOfTheLastConnection) {
  MqttRun run;
  run.feed(kToServer, connect311("c", "u", "p"));
  run.state.reset();
  run.close();
  EXPECT_TRUE(run.txs.empty());
  EXPECT_EQ(run.state.protocolVersion(), 0);
  EXPECT_FALSE(run.state.events.any());
}

}  // namespace

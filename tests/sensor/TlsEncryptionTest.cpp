// TLS encryption handling (Suricata's app-layer.protocols.tls.encryption-handling): once a TLS
// flow carries application data, its payload is ciphertext. The TLS parser says so from the
// record headers (not for a client's early data), once the record's side is parsed; detection
// then leaves the flow's packet payloads and stream bytes alone unless told to inspect them
// (`full`), while header rules still run.
#include <gtest/gtest.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/ClientHello.hpp"
#include "sensor/GeneratedFrames.hpp"
#include "sensor/app/TlsParser.hpp"
#include "sensor/worker/InspectionHooks.hpp"
#include "signatures/TestRules.hpp"

namespace gsoc::sensor {
namespace {

using signatures::FlowDirection;

std::string record(char type, const std::string& body) {
  std::string r{type, '\x03', '\x03'};
  test::put16(r, static_cast<unsigned>(body.size()));
  return r + body;
}

std::string serverHello() {
  std::string hello;
  test::put16(hello, 0x0303);
  hello += std::string(32, 's');
  hello.push_back(0);  // session id
  test::put16(hello, 0x002f);
  hello.push_back(0);  // null compression
  std::string handshake = "\x02";
  handshake.push_back(0);
  test::put16(handshake, static_cast<unsigned>(hello.size()));
  return record('\x16', handshake + hello);
}

const std::string kChangeCipherSpec = record('\x14', "\x01");

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

TEST(TlsEncryption, ApplicationDataMakesTheFlowEncryptedOnceParsed) {
  TlsState tls;
  tls.append(FlowDirection::ToServer, bytes(test::clientHello(0x0303, {0x002f}, "")));
  tls.parse(FlowDirection::ToServer, [](FlowDirection, const TlsHandshake&) {});
  const std::string flight = serverHello() + kChangeCipherSpec + record('\x17', std::string(40, 'x'));
  // The application data record's header split across two segments.
  const std::size_t split = flight.size() - 40 - 3;
  tls.append(FlowDirection::ToClient, bytes(flight.substr(0, split)));
  tls.parse(FlowDirection::ToClient, [](FlowDirection, const TlsHandshake&) {});
  EXPECT_FALSE(tls.encrypted());
  tls.append(FlowDirection::ToClient, bytes(flight.substr(split)));
  EXPECT_FALSE(tls.encrypted());  // seen, not yet parsed (acknowledged)
  tls.parse(FlowDirection::ToClient, [](FlowDirection, const TlsHandshake&) {});
  EXPECT_TRUE(tls.encrypted());
}

TEST(TlsEncryption, EarlyDataBeforeTheServerSpeaksDoesNotCount) {
  TlsState tls;
  const auto parse = [&](FlowDirection dir, const std::string& data) {
    tls.append(dir, bytes(data));
    tls.parse(dir, [](FlowDirection, const TlsHandshake&) {});
  };
  parse(FlowDirection::ToServer, test::clientHello(0x0303, {0x002f}, "") + record('\x17', "0-rtt"));
  EXPECT_FALSE(tls.encrypted());
  parse(FlowDirection::ToClient, serverHello());
  EXPECT_FALSE(tls.encrypted());
  parse(FlowDirection::ToServer, kChangeCipherSpec + record('\x17', "request"));
  EXPECT_TRUE(tls.encrypted());
  tls.reset();
  EXPECT_FALSE(tls.encrypted());
}

TEST(TlsEncryption, NotRecordsAreNotFollowed) {
  TlsState tls;
  tls.append(FlowDirection::ToClient, bytes(std::string("HTTP/1.1 200 OK\r\n\r\n") + record('\x17', "x")));
  tls.parse(FlowDirection::ToClient, [](FlowDirection, const TlsHandshake&) {});
  EXPECT_FALSE(tls.encrypted());
}

// A TLS session whose application data carries a word a content rule looks for.
std::vector<std::uint32_t> alertsOnTlsSession(bool inspect_encrypted) {
  std::vector<std::uint32_t> alerts;
  FlowInspector inspector(signatures::testing::compileRules(
                              R"(alert tcp any any -> any any (msg:"word"; flow:established; content:"SECRETWORD"; sid:1;)
alert tcp any any -> any any (msg:"hello"; flow:established,to_server; content:"|16 03 01|"; depth:3; sid:2;)
alert tcp any any -> any 443 (msg:"client fin"; flags:FA; sid:3;))"),
                          [&](const AlertHit& hit) { alerts.push_back(hit.rule->sid); });
  inspector.detection().setInspectEncrypted(inspect_encrypted);
  SensorWorker worker({}, inspectionHooks(inspector));
  test::GeneratedFrames frames{worker};
  traffic::PacketSpec spec;
  spec.sport = 40010;
  spec.dport = 443;
  traffic::TcpConversation c(spec);
  for (const traffic::Bytes& f : c.handshake()) frames.send(f);
  frames.send(c.client(test::clientHello(0x0303, {0x002f}, "")));
  frames.send(c.server(serverHello() + kChangeCipherSpec + record('\x17', std::string(40, 'f'))));
  frames.send(c.client("", 0x10));  // acknowledges the server's flight: the flow is encrypted
  frames.send(c.client(record('\x17', "GET / ... SECRETWORD ...")));
  frames.send(c.server(record('\x17', "200 ... SECRETWORD ...")));
  frames.send(c.client("", 0x10));
  for (const traffic::Bytes& f : c.close()) frames.send(f);
  worker.finish();
  EXPECT_EQ(inspector.app().counters().tls_client_hellos, 1u);
  return alerts;
}

TEST(TlsEncryption, CiphertextIsNotInspectedByDefault) {
  // The ClientHello, not scanned yet when the flow became encrypted (at the client's ACK of the
  // server's flight), is scanned then, as Suricata flushes raw reassembly when turning it off;
  // the application data is not; header rules still run.
  EXPECT_EQ(alertsOnTlsSession(false), (std::vector<std::uint32_t>{2, 3}));
}

TEST(TlsEncryption, FullInspectsCiphertextLikeAnyPayload) {
  const std::vector<std::uint32_t> alerts = alertsOnTlsSession(true);
  EXPECT_GE(std::count(alerts.begin(), alerts.end(), 1u), 1);
  EXPECT_EQ(std::count(alerts.begin(), alerts.end(), 2u), 1);
  EXPECT_EQ(std::count(alerts.begin(), alerts.end(), 3u), 1);
}

}  // namespace
}  // namespace gsoc::sensor

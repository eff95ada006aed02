// JA3 and JA4 of ClientHellos built byte by byte: a Chrome hello (with GREASE values and a
// shuffled extension order) whose JA4 a public fingerprinting service reported, and a bare
// TLS 1.2 hello without SNI, ALPN or signature algorithms.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/Ja4.hpp"
#include "sensor/app/TlsParser.hpp"
#include "sensor/ClientHello.hpp"

using gsoc::sensor::TlsHandshake;
using gsoc::sensor::TlsState;
using namespace gsoc::sensor::test;

namespace {

TlsHandshake parse(const std::string& record) {
  TlsState state;
  TlsHandshake out;
  int seen = 0;
  state.feed(gsoc::signatures::FlowDirection::ToServer,
             {reinterpret_cast<const std::uint8_t*>(record.data()), record.size()},
             [&](gsoc::signatures::FlowDirection, const TlsHandshake& h) {
               out = h;
               ++seen;
             });
  EXPECT_EQ(seen, 1);
  EXPECT_EQ(state.errors(), 0u);
  return out;
}

TEST(TlsFingerprint, ChromeHelloHasItsPublishedJa4) {
  const std::vector<unsigned> ciphers = {0x2a2a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                                         0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  const std::string host = "tls.example";
  const std::string sni = sniData(host);
  std::string alpn;
  put16(alpn, 12);
  alpn += "\x02h2\x08http/1.1";
  std::string versions = "\x06" + list16({0x7a7a, 0x0304, 0x0303});
  std::string sigalgs;
  put16(sigalgs, 16);
  sigalgs += list16({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601});
  std::string ext = extension(0x0a0a, "");
  for (unsigned type : {0x002d, 0x0033, 0x0010, 0xfe0d, 0x0017, 0x44cd, 0x0000, 0x000b, 0x000a, 0x002b, 0xff01,
                        0x0023, 0x0012, 0x0005, 0x000d, 0x001b}) {
    ext += extension(type, type == 0x0000 ? sni : type == 0x0010 ? alpn : type == 0x002b ? versions : type == 0x000d ? sigalgs : "");
  }
  ext += extension(0xfafa, std::string(1, '\0'));
  const TlsHandshake h = parse(clientHello(0x0303, ciphers, ext));
  EXPECT_EQ(h.sni, host);
  EXPECT_EQ(h.ja4, "t13d1516h2_8daaf6152771_d8a2da3f94cd");
  // EVE's client_alpns: every protocol offered, in order.
  EXPECT_EQ(std::vector<std::string>(h.alpns.begin(), h.alpns.end()), std::vector<std::string>({"h2", "http/1.1"}));
  // JA3 keeps the wire order and also leaves GREASE out.
  EXPECT_EQ(h.ja3.substr(0, 18), "771,4865-4866-4867");
  EXPECT_EQ(h.ja3.find("2570"), std::string::npos);  // 0x0a0a
}

TEST(TlsFingerprint, BareTls12Hello) {
  const TlsHandshake h = parse(clientHello(0x0303, {0x1301}, ""));
  EXPECT_EQ(h.ja4, "t12i010000_0f2cb44170f4_000000000000");  // sha256("1301"); no extensions
  EXPECT_TRUE(h.alpns.empty());
}

TEST(TlsFingerprint, AlpnThatIsNotAlphanumericIsShownInHex) {
  gsoc::sensor::ClientHelloFields f;
  f.version = 0x0303;
  f.ciphers = {0x1301};
  f.extensions = {0x000a, 0x000b, 0x0010};
  f.first_alpn = std::string("\x01\xff", 2);
  // "01ff": its first and last hex digits; ALPN is counted but not hashed ("000a,000b_": the
  // separator stays without signature algorithms, as in Suricata).
  EXPECT_EQ(gsoc::sensor::ja4(f), "t12i01030f_0f2cb44170f4_c2f961105e84");
}

}  // namespace

namespace {

// A TlsState reset for the next flow (AppLayer pools them) fingerprints its hello as a new
// state does: nothing of the last flow's hello (SNI, ALPN, lists) is left in the next one.
TEST(TlsFingerprint, AResetStateFingerprintsTheNextHelloAsANewOne) {
  const std::string first = clientHello(0x0303, {0x1301, 0x1302, 0xc02b},
                                        extension(0x0000, sniData("first.example")) + extension(0x000a, list16({4, 0x001d, 0x0017})));
  const std::string next = clientHello(0x0303, {0x002f}, "");
  const TlsHandshake expected = parse(next);
  TlsState state;
  auto feed = [&](const std::string& record) {
    TlsHandshake out;
    state.feed(gsoc::signatures::FlowDirection::ToServer, {reinterpret_cast<const std::uint8_t*>(record.data()), record.size()},
               [&](gsoc::signatures::FlowDirection, const TlsHandshake& h) { out = h; });
    return out;
  };
  EXPECT_EQ(feed(first).sni, "first.example");
  state.reset();
  const TlsHandshake h = feed(next);
  EXPECT_TRUE(h.client_hello);
  EXPECT_EQ(h.sni, expected.sni);
  EXPECT_TRUE(h.sni.empty());
  EXPECT_EQ(h.ja3, expected.ja3);
  EXPECT_EQ(h.ja3_hash, expected.ja3_hash);
  EXPECT_EQ(h.ja4, expected.ja4);
  EXPECT_EQ(h.version, expected.version);
  EXPECT_EQ(state.errors(), 0u);
}

// The flow's ClientHello that the app layer keeps for the session record is copied into the
// state's own strings (kept across flows, issue 17) and goes with reset(): a pooled state has
// none until the next flow's, which carries nothing of the last one.
TEST(TlsFingerprint, AResetStateKeepsNoClientHelloUntilTheNextFlowsOne) {
  TlsState state;
  EXPECT_EQ(state.clientHello(), nullptr);
  TlsHandshake first;
  first.client_hello = true;
  first.sni = "first.example.org, a name past the small-string size";
  first.ja3 = "771,4865-4866-4867,0-10-11,29-23,0";
  state.keepClientHello(first);
  ASSERT_NE(state.clientHello(), nullptr);
  EXPECT_EQ(state.clientHello()->sni, first.sni);
  state.reset();
  EXPECT_EQ(state.clientHello(), nullptr);
  TlsHandshake next;
  next.client_hello = true;
  next.ja3 = "771,47,,,";
  state.keepClientHello(next);
  ASSERT_NE(state.clientHello(), nullptr);
  EXPECT_TRUE(state.clientHello()->sni.empty());
  EXPECT_EQ(state.clientHello()->ja3, next.ja3);
}

}  // namespace

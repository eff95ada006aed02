// QUIC as QuicState reads it: RFC 9001 Appendix A's initial keys and header protection mask,
// Initial packets protected here with those keys (a ClientHello whole in one packet, split over
// two with its CRYPTO frames out of order), what the hello gives (SNI, ALPN, extensions, JA3,
// JA4 of transport "q"), nothing read after a side's hello or from short headers, a tampered
// packet (quic.failed_decrypt), malformed frames (quic.error_on_data), a Retry's new keys, gQUIC's CHLO (SNI, UA, CYU), and the
// version names Suricata writes.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <string>
#include <vector>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "sensor/app/QuicCrypto.hpp"
#include "sensor/app/QuicParser.hpp"

using gsoc::sensor::QuicInitialKeys;
using gsoc::sensor::QuicPacketCipher;
using gsoc::sensor::QuicPacketKeys;
using gsoc::sensor::QuicState;
using gsoc::sensor::QuicTransaction;
using gsoc::signatures::AnomalyEvent;
using gsoc::signatures::FlowDirection;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes hex(std::string_view s) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(s.substr(i, 2)), nullptr, 16)));
  return out;
}

template <std::size_t N>
std::string hexOf(const std::array<std::uint8_t, N>& a) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const std::uint8_t b : a) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

void u16(Bytes& b, unsigned v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void append(Bytes& b, const Bytes& more) { b.insert(b.end(), more.begin(), more.end()); }
void append(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
Bytes extension(unsigned type, const Bytes& body) {
  Bytes e;
  u16(e, type);
  u16(e, static_cast<unsigned>(body.size()));
  append(e, body);
  return e;
}

// A TLS 1.3 ClientHello handshake message: three ciphers; server_name, alpn "h3",
// supported_versions, signature_algorithms, quic_transport_parameters.
Bytes clientHello(std::string_view sni) {
  Bytes exts;
  Bytes name;
  u16(name, static_cast<unsigned>(sni.size() + 3));
  name.push_back(0);
  u16(name, static_cast<unsigned>(sni.size()));
  append(name, sni);
  append(exts, extension(0, name));
  append(exts, extension(16, {0x00, 0x03, 0x02, 'h', '3'}));
  append(exts, extension(43, {0x02, 0x03, 0x04}));
  append(exts, extension(13, {0x00, 0x02, 0x04, 0x03}));
  append(exts, extension(57, {}));
  Bytes body = {0x03, 0x03};
  body.resize(body.size() + 32, 0x11);  // random
  body.push_back(0);                    // session id
  append(body, Bytes{0x00, 0x06, 0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0x01, 0x00});
  u16(body, static_cast<unsigned>(exts.size()));
  append(body, exts);
  Bytes msg = {0x01, 0x00, static_cast<std::uint8_t>(body.size() >> 8), static_cast<std::uint8_t>(body.size())};
  append(msg, body);
  return msg;
}

Bytes cryptoFrame(std::size_t offset, const Bytes& data) {
  Bytes f = {0x06};
  f.push_back(static_cast<std::uint8_t>(0x40 | offset >> 8));  // 2-byte varints
  f.push_back(static_cast<std::uint8_t>(offset));
  f.push_back(static_cast<std::uint8_t>(0x40 | data.size() >> 8));
  f.push_back(static_cast<std::uint8_t>(data.size()));
  append(f, data);
  return f;
}

// An Initial packet of QUIC v1 carrying `frames`, protected as its sender would: a 2-byte
// packet number, AES-128-GCM over the payload, then the header protection mask.
Bytes initial(const QuicPacketKeys& keys, const Bytes& dcid, std::uint16_t pn, Bytes frames, std::uint8_t first = 0xc1) {
  frames.resize(std::max<std::size_t>(frames.size(), 64), 0);  // PADDING: room for the sample
  Bytes packet = {first, 0, 0, 0, 1, static_cast<std::uint8_t>(dcid.size())};
  append(packet, dcid);
  packet.push_back(0);  // no source connection ID
  packet.push_back(0);  // no token
  const std::size_t length = 2 + frames.size() + 16;
  packet.push_back(static_cast<std::uint8_t>(0x40 | length >> 8));
  packet.push_back(static_cast<std::uint8_t>(length));
  const std::size_t pn_at = packet.size();
  u16(packet, pn);
  std::array<std::uint8_t, 12> nonce = keys.iv;
  nonce[10] ^= static_cast<std::uint8_t>(pn >> 8);
  nonce[11] ^= static_cast<std::uint8_t>(pn);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  Bytes sealed(frames.size() + 16);
  int len = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, keys.key.data(), nonce.data());
  EVP_EncryptUpdate(ctx.get(), nullptr, &len, packet.data(), static_cast<int>(packet.size()));
  EVP_EncryptUpdate(ctx.get(), sealed.data(), &len, frames.data(), static_cast<int>(frames.size()));
  EVP_EncryptFinal_ex(ctx.get(), sealed.data() + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, sealed.data() + frames.size());
  append(packet, sealed);
  QuicPacketCipher cipher;
  std::array<std::uint8_t, 5> mask{};
  EXPECT_TRUE(cipher.headerMask(keys, std::span<const std::uint8_t, 16>(packet.data() + pn_at + 4, 16), mask));
  packet[0] ^= mask[0] & 0x0f;
  packet[pn_at] ^= mask[1];
  packet[pn_at + 1] ^= mask[2];
  return packet;
}

struct QuicRun {
  QuicState state;
  std::vector<QuicTransaction> txs;
  std::vector<FlowDirection> dirs;
  void datagram(FlowDirection dir, const Bytes& bytes) {
    const auto sink = [&](FlowDirection d, const QuicTransaction& tx) {
      txs.push_back(tx);
      dirs.push_back(d);
    };
    state.datagram(dir, bytes, sink);
  }
};

const Bytes kDcid = hex("8394c8f03e515708");

QuicInitialKeys keysFor(const Bytes& dcid) {
  QuicInitialKeys keys;
  EXPECT_TRUE(gsoc::sensor::quicInitialKeys(1, dcid, keys));
  return keys;
}

TEST(QuicParser, Rfc9001AppendixAKeysAndHeaderMask) {
  const QuicInitialKeys keys = keysFor(kDcid);
  EXPECT_EQ(hexOf(keys.client.key), "1f369613dd76d5467730efcbe3b1a22d");
  EXPECT_EQ(hexOf(keys.client.iv), "fa044b2f42a3fd3b46fb255c");
  EXPECT_EQ(hexOf(keys.client.hp), "9f50449e04a0e810283a1e9933adedd2");
  EXPECT_EQ(hexOf(keys.server.key), "cf3a5331653c364c88f0f379b6067e37");
  EXPECT_EQ(hexOf(keys.server.iv), "0ac1493ca1905853b0bba03e");
  EXPECT_EQ(hexOf(keys.server.hp), "c206b8d9b9f0f37644430b490eeaa314");
  // A.2: the client Initial's sample and the mask it gives.
  QuicPacketCipher cipher;
  const Bytes sample = hex("d1b1c98dd7689fb8ec11d242b123dc9b");
  std::array<std::uint8_t, 5> mask{};
  ASSERT_TRUE(cipher.headerMask(keys.client, std::span<const std::uint8_t, 16>(sample.data(), 16), mask));
  EXPECT_EQ(hexOf(mask), "437b9aec36");
  QuicInitialKeys none;
  EXPECT_FALSE(gsoc::sensor::quicInitialKeys(0x51303436, kDcid, none));  // Q046: cleartext
}

TEST(QuicParser, ClientHelloInOneInitial) {
  const QuicInitialKeys keys = keysFor(kDcid);
  QuicRun run;
  run.datagram(FlowDirection::ToServer, initial(keys.client, kDcid, 0, cryptoFrame(0, clientHello("example.com"))));
  ASSERT_EQ(run.txs.size(), 1u);
  const QuicTransaction& tx = run.txs[0];
  EXPECT_EQ(tx.tx_id, 0u);
  EXPECT_TRUE(tx.long_header);
  EXPECT_EQ(tx.version, 1u);
  ASSERT_TRUE(tx.has_sni);
  EXPECT_EQ(tx.sni, "example.com");
  ASSERT_TRUE(tx.has_hello);
  EXPECT_EQ(tx.ja3, "771,4865-4866-4867,0-16-43-13-57,,");
  EXPECT_EQ(tx.ja3_hash.size(), 32u);
  EXPECT_EQ(tx.ja4.substr(0, 11), "q13d0305h3_");
  ASSERT_EQ(tx.extensions.size(), 5u);
  EXPECT_EQ(tx.extensions[0].type, 0);
  ASSERT_EQ(tx.extensions[0].values.size(), 1u);
  EXPECT_EQ(tx.extensions[0].values[0], "example.com");
  EXPECT_EQ(tx.extensions[1].type, 16);
  ASSERT_EQ(tx.extensions[1].values.size(), 1u);
  EXPECT_EQ(tx.extensions[1].values[0], "h3");
  EXPECT_TRUE(tx.extensions[2].values.empty());
  EXPECT_EQ(gsoc::sensor::quicTlsExtensionName(tx.extensions[4].type), "quic_transport_parameters");
  EXPECT_EQ(run.state.errors(), 0u);

  // The side's hello is read: its later packets, and short headers, give nothing.
  run.datagram(FlowDirection::ToServer, initial(keys.client, kDcid, 1, {0x01}));
  run.datagram(FlowDirection::ToServer, Bytes{0x40, 1, 2, 3, 4, 5});
  EXPECT_EQ(run.txs.size(), 1u);
}

TEST(QuicParser, HelloReassembledAcrossPacketsOutOfOrder) {
  const QuicInitialKeys keys = keysFor(kDcid);
  const Bytes hello = clientHello("split.example");
  const Bytes a(hello.begin(), hello.begin() + 20);
  const Bytes b(hello.begin() + 20, hello.begin() + 50);
  const Bytes c(hello.begin() + 50, hello.end());
  QuicRun run;
  // The first packet carries the end of the hello only: a gap at its start.
  run.datagram(FlowDirection::ToServer, initial(keys.client, kDcid, 0, cryptoFrame(50, c)));
  ASSERT_EQ(run.txs.size(), 1u);
  EXPECT_FALSE(run.txs[0].has_hello);
  // The second fills the gap, its frames in reverse order: the hello is whole.
  Bytes frames = cryptoFrame(20, b);
  append(frames, cryptoFrame(0, a));
  run.datagram(FlowDirection::ToServer, initial(keys.client, kDcid, 1, frames));
  ASSERT_EQ(run.txs.size(), 2u);
  ASSERT_TRUE(run.txs[1].has_hello);
  EXPECT_EQ(run.txs[1].sni, "split.example");
  EXPECT_EQ(run.txs[1].tx_id, 1u);
}

TEST(QuicParser, TamperedInitialFailsToDecrypt) {
  const QuicInitialKeys keys = keysFor(kDcid);
  Bytes packet = initial(keys.client, kDcid, 0, cryptoFrame(0, clientHello("example.com")));
  packet.back() ^= 1;  // the tag no longer verifies
  QuicRun run;
  run.datagram(FlowDirection::ToServer, packet);
  ASSERT_EQ(run.txs.size(), 1u);
  EXPECT_FALSE(run.txs[0].has_hello);
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::QuicFailedDecrypt));
  EXPECT_EQ(run.state.errors(), 1u);
  // Malformed headers are counted, never read past.
  run.datagram(FlowDirection::ToServer, Bytes{0xc0, 0, 0, 0, 1, 20, 1, 2});
  EXPECT_EQ(run.state.errors(), 2u);
}

TEST(QuicParser, MalformedFramesRaiseErrorOnData) {
  const QuicInitialKeys keys = keysFor(kDcid);
  QuicRun run;
  // A CRYPTO frame announcing 255 bytes where the packet has 60 left.
  run.datagram(FlowDirection::ToServer, initial(keys.client, kDcid, 0, {0x06, 0x00, 0x40, 0xff}));
  // A server Handshake packet: its version only, the next transaction id.
  run.datagram(FlowDirection::ToClient, Bytes{0xe0, 0, 0, 0, 1, 0, 0, 1, 2, 3});
  ASSERT_EQ(run.txs.size(), 2u);
  EXPECT_EQ(run.txs[0].tx_id, 0u);
  EXPECT_FALSE(run.txs[0].has_hello);
  EXPECT_TRUE(run.state.events.test(AnomalyEvent::QuicErrorOnData));
  EXPECT_EQ(run.txs[1].tx_id, 1u);
  EXPECT_EQ(run.txs[1].version, 1u);
  EXPECT_TRUE(run.txs[1].extensions.empty());
  EXPECT_EQ(run.state.errors(), 1u);
}

TEST(QuicParser, RetryBringsNewKeys) {
  const QuicInitialKeys first = keysFor(kDcid);
  const Bytes new_dcid = hex("0102030405060708");
  const QuicInitialKeys second = keysFor(new_dcid);
  QuicRun run;
  run.datagram(FlowDirection::ToServer, initial(first.client, kDcid, 0, cryptoFrame(0, clientHello("first.example"))));
  // Retry (type 3): the server's new connection ID and a token.
  Bytes retry = {0xf0, 0, 0, 0, 1, 0, 8};
  append(retry, new_dcid);
  retry.resize(retry.size() + 24, 0xaa);
  run.datagram(FlowDirection::ToClient, retry);
  run.datagram(FlowDirection::ToServer, initial(second.client, new_dcid, 0, cryptoFrame(0, clientHello("second.example"))));
  ASSERT_EQ(run.txs.size(), 3u);
  EXPECT_EQ(run.txs[0].sni, "first.example");
  EXPECT_FALSE(run.txs[1].has_hello);
  EXPECT_EQ(run.dirs[1], FlowDirection::ToClient);
  ASSERT_TRUE(run.txs[2].has_hello);
  EXPECT_EQ(run.txs[2].sni, "second.example");
  EXPECT_EQ(run.state.errors(), 0u);
}

TEST(QuicParser, GoogleQuicChloTags) {
  // Q046 long header Initial: DCID of 8 (nibble 5), packet number, message authentication hash,
  // then a STREAM frame (0xa0: 1-byte stream id, a data length) holding a CHLO.
  Bytes packet = {0xc3, 'Q', '0', '4', '6', 0x50};
  append(packet, kDcid);
  packet.insert(packet.end(), 4 + 12, 0);
  Bytes chlo;
  append(chlo, std::string_view("CHLO"));
  append(chlo, Bytes{2, 0, 0, 0});
  append(chlo, Bytes{'S', 'N', 'I', 0, 11, 0, 0, 0});
  append(chlo, Bytes{'U', 'A', 'I', 'D', 15, 0, 0, 0});
  append(chlo, std::string_view("example.comtest"));
  packet.push_back(0xa0);
  packet.push_back(0x01);
  u16(packet, static_cast<unsigned>(chlo.size()));
  append(packet, chlo);
  QuicRun run;
  run.datagram(FlowDirection::ToServer, packet);
  ASSERT_EQ(run.txs.size(), 1u);
  const QuicTransaction& tx = run.txs[0];
  EXPECT_EQ(tx.sni, "example.com");
  EXPECT_EQ(tx.ua, "test");
  ASSERT_EQ(tx.cyu.size(), 1u);
  EXPECT_EQ(tx.cyu[0].string, "46,SNI-UAID");
  EXPECT_EQ(tx.cyu[0].hash, "3ee85c355061ebe189ec4ca49623e324");
  EXPECT_EQ(run.state.errors(), 0u);
}

TEST(QuicParser, VersionNamesAndIdentification) {
  std::string name;
  gsoc::sensor::quicVersionName(1, name);
  EXPECT_EQ(name, "1");
  gsoc::sensor::quicVersionName(0x6b3343cf, name);
  EXPECT_EQ(name, "6b3343cf");
  gsoc::sensor::quicVersionName(0xff00001d, name);
  EXPECT_EQ(name, "ff00001d");
  gsoc::sensor::quicVersionName(0x51303436, name);
  EXPECT_EQ(name, "Q046");
  EXPECT_TRUE(gsoc::sensor::quicKnownVersion(1));
  EXPECT_TRUE(gsoc::sensor::quicKnownVersion(0x6b3343cf));
  EXPECT_FALSE(gsoc::sensor::quicKnownVersion(0x12345678));
  gsoc::sensor::QuicHeader h;
  EXPECT_FALSE(gsoc::sensor::parseQuicHeader({}, h));
}

}  // namespace

// IKE as IkeState reads it, on the datagrams of Suricata's verification captures: IKEv1 main
// mode (the initiator's SA with its transform's attributes and vendor ids, the responder's chosen
// transform, both sides' key exchange and nonce kept per flow, an encrypted message read no
// further), an IKEv2 SA_INIT proposing a weak Diffie-Hellman group (the event, the payload
// order), the NAT-T marker, the attribute names, and malformed datagrams counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "sensor/app/IkeParser.hpp"

using gsoc::sensor::IkeAttribute;
using gsoc::sensor::IkeMessage;
using gsoc::sensor::IkeState;
using gsoc::signatures::AnomalyEvent;
using gsoc::signatures::FlowDirection;

namespace {

const char* const kMainMode1 =
    "e47a591fd057587f00000000000000000110020000000000000000a80d00003c00000001000000010000003001010001"
    "000000280101000080010007800e0080800200028004000280030001800b0001000c0004000151800d0000144a131c81"
    "070358455c5728f20e95452f0d000014439b59f8ba676c4c7737ae22eab8f5820d0000147d9419a65310ca6f2c179d92"
    "15529d560000001490cb80913ebb696e086381b5ec427b1f";
const char* const kMainMode2 =
    "e47a591fd057587fa00b8ef0902bb8ec01100200000000000000006c0d00003c00000001000000010000003001010001"
    "000000280101000080010007800e0080800200028004000280030001800b0001000c000400015180000000144a131c81"
    "070358455c5728f20e95452f";
const char* const kMainMode3 =
    "e47a591fd057587fa00b8ef0902bb8ec04100200000000000000011c0a0000843504d3d2ed14e0ca03b851a51a9da2e5"
    "a4c14c1d7ec3e1fbe950025424514b3c69ed7fbb44e09225da52d2a92604a99bf61b7beed7fbfa635e82f065f4fe7807"
    "51354dbe474c3de7207dcf69fdbbed32c1691cc149b318eee00370e65fc3069bbacfb013467173966e9d5f4bc4f3857e"
    "359bba3adbb6efeea516f3897d8534f30d00001889d7c8fbf94b515b521d5d9589c2602021e1a7090d000014afcad713"
    "68a1f1c96b8696fc775701000d00001411bdfe02d056587f2c18125972c324011400000c09002689dfd6b71214000018"
    "1574d64c0165bad16a023f038d45a07498d8d05100000018febf462f1cd75805a7baa28747e769d674f85600";
const char* const kMainMode4 =
    "e47a591fd057587fa00b8ef0902bb8ec0410020000000000000001300a0000846d026d5616c45be05e5b898411e9f95d"
    "195cea009ad22c62bef06c571b7cfbc4792f45564ec710ac584aa18d20cbc8f5f8910666b89e4ee2f95abc0230e2cba1"
    "b88ac4bba7fcc818a986c01a4ca865a5eb82884dbec85bfd7d1a303b09894dcf2e3785fd79dba225377cf8cca009ceff"
    "bb6aa38b648c4b05404f1cfaac361aff0d00001815b688421ed5c3dd92d3b86e47a76f0d39cc09e00d00001412f5f28c"
    "457168a9702d9fe274cc01000d000014afcad71368a1f1c96b8696fc775701000d00001455cc29ed902ab8ec53b1df86"
    "7c6109291400000c09002689dfd6b71214000018febf462f1cd75805a7baa28747e769d674f85600000000181574d64c"
    "0165bad16a023f038d45a07498d8d051";
const char* const kMainMode5 =
    "e47a591fd057587fa00b8ef0902bb8ec05100201000000000000006ca485a5d5868a3c925dedf2d10d5e47112bc29460"
    "18c76128ed7bb29db061fdabf79a18e75689536d27cbe0921d67f702f347ae6e79dee1094dc86a5a26448ade72830694"
    "e15dca2d9603ebc5f790473d";
const char* const kIkev2WeakDh =
    "61d3693ce12af52800000000000000002820220800000000000000f02200001c312fd2e1cea72d0f7f3d1ccac96bb0c4"
    "c8d70f39dba193e42100008800020000b0c808b9480d4d4ae92c0e8f115d9338d4d0bb8361cfd19562ee5e2444b7f671"
    "37e472b2aa9b4455bafc4abadd89daa86e0583ffd2abb28933faa3fabf3ee84430c05afeb9652fc9befd377dd9d10001"
    "cd656eb617ba3ba39d0346f91a063bba6d186a3f20188ca0e8e4b79e3e912f13d309a8d655501592f742e408fda88ddc"
    "000000300000002c010100040300000c0100000c800e01000300000802000005030000080300000c0000000804000002";

std::vector<std::uint8_t> bytes(const char* hex) {
  std::vector<std::uint8_t> out;
  for (const char* p = hex; p[0] && p[1]; p += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(p, 2), nullptr, 16)));
  return out;
}

// Feeds one datagram; the messages it produced, copied.
struct Harness {
  IkeState state;
  std::vector<IkeMessage> messages;
  void feed(FlowDirection dir, const std::vector<std::uint8_t>& d, bool nat_t = false) {
    state.datagram(dir, d, nat_t, [&](FlowDirection, const IkeMessage& m) { messages.push_back(m); });
  }
};

std::string attr(const IkeAttribute& a) {
  return std::string(gsoc::sensor::ikeAttributeKey(a.type)) + "=" + std::string(gsoc::sensor::ikeAttributeValue(a.type, a.raw)) +
         "/" + (a.has_number ? std::to_string(a.number) : a.hex);
}

}  // namespace

TEST(IkeParserTest, Ikev1MainModeKeepsBothSidesAndTheChosenTransform) {
  Harness h;
  h.feed(FlowDirection::ToServer, bytes(kMainMode1));
  ASSERT_EQ(h.messages.size(), 1u);
  const IkeMessage& m1 = h.messages[0];
  EXPECT_EQ(m1.tx_id, 0u);
  EXPECT_EQ(m1.version_major, 1);
  EXPECT_EQ(m1.exchange_type, 2);
  EXPECT_EQ(m1.initSpi(), "e47a591fd057587f");
  EXPECT_EQ(m1.respSpi(), "0000000000000000");
  ASSERT_EQ(m1.transforms.size(), 1u);
  std::vector<std::string> attrs;
  for (const IkeAttribute& a : m1.transforms.transform(0)) attrs.push_back(attr(a));
  EXPECT_EQ(attrs, (std::vector<std::string>{"alg_enc=EncAesCbc/7", "sa_key_length=Unknown/128", "alg_hash=HashSha/2",
                                             "alg_dh=GroupAlternate1024BitModpGroup/2", "alg_auth=AuthPreSharedKey/1",
                                             "sa_life_type=LifeTypeSeconds/1", "sa_life_duration=Unknown/86400"}));
  ASSERT_EQ(m1.vendor_ids.size(), 4u);
  EXPECT_EQ(m1.vendor_ids[0], "4a131c81070358455c5728f20e95452f");
  EXPECT_TRUE(m1.payload_types[1]);
  EXPECT_TRUE(m1.payload_types[13]);
  EXPECT_TRUE(h.state.has_doi);
  EXPECT_EQ(h.state.doi, 1u);
  EXPECT_EQ(h.state.client.nb_transforms, 1u);
  EXPECT_EQ(h.state.server.nb_transforms, 0u);

  h.feed(FlowDirection::ToClient, bytes(kMainMode2));
  h.feed(FlowDirection::ToServer, bytes(kMainMode3));
  h.feed(FlowDirection::ToClient, bytes(kMainMode4));
  ASSERT_EQ(h.messages.size(), 4u);
  EXPECT_EQ(h.messages[1].respSpi(), "a00b8ef0902bb8ec");
  EXPECT_EQ(h.state.server.nb_transforms, 1u);
  ASSERT_EQ(h.state.server.transform.size(), 7u);
  EXPECT_EQ(h.state.server.transform[0].number, 7u);
  EXPECT_EQ(h.messages[2].key_exchange.size(), 128u);
  EXPECT_EQ(h.messages[2].nonce.size(), 20u);
  EXPECT_EQ(h.state.client.nonce, "89d7c8fbf94b515b521d5d9589c2602021e1a709");
  EXPECT_EQ(h.state.server.nonce, "15b688421ed5c3dd92d3b86e47a76f0d39cc09e0");
  EXPECT_EQ(h.state.client.key_exchange.substr(0, 8), "3504d3d2");
  EXPECT_FALSE(h.state.events.any());

  // Encrypted: a transaction with its header only; the flow's data stays.
  h.feed(FlowDirection::ToServer, bytes(kMainMode5));
  ASSERT_EQ(h.messages.size(), 5u);
  EXPECT_TRUE(h.messages[4].encrypted);
  EXPECT_TRUE(h.messages[4].nonce.empty());
  EXPECT_EQ(h.state.client.nonce, "89d7c8fbf94b515b521d5d9589c2602021e1a709");
  EXPECT_EQ(h.state.errors(), 0u);
}

TEST(IkeParserTest, Ikev2WeakDiffieHellmanRaisesTheEvent) {
  Harness h;
  const auto d = bytes(kIkev2WeakDh);
  EXPECT_TRUE(gsoc::sensor::looksLikeIke(d));
  h.feed(FlowDirection::ToServer, d);
  ASSERT_EQ(h.messages.size(), 1u);
  const IkeMessage& m = h.messages[0];
  EXPECT_EQ(m.version_major, 2);
  EXPECT_EQ(m.exchange_type, 34);
  EXPECT_EQ(m.flags & 0x08, 0x08);
  std::vector<std::string> payloads;
  for (const std::uint8_t p : m.v2_payloads) payloads.push_back(gsoc::sensor::ikev2PayloadName(p));
  EXPECT_EQ(payloads, (std::vector<std::string>{"Nonce", "KeyExchange", "SecurityAssociation", "NoNextPayload"}));
  EXPECT_TRUE(h.state.events.test(AnomalyEvent::IkeWeakCryptoDh));
  EXPECT_FALSE(h.state.events.test(AnomalyEvent::IkeWeakCryptoNoDh));
  EXPECT_FALSE(h.state.events.test(AnomalyEvent::IkeWeakCryptoEnc));
  EXPECT_EQ(m.v2_errors, 0u);
  EXPECT_EQ(gsoc::sensor::ikev2TransformName(4, 2), "Modp1024");
  EXPECT_EQ(gsoc::sensor::ikev2TransformName(1, 12), "ENCR_AES_CBC");
}

TEST(IkeParserTest, NatTraversalNeedsTheNonEspMarker) {
  Harness h;
  auto d = bytes(kMainMode1);
  h.feed(FlowDirection::ToServer, d, true);  // no marker: ESP, not IKE
  EXPECT_TRUE(h.messages.empty());
  d.insert(d.begin(), 4, 0);
  h.feed(FlowDirection::ToServer, d, true);
  ASSERT_EQ(h.messages.size(), 1u);
  EXPECT_EQ(h.messages[0].initSpi(), "e47a591fd057587f");
}

TEST(IkeParserTest, AttributeNames) {
  EXPECT_EQ(gsoc::sensor::ikeAttributeType("alg_hash"), 2);
  EXPECT_EQ(gsoc::sensor::ikeAttributeType("sa_life_duration"), 12);
  EXPECT_EQ(gsoc::sensor::ikeAttributeType("nonsense"), 0);
  EXPECT_EQ(gsoc::sensor::ikeAttributeValue(4, 14), "GroupModp2048Bit");
  EXPECT_EQ(gsoc::sensor::ikeAttributeValue(1, 99), "Unknown");
  EXPECT_EQ(gsoc::sensor::ikev1PayloadName(10), "Nonce");
}

TEST(IkeParserTest, MalformedDatagramsAreCountedAndSkipped) {
  Harness h;
  h.feed(FlowDirection::ToServer, std::vector<std::uint8_t>(10, 0));  // shorter than a header
  EXPECT_EQ(h.state.errors(), 1u);
  EXPECT_TRUE(h.state.events.test(AnomalyEvent::IkeMalformedData));
  // An SA whose DOI is cut short: Suricata keeps no transaction of it.
  auto d = bytes(kMainMode1);
  d.resize(28 + 4 + 2);
  d[28 + 2] = 0;
  d[28 + 3] = 6;
  h.feed(FlowDirection::ToServer, d);
  EXPECT_TRUE(h.messages.empty());
  EXPECT_EQ(h.state.errors(), 2u);
  // Every truncation of a real message: no crash.
  const auto full = bytes(kMainMode3);
  for (std::size_t n = 0; n < full.size(); ++n) {
    h.feed(FlowDirection::ToServer, std::vector<std::uint8_t>(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
  }
  const auto v2 = bytes(kIkev2WeakDh);
  for (std::size_t n = 0; n < v2.size(); ++n) {
    h.feed(FlowDirection::ToServer, std::vector<std::uint8_t>(v2.begin(), v2.begin() + static_cast<std::ptrdiff_t>(n)));
  }
  h.state.reset();
  EXPECT_EQ(h.state.errors(), 0u);
}

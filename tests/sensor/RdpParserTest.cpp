// RDP as RdpState reads it, on the setup PDUs of suricata-verify's RDP-003 capture: the
// client's Connection Request (cookie), the server's Connection Confirm, the MCS Connect
// Initial's client data (version, desktop, build, name, product id, capabilities, channels)
// and the Connect Response, each split over two segments; then a CredSSP-style switch to TLS
// whose server certificate gives its serial; and bytes that are neither TPKT nor TLS counted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/RdpParser.hpp"

using gsoc::sensor::RdpState;
using gsoc::sensor::RdpTransaction;
using gsoc::signatures::FlowDirection;

namespace {

std::vector<std::uint8_t> hex(std::string_view h) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// RDP-003.pcap, packets 4, 6, 7 and 8 (TCP payloads).
constexpr std::string_view kConnectionRequest = "030000241fe00000000000436f6f6b69653a206d737473686173683d4137303036370d0a";
constexpr std::string_view kConnectionConfirm = "0300000b06d00000123400";
constexpr std::string_view kConnectInitial =
    "0300019c02f0807f658201900401010401010101ff30190201220201020201000201010201000201010202ffff020102301902010102010102010102"
    "010102010002010102020420020102301c0202ffff0202fc170202ffff0201010201000201010202ffff0201020482012f000500147c000181260008"
    "00100001c00044756361811801c0d400040008008004600301ca03aa09040000280a000049005300440032002d004b004d0038003400310037003800"
    "000000000000000004000000000000000c00000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "00000000000000000000000000000000000000000000000001ca0100000000000f0007000100350035003200370034002d004f0045004d002d003000"
    "3000310031003900300033002d0030003000310030003700000000000000000000000000000000000000000004c00c00090000000000000002c00c00"
    "0b0000000000000003c02c0003000000726470647200000000008080636c6970726472000000a0c0726470736e640000000000c0";
constexpr std::string_view kConnectResponse =
    "0300014d02f0807f668201410a0100020100301a020122020103020100020101020100020101020300fff80201020482011b000500147c00012a1476"
    "0a01010001c0004d63446e8104010c080004000800030c1000eb030300ec03ed03ee030000020cec00080000000200000020000000b8000000778e84"
    "ed14edf1083d361284c28dcd52da72301be1dc7fdf62accd22660b337201000000010000000100000006005c005253413148000000000200003f0000"
    "000100010083f6d4ca7c05975a72cb0b5ca0ece59d468470e83ac0589091a00c9119bcab88efc96b261a6290e8a9385b5aa4198f5f29caa6c62c9143"
    "9003bda0a2e9b8a6c90000000000000000080048001b0c7249c4782f8c7d4c9fc6182f3164c66099979fa4f292683db067cfc711a7237512767a0119"
    "9ca613beaf0647dd0120a94e54066f6a61018e57e725ee0f3f0000000000000000";

// Feeds `bytes` in two segments, split in the middle.
void feedSplit(RdpState& state, FlowDirection dir, const std::vector<std::uint8_t>& bytes, const RdpState::TransactionSink& sink) {
  const std::span<const std::uint8_t> all(bytes);
  state.feed(dir, all.first(bytes.size() / 2), sink);
  state.feed(dir, all.subspan(bytes.size() / 2), sink);
}

}  // namespace

TEST(RdpParser, SetupOfTheCapture) {
  RdpState state;
  std::vector<RdpTransaction::Type> types;
  std::vector<std::uint64_t> ids;
  const auto onTx = [&](FlowDirection dir, const RdpTransaction& tx) {
    types.push_back(tx.type);
    ids.push_back(tx.tx_id);
    switch (tx.type) {
      case RdpTransaction::Type::InitialRequest:
        EXPECT_EQ(dir, FlowDirection::ToServer);
        EXPECT_TRUE(tx.has_cookie);
        EXPECT_EQ(tx.cookie, "A70067");
        EXPECT_FALSE(tx.has_negotiation_request);
        break;
      case RdpTransaction::Type::InitialResponse:
        EXPECT_EQ(dir, FlowDirection::ToClient);
        EXPECT_FALSE(tx.has_negotiation_response);
        EXPECT_FALSE(tx.has_negotiation_failure);
        break;
      case RdpTransaction::Type::ConnectRequest: {
        ASSERT_TRUE(tx.has_client_core);
        const auto& c = tx.client;
        EXPECT_EQ(gsoc::sensor::rdpClientVersionName(c.version), "v5");
        EXPECT_EQ(c.desktop_width, 1152);
        EXPECT_EQ(c.desktop_height, 864);
        EXPECT_EQ(gsoc::sensor::rdpKeyboardLayoutName(c.keyboard_layout), "en-US");
        EXPECT_EQ(gsoc::sensor::rdpBuildName(c.client_build), "Windows XP");
        EXPECT_EQ(c.client_name, "ISD2-KM84178");
        EXPECT_EQ(gsoc::sensor::rdpKeyboardTypeName(c.keyboard_type), "enhanced");
        EXPECT_EQ(c.keyboard_function_key, 12U);
        ASSERT_TRUE(c.has_early_capability_flags);
        EXPECT_EQ(c.early_capability_flags, 1);  // support_errinfo_pdf
        EXPECT_EQ(c.product_id, 1);
        EXPECT_EQ(c.dig_product_id, "55274-OEM-0011903-00107");
        ASSERT_EQ(tx.channels.size(), 3U);
        EXPECT_EQ(tx.channels[0], "rdpdr");
        EXPECT_EQ(tx.channels[1], "cliprdr");
        EXPECT_EQ(tx.channels[2], "rdpsnd");
        break;
      }
      default:
        break;
    }
  };
  const RdpState::TransactionSink sink = onTx;
  feedSplit(state, FlowDirection::ToServer, hex(kConnectionRequest), sink);
  feedSplit(state, FlowDirection::ToClient, hex(kConnectionConfirm), sink);
  feedSplit(state, FlowDirection::ToServer, hex(kConnectInitial), sink);
  feedSplit(state, FlowDirection::ToClient, hex(kConnectResponse), sink);
  // After the Connect Response nothing more is parsed: a fast-path PDU is no error.
  state.feed(FlowDirection::ToServer, hex("90161886fb4828856af49f84c21a9374b3ce75025f56"), sink);
  EXPECT_EQ(types, (std::vector<RdpTransaction::Type>{RdpTransaction::Type::InitialRequest, RdpTransaction::Type::InitialResponse,
                                                      RdpTransaction::Type::ConnectRequest, RdpTransaction::Type::ConnectResponse}));
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{0, 1, 2, 3}));
  EXPECT_EQ(state.errors(), 0U);
}

TEST(RdpParser, TlsAfterTheNegotiationGivesTheServerCertificateSerials) {
  RdpState state;
  std::vector<std::string> seen;
  const auto onTx = [&](FlowDirection, const RdpTransaction& tx) {
    if (tx.type == RdpTransaction::Type::InitialResponse) {
      seen.push_back("response:" + std::string(gsoc::sensor::rdpProtocolName(tx.protocol)));
    } else if (tx.type == RdpTransaction::Type::TlsHandshake) {
      for (const std::string& serial : tx.x509_serials) seen.push_back("serial:" + serial);
    }
  };
  const RdpState::TransactionSink sink = onTx;
  // A confirm choosing CredSSP (HYBRID), the client's hello (skipped), then the server's
  // handshake record holding a Certificate message with one minimal certificate:
  // SEQUENCE { SEQUENCE { [0] { INTEGER 2 }, INTEGER 0x00ff01 } }.
  state.feed(FlowDirection::ToClient, hex("030000130ed000001234000200080002000000"), sink);
  state.feed(FlowDirection::ToServer, hex("160303000501000001ff"), sink);
  const std::string cert = "300c300aa003020102020300ff01";
  const std::string certificate_message = "0b000014" "000011" "00000e" + cert;
  state.feed(FlowDirection::ToClient, hex("1603030018" + certificate_message), sink);
  EXPECT_EQ(seen, (std::vector<std::string>{"response:hybrid", "serial:ff01"}));
  EXPECT_EQ(state.errors(), 0U);
}

TEST(RdpParser, BytesThatAreNeitherTpktNorTlsAreCounted) {
  RdpState state;
  int transactions = 0;
  const auto onTx = [&](FlowDirection, const RdpTransaction&) { ++transactions; };
  const RdpState::TransactionSink sink = onTx;
  state.feed(FlowDirection::ToServer, hex("474554202f20485454502f312e310d0a"), sink);  // "GET / HTTP/1.1"
  state.feed(FlowDirection::ToServer, hex(kConnectionRequest), sink);  // the parse has ended
  EXPECT_EQ(transactions, 0);
  EXPECT_EQ(state.errors(), 1U);
  EXPECT_FALSE(gsoc::sensor::looksLikeRdp(hex("474554202f20485454502f312e310d0a"), true));
  EXPECT_TRUE(gsoc::sensor::looksLikeRdp(hex(kConnectionRequest), true));
}

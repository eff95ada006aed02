// EtherNet/IP as EnipState reads it, on PDUs from suricata-verify's captures: a ListIdentity
// request and its reply's identity item (enip_test1.pcap), a SendUnitData Get Attribute List
// request (class 0x8b, instance 1, attribute 8) and its reply paired by their CIP sequence
// number (enip_cip_example.pcap), a PDU split across segments, names as Suricata logs them, and
// command data that does not decode kept as an invalid PDU.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/EnipParser.hpp"

using gsoc::sensor::EnipPdu;
using gsoc::sensor::EnipState;
using gsoc::sensor::EnipTransaction;
using gsoc::signatures::FlowDirection;

namespace {

std::string hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

const std::string kListIdentityRequest = hex("63000000000000000000000000000000c1debed100000000");
const std::string kListIdentityReply = hex(
    "63003300000000000000000000000000c1debed10000000001000c002d0001000002af120a0101a4000000000000000001000c003a0004033000"
    "8e4d52000b313735362d454e42542f4103");
const std::string kGetAttributeList =
    hex("7000200000010211000000000000000000000000000000000000000001000200a1000400010b7c00b1000c008b070302208b240101000800");
const std::string kGetAttributeListReply = hex(
    "7000480000010211000000000000000000000000000000000000000000000200a10004002800fe80b10034008b078300000001000800000024000000"
    "474d542d30353a3030204561737465726e2054696d652028555320262043616e61646129");

void feed(EnipState& state, FlowDirection dir, const std::string& data) {
  state.pending(dir).append(bytes(data));
  state.pending(dir).release();
  state.parse(dir);
}

std::vector<const EnipTransaction*> logged(EnipState& state, bool all) {
  std::vector<const EnipTransaction*> out;
  state.forUnlogged(all, [&](const EnipTransaction& tx) { out.push_back(&tx); });
  return out;
}

TEST(EnipParser, ListIdentityAndItsIdentity) {
  EXPECT_TRUE(gsoc::sensor::looksLikeEnip(bytes(kListIdentityRequest)));
  EnipState state;
  feed(state, FlowDirection::ToServer, kListIdentityRequest);
  EXPECT_TRUE(logged(state, false).empty());  // waiting for its reply
  feed(state, FlowDirection::ToClient, kListIdentityReply);
  const auto txs = logged(state, false);
  ASSERT_EQ(txs.size(), 1u);
  const EnipTransaction& tx = *txs[0];
  EXPECT_EQ(tx.tx_id, 1u);
  ASSERT_TRUE(tx.has_request && tx.has_response);
  EXPECT_EQ(tx.request.command, 0x63);
  EXPECT_EQ(gsoc::sensor::enipCommandName(tx.request.command), "list_identity");
  EXPECT_EQ(gsoc::sensor::enipStatusName(tx.response.status), "success");
  ASSERT_EQ(tx.response.payload, EnipPdu::Payload::ListIdentity);
  ASSERT_TRUE(tx.response.has_identity);
  const auto& id = tx.response.identity;
  EXPECT_EQ(id.protocol_version, 1);
  EXPECT_EQ(id.vendor_id, 1);
  EXPECT_EQ(gsoc::sensor::enipVendorName(id.vendor_id), "Rockwell Automation/Allen-Bradley");
  EXPECT_EQ(id.device_type, 12);
  EXPECT_EQ(gsoc::sensor::enipDeviceTypeName(id.device_type), "Communications Adapter");
  EXPECT_EQ(id.product_code, 58);
  EXPECT_EQ(id.revision_major, 4);
  EXPECT_EQ(id.revision_minor, 3);
  EXPECT_EQ(id.status, 0x30);
  EXPECT_EQ(id.serial, 0x524d8eu);
  EXPECT_EQ(id.product_name, "1756-ENBT/A");
  EXPECT_EQ(id.state, 3);
  EXPECT_EQ(state.errors(), 0u);
}

TEST(EnipParser, SendUnitDataWithCipPairedBySequence) {
  EnipState state;
  // The request split in two segments: nothing until the rest arrives.
  feed(state, FlowDirection::ToServer, kGetAttributeList.substr(0, 30));
  EXPECT_TRUE(logged(state, true).empty());
  feed(state, FlowDirection::ToServer, kGetAttributeList.substr(30));
  feed(state, FlowDirection::ToClient, kGetAttributeListReply);
  const auto txs = logged(state, false);
  ASSERT_EQ(txs.size(), 1u);
  const EnipPdu& req = txs[0]->request;
  ASSERT_EQ(req.payload, EnipPdu::Payload::Cip);
  EXPECT_EQ(req.item_count, 2);
  ASSERT_TRUE(req.has_sequence);
  EXPECT_EQ(req.sequence, 0x078b);
  ASSERT_EQ(req.cip_count, 1u);
  const auto& s = req.cip[0];
  EXPECT_FALSE(s.response);
  EXPECT_EQ(s.service, 3);
  EXPECT_EQ(gsoc::sensor::cipServiceName(s.service), "Get Attribute List");
  ASSERT_EQ(s.path.size(), 2u);
  EXPECT_EQ(s.path[0].kind(), 8);
  EXPECT_EQ(s.path[0].value, 0x8bu);
  EXPECT_EQ(s.path[1].kind(), 9);
  EXPECT_EQ(s.path[1].value, 1u);
  EXPECT_EQ(s.attributes, std::vector<std::uint16_t>{8});
  const EnipPdu& resp = txs[0]->response;
  ASSERT_EQ(resp.cip_count, 1u);
  EXPECT_TRUE(resp.cip[0].response);
  EXPECT_EQ(resp.cip[0].service, 3);
  EXPECT_EQ(resp.cip[0].status, 0);
  EXPECT_EQ(gsoc::sensor::cipStatusName(resp.cip[0].status), "Success");
}

TEST(EnipParser, UndecodableCommandDataIsAnInvalidPdu) {
  // A RegisterSession with two octets of data: kept, as a header, and counted.
  const std::string short_register = hex("650002000000000000000000000000000000000000000000") + hex("0100");
  EnipState state;
  feed(state, FlowDirection::ToServer, short_register);
  const auto txs = logged(state, true);
  ASSERT_EQ(txs.size(), 1u);
  EXPECT_TRUE(txs[0]->request.invalid);
  EXPECT_EQ(txs[0]->request.payload, EnipPdu::Payload::Unparsed);
  EXPECT_EQ(state.errors(), 1u);
  EXPECT_FALSE(gsoc::sensor::looksLikeEnip(bytes(short_register)));  // RegisterSession needs 4 octets
}

}  // namespace

// Modbus/TCP as ModbusState reads it, on messages from suricata-verify's modbus.pcap: Read
// Coils and its reply, a diagnostic (Force Listen Only Mode) answered by an exception, a MEI
// read device id request; the names, access types and categories Suricata logs; a response
// paired by transaction id, unit and function; a length out of range flagged, not dropped.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/ModbusParser.hpp"

using gsoc::sensor::ModbusMessage;
using gsoc::sensor::ModbusState;
using gsoc::sensor::ModbusTransaction;
using gsoc::signatures::FlowDirection;
namespace mb = gsoc::sensor::modbus;

namespace {

std::string hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

std::span<const std::uint8_t> bytes(const std::string& s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

void feed(ModbusState& state, FlowDirection dir, const std::string& data) {
  state.pending(dir).append(bytes(data));
  state.pending(dir).release();
  state.parse(dir);
}

std::vector<const ModbusTransaction*> logged(ModbusState& state, bool all) {
  std::vector<const ModbusTransaction*> out;
  state.forUnlogged(all, [&](const ModbusTransaction& tx) { out.push_back(&tx); });
  return out;
}

TEST(ModbusParser, ReadCoilsAndItsReply) {
  const std::string request = hex("0001000000060a0100000001"), reply = hex("0001000000040a010100");
  EXPECT_TRUE(gsoc::sensor::looksLikeModbus(bytes(request)));
  ModbusState state;
  feed(state, FlowDirection::ToServer, request);
  feed(state, FlowDirection::ToClient, reply);
  const auto txs = logged(state, false);
  ASSERT_EQ(txs.size(), 1u);
  const ModbusMessage& req = txs[0]->request;
  EXPECT_EQ(txs[0]->tx_id, 1u);
  EXPECT_EQ(req.transaction_id, 1);
  EXPECT_EQ(req.unit_id, 10);
  EXPECT_EQ(gsoc::sensor::modbusFunctionName(req.function), "RdCoils");
  EXPECT_EQ(gsoc::sensor::modbusAccessNames(req.access), "READ | COILS");
  EXPECT_EQ(gsoc::sensor::modbusCategoryNames(req.category), "PUBLIC_ASSIGNED");
  EXPECT_EQ(gsoc::sensor::modbusErrorNames(req.error_flags), "NONE");
  ASSERT_EQ(req.data, ModbusMessage::Data::ReadRequest);
  EXPECT_EQ(req.read_address, 0);
  EXPECT_EQ(req.read_quantity, 1);
  std::uint16_t first = 0, last = 0;
  ASSERT_TRUE(req.addressRange(first, last));
  EXPECT_EQ(first, 1);
  EXPECT_EQ(last, 1);
  const ModbusMessage& resp = txs[0]->response;
  ASSERT_EQ(resp.data, ModbusMessage::Data::ReadResponse);
  EXPECT_EQ(resp.bytes, hex("00"));
  EXPECT_EQ(resp.error_flags, 0);
}

TEST(ModbusParser, DiagnosticAnsweredByAnException) {
  ModbusState state;
  feed(state, FlowDirection::ToServer, hex("0000000000060a0800040000"));
  feed(state, FlowDirection::ToClient, hex("0000000000030a880b"));
  const auto txs = logged(state, false);
  ASSERT_EQ(txs.size(), 1u);
  const ModbusMessage& req = txs[0]->request;
  ASSERT_EQ(req.data, ModbusMessage::Data::Diagnostic);
  EXPECT_EQ(gsoc::sensor::modbusDiagnosticName(req.subfunction), "ForceListenOnlyMode");
  EXPECT_EQ(gsoc::sensor::modbusAccessNames(req.access), "NONE");
  EXPECT_EQ(req.category, mb::kPublicAssigned);
  const ModbusMessage& resp = txs[0]->response;
  EXPECT_EQ(resp.function_raw, 0x88);
  ASSERT_EQ(resp.data, ModbusMessage::Data::Exception);
  EXPECT_EQ(gsoc::sensor::modbusExceptionName(resp.exception), "GatewayTargetFailToResp");
  EXPECT_EQ(resp.category, 0);  // an exception to a diagnostic has no category, as sawp's
}

TEST(ModbusParser, MeiAndFlaggedLengths) {
  ModbusState state;
  feed(state, FlowDirection::ToServer, hex("0001000000060a2b0e030100"));
  // A length past 254: flagged, and the message ends what was there.
  feed(state, FlowDirection::ToServer, hex("000200000100ffff"));
  const auto txs = logged(state, true);
  ASSERT_EQ(txs.size(), 2u);
  const ModbusMessage& mei = txs[0]->request;
  ASSERT_EQ(mei.data, ModbusMessage::Data::Mei);
  EXPECT_EQ(gsoc::sensor::modbusFunctionName(mei.function), "MEI");
  EXPECT_EQ(gsoc::sensor::modbusMeiName(mei.mei_type), "RdDevId");
  EXPECT_EQ(mei.bytes, hex("030100"));
  EXPECT_EQ(gsoc::sensor::modbusErrorNames(txs[1]->request.error_flags), "DATA_LENGTH");
  EXPECT_EQ(state.errors(), 1u);
}

}  // namespace

// NFS as NfsState reads it: NFSv2 datagrams of Suricata's verification captures (STATFS named by
// v2's numbering, a RENAME with its old and new names), an NFSv3 READ whose reply carries the
// whole file (a file transaction, closed, hashed), an NFSv4 COMPOUND writing a file over TCP
// (record marking split over fragments and segments, PUTFH then WRITE then COMMIT), replies
// matched by xid, names, statuses and truncated input counted without a crash.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/NfsParser.hpp"

using gsoc::sensor::NfsState;
using gsoc::sensor::NfsTransaction;
using gsoc::signatures::FlowDirection;

namespace {

std::vector<std::uint8_t> bytes(const char* hex) {
  std::vector<std::uint8_t> out;
  for (const char* p = hex; p[0] && p[1]; p += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(p, 2), nullptr, 16)));
  return out;
}

// nfs-bug-5140/nfsv2.pcap: STATFS (v2 procedure 17) and its reply; RENAME "a" to "am".
const char* const kV2Statfs =
    "5e1d0b950000000000000002000186a300000002000000110000000100000034384775d000000009776572726d736368650000000000000000000001000000"
    "050000000100000000000000020000000300000011000000000000000000101085000003e7000a00000000b25a00000029000a00000000b25a00000029";
const char* const kV2StatfsReply = "5e1d0b950000000100000000000000000000000000000000000000000000200000000400000fa00000065da600065280";
const char* const kV2Rename =
    "5e1d0ba20000000000000002000186a3000000020000000b0000000100000034384775d000000009776572726d736368650000000000000000000001000000"
    "050000000100000000000000020000000300000011000000000000000000101085000003e7000a00000000b25a00000029000a00000000b25a000000290000"
    "00016100000000101085000003e7000a00000000b25a00000029000a00000000b25a0000002900000002616d0000";
const char* const kV2RenameReply = "5e1d0ba2000000010000000000000000000000000000000000000000";
// nfs3-01/input.pcap: READ of "bln"'s handle and its reply, the whole file ("the b file\n").
const char* const kV3Read =
    "5e1d0c020000000000000002000186a3000000030000000600000001000000343847760b00000009776572726d7363686500000000000000000000010000000500"
    "0000010000000000000002000000030000001100000000000000000000002000101085000003e7000a00000000b25d0000002a000a00000000b25a000000290000"
    "00000000000000004000";
const char* const kV3ReadReply =
    "5e1d0c020000000100000000000000000000000000000000000000000000000100000001000081a400000002000000000000000100000000000000"
    "0b000000000000800000000000000000000000000000101085000000000000b25d3847762523c34600384771c421f98280384776251e65fb81000000"
    "0b000000010000000b74686520622066696c650a00";

// nfs-bug-5140/nfsv2.pcap: a v2 READ of 8192 bytes at offset 0 and its reply with the whole
// 11-byte file (the attributes' size says it is the last chunk).
const char* const kV2Read =
    "5e1d0bc20000000000000002000186a300000002000000060000000100000034384775d000000009776572726d736368650000000000000000000001000000"
    "050000000100000000000000020000000300000011000000000000000000101085000003e7000a00000000b25d0000002a000a00000000b25a000000290000"
    "00000000200000002000";
const char* const kV2ReadReply =
    "5e1d0bc200000001000000000000000000000000000000000000000000000001000081a40000000200000000000000010000000b000040000000000000000002"
    "001010850000b25d384775ea000b71b0384771c40008b290384775ea000900b00000000b74686520622066696c650a00";

void u32(std::string& out, std::uint32_t v) {
  for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void opaque(std::string& out, std::string_view v) {
  u32(out, static_cast<std::uint32_t>(v.size()));
  out.append(v);
  out.append((4 - v.size() % 4) % 4, '\0');
}

// An NFSv4 COMPOUND call with AUTH_NULL: PUTFH(handle), WRITE(offset 0, UNSTABLE, data), COMMIT.
std::string v4WriteCall(std::uint32_t xid, std::string_view handle, std::string_view data) {
  std::string m;
  for (const std::uint32_t v : {xid, 0u, 2u, 100003u, 4u, 1u, 0u, 0u, 0u, 0u}) u32(m, v);
  opaque(m, "");  // tag
  u32(m, 0);      // minor version
  u32(m, 3);
  u32(m, 22);
  opaque(m, handle);
  u32(m, 38);
  m.append(16, '\0');  // stateid
  u32(m, 0);
  u32(m, 0);  // offset
  u32(m, 0);  // UNSTABLE
  opaque(m, data);
  u32(m, 5);
  u32(m, 0);
  u32(m, 0);
  u32(m, 0);
  return m;
}

void datagram(NfsState& state, FlowDirection dir, const char* hex) {
  const auto b = bytes(hex);
  state.datagram(dir, b);
}

}  // namespace

TEST(NfsParser, V2ProceduresAreNamedByVersion2Numbering) {
  NfsState state;
  datagram(state, FlowDirection::ToServer, kV2Statfs);
  ASSERT_EQ(state.transactions().size(), 1u);
  const NfsTransaction& tx = state.transactions().front();
  EXPECT_EQ(tx.id, 1u);
  EXPECT_EQ(tx.xid, 0x5e1d0b95u);
  EXPECT_EQ(gsoc::sensor::nfsProcedureName(state.version(), tx.procedure), "STATFS");
  EXPECT_EQ(tx.auth_type, 1u);
  EXPECT_EQ(tx.machine_name, "werrmsche");
  EXPECT_TRUE(tx.request_done);
  EXPECT_FALSE(tx.response_done);
  datagram(state, FlowDirection::ToClient, kV2StatfsReply);
  EXPECT_TRUE(tx.complete());
  EXPECT_EQ(gsoc::sensor::nfsStatusName(tx.nfs_status), "OK");
  EXPECT_EQ(gsoc::sensor::rpcStatusName(tx.rpc_status), "ACCEPTED");
  EXPECT_EQ(state.errors(), 0u);
}

TEST(NfsParser, V2RenameKeepsBothNames) {
  NfsState state;
  datagram(state, FlowDirection::ToServer, kV2Rename);
  datagram(state, FlowDirection::ToClient, kV2RenameReply);
  ASSERT_EQ(state.transactions().size(), 1u);
  const NfsTransaction& tx = state.transactions().front();
  EXPECT_EQ(gsoc::sensor::nfsProcedureName(2, tx.procedure), "RENAME");
  EXPECT_TRUE(tx.is_rename);
  EXPECT_EQ(tx.file_name, "a");
  EXPECT_EQ(tx.rename_to, "am");
  EXPECT_TRUE(tx.complete());
  // v2's MKDIR has v3 RENAME's number: not a rename.
  EXPECT_EQ(gsoc::sensor::nfsProcedureName(2, 14), "MKDIR");
}

TEST(NfsParser, V2ReadEndsAtTheFilesSize) {
  NfsState state;
  datagram(state, FlowDirection::ToServer, kV2Read);
  EXPECT_TRUE(state.transactions().empty());  // v2's file transaction starts with the reply
  datagram(state, FlowDirection::ToClient, kV2ReadReply);
  ASSERT_EQ(state.transactions().size(), 1u);
  const NfsTransaction& tx = state.transactions().front();
  EXPECT_TRUE(tx.is_file_tx);
  EXPECT_TRUE(tx.is_last);
  EXPECT_TRUE(tx.complete());
  EXPECT_EQ(tx.file.size, 11u);
  EXPECT_TRUE(tx.file.closed);
  EXPECT_EQ(tx.file.md5, "3a8614dc01881ca20e07e1b9cbc03dc0");
}

TEST(NfsParser, V3ReadIsAFileTransaction) {
  NfsState state;
  datagram(state, FlowDirection::ToServer, kV3Read);
  ASSERT_EQ(state.transactions().size(), 1u);
  const NfsTransaction& tx = state.transactions().front();
  EXPECT_TRUE(tx.is_file_tx);
  EXPECT_EQ(tx.file_direction, FlowDirection::ToClient);
  EXPECT_TRUE(tx.is_first);
  EXPECT_FALSE(tx.complete());
  datagram(state, FlowDirection::ToClient, kV3ReadReply);
  EXPECT_TRUE(tx.complete());
  EXPECT_TRUE(tx.is_last);
  EXPECT_EQ(tx.chunk_count, 1u);  // the request opened it, the reply's chunk counts
  EXPECT_EQ(tx.file_last_xid, 0x5e1d0c02u);
  EXPECT_TRUE(tx.file.closed);
  EXPECT_FALSE(tx.file.gaps);
  EXPECT_EQ(tx.file.size, 11u);
  EXPECT_EQ(tx.file.md5, "3a8614dc01881ca20e07e1b9cbc03dc0");
  EXPECT_EQ(tx.file.sha256, "cb39bdb9ce305c91be125134205144c2d5fbf458291711f90f4d2276c69821d8");
}

TEST(NfsParser, V4CompoundWriteOverTcpFragments) {
  NfsState state;
  const std::string call = v4WriteCall(7, "handle-1", "hello");
  // Two fragments: the first without the last-fragment bit, then the rest.
  std::string stream;
  const std::size_t half = 20;
  u32(stream, static_cast<std::uint32_t>(half));
  stream.append(call, 0, half);
  u32(stream, 0x80000000u | static_cast<std::uint32_t>(call.size() - half));
  stream.append(call, half);
  // Delivered in two segments, the record header split.
  const auto* data = reinterpret_cast<const std::uint8_t*>(stream.data());
  state.pending(FlowDirection::ToServer).append({data, 2});
  state.pending(FlowDirection::ToServer).release();
  state.parse(FlowDirection::ToServer);
  EXPECT_TRUE(state.transactions().empty());
  state.pending(FlowDirection::ToServer).append({data + 2, stream.size() - 2});
  state.pending(FlowDirection::ToServer).release();
  state.parse(FlowDirection::ToServer);
  ASSERT_EQ(state.transactions().size(), 1u);
  const NfsTransaction& tx = state.transactions().front();
  EXPECT_EQ(state.version(), 4u);
  EXPECT_EQ(gsoc::sensor::nfsProcedureName(4, tx.procedure), "WRITE");
  EXPECT_TRUE(tx.is_file_tx);
  EXPECT_EQ(tx.auth_type, 0u);
  EXPECT_EQ(tx.file_handle, "handle-1");
  EXPECT_TRUE(tx.file.closed);  // the COMMIT
  EXPECT_TRUE(tx.request_done);
  EXPECT_FALSE(tx.response_done);  // Suricata's file transactions of a WRITE wait for the flow's end
  EXPECT_EQ(tx.file.size, 5u);
  EXPECT_EQ(tx.file.md5, "5d41402abc4b2a76b9719d911017c592");
  EXPECT_EQ(state.errors(), 0u);
}

TEST(NfsParser, UnansweredAndForeignRepliesAreIgnored) {
  NfsState state;
  datagram(state, FlowDirection::ToClient, kV2StatfsReply);  // no call: nothing to match
  EXPECT_TRUE(state.transactions().empty());
  EXPECT_EQ(state.errors(), 0u);
}

TEST(NfsParser, TruncatedInputIsCountedNotFatal) {
  const auto call = bytes(kV3Read);
  for (std::size_t n = 0; n < call.size(); n += 3) {
    NfsState state;
    state.datagram(FlowDirection::ToServer, std::span(call.data(), n));
  }
  NfsState state;
  const auto reply = bytes(kV3ReadReply);
  datagram(state, FlowDirection::ToServer, kV3Read);
  for (std::size_t n = 0; n < reply.size(); n += 5) state.datagram(FlowDirection::ToClient, std::span(reply.data(), n));
  SUCCEED();
}

TEST(NfsParser, ProbesKnowCallsAndReplies) {
  const auto call = bytes(kV2Statfs);
  const auto reply = bytes(kV2StatfsReply);
  EXPECT_TRUE(gsoc::sensor::looksLikeNfsCall(call, false));
  EXPECT_FALSE(gsoc::sensor::looksLikeNfsCall(reply, false));
  EXPECT_TRUE(gsoc::sensor::looksLikeRpcReply(reply, false));
  std::vector<std::uint8_t> marked = {0x80, 0, 0, static_cast<std::uint8_t>(call.size())};
  marked.insert(marked.end(), call.begin(), call.end());
  EXPECT_TRUE(gsoc::sensor::looksLikeNfsCall(marked, true));
  EXPECT_EQ(gsoc::sensor::nfsStatusName(2), "ERR_NOENT");
  EXPECT_EQ(gsoc::sensor::rpcAuthTypeName(1), "UNIX");
}

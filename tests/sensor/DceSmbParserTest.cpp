// DCERPC and SMB as the sensor parses them: DCERPC PDUs over TCP (split anywhere, fragments
// joined, binds answered per context, rebinding by ALTER_CONTEXT, resynchronisation after
// garbage), SMB2 (trees, creates, a file written and closed with its hashes, a named pipe
// carrying a DCERPC call, compound SET_INFO), SMB1 (a tree connect to IPC$ naming a pipe), and
// the app layer's timing: a side parsed when the other side acknowledges it, a call inspected
// at the next packet of its own direction (Suricata's IDS mode), or both at once inline.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sensor/app/AppLayer.hpp"
#include "sensor/app/DcerpcParser.hpp"
#include "sensor/app/SmbParser.hpp"

namespace gsoc::sensor {
namespace {

using signatures::BufferId;
using signatures::FlowDirection;

std::span<const std::uint8_t> bytes(std::string_view s) { return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()}; }

void le16(std::string& out, unsigned v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}
void le32(std::string& out, std::uint32_t v) {
  le16(out, v & 0xffff);
  le16(out, v >> 16);
}
void le64(std::string& out, std::uint64_t v) {
  le32(out, static_cast<std::uint32_t>(v));
  le32(out, static_cast<std::uint32_t>(v >> 32));
}
std::string utf16(std::string_view s) {
  std::string out;
  for (const char c : s) le16(out, static_cast<unsigned char>(c));
  return out;
}

// svcctl 367abb81-9844-35f1-ad32-98f038001003 as NDR little-endian bytes.
const std::string kSvcctlNdr("\x81\xbb\x7a\x36\x44\x98\xf1\x35\xad\x32\x98\xf0\x38\x00\x10\x03", 16);

std::string pdu(std::uint8_t type, std::uint8_t flags, std::uint32_t call_id, const std::string& body) {
  std::string out = {5, 0, static_cast<char>(type), static_cast<char>(flags), 0x10, 0, 0, 0};
  le16(out, static_cast<unsigned>(16 + body.size()));
  le16(out, 0);
  le32(out, call_id);
  return out + body;
}

// A BIND of svcctl 2.0 on each context id given.
std::string bind(std::uint32_t call_id, std::vector<std::uint16_t> contexts, std::uint8_t type = dce::kBind) {
  std::string body;
  le16(body, 4280);
  le16(body, 4280);
  le32(body, 0);
  body.push_back(static_cast<char>(contexts.size()));
  body.append(3, '\0');
  for (const std::uint16_t c : contexts) {
    le16(body, c);
    body.push_back(1);
    body.push_back(0);
    body += kSvcctlNdr;
    le16(body, 2);
    le16(body, 0);
    body.append(20, '\x22');  // one transfer syntax
  }
  return pdu(type, 3, call_id, body);
}

std::string bindAck(std::uint32_t call_id, std::vector<std::uint16_t> results, std::uint8_t type = dce::kBindAck) {
  std::string body;
  le16(body, 4280);
  le16(body, 4280);
  le32(body, 0x1234);
  le16(body, 4);
  body += std::string("135\0", 4);  // the secondary address, then padding to 4
  body.append(2, '\0');
  body.push_back(static_cast<char>(results.size()));
  body.append(3, '\0');
  for (const std::uint16_t r : results) {
    le16(body, r);
    le16(body, 0);
    body.append(20, '\x22');
  }
  return pdu(type, 3, call_id, body);
}

std::string request(std::uint32_t call_id, std::uint16_t context, std::uint16_t opnum, std::string_view stub,
                    std::uint8_t flags = 3) {
  std::string body;
  le32(body, static_cast<std::uint32_t>(stub.size()));
  le16(body, context);
  le16(body, opnum);
  return pdu(dce::kRequest, flags, call_id, body + std::string(stub));
}

std::string response(std::uint32_t call_id, std::string_view stub) {
  std::string body;
  le32(body, static_cast<std::uint32_t>(stub.size()));
  le16(body, 0);
  body.append(2, '\0');
  return pdu(dce::kResponse, 3, call_id, body + std::string(stub));
}

TEST(Dcerpc, BindRequestResponseOverTcpSplitAnywhere) {
  DcerpcState state;
  auto feed = [&](FlowDirection dir, const std::string& data) {
    for (const char c : data) {  // one byte at a time
      state.pending(dir).append(bytes(std::string_view(&c, 1)));
      state.pending(dir).release();
      state.parse(dir);
    }
  };
  feed(FlowDirection::ToServer, bind(1, {0, 1}));
  feed(FlowDirection::ToClient, bindAck(1, {2, 0}));
  feed(FlowDirection::ToServer, request(2, 1, 15, "ab", 1) + request(2, 1, 15, "cd", 2));  // two fragments
  feed(FlowDirection::ToClient, response(2, "result"));
  auto& txs = state.session().transactions();
  ASSERT_EQ(txs.size(), 2u);
  EXPECT_EQ(txs[0].request_type, dce::kBind);
  EXPECT_EQ(txs[0].response_type, dce::kBindAck);
  EXPECT_TRUE(txs[0].complete());
  const DceTransaction& call = txs[1];
  EXPECT_TRUE(call.complete());
  EXPECT_EQ(call.opnum, 15);
  EXPECT_EQ(call.context_id, 1);
  EXPECT_EQ(call.frags_ts, 2);
  EXPECT_EQ(call.stub_ts, "abcd");
  // Over TCP Suricata counts the response's stub from the common header: its 8-byte header too.
  EXPECT_EQ(call.stub_tc.size(), 8u + 6u);
  const auto& ifaces = state.session().interfaces();
  ASSERT_EQ(ifaces.size(), 2u);
  EXPECT_EQ(signatures::DceInterface{}.uuid.size(), 16u);
  EXPECT_EQ(dceUuidText(ifaces[0].uuid), "367abb81-9844-35f1-ad32-98f038001003");
  EXPECT_EQ(ifaces[0].ack_result, 2);
  EXPECT_EQ(ifaces[1].ack_result, 0);
  EXPECT_TRUE(ifaces[1].acked && ifaces[1].first_frag);
  const signatures::DceFacts facts = state.session().facts(call);
  EXPECT_TRUE(facts.request);
  EXPECT_EQ(facts.opnum, 15);
  EXPECT_EQ(state.errors(), 0u);
}

TEST(Dcerpc, AlterContextRebindsAContextAndGarbageIsSkipped) {
  DcerpcState state;
  auto feed = [&](FlowDirection dir, const std::string& data) {
    state.pending(dir).append(bytes(data));
    state.pending(dir).release();
    state.parse(dir);
  };
  feed(FlowDirection::ToServer, bind(1, {0}));
  feed(FlowDirection::ToClient, bindAck(1, {0}));
  feed(FlowDirection::ToServer, "garbage!" + bind(2, {0}, dce::kAlterContext));
  feed(FlowDirection::ToClient, bindAck(2, {0}, dce::kAlterContextResp));
  ASSERT_EQ(state.session().interfaces().size(), 1u);  // context 0 now names the second binding
  EXPECT_EQ(state.session().interfaces()[0].call_id, 2u);
  EXPECT_GT(state.errors(), 0u);
  // An answer to a call never seen: its request is lost.
  feed(FlowDirection::ToClient, response(9, "x"));
  EXPECT_TRUE(state.session().transactions().back().request_lost);
}

// A connectionless PDU: 80-byte header (little-endian), `body` after it.
std::string udpPdu(std::uint8_t type, std::uint32_t seqnum, std::uint8_t activity_byte, std::string_view body) {
  std::string h = {4, static_cast<char>(type), 0, 0, 0x10, 0, 0, 0};
  h.append(16, '\0');                             // object
  h.append(16, '\x11');                           // interface
  h.append(16, static_cast<char>(activity_byte));  // activity
  le32(h, 0);                                     // server boot
  le32(h, 1);                                     // interface version
  le32(h, seqnum);
  le16(h, 7);  // opnum
  le16(h, 0xffff);
  le16(h, 0xffff);
  le16(h, static_cast<unsigned>(body.size()));
  le16(h, 0);
  h.push_back(0);
  h.push_back(0);
  return h + std::string(body);
}

TEST(Dcerpc, ConnectionlessCallsPairByActivityAndSequence) {
  DcerpcUdpState state;
  EXPECT_FALSE(DcerpcUdpState::looksLikePdu(bytes(udpPdu(0, 1, 1, "ab").substr(0, 79))));
  ASSERT_TRUE(DcerpcUdpState::looksLikePdu(bytes(udpPdu(0, 1, 1, "ab"))));
  state.onDatagram(bytes(udpPdu(0, 1, 0xaa, "ab")));
  state.onDatagram(bytes(udpPdu(0, 1, 0xbb, "cde")));  // another activity, same sequence number
  DceTransaction* answer = state.onDatagram(bytes(udpPdu(2, 1, 0xbb, "xyz!")));
  ASSERT_NE(answer, nullptr);
  EXPECT_TRUE(answer->complete());
  EXPECT_EQ(answer->stub_ts, "cde");
  EXPECT_EQ(answer->stub_tc, "xyz!");
  EXPECT_EQ(answer->opnum, 7);
  EXPECT_EQ(dceUuidText(answer->activity), "bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb");
  EXPECT_FALSE(state.transactions().front().complete());
}

// --- SMB ------------------------------------------------------------------------------------------

struct Smb2 {
  std::uint64_t session = 0x1122;
  // One SMB2 message (NBSS length first) with `body` after the 64-byte header.
  static std::string message(std::uint16_t command, bool response, std::uint64_t mid, std::uint32_t tree, const std::string& body,
                             std::uint32_t status = 0, std::uint64_t session = 0x1122) {
    std::string h = "\xfeSMB";
    le16(h, 64);
    le16(h, 1);
    le32(h, status);
    le16(h, command);
    le16(h, 1);
    le32(h, response ? 1 : 0);
    le32(h, 0);  // next command
    le64(h, mid);
    le32(h, 0);
    le32(h, tree);
    le64(h, session);
    h.append(16, '\0');
    const std::string m = h + body;
    std::string out = {0, static_cast<char>((m.size() >> 16) & 0xff), static_cast<char>((m.size() >> 8) & 0xff),
                       static_cast<char>(m.size() & 0xff)};
    return out + m;
  }
  static std::string treeConnect(std::string_view path) {
    std::string b;
    le16(b, 9);
    le16(b, 0);
    le16(b, 64 + 8);
    le16(b, static_cast<unsigned>(utf16(path).size()));
    return b + utf16(path);
  }
  static std::string treeConnectResponse(std::uint8_t type) {
    std::string b;
    le16(b, 16);
    b.push_back(static_cast<char>(type));
    b.push_back(0);
    b.append(12, '\0');
    return b;
  }
  static std::string create(std::string_view name, std::uint32_t options = 0) {
    std::string b;
    le16(b, 57);
    b.append(34, '\0');  // security flags ... share access
    le32(b, 1);          // disposition FILE_OPEN
    le32(b, options);
    le16(b, 64 + 56);
    le16(b, static_cast<unsigned>(utf16(name).size()));
    le32(b, 0);
    le32(b, 0);
    return b + utf16(name);
  }
  static std::string createResponse(std::uint8_t fid, std::uint64_t size) {
    std::string b;
    le16(b, 89);
    b.append(6, '\0');
    for (int i = 0; i < 4; ++i) le64(b, 132000000000000000ULL);  // 2019-04-14
    le64(b, size);
    le64(b, size);
    le32(b, 0);
    le32(b, 0);
    b.append(16, static_cast<char>(fid));
    le32(b, 0);
    le32(b, 0);
    return b;
  }
  static std::string write(std::uint8_t fid, std::uint64_t offset, std::string_view data) {
    std::string b;
    le16(b, 49);
    le16(b, 64 + 48);
    le32(b, static_cast<std::uint32_t>(data.size()));
    le64(b, offset);
    b.append(16, static_cast<char>(fid));
    b.append(16, '\0');
    return b + std::string(data);
  }
  static std::string read(std::uint8_t fid, std::uint32_t length) {
    std::string b;
    le16(b, 49);
    b.append(2, '\0');
    le32(b, length);
    le64(b, 0);
    b.append(16, static_cast<char>(fid));
    b.append(17, '\0');
    return b;
  }
  static std::string readResponse(std::string_view data) {
    std::string b;
    le16(b, 17);
    b.push_back(64 + 16);
    b.push_back(0);
    le32(b, static_cast<std::uint32_t>(data.size()));
    b.append(8, '\0');
    return b + std::string(data);
  }
  static std::string close(std::uint8_t fid) {
    std::string b;
    le16(b, 24);
    b.append(6, '\0');
    b.append(16, static_cast<char>(fid));
    return b;
  }
};

struct SmbRun {
  SmbState state;
  void send(FlowDirection dir, const std::string& data) {
    state.pending(dir).append(bytes(data));
    state.pending(dir).release();
    state.parse(dir);
  }
  SmbTransaction* find(SmbTransaction::Type type) {
    for (SmbTransaction& t : state.transactions()) {
      if (t.type == type) return &t;
    }
    return nullptr;
  }
};

TEST(Smb2, TreeCreateWriteCloseExtractsTheFile) {
  SmbRun run;
  const auto ts = FlowDirection::ToServer;
  const auto tc = FlowDirection::ToClient;
  run.send(ts, Smb2::message(3, false, 1, 0, Smb2::treeConnect("\\\\10.0.0.1\\public")));
  run.send(tc, Smb2::message(3, true, 1, 5, Smb2::treeConnectResponse(1)));
  run.send(ts, Smb2::message(5, false, 2, 5, Smb2::create("dir\\eicar.com")));
  run.send(tc, Smb2::message(5, true, 2, 5, Smb2::createResponse(7, 68)));
  const std::string eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";
  run.send(ts, Smb2::message(9, false, 3, 5, Smb2::write(7, 0, eicar.substr(0, 30))));
  run.send(ts, Smb2::message(9, false, 4, 5, Smb2::write(7, 30, eicar.substr(30))));
  run.send(ts, Smb2::message(6, false, 5, 5, Smb2::close(7)));
  const SmbTransaction* tree = run.find(SmbTransaction::Type::TreeConnect);
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->share, "\\\\10.0.0.1\\public");
  EXPECT_FALSE(tree->is_pipe);
  EXPECT_TRUE(tree->complete());
  const SmbTransaction* create = run.find(SmbTransaction::Type::Create);
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->filename, "dir\\eicar.com");
  EXPECT_EQ(create->size, 68u);
  EXPECT_EQ(create->created, 1555526400u);  // FILETIME to Unix seconds
  const SmbTransaction* file = run.find(SmbTransaction::Type::File);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->file.name, "dir\\eicar.com");
  EXPECT_EQ(file->file.share, "\\\\10.0.0.1\\public");
  EXPECT_EQ(file->file_direction, ts);
  EXPECT_TRUE(file->file.closed);
  EXPECT_EQ(file->file.data, eicar);
  EXPECT_EQ(file->file.size, eicar.size());
  EXPECT_EQ(file->file.md5, "44d88612fea8a8f36de82e1278abb02f");
  EXPECT_EQ(file->file.sha256, "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f");
  EXPECT_EQ(smbCommandName(2, file->command), "SMB2_COMMAND_WRITE");
  EXPECT_EQ(run.state.errors(), 0u);
}

TEST(Smb2, ANamedPipeCarriesDcerpcAndAnUnclosedFileIsTruncated) {
  SmbRun run;
  const auto ts = FlowDirection::ToServer;
  const auto tc = FlowDirection::ToClient;
  run.send(ts, Smb2::message(3, false, 1, 0, Smb2::treeConnect("\\\\srv\\IPC$")));
  run.send(tc, Smb2::message(3, true, 1, 9, Smb2::treeConnectResponse(2)));
  run.send(ts, Smb2::message(5, false, 2, 9, Smb2::create("svcctl")));
  run.send(tc, Smb2::message(5, true, 2, 9, Smb2::createResponse(3, 0)));
  run.send(ts, Smb2::message(9, false, 3, 9, Smb2::write(3, 0, bind(1, {0}))));
  run.send(ts, Smb2::message(8, false, 4, 9, Smb2::read(3, 1024)));
  run.send(tc, Smb2::message(8, true, 4, 9, Smb2::readResponse(bindAck(1, {0}))));
  run.send(ts, Smb2::message(9, false, 5, 9, Smb2::write(3, 0, request(2, 0, 12, "CreateServiceW"))));
  run.send(ts, Smb2::message(8, false, 6, 9, Smb2::read(3, 1024)));
  run.send(tc, Smb2::message(8, true, 6, 9, Smb2::readResponse(response(2, "ok"))));
  const SmbTransaction* tree = run.find(SmbTransaction::Type::TreeConnect);
  ASSERT_NE(tree, nullptr);
  EXPECT_TRUE(tree->is_pipe);
  auto& calls = run.state.pipes().transactions();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].opnum, 12);
  EXPECT_EQ(calls[1].stub_ts, "CreateServiceW");
  EXPECT_EQ(calls[1].stub_tc, "ok");  // in a pipe, after the response's own header
  EXPECT_TRUE(calls[1].complete());
  EXPECT_EQ(calls[1].smb.command, 9);
  EXPECT_EQ(calls[1].smb.tree_id, 9u);
  EXPECT_TRUE(calls[1].smb.status_set);
  EXPECT_EQ(run.state.pipes().interfaces().size(), 1u);
  EXPECT_EQ(run.find(SmbTransaction::Type::File), nullptr);  // pipe traffic is no file
  // A file (on a disk share) read but never closed: truncated at the end, without hashes.
  run.send(ts, Smb2::message(3, false, 7, 0, Smb2::treeConnect("\\\\srv\\data")));
  run.send(tc, Smb2::message(3, true, 7, 10, Smb2::treeConnectResponse(1)));
  run.send(ts, Smb2::message(5, false, 8, 10, Smb2::create("big.bin")));
  run.send(tc, Smb2::message(5, true, 8, 10, Smb2::createResponse(4, 9000)));
  run.send(ts, Smb2::message(8, false, 9, 10, Smb2::read(4, 4)));
  run.send(tc, Smb2::message(8, true, 9, 10, Smb2::readResponse(std::string("MZ\x90\x00", 4))));
  run.state.close();
  const SmbTransaction* file = run.find(SmbTransaction::Type::File);
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->file_direction, tc);
  EXPECT_FALSE(file->file.closed);
  EXPECT_TRUE(file->complete());
  EXPECT_TRUE(file->file.sha256.empty());
}

TEST(Smb2, InterimPendingAnswerDoesNotEndTheCommand) {
  SmbRun run;
  std::string ioctl;
  le16(ioctl, 57);
  ioctl.append(2, '\0');
  le32(ioctl, 0x00140204);  // FSCTL_VALIDATE_NEGOTIATE_INFO
  ioctl.append(48, '\0');
  run.send(FlowDirection::ToServer, Smb2::message(11, false, 5, 1, ioctl));
  std::string pending = Smb2::message(11, true, 5, 0, std::string(8, '\0'), 0x103);
  pending[4 + 16] = 3;  // async + response
  run.send(FlowDirection::ToClient, pending);
  const SmbTransaction* tx = run.find(SmbTransaction::Type::Ioctl);
  ASSERT_NE(tx, nullptr);
  EXPECT_FALSE(tx->response_done);
  std::string final_answer = Smb2::message(11, true, 5, 0, std::string(8, '\0'), 0xc0000225);
  final_answer[4 + 16] = 3;
  run.send(FlowDirection::ToClient, final_answer);
  EXPECT_TRUE(tx->response_done);
  EXPECT_EQ(smbStatusName(tx->status), "STATUS_NOT_FOUND");
  EXPECT_EQ(smbFsctlName(tx->function), "FSCTL_VALIDATE_NEGOTIATE_INFO");
}

TEST(Smb1, TreeConnectToIpcIsAPipeAndTheNegotiateAnsweredInSmb2StaysSmb1) {
  SmbRun run;
  auto smb1 = [](std::uint8_t command, bool reply, const std::string& words_and_bytes, std::uint16_t tid) {
    std::string h = "\xffSMB";
    h.push_back(static_cast<char>(command));
    le32(h, 0);
    h.push_back(static_cast<char>(reply ? 0x98 : 0x18));
    le16(h, 0xc843);  // unicode, NT status
    h.append(12, '\0');
    le16(h, tid);
    le16(h, 0xfeff);  // PID
    le16(h, 100);     // UID
    le16(h, 7);       // MID
    h += words_and_bytes;
    std::string out = {0, 0, static_cast<char>((h.size() >> 8) & 0xff), static_cast<char>(h.size() & 0xff)};
    return out + h;
  };
  std::string negotiate(1, '\0');  // no parameter words
  const std::string dialects = std::string("\x02NT LM 0.12", 11) + '\0' + std::string("\x02SMB 2.002", 10) + '\0';
  le16(negotiate, static_cast<unsigned>(dialects.size()));
  run.send(FlowDirection::ToServer, smb1(0x72, false, negotiate + dialects, 0));
  std::string neg2;
  le16(neg2, 65);
  le16(neg2, 1);
  le16(neg2, 0x0202);
  neg2.append(58, '\0');
  run.send(FlowDirection::ToClient, Smb2::message(0, true, 0, 0, neg2));
  const SmbTransaction* negotiated = run.find(SmbTransaction::Type::Negotiate);
  ASSERT_NE(negotiated, nullptr);
  EXPECT_EQ(negotiated->version, 1);
  EXPECT_TRUE(negotiated->complete());
  EXPECT_EQ(negotiated->client_dialects, (std::vector<std::string>{"NT LM 0.12", "SMB 2.002"}));
  EXPECT_EQ(smb2DialectName(run.state.dialect()), "2.02");

  // TREE_CONNECT_ANDX: words (no AndX, password length 1), then the password, the path in
  // UTF-16 (aligned) and the service.
  std::string words("\x04\xff\x00\x00\x00", 5);
  le16(words, 0);
  le16(words, 1);
  std::string data = std::string(1, '\0') + utf16("\\\\SRV\\IPC$") + std::string(2, '\0') + std::string("?????\0", 6);
  std::string request_body = words;
  le16(request_body, static_cast<unsigned>(data.size()));
  run.send(FlowDirection::ToServer, smb1(0x75, false, request_body + data, 0));
  std::string reply_words("\x03\xff\x00\x00\x00", 5);
  le16(reply_words, 0);
  const std::string service = std::string("IPC\0", 4);
  le16(reply_words, static_cast<unsigned>(service.size()));
  run.send(FlowDirection::ToClient, smb1(0x75, true, reply_words + service, 2048));
  const SmbTransaction* tree = run.find(SmbTransaction::Type::TreeConnect);
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->share, "\\\\SRV\\IPC$");
  EXPECT_TRUE(tree->is_pipe);
  EXPECT_EQ(tree->service_request, "?????");
  EXPECT_EQ(smbCommandName(1, tree->command), "SMB1_COMMAND_TREE_CONNECT_ANDX");
}

TEST(Smb, GarbageAndTruncatedInputNeverCrash) {
  SmbRun run;
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>(0x42 + ((i * 131) ^ (i >> 3))));
  run.send(FlowDirection::ToServer, junk);
  run.send(FlowDirection::ToServer, Smb2::message(5, false, 2, 9, Smb2::create("x")).substr(0, 70));
  const std::string tiny = Smb2::message(9, false, 3, 5, "\x31\x00\xff\xff");  // a WRITE cut short
  run.send(FlowDirection::ToServer, tiny);
  run.state.close();
  EXPECT_GT(run.state.errors(), 0u);
}

TEST(Smb, AHoleInTheStreamResynchronisesOnTheNextMessage) {
  SmbRun run;
  const auto ts = FlowDirection::ToServer;
  const std::string tree = Smb2::message(3, false, 1, 0, Smb2::treeConnect("\\\\srv\\a"));
  run.send(ts, tree.substr(0, 40));  // a message cut by the hole
  run.state.gap(ts);
  run.send(ts, std::string(7, '\0') + "tail of something" + Smb2::message(3, false, 2, 0, Smb2::treeConnect("\\\\srv\\b")));
  const SmbTransaction* t = run.find(SmbTransaction::Type::TreeConnect);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->share, "\\\\srv\\b");
  EXPECT_EQ(t->message_id, 2u);
}

TEST(Smb2, AMessageTooLargeToHoldIsSkippedAfterItsHead) {
  SmbRun run;
  const auto ts = FlowDirection::ToServer;
  const auto tc = FlowDirection::ToClient;
  run.send(ts, Smb2::message(3, false, 1, 0, Smb2::treeConnect("\\\\srv\\data")));
  run.send(tc, Smb2::message(3, true, 1, 10, Smb2::treeConnectResponse(1)));
  run.send(ts, Smb2::message(5, false, 2, 10, Smb2::create("huge.iso")));
  run.send(tc, Smb2::message(5, true, 2, 10, Smb2::createResponse(4, 0)));
  const std::string huge = Smb2::message(9, false, 3, 10, Smb2::write(4, 0, std::string(SmbState::kMaxMessageBytes, 'A')));
  for (std::size_t at = 0; at < huge.size(); at += 1 << 20) run.send(ts, huge.substr(at, 1 << 20));
  run.send(ts, Smb2::message(6, false, 4, 10, Smb2::close(4)));
  const SmbTransaction* file = run.find(SmbTransaction::Type::File);
  ASSERT_NE(file, nullptr);
  EXPECT_TRUE(file->file.closed);  // the CLOSE after the skipped bytes was read
  EXPECT_LT(file->file.size, SmbState::kHeadBytes);
  EXPECT_TRUE(file->file.gaps);  // what was skipped is a hole: no hashes of a part
  EXPECT_TRUE(file->file.sha256.empty());
  EXPECT_GT(run.state.skipped(), 0u);
}

// The app layer's timing, on a DCERPC flow: a request is parsed when the server's next packet
// acknowledges it and inspected at the client's next packet; inline, at once.
TEST(DcerpcAppLayer, IdsModeInspectsAtTheNextPacketOfTheDirection) {
  for (const bool inline_mode : {false, true}) {
    std::vector<std::pair<FlowDirection, std::string>> inspected;
    std::vector<std::string> records;
    AppLayer app([&](Flow&, FlowDirection dir, signatures::MatchInput& input) {
      const auto stub = input.buffers.get(BufferId::DceStubData);
      ASSERT_NE(input.meta.facts.dce, nullptr);
      inspected.emplace_back(dir, stub.empty() ? std::string() : std::string(stub[0]));
    });
    app.setStreamInline(inline_mode);
    app.setMetadataSink([&](const AppMetadata& r) {
      if (r.kind == AppMetadata::Kind::Dcerpc) records.push_back(dceTypeName(r.dce->request_type));
    });
    DecodedPacket first;
    first.src = *IpAddress::parse("10.0.0.1");
    first.dst = *IpAddress::parse("10.0.0.2");
    first.src_port = 50000;
    first.dst_port = 135;
    first.ip_proto = 6;
    Flow flow(1, FlowKey::of(first), first, 1 << 16);
    const auto ts = FlowDirection::ToServer;
    const auto tc = FlowDirection::ToClient;
    auto packet = [&](FlowDirection dir, const std::string& data) {
      ++flow.counters[dir == ts ? Flow::kToServer : Flow::kToClient].packets;
      if (!data.empty()) app.onStream(flow, dir, bytes(data), 0);
      app.onPacket(flow, dir);
    };
    packet(tc, "");  // the SYN/ACK: the server is on this link
    packet(ts, bind(1, {0}));
    packet(tc, bindAck(1, {0}));
    packet(ts, request(2, 0, 15, "open"));
    EXPECT_EQ(inspected.size(), inline_mode ? 1u : 0u);
    packet(tc, "");  // acknowledges the request: parsed, not inspected yet in IDS mode
    EXPECT_EQ(inspected.size(), inline_mode ? 1u : 0u);
    packet(tc, response(2, "done"));
    packet(ts, "");  // IDS: the request is inspected here, and the response parsed
    ASSERT_GE(inspected.size(), 1u);
    EXPECT_EQ(inspected[0], std::make_pair(ts, std::string("open")));
    packet(tc, "");
    ASSERT_EQ(inspected.size(), 2u);
    EXPECT_EQ(inspected[1].first, tc);
    app.onFlowEnd(flow);
    EXPECT_EQ(records, (std::vector<std::string>{"BIND", "REQUEST"}));
    app.releaseState(flow);
    EXPECT_EQ(app.dcerpcStatePool().kept, 1u);
  }
}

}  // namespace
}  // namespace gsoc::sensor

#pragma once
// DCERPC, connection-oriented (C706 chapter 12, MS-RPCE 2.2.2): its PDUs over TCP (the endpoint
// mapper on 135 and the ports it hands out) and in SMB named pipes (sensor/app/SmbParser). A
// DceSession follows one connection's binds, so that a request's context id names the interface
// it calls, and its calls: one transaction per call, from the request's first fragment to the
// response's last, each side's stub data joined. The session serves the dce keywords
// (dcerpc.iface, dcerpc.opnum, dcerpc.stub_data) and EVE's dcerpc records; DcerpcState adds the
// TCP framing. DcerpcUdpState follows connectionless DCERPC over UDP.
//
// As Suricata's parser: a transaction is a REQUEST and its RESPONSE (or FAULT), a BIND and its
// BIND_ACK (or BIND_NAK), an ALTER_CONTEXT and its response; an answer whose call was not seen
// is a transaction whose request is lost. The stub data runs from the request's or response's
// header to the end of the fragment (an authentication trailer included, as Suricata counts it).

#include <array>
#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/MatchInput.hpp"
#include "gsoc/signatures/Rule.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

namespace dce {
// PDU types (C706 12.6.4.1).
inline constexpr std::uint8_t kRequest = 0;
inline constexpr std::uint8_t kResponse = 2;
inline constexpr std::uint8_t kFault = 3;
inline constexpr std::uint8_t kBind = 11;
inline constexpr std::uint8_t kBindAck = 12;
inline constexpr std::uint8_t kBindNak = 13;
inline constexpr std::uint8_t kAlterContext = 14;
inline constexpr std::uint8_t kAlterContextResp = 15;
inline constexpr std::uint8_t kLastType = 20;  // RTS
// pfc_flags
inline constexpr std::uint8_t kFirstFrag = 0x01;
inline constexpr std::uint8_t kLastFrag = 0x02;
inline constexpr std::uint8_t kObjectUuid = 0x80;
inline constexpr std::size_t kHeaderSize = 16;
}  // namespace dce

// The common header of a connection-oriented PDU.
struct DcePduHeader {
  std::uint8_t version_minor = 0;
  std::uint8_t type = 0;
  std::uint8_t flags = 0;
  bool little_endian = true;  // the data representation's integer format
  std::uint16_t frag_length = 0;
  std::uint16_t auth_length = 0;
  std::uint32_t call_id = 0;
};

// The header at the start of `data`: false when it is shorter than a header or no DCERPC 5.0/5.1
// connection-oriented header (a known type, a fragment at least as long as the header).
bool parseDcePduHeader(std::span<const std::uint8_t> data, DcePduHeader& out);
// Suricata's name of a PDU type ("REQUEST", "BINDACK"...), or its number.
std::string dceTypeName(std::uint8_t type);
// An interface UUID in its text form, "367abb81-9844-35f1-ad32-98f038001003".
std::string dceUuidText(const std::array<std::uint8_t, 16>& uuid);

// One call: the request side (REQUEST, BIND or ALTER_CONTEXT) and its answer.
struct DceTransaction {
  std::uint64_t id = 0;
  std::uint32_t call_id = 0;
  std::uint8_t request_type = dce::kRequest;
  std::uint8_t response_type = dce::kResponse;
  std::uint8_t version_minor = 0;
  bool little_endian = true;
  bool request_seen = false;   // a request PDU (of this call) was parsed
  bool request_done = false;   // its last fragment
  bool request_lost = false;   // only the answer was seen
  bool response_seen = false;
  bool response_done = false;
  std::uint16_t context_id = 0;
  std::uint16_t opnum = 0;
  std::uint16_t frags_ts = 0;
  std::uint16_t frags_tc = 0;
  std::string stub_ts;  // the request's stub data, fragments joined
  std::string stub_tc;  // the response's
  // The last PDU of each side (whole, header included): the payload that rules mixing payload
  // contents with dce keywords see.
  std::string pdu_ts;
  std::string pdu_tc;
  // What the SMB command that carried it said (DCERPC in a named pipe; SmbParser fills it).
  struct SmbCarrier {
    std::uint16_t command = 0;
    std::uint8_t version = 2;
    std::uint64_t session_id = 0;
    std::uint32_t tree_id = 0;
    std::uint64_t message_id = 0;
    std::uint32_t status = 0;
    bool status_set = false;
  } smb;
  // Connectionless DCERPC (over UDP): the activity the call belongs to; its sequence number is
  // call_id.
  bool connectionless = false;
  std::array<std::uint8_t, 16> activity{};
  // Progress through detection and output (AppLayer).
  bool inspected_ts = false;
  bool inspected_tc = false;
  bool logged = false;
  [[nodiscard]] bool complete() const { return request_done && response_done; }
  [[nodiscard]] bool isRequest() const { return request_type == dce::kRequest && request_seen; }
};

class DceSession {
 public:
  // Calls kept open at most (a peer that never answers): past it the oldest is dropped, counted.
  static constexpr std::size_t kMaxTransactions = 64;
  // Stub data kept per side of a call; beyond it, fragments are counted but not kept.
  static constexpr std::size_t kMaxStubBytes = 256 * 1024;
  static constexpr std::size_t kMaxInterfaces = 64;

  // One whole PDU (`pdu` is frag_length bytes, header included) sent in `dir`. Returns the
  // transaction it belongs to (null when the PDU starts or continues none: AUTH3, a
  // malformed body...); valid until the next call.
  DceTransaction* onPdu(signatures::FlowDirection dir, const DcePduHeader& h, std::span<const std::uint8_t> pdu);

  [[nodiscard]] const std::vector<signatures::DceInterface>& interfaces() const { return interfaces_; }
  [[nodiscard]] std::deque<DceTransaction>& transactions() { return transactions_; }
  // The facts of `tx` for the dce keywords (views into this session, until its next change).
  [[nodiscard]] signatures::DceFacts facts(const DceTransaction& tx) const {
    return signatures::DceFacts{interfaces_, tx.isRequest(), tx.opnum, tx.context_id};
  }
  // Where a response's stub data starts: after its header (24, in SMB named pipes), or, as
  // Suricata's DCERPC-over-TCP parser counts it, after the common header (16: the allocation
  // hint, context id and cancel count are part of it).
  void setResponseStubOffset(std::size_t at) { response_stub_at_ = at; }
  // Calls numbered from another counter (an SMB connection's transactions: from 1, shared),
  // instead of this session's own (from 0).
  void shareIds(std::uint64_t* last_id) { shared_ids_ = last_id; }
  // Drops the transactions that are logged and inspected both ways.
  void pruneFinished();
  [[nodiscard]] std::uint64_t errors() const { return errors_; }
  [[nodiscard]] std::uint64_t dropped() const { return dropped_; }
  void reset();

 private:
  DceTransaction& newTransaction(const DcePduHeader& h);
  DceTransaction* find(std::uint32_t call_id, std::uint8_t request_type, bool open_request, bool open_response);
  void onBind(const DcePduHeader& h, std::span<const std::uint8_t> pdu, DceTransaction& tx);
  void onBindAck(const DcePduHeader& h, std::span<const std::uint8_t> pdu);

  std::vector<signatures::DceInterface> interfaces_;
  std::vector<std::uint16_t> rebound_;  // onBindAck's scratch
  std::deque<DceTransaction> transactions_;
  std::uint64_t next_id_ = 0;
  std::size_t response_stub_at_ = 24;
  std::uint64_t* shared_ids_ = nullptr;
  std::uint64_t errors_ = 0;
  std::uint64_t dropped_ = 0;
};

// DCERPC over TCP: the framing of each direction into PDUs, for a DceSession. Bytes that start
// no PDU header are skipped to the next "05 00" (Suricata's resynchronisation), counted.
class DcerpcState final : public AppState {
 public:
  DcerpcState() { session_.setResponseStubOffset(dce::kHeaderSize); }
  // Bytes given to `dir` (AppLayer releases them as it decides, AckedBytes).
  AckedBytes& pending(signatures::FlowDirection dir) { return pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  // Parses the released bytes of `dir` into PDUs.
  void parse(signatures::FlowDirection dir);
  // The stream of `dir` skipped a hole: what is held of a PDU cut by it is dropped, and the next
  // PDU is looked for (parse what came before the hole first).
  void gap(signatures::FlowDirection dir) {
    pending(dir).clear();
    ++errors_;
  }
  // How many holes the app layer has seen in each direction's stream (it compares with TcpStream's).
  std::array<std::uint64_t, 2> gaps_seen{};
  DceSession& session() { return session_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_ + session_.errors(); }
  void reset();

 private:
  AckedBytes pending_[2];
  DceSession session_;
  std::uint64_t errors_ = 0;
};

// Connectionless DCERPC (C706 chapter 12.5, over UDP): one datagram is one PDU, its 80-byte
// header naming the interface, the activity (the client's conversation), the call's sequence
// number and operation. A request and the response of the same activity and sequence number are
// one call.
class DcerpcUdpState final : public AppState {
 public:
  static constexpr std::size_t kHeaderSize = 80;
  static constexpr std::size_t kMaxTransactions = 64;
  // A connectionless header of a known type whose body fits the datagram.
  static bool looksLikePdu(std::span<const std::uint8_t> datagram);
  // One datagram; the call it belongs to (null: not a request or response PDU, or malformed).
  DceTransaction* onDatagram(std::span<const std::uint8_t> datagram);
  [[nodiscard]] std::deque<DceTransaction>& transactions() { return transactions_; }
  void pruneFinished();
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  std::deque<DceTransaction> transactions_;
  std::uint64_t next_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor

#pragma once
// NFS over ONC RPC (RFC 5531), as Suricata's nfs parser: calls of program 100003 (NFSv2, v3 and
// v4's COMPOUND) over UDP (a datagram a message) and TCP (record marking, a record of one or more
// fragments), each reply matched to its call by xid. Transactions follow Suricata's model: one
// per call and reply, except file transfers (READ, WRITE), which are one transaction per file
// handle and direction, open until the file's last chunk (or COMMIT/CLOSE). Directory operations
// map file handles to names (LOOKUP, CREATE, OPEN) so later calls on a handle carry its name.

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/app/FileHasher.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// The program numbers and the procedures that matter to the parser.
namespace nfs {
inline constexpr std::uint32_t kProgram = 100003;
inline constexpr std::uint32_t kAuthNull = 0;
inline constexpr std::uint32_t kAuthUnix = 1;
// NFSv3 procedures (RFC 1813); v2's (RFC 1094) differ and are named by nfs2ProcedureName.
inline constexpr std::uint32_t kV3Getattr = 1, kV3Lookup = 3, kV3Read = 6, kV3Write = 7, kV3Create = 8, kV3Mkdir = 9,
                               kV3Remove = 12, kV3Rmdir = 13, kV3Rename = 14, kV3Commit = 21;
inline constexpr std::uint32_t kV2Lookup = 4, kV2Read = 6, kV2Write = 8, kV2Create = 9, kV2Remove = 10, kV2Rename = 11,
                               kV2Mkdir = 14, kV2Rmdir = 15;
// NFSv4 (RFC 7530): the COMPOUND procedure, and operation codes a transaction is named by.
inline constexpr std::uint32_t kV4Compound = 1;
inline constexpr std::uint32_t kV4Create = 6, kV4Read = 25, kV4Remove = 28, kV4Write = 38;
}  // namespace nfs

// EVE's names: procedures per version, NFS and RPC statuses, RPC auth flavours.
std::string nfsProcedureName(std::uint16_t version, std::uint32_t procedure);
std::string nfsStatusName(std::uint32_t status);
std::string rpcStatusName(std::uint32_t status);
std::string rpcAuthTypeName(std::uint32_t flavor);

// Whether `data` starts an RPC call to the NFS program (versions 2 to 4); `record_marking`: a
// TCP record, its four-byte fragment header first.
bool looksLikeNfsCall(std::span<const std::uint8_t> data, bool record_marking);
// Whether `data` starts an RPC reply (for a flow on NFS's port whose first bytes seen are the
// server's).
bool looksLikeRpcReply(std::span<const std::uint8_t> data, bool record_marking);

// A file a transaction transfers: its bytes in order, hashed as they come.
struct NfsFile {
  std::uint64_t size = 0;         // the end of the furthest chunk
  std::uint64_t next_offset = 0;  // where the next in-order chunk starts
  bool gaps = false;              // a chunk came out of order or was missing: no hashes
  bool closed = false;            // its last chunk, COMMIT or CLOSE came: CLOSED, else TRUNCATED
  std::unique_ptr<FileHasher> hasher;
  std::string md5, sha256;  // lower-case hex, once closed without gaps
};

struct NfsTransaction {
  std::uint64_t id = 0;  // Suricata's: from 1 (EVE's tx_id is id - 1)
  std::uint32_t xid = 0;
  std::uint32_t procedure = 0;
  std::uint16_t version = 0;
  std::string file_name;  // RENAME: the old name
  std::string file_handle;
  std::string rename_to;
  bool is_rename = false;
  std::uint32_t auth_type = nfs::kAuthNull;
  std::string machine_name;
  std::uint32_t uid = 0, gid = 0;
  std::uint32_t rpc_status = 0;
  std::uint32_t nfs_status = 0;
  bool request_done = false, response_done = false;
  // A file transfer: looked up by handle and direction, not by xid.
  bool is_file_tx = false;
  signatures::FlowDirection file_direction = signatures::FlowDirection::ToServer;
  bool is_first = false, is_last = false;
  std::uint32_t chunk_count = 0;
  std::uint32_t file_last_xid = 0;
  NfsFile file;
  // The app layer's bookkeeping: detection ran on it, its record was written.
  bool inspected = false;
  bool logged = false;
  bool file_logged = false;
  signatures::FlowDirection created_by = signatures::FlowDirection::ToServer;
  [[nodiscard]] bool complete() const { return request_done && response_done; }
};

class NfsState final : public AppState {
 public:
  // Transactions kept at most: past it the oldest are given up (logged as they are).
  static constexpr std::size_t kMaxTransactions = 512;
  // Calls waiting for their reply at most, and names known by handle at most.
  static constexpr std::size_t kMaxPendingCalls = 1024;
  static constexpr std::size_t kMaxNames = 4096;
  // A record larger than this is malformed (Suricata's NFS records stay well under it).
  static constexpr std::uint32_t kMaxRecord = 16u << 20;

  // One UDP datagram: a call or a reply.
  void datagram(signatures::FlowDirection dir, std::span<const std::uint8_t> payload);
  // TCP: the bytes of a direction wait in pending() until released, then parse() takes whole records.
  AckedBytes& pending(signatures::FlowDirection dir) { return pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  void parse(signatures::FlowDirection dir);
  // A hole in `dir`'s stream: the record being gathered is dropped, parsing resumes at the
  // next record that looks like one.
  void gap(signatures::FlowDirection dir);

  std::deque<NfsTransaction>& transactions() { return txs_; }
  // Drops the transactions inspected and logged from the front.
  void prune();
  // The version of the first call seen (Suricata logs the flow's, not the transaction's).
  [[nodiscard]] std::uint16_t version() const { return version_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  // The direction of the flow's latest packet: records made at the flow's end are its (Suricata
  // logs NFS transactions in the direction of the packet that completes them).
  signatures::FlowDirection last_packet = signatures::FlowDirection::ToServer;
  // The stream gaps seen per direction (the app layer resynchronises after each new one).
  std::uint64_t gaps_seen[2] = {0, 0};

 private:
  struct PendingCall {
    std::uint32_t version = 0;
    std::uint32_t procedure = 0;
    std::uint64_t offset = 0;  // READ's
    std::string file_name;
    std::string file_handle;
  };
  struct Call {
    std::uint32_t xid = 0;
    std::uint32_t version = 0;
    std::uint32_t procedure = 0;
    std::uint32_t flavor = 0;
    std::string machine_name;
    std::uint32_t uid = 0, gid = 0;
  };
  void record(signatures::FlowDirection dir, std::string_view message);
  void call(std::string_view message);
  void reply(std::string_view message);
  void callV2(const Call& c, std::string_view args, PendingCall& pending);
  void callV3(const Call& c, std::string_view args, PendingCall& pending);
  void callV4(const Call& c, std::string_view args, PendingCall& pending);
  void replyV2(std::uint32_t xid, std::uint32_t reply_stat, std::string_view results, const PendingCall& pending);
  void replyV3(std::uint32_t xid, std::uint32_t reply_stat, std::string_view results, const PendingCall& pending);
  void replyV4(std::uint32_t xid, std::uint32_t reply_stat, std::string_view results, PendingCall& pending);
  NfsTransaction& newTx(signatures::FlowDirection by);
  NfsTransaction& newCallTx(const Call& c, const PendingCall& pending, std::uint32_t procedure);
  NfsTransaction* fileTx(std::string_view handle, signatures::FlowDirection dir);
  NfsTransaction* txByXid(std::uint32_t xid);
  void markResponse(std::uint32_t xid, std::uint32_t rpc_status, std::uint32_t nfs_status, std::string_view handle);
  // A chunk of a file (READ reply data, WRITE data) at `offset`; `last` closes the file.
  void fileChunk(const Call* c, std::uint32_t xid, std::uint16_t version, std::uint32_t procedure, signatures::FlowDirection dir,
                 std::string_view handle, std::string_view name, std::uint64_t offset, std::string_view data, bool last,
                 std::uint32_t rpc_status, std::uint32_t nfs_status);
  void closeFile(NfsTransaction& tx);
  void remember(std::string_view handle, std::string_view name);
  [[nodiscard]] std::string nameOf(std::string_view handle) const;

  AckedBytes pending_[2];
  std::string record_[2];   // a TCP record's fragments gathered so far
  bool resync_[2] = {false, false};
  std::deque<NfsTransaction> txs_;
  std::unordered_map<std::uint32_t, PendingCall> calls_;
  std::unordered_map<std::string, std::string> names_;
  std::uint64_t next_id_ = 0;
  std::uint16_t version_ = 0;
  std::uint64_t errors_ = 0;
  // Input the parser could not read: counted, and nfs.malformed_data on the packet.
  void malformed() {
    ++errors_;
    events.set(signatures::AnomalyEvent::NfsMalformedData);
  }
  signatures::FlowDirection current_dir_ = signatures::FlowDirection::ToServer;
};

}  // namespace gsoc::sensor

#pragma once
// SMB over TCP: direct hosting on 445 and the NetBIOS session service on 139 (NBSS framing, a
// 4-byte header before each message), SMB2/3 (MS-SMB2) and the SMB1 commands (MS-CIFS) clients
// still open sessions, trees and files with. One SmbState per connection follows its dialect, its
// trees (tree id -> share, and whether it is the pipe share IPC$), its open files (file id ->
// name) and, through a DceSession, the DCERPC calls in its named pipes (WRITE/READ, IOCTL
// FSCTL_PIPE_TRANSCEIVE, SMB1 WRITE_ANDX/READ_ANDX). Files written or read are extracted: their
// first bytes for file_data, their size and hashes for fileinfo.
//
// Transactions are Suricata's: one per command (its request and its final response: an interim
// STATUS_PENDING answer does not end it), except READ and WRITE, which make one transaction per
// file and direction (logged when the file is closed), and the DCERPC calls of named pipes.
// SMB3 encrypted (transform) and compressed messages are skipped, counted.

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/DcerpcParser.hpp"
#include "sensor/app/FileHasher.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// A file id: SMB2's 16-byte FileId (persistent and volatile halves), or SMB1's 2-byte FID.
struct SmbFileId {
  std::array<std::uint8_t, 16> bytes{};
  std::uint8_t size = 0;
  bool operator==(const SmbFileId& o) const { return size == o.size && bytes == o.bytes; }
};

// The NTLMSSP AUTHENTICATE message of a session setup (the client's identity).
struct SmbNtlmssp {
  std::string domain;
  std::string user;
  std::string host;
  std::string version;  // "10.0 build 10586 rev 15", when NTLMSSP_NEGOTIATE_VERSION is set
};

// One file's bytes in one direction (WRITE: to the server; READ: to the client), from the first
// READ or WRITE to the CLOSE of its file id.
struct SmbFile {
  // Bytes kept for file_data (as HTTP bodies); the hashes cover the whole file.
  static constexpr std::size_t kMaxInspectedBytes = 256 * 1024;
  std::string name;
  std::string share;
  SmbFileId fid;
  std::uint64_t size = 0;         // bytes seen
  std::uint64_t next_offset = 0;  // where the next in-order chunk starts
  bool gaps = false;              // a chunk was missing or out of order: no hashes
  bool closed = false;            // CLOSE: Suricata's state CLOSED, else TRUNCATED
  std::string data;               // the first kMaxInspectedBytes
  std::unique_ptr<FileHasher> hasher;
  std::string md5, sha256;        // when closed without gaps
};

struct SmbTransaction {
  // SetFileInfo: a SET_INFO marking a file for deletion (FileDispositionInformation); Rename:
  // one renaming it (FileRenameInformation, `filename` -> `rename_to`).
  enum class Type : std::uint8_t { Generic, Negotiate, SessionSetup, TreeConnect, Create, File, Ioctl, SetFileInfo, Rename };
  std::uint64_t id = 0;
  Type type = Type::Generic;
  std::uint8_t version = 2;   // of the request (an SMB1 NEGOTIATE answered in SMB2 stays 1)
  std::uint16_t command = 0;
  std::uint64_t message_id = 0;  // SMB2 MessageId; SMB1: MID | PID << 16
  std::uint64_t session_id = 0;
  std::uint32_t tree_id = 0;
  std::uint32_t status = 0;      // NTSTATUS, or SMB1's DOS error (class << 16 | code)
  bool status_set = false;
  bool dos_error = false;
  bool request_done = false;
  bool response_done = false;
  // NEGOTIATE
  std::vector<std::string> client_dialects;
  std::array<std::uint8_t, 16> client_guid{};
  std::array<std::uint8_t, 16> server_guid{};
  bool has_client_guid = false;
  bool has_server_guid = false;
  // SESSION_SETUP
  bool has_ntlmssp = false;
  SmbNtlmssp ntlmssp;
  bool has_request_host = false;
  bool has_response_host = false;
  std::string request_native_os, request_native_lm, response_native_os, response_native_lm;
  // TREE_CONNECT
  std::string share;
  bool is_pipe = false;
  std::uint8_t share_type = 0;  // SMB2: 1 disk, 2 pipe, 3 print
  std::string service_request, service_response;  // SMB1
  // CREATE (and File: its file id)
  std::string filename;
  bool directory = false;
  bool delete_on_close = false;
  std::uint32_t disposition = 0;
  std::uint64_t created = 0, accessed = 0, modified = 0, changed = 0, size = 0;  // Unix seconds, bytes
  SmbFileId fid;
  // File
  SmbFile file;
  signatures::FlowDirection file_direction = signatures::FlowDirection::ToServer;
  // IOCTL
  std::uint32_t function = 0;
  // Rename
  std::string rename_to;
  // Progress through detection and output (AppLayer).
  bool inspected_ts = false;
  bool inspected_tc = false;
  bool logged = false;
  [[nodiscard]] bool complete() const { return request_done && response_done; }
};

// "SMB2_COMMAND_CREATE", "SMB1_COMMAND_NT_CREATE_ANDX"...
std::string smbCommandName(std::uint8_t version, std::uint16_t command);
// Suricata's name of an NTSTATUS ("STATUS_SUCCESS"), or its decimal value.
std::string smbStatusName(std::uint32_t status);
// Suricata's name of an SMB1 DOS error (class 1 ERRDOS, 2 ERRSRV): "SRV_BADUID", or the code.
std::string smbDosErrorName(std::uint8_t error_class, std::uint16_t code);
// "2.10", "3.11", "2.??" for SMB2's wildcard; "" for 0.
std::string smb2DialectName(std::uint16_t dialect);
// Suricata's text of a file id ("fuid").
std::string smbFileIdText(const SmbFileId& fid);
// An FSCTL code's name ("FSCTL_PIPE_TRANSCEIVE"), or "UNKNOWN".
std::string_view smbFsctlName(std::uint32_t function);

class SmbState final : public AppState {
 public:
  // Open transactions kept at most (requests never answered): past it the oldest is logged and
  // dropped, counted.
  static constexpr std::size_t kMaxTransactions = 256;
  // File bytes kept for file_data over all of a connection's files at once (a client opening
  // many files must not hold kMaxInspectedBytes for each); hashes still cover every byte.
  static constexpr std::size_t kMaxKeptFileBytes = 4 * 1024 * 1024;
  // Messages held whole at most (SMB2 reads and writes go up to 8 MiB); a larger one has its
  // first kHeadBytes parsed and the rest skipped.
  static constexpr std::size_t kMaxMessageBytes = 8 * 1024 * 1024 + 64 * 1024;
  static constexpr std::size_t kHeadBytes = 64 * 1024;
  // Trees, open files and requests awaiting their response remembered at most.
  static constexpr std::size_t kMaxEntries = 4096;

  SmbState() {
    pipes_.setResponseStubOffset(24);
    pipes_.shareIds(&next_id_);
  }
  SmbState(const SmbState&) = delete;  // its pipes' session counts on this object's id counter
  SmbState& operator=(const SmbState&) = delete;

  AckedBytes& pending(signatures::FlowDirection dir) { return pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  // Parses the released bytes of `dir` into NBSS messages and their SMB commands.
  void parse(signatures::FlowDirection dir);
  // The connection ended: open files are truncated.
  void close();
  // The stream of `dir` skipped a hole: what is held of a message cut by it is dropped, and
  // the next message is looked for by its SMB magic (parse what came before the hole first).
  void gap(signatures::FlowDirection dir);
  // How many holes the app layer has seen in each direction's stream (it compares with TcpStream's).
  std::array<std::uint64_t, 2> gaps_seen{};

  [[nodiscard]] std::deque<SmbTransaction>& transactions() { return transactions_; }
  [[nodiscard]] DceSession& pipes() { return pipes_; }
  [[nodiscard]] std::uint16_t dialect() const { return dialect_; }
  [[nodiscard]] const std::string& smb1Dialect() const { return smb1_dialect_; }
  [[nodiscard]] std::uint32_t maxReadSize() const { return max_read_size_; }
  [[nodiscard]] std::uint32_t maxWriteSize() const { return max_write_size_; }
  // Drops the transactions that are logged and inspected both ways.
  void pruneFinished();
  [[nodiscard]] std::uint64_t errors() const override { return errors_ + pipes_.errors(); }
  [[nodiscard]] std::uint64_t skipped() const { return skipped_; }
  void reset();

 private:
  struct Tree {
    std::uint32_t id = 0;
    std::string share;
    bool pipe = false;
  };
  struct OpenFile {
    SmbFileId fid;
    std::string name;
    std::string share;
    bool pipe = false;
  };
  // What a request left for its response: the name a CREATE asked for, the share a TREE_CONNECT
  // named, the file a READ or IOCTL is about.
  struct Awaited {
    std::uint64_t key = 0;  // message id (SMB1: MID | PID << 16)
    std::uint16_t command = 0;
    std::uint32_t tree_id = 0;
    SmbFileId fid;
    std::uint64_t offset = 0;
    std::string name;
  };
  struct Smb1Header;

  void onMessage(signatures::FlowDirection dir, std::span<const std::uint8_t> msg);
  void onSmb2(signatures::FlowDirection dir, std::span<const std::uint8_t> msg);
  void smb2Request(std::span<const std::uint8_t> hdr, std::span<const std::uint8_t> msg);
  void smb2Response(std::span<const std::uint8_t> hdr, std::span<const std::uint8_t> msg);
  void onSmb1(signatures::FlowDirection dir, std::span<const std::uint8_t> msg);
  void smb1Command(const Smb1Header& h, std::uint8_t command, std::size_t at, std::span<const std::uint8_t> msg);

  SmbTransaction& newTransaction(std::uint8_t version, std::uint16_t command, std::uint64_t message_id);
  SmbTransaction* findTransaction(std::uint8_t version, std::uint16_t command, std::uint64_t message_id);
  // A response with no request seen: its transaction, request side lost.
  SmbTransaction& answered(std::uint8_t version, std::uint16_t command, std::uint64_t message_id);
  void setStatus(SmbTransaction& tx, std::uint32_t status, bool dos);

  Tree* tree(std::uint32_t id);
  OpenFile* openFile(const SmbFileId& fid);
  Awaited* awaited(std::uint64_t key, std::uint16_t command);
  Awaited& await(std::uint64_t key, std::uint16_t command);
  void forget(std::uint64_t key, std::uint16_t command);

  // File data (not a pipe's): the file's transaction in `dir`, created on its first chunk (and
  // returned: the response's status goes on it, as Suricata's).
  // `declared`: the length the command claims; less data than that leaves a hole after it.
  SmbTransaction* fileData(signatures::FlowDirection dir, std::uint8_t version, std::uint16_t command, const SmbFileId& fid,
                           std::uint64_t offset, std::span<const std::uint8_t> data, std::uint64_t declared, std::uint64_t session,
                           std::uint32_t tree_id);
  void closeFile(const SmbFileId& fid);
  // The open file transaction of `fid` in `dir`, if any.
  SmbTransaction* openFileTransaction(signatures::FlowDirection dir, const SmbFileId& fid);
  // A PDU in a named pipe; the carrier's details go on its transaction.
  DceTransaction* pipeData(signatures::FlowDirection dir, std::span<const std::uint8_t> data);

  AckedBytes pending_[2];
  bool resync_[2] = {false, false};  // after a hole: the next message start is searched for
  std::uint64_t skip_[2] = {0, 0};   // bytes of an oversized message still to skip
  std::deque<SmbTransaction> transactions_;
  std::uint64_t next_id_ = 0;  // the last transaction id given (the pipes' calls take theirs here too)
  std::vector<Tree> trees_;
  std::vector<OpenFile> files_;
  std::vector<Awaited> awaited_;
  DceSession pipes_;
  std::uint16_t dialect_ = 0;
  std::string smb1_dialect_;
  std::vector<std::string> smb1_offered_;  // the last SMB1 NEGOTIATE's dialect strings
  // The name a CREATE earlier in the same compound request opened: what related operations
  // (file id all ones) act on.
  std::string compound_name_;
  std::uint32_t max_read_size_ = 0;
  std::uint32_t max_write_size_ = 0;
  std::size_t kept_file_bytes_ = 0;  // file bytes held by open files' transactions
  std::uint64_t errors_ = 0;
  std::uint64_t skipped_ = 0;
};

}  // namespace gsoc::sensor

#include "sensor/app/SmbParser.hpp"

#include <algorithm>
#include <cstdio>

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

// SMB2 commands (MS-SMB2 2.2.1).
namespace smb2 {
constexpr std::uint16_t kNegotiate = 0, kSessionSetup = 1, kTreeConnect = 3, kCreate = 5, kClose = 6, kRead = 8, kWrite = 9,
                        kIoctl = 11, kQueryInfo = 16, kSetInfo = 17;
constexpr std::uint32_t kFlagResponse = 0x1, kFlagAsync = 0x2;
constexpr std::size_t kHeader = 64;
}  // namespace smb2

// SMB1 commands (MS-CIFS 2.2.2.1) that are parsed beyond their header.
namespace smb1 {
constexpr std::uint8_t kClose = 0x04, kTrans = 0x25, kReadAndX = 0x2e, kWriteAndX = 0x2f, kNegotiate = 0x72,
                       kSessionSetupAndX = 0x73, kTreeConnectAndX = 0x75, kNtCreateAndX = 0xa2;
constexpr std::size_t kHeader = 32;
}  // namespace smb1

constexpr std::uint32_t kStatusPending = 0x00000103;
constexpr std::uint32_t kStatusBufferOverflow = 0x80000005;
constexpr std::uint32_t kFsctlPipeTransceive = 0x0011c017;
constexpr std::uint32_t kFileDeleteOnClose = 0x00001000;
constexpr std::uint32_t kFileDirectoryFile = 0x00000001;

// Bounds-checked little-endian reads (0 past the end: callers check sizes where it matters).
struct Bytes {
  std::span<const std::uint8_t> d;
  [[nodiscard]] bool has(std::size_t at, std::size_t n) const { return at <= d.size() && n <= d.size() - at; }
  [[nodiscard]] std::uint8_t u8(std::size_t at) const { return has(at, 1) ? d[at] : 0; }
  [[nodiscard]] std::uint16_t u16(std::size_t at) const {
    return has(at, 2) ? static_cast<std::uint16_t>(d[at] | d[at + 1] << 8) : 0;
  }
  [[nodiscard]] std::uint32_t u32(std::size_t at) const {
    return has(at, 4) ? static_cast<std::uint32_t>(u16(at) | static_cast<std::uint32_t>(u16(at + 2)) << 16) : 0;
  }
  [[nodiscard]] std::uint64_t u64(std::size_t at) const {
    return has(at, 8) ? (u32(at) | static_cast<std::uint64_t>(u32(at + 4)) << 32) : 0;
  }
  // The bytes [at, at + n) clipped to what there is.
  [[nodiscard]] std::span<const std::uint8_t> sub(std::size_t at, std::size_t n) const {
    if (at >= d.size()) return {};
    return d.subspan(at, std::min(n, d.size() - at));
  }
};

void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | cp >> 6);
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | cp >> 12);
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | cp >> 18);
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// UTF-16LE to UTF-8, stopping at a NUL; unpaired surrogates become U+FFFD.
std::string utf16(std::span<const std::uint8_t> d) {
  std::string out;
  for (std::size_t i = 0; i + 1 < d.size(); i += 2) {
    std::uint32_t cp = d[i] | d[i + 1] << 8;
    if (cp == 0) break;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 3 < d.size()) {
      const std::uint32_t low = d[i + 2] | d[i + 3] << 8;
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        i += 2;
      } else {
        cp = 0xfffd;
      }
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      cp = 0xfffd;
    }
    appendUtf8(out, cp);
  }
  return out;
}

// A NUL-terminated single-byte string (or the rest of `d`).
std::string ascii(std::span<const std::uint8_t> d) {
  std::string out;
  for (const std::uint8_t c : d) {
    if (c == 0) break;
    out += static_cast<char>(c);
  }
  return out;
}

// A NUL-terminated SMB1 string at `at` of the message: UTF-16 (aligned to 2 from the header) or
// single bytes. `next` moves past it.
std::string smb1String(const Bytes& m, std::size_t at, bool unicode, std::size_t* next = nullptr) {
  if (!unicode) {
    const std::string s = ascii(m.sub(at, m.d.size()));
    if (next != nullptr) *next = at + s.size() + 1;
    return s;
  }
  if (at % 2) ++at;
  std::size_t end = at;
  while (end + 1 < m.d.size() && (m.d[end] | m.d[end + 1]) != 0) end += 2;
  if (next != nullptr) *next = end + 2;
  return utf16(m.sub(at, end - at));
}

// FILETIME (100 ns since 1601) to Unix seconds.
std::uint64_t unixSeconds(std::uint64_t filetime) {
  constexpr std::uint64_t kEpochDelta = 11644473600ULL;
  const std::uint64_t seconds = filetime / 10'000'000ULL;
  return seconds > kEpochDelta ? seconds - kEpochDelta : 0;
}

SmbFileId fileId16(const Bytes& b, std::size_t at) {
  SmbFileId id;
  const auto s = b.sub(at, 16);
  std::copy(s.begin(), s.end(), id.bytes.begin());
  id.size = 16;
  return id;
}

SmbFileId fileId2(const Bytes& b, std::size_t at) {
  SmbFileId id;
  id.bytes[0] = b.u8(at);
  id.bytes[1] = b.u8(at + 1);
  id.size = 2;
  return id;
}

// The NTLMSSP AUTHENTICATE message in a security blob (SPNEGO or bare), if there is one.
bool parseNtlmsspAuthenticate(std::span<const std::uint8_t> blob, SmbNtlmssp& out) {
  static constexpr std::uint8_t kSignature[] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
  const auto it = std::search(blob.begin(), blob.end(), std::begin(kSignature), std::end(kSignature));
  if (it == blob.end()) return false;
  const Bytes m{blob.subspan(static_cast<std::size_t>(it - blob.begin()))};
  if (!m.has(0, 64) || m.u32(8) != 3) return false;
  const std::uint32_t flags = m.u32(60);
  const bool unicode = (flags & 0x1) != 0;
  auto field = [&](std::size_t at) {
    const auto s = m.sub(m.u32(at + 4), m.u16(at));
    return unicode ? utf16(s) : std::string(reinterpret_cast<const char*>(s.data()), s.size());
  };
  out.domain = field(28);
  out.user = field(36);
  out.host = field(44);
  out.version.clear();
  if ((flags & 0x02000000) != 0 && m.has(64, 8)) {
    out.version = std::to_string(m.u8(64)) + "." + std::to_string(m.u8(65)) + " build " + std::to_string(m.u16(66)) + " rev " +
                  std::to_string(m.u8(71));
  }
  return true;
}

template <typename T>
void capped(std::vector<T>& list, std::size_t cap) {
  if (list.size() >= cap) list.erase(list.begin());
}

}  // namespace

std::string smbCommandName(std::uint8_t version, std::uint16_t command) {
  if (version == 2) {
    static constexpr std::string_view kNames[] = {
        "NEGOTIATE_PROTOCOL", "SESSION_SETUP", "SESSION_LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT", "CREATE", "CLOSE",
        "FLUSH",              "READ",          "WRITE",          "LOCK",         "IOCTL",           "CANCEL", "KEEPALIVE",
        "FIND",               "CHANGE_NOTIFY", "GET_INFO",       "SET_INFO",     "OPLOCK_BREAK"};
    if (command < std::size(kNames)) return "SMB2_COMMAND_" + std::string(kNames[command]);
    return "SMB2_COMMAND_UNKNOWN";
  }
  struct Name {
    std::uint8_t command;
    std::string_view name;
  };
  static constexpr Name kNames[] = {
      {0x00, "CREATE_DIRECTORY"}, {0x01, "DELETE_DIRECTORY"}, {0x02, "OPEN"}, {0x03, "CREATE"}, {0x04, "CLOSE"},
      {0x05, "FLUSH"}, {0x06, "DELETE"}, {0x07, "RENAME"}, {0x08, "QUERY_INFORMATION"}, {0x09, "SET_INFORMATION"},
      {0x0a, "READ"}, {0x0b, "WRITE"}, {0x0c, "LOCK_BYTE_RANGE"}, {0x0d, "UNLOCK_BYTE_RANGE"}, {0x10, "CHECK_DIRECTORY"},
      {0x12, "SEEK"}, {0x13, "LOCK_AND_READ"}, {0x14, "WRITE_AND_UNLOCK"}, {0x1a, "READ_RAW"}, {0x1d, "WRITE_RAW"},
      {0x22, "SET_INFORMATION2"}, {0x23, "QUERY_INFORMATION2"}, {0x24, "LOCKING_ANDX"}, {0x25, "TRANS"},
      {0x26, "TRANS_SECONDARY"}, {0x27, "IOCTL"}, {0x2b, "ECHO"}, {0x2c, "WRITE_AND_CLOSE"}, {0x2d, "OPEN_ANDX"},
      {0x2e, "READ_ANDX"}, {0x2f, "WRITE_ANDX"}, {0x32, "TRANS2"}, {0x33, "TRANS2_SECONDARY"}, {0x34, "FIND_CLOSE2"},
      {0x70, "TREE_CONNECT"}, {0x71, "TREE_DISCONNECT"}, {0x72, "NEGOTIATE_PROTOCOL"}, {0x73, "SESSION_SETUP_ANDX"},
      {0x74, "LOGOFF_ANDX"}, {0x75, "TREE_CONNECT_ANDX"}, {0x80, "QUERY_INFO_DISK"}, {0x81, "SEARCH"}, {0xa0, "NT_TRANS"},
      {0xa1, "NT_TRANS_SECONDARY"}, {0xa2, "NT_CREATE_ANDX"}, {0xa4, "NT_CANCEL"}, {0xa5, "NT_RENAME"}};
  for (const Name& n : kNames) {
    if (n.command == command) return "SMB1_COMMAND_" + std::string(n.name);
  }
  return "SMB1_COMMAND_UNKNOWN";
}

std::string smbStatusName(std::uint32_t status) {
  struct Name {
    std::uint32_t status;
    std::string_view name;
  };
  static constexpr Name kNames[] = {
      {0x00000000, "STATUS_SUCCESS"},
      {0x00000103, "STATUS_PENDING"},
      {0x0000010b, "STATUS_NOTIFY_CLEANUP"},
      {0x0000010c, "STATUS_NOTIFY_ENUM_DIR"},
      {0x80000005, "STATUS_BUFFER_OVERFLOW"},
      {0x80000006, "STATUS_NO_MORE_FILES"},
      {0xc0000001, "STATUS_UNSUCCESSFUL"},
      {0xc0000002, "STATUS_NOT_IMPLEMENTED"},
      {0xc0000003, "STATUS_INVALID_INFO_CLASS"},
      {0xc0000008, "STATUS_INVALID_HANDLE"},
      {0xc000000d, "STATUS_INVALID_PARAMETER"},
      {0xc000000f, "STATUS_NO_SUCH_FILE"},
      {0xc0000010, "STATUS_INVALID_DEVICE_REQUEST"},
      {0xc0000011, "STATUS_END_OF_FILE"},
      {0xc0000016, "STATUS_MORE_PROCESSING_REQUIRED"},
      {0xc0000022, "STATUS_ACCESS_DENIED"},
      {0xc0000023, "STATUS_BUFFER_TOO_SMALL"},
      {0xc0000033, "STATUS_OBJECT_NAME_INVALID"},
      {0xc0000034, "STATUS_OBJECT_NAME_NOT_FOUND"},
      {0xc0000035, "STATUS_OBJECT_NAME_COLLISION"},
      {0xc000003a, "STATUS_OBJECT_PATH_NOT_FOUND"},
      {0xc0000043, "STATUS_SHARING_VIOLATION"},
      {0xc0000056, "STATUS_DELETE_PENDING"},
      {0xc000006d, "STATUS_LOGON_FAILURE"},
      {0xc0000071, "STATUS_PASSWORD_EXPIRED"},
      {0xc00000ac, "STATUS_PIPE_NOT_AVAILABLE"},
      {0xc00000b0, "STATUS_PIPE_DISCONNECTED"},
      {0xc00000b5, "STATUS_IO_TIMEOUT"},
      {0xc00000ba, "STATUS_FILE_IS_A_DIRECTORY"},
      {0xc00000bb, "STATUS_NOT_SUPPORTED"},
      {0xc00000c9, "STATUS_NETWORK_NAME_DELETED"},
      {0xc00000cc, "STATUS_BAD_NETWORK_NAME"},
      {0xc0000101, "STATUS_DIRECTORY_NOT_EMPTY"},
      {0xc0000103, "STATUS_NOT_A_DIRECTORY"},
      {0xc0000120, "STATUS_CANCELLED"},
      {0xc0000128, "STATUS_FILE_CLOSED"},
      {0xc000015b, "STATUS_LOGON_TYPE_NOT_GRANTED"},
      {0xc0000184, "STATUS_INVALID_DEVICE_STATE"},
      {0xc0000203, "STATUS_USER_SESSION_DELETED"},
      {0xc0000225, "STATUS_NOT_FOUND"},
      {0xc0000257, "STATUS_PATH_NOT_COVERED"},
      {0xc000035c, "STATUS_NETWORK_SESSION_EXPIRED"},
  };
  for (const Name& n : kNames) {
    if (n.status == status) return std::string(n.name);
  }
  return std::to_string(status);
}

std::string smbDosErrorName(std::uint8_t error_class, std::uint16_t code) {
  if (error_class == 1) {  // ERRDOS
    static constexpr std::string_view kNames[] = {"DOS_SUCCESS", "DOS_BAD_FUNC", "DOS_BAD_FILE", "DOS_BAD_PATH",
                                                  "DOS_TOO_MANY_OPEN_FILES", "DOS_ACCESS_DENIED"};
    return code < std::size(kNames) ? std::string(kNames[code]) : std::to_string(code);
  }
  if (error_class == 2) {  // ERRSRV
    switch (code) {
      case 1: return "SRV_ERROR";
      case 2: return "SRV_BADPW";
      case 3: return "SRV_BADTYPE";
      case 4: return "SRV_ACCESS";
      case 91: return "SRV_BADUID";
      default: return std::to_string(code);
    }
  }
  char text[24];
  std::snprintf(text, sizeof text, "UNKNOWN_%02x_%04x", error_class, code);
  return text;
}

std::string smb2DialectName(std::uint16_t dialect) {
  if (dialect == 0) return {};
  if (dialect == 0x02ff) return "2.??";
  char text[8];
  std::snprintf(text, sizeof text, "%x.%02x", dialect >> 8, dialect & 0xff);
  return text;
}

std::string smbFileIdText(const SmbFileId& fid) {
  const auto& g = fid.bytes;
  char text[40];
  if (fid.size == 16) {
    std::snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3], g[2], g[1], g[0],
                  g[5], g[4], g[7], g[6], g[9], g[8], g[11], g[10], g[15], g[14], g[13], g[12]);
    return text;
  }
  if (fid.size == 2) {
    std::snprintf(text, sizeof text, "%02x%02x", g[1], g[0]);
    return text;
  }
  return {};
}

std::string_view smbFsctlName(std::uint32_t function) {
  switch (function) {
    case 0x00060194: return "FSCTL_DFS_GET_REFERRALS";
    case 0x000601b0: return "FSCTL_DFS_GET_REFERRALS_EX";
    case 0x00090000: return "FSCTL_REQUEST_OPLOCK_LEVEL_1";
    case 0x0009009c: return "FSCTL_GET_OBJECT_ID";
    case 0x000900a4: return "FSCTL_GET_REPARSE_POINT";
    case 0x00110018: return "FSCTL_PIPE_WAIT";
    case 0x0011400c: return "FSCTL_PIPE_PEEK";
    case 0x0011c017: return "FSCTL_PIPE_TRANSCEIVE";
    case 0x00140078: return "FSCTL_SRV_REQUEST_RESUME_KEY";
    case 0x00140204: return "FSCTL_VALIDATE_NEGOTIATE_INFO";
    case 0x001401d4: return "FSCTL_LMR_REQUEST_RESILIENCY";
    case 0x001401fc: return "FSCTL_QUERY_NETWORK_INTERFACE_INFO";
    case 0x00144064: return "FSCTL_SRV_ENUMERATE_SNAPSHOTS";
    case 0x001440f2: return "FSCTL_SRV_COPYCHUNK";
    case 0x001480f2: return "FSCTL_SRV_COPYCHUNK_WRITE";
    case 0x001441bb: return "FSCTL_SRV_READ_HASH";
    default: return "UNKNOWN";
  }
}

// --- state bookkeeping ----------------------------------------------------------------------------

SmbTransaction& SmbState::newTransaction(std::uint8_t version, std::uint16_t command, std::uint64_t message_id) {
  if (transactions_.size() >= kMaxTransactions) {
    kept_file_bytes_ -= std::min(kept_file_bytes_, transactions_.front().file.data.size());
    transactions_.pop_front();
    ++skipped_;
  }
  SmbTransaction& tx = transactions_.emplace_back();
  tx.id = ++next_id_;  // as Suricata's: from 1, shared with the pipes' calls
  tx.version = version;
  tx.command = command;
  tx.message_id = message_id;
  return tx;
}

SmbTransaction* SmbState::findTransaction(std::uint8_t version, std::uint16_t command, std::uint64_t message_id) {
  for (auto it = transactions_.rbegin(); it != transactions_.rend(); ++it) {
    if (it->type == SmbTransaction::Type::File || it->response_done) continue;
    if (it->version == version && it->command == command && it->message_id == message_id) return &*it;
  }
  return nullptr;
}

void SmbState::setStatus(SmbTransaction& tx, std::uint32_t status, bool dos) {
  tx.status = status;
  tx.status_set = true;
  tx.dos_error = dos;
}

SmbState::Tree* SmbState::tree(std::uint32_t id) {
  for (Tree& t : trees_) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

SmbState::OpenFile* SmbState::openFile(const SmbFileId& fid) {
  for (OpenFile& f : files_) {
    if (f.fid == fid) return &f;
  }
  return nullptr;
}

SmbState::Awaited* SmbState::awaited(std::uint64_t key, std::uint16_t command) {
  for (Awaited& a : awaited_) {
    if (a.key == key && a.command == command) return &a;
  }
  return nullptr;
}

SmbState::Awaited& SmbState::await(std::uint64_t key, std::uint16_t command) {
  Awaited fresh;
  fresh.key = key;
  fresh.command = command;
  if (Awaited* a = awaited(key, command)) return *a = std::move(fresh);
  capped(awaited_, kMaxEntries);
  return awaited_.emplace_back(std::move(fresh));
}

void SmbState::forget(std::uint64_t key, std::uint16_t command) {
  std::erase_if(awaited_, [&](const Awaited& a) { return a.key == key && a.command == command; });
}

SmbTransaction* SmbState::openFileTransaction(FlowDirection dir, const SmbFileId& fid) {
  SmbTransaction* tx = nullptr;
  for (SmbTransaction& t : transactions_) {
    if (t.type == SmbTransaction::Type::File && !t.file.closed && !t.response_done && t.file_direction == dir && t.file.fid == fid) tx = &t;
  }
  return tx;
}

SmbTransaction* SmbState::fileData(FlowDirection dir, std::uint8_t version, std::uint16_t command, const SmbFileId& fid,
                                   std::uint64_t offset, std::span<const std::uint8_t> data, std::uint64_t declared,
                                   std::uint64_t session, std::uint32_t tree_id) {
  const bool cut = declared > data.size();  // the message held less than the command claims
  SmbTransaction* tx = openFileTransaction(dir, fid);
  if (tx == nullptr) {
    tx = &newTransaction(version, command, 0);
    tx->type = SmbTransaction::Type::File;
    tx->session_id = session;
    tx->tree_id = tree_id;
    tx->fid = fid;
    tx->file_direction = dir;
    tx->file.fid = fid;
    tx->file.next_offset = offset;
    if (const OpenFile* f = openFile(fid)) {
      tx->file.name = f->name;
      tx->file.share = f->share;
    }
    tx->file.hasher = std::make_unique<FileHasher>();
  }
  SmbFile& file = tx->file;
  if (offset < file.next_offset) {  // a retransmitted or overlapping chunk: only what is new
    const std::uint64_t seen = file.next_offset - offset;
    if (seen >= data.size()) return tx;
    data = data.subspan(static_cast<std::size_t>(seen));
    offset = file.next_offset;
  }
  if (offset > file.next_offset || cut) file.gaps = true;  // a hole before, or one after
  file.size += data.size();
  file.next_offset = offset + data.size();
  if (file.gaps) return tx;
  const std::string_view bytes(reinterpret_cast<const char*>(data.data()), data.size());
  file.hasher->update(bytes);
  const std::size_t keep = std::min({bytes.size(), SmbFile::kMaxInspectedBytes - std::min(file.data.size(), SmbFile::kMaxInspectedBytes),
                                      kMaxKeptFileBytes - std::min(kept_file_bytes_, kMaxKeptFileBytes)});
  file.data.append(bytes.substr(0, keep));
  kept_file_bytes_ += keep;
  return tx;
}

void SmbState::closeFile(const SmbFileId& fid) {
  for (SmbTransaction& t : transactions_) {
    if (t.type != SmbTransaction::Type::File || t.file.closed || t.response_done || !(t.file.fid == fid)) continue;
    t.file.closed = true;
    if (!t.file.gaps && t.file.hasher) t.file.hasher->finishAndRestart(t.file.md5, t.file.sha256);
    t.file.hasher.reset();
    t.request_done = t.response_done = true;
  }
  std::erase_if(files_, [&](const OpenFile& f) { return f.fid == fid; });
}

void SmbState::gap(FlowDirection dir) {
  pending(dir).clear();
  skip_[dir == FlowDirection::ToServer ? 0 : 1] = 0;
  resync_[dir == FlowDirection::ToServer ? 0 : 1] = true;
  ++errors_;
}

void SmbState::close() {
  for (SmbTransaction& t : transactions_) {
    if (t.type != SmbTransaction::Type::File || t.response_done) continue;
    t.file.hasher.reset();  // truncated: no hashes of a part
    t.request_done = t.response_done = true;
  }
}

DceTransaction* SmbState::pipeData(FlowDirection dir, std::span<const std::uint8_t> data) {
  DcePduHeader h;
  if (!parseDcePduHeader(data, h)) {
    ++errors_;
    return nullptr;
  }
  return pipes_.onPdu(dir, h, data.first(std::min<std::size_t>(h.frag_length, data.size())));
}

void SmbState::pruneFinished() {
  std::erase_if(transactions_, [&](const SmbTransaction& tx) {
    if (!(tx.logged && tx.inspected_ts && tx.inspected_tc)) return false;
    kept_file_bytes_ -= std::min(kept_file_bytes_, tx.file.data.size());
    return true;
  });
  pipes_.pruneFinished();
}

void SmbState::reset() {
  pending_[0].clear();
  pending_[1].clear();
  resync_[0] = resync_[1] = false;
  skip_[0] = skip_[1] = 0;
  gaps_seen = {};
  transactions_.clear();
  next_id_ = 0;
  trees_.clear();
  files_.clear();
  awaited_.clear();
  pipes_.reset();
  dialect_ = 0;
  smb1_dialect_.clear();
  smb1_offered_.clear();
  max_read_size_ = max_write_size_ = 0;
  kept_file_bytes_ = 0;
  compound_name_.clear();
  errors_ = skipped_ = 0;
  events.clear();
}

// --- framing --------------------------------------------------------------------------------------

void SmbState::parse(FlowDirection dir) {
  AckedBytes& in = pending(dir);
  std::uint64_t& skip = skip_[dir == FlowDirection::ToServer ? 0 : 1];
  for (;;) {
    if (skip > 0) {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(skip, in.ready().size()));
      in.consume(n);
      skip -= n;
      if (skip > 0) return;
    }
    const std::string_view ready = in.ready();
    if (ready.size() < 4) return;
    const auto* b = reinterpret_cast<const std::uint8_t*>(ready.data());
    const std::uint8_t type = b[0];
    std::size_t length = 0;
    bool& resync = resync_[dir == FlowDirection::ToServer ? 0 : 1];
    if (resync) {
      if (ready.size() < 8) return;
      if (type == 0x00 && (b[4] == 0xfe || b[4] == 0xff) && b[5] == 'S' && b[6] == 'M' && b[7] == 'B') {
        resync = false;
      } else {
        in.consume(1);
        continue;
      }
    }
    if (type == 0x00) {
      length = static_cast<std::size_t>(b[1]) << 16 | b[2] << 8 | b[3];  // 445's 24-bit stream length
    } else if (type >= 0x81 && type <= 0x85) {
      length = static_cast<std::size_t>(b[1] & 1) << 16 | b[2] << 8 | b[3];  // NBSS session packets (139)
    } else {
      // Not a message start: skip to the next length field followed by an SMB magic.
      ++errors_;
      std::size_t next = 1;
      auto starts = [&](std::size_t i) {
        return b[i] == 0 && (b[i + 4] == 0xfe || b[i + 4] == 0xff) && b[i + 5] == 'S' && b[i + 6] == 'M' && b[i + 7] == 'B';
      };
      while (next + 7 < ready.size() && !starts(next)) ++next;
      if (next + 7 >= ready.size()) {
        in.consume(ready.size() > 7 ? ready.size() - 7 : 0);  // keep what could still become one
        return;
      }
      in.consume(next);
      continue;
    }
    if (length > kMaxMessageBytes) {
      // Too large to hold: its head is parsed (a READ or WRITE's file then has a hole), the
      // rest skipped as it comes.
      if (ready.size() - 4 < kHeadBytes) return;
      if (type == 0x00) onMessage(dir, std::span(b + 4, kHeadBytes));
      ++skipped_;
      skip = 4 + length;
    } else {
      if (ready.size() - 4 < length) return;  // the rest of the message is still to come
      if (type == 0x00) onMessage(dir, std::span(b + 4, length));
      in.consume(4 + length);
    }
  }
}

void SmbState::onMessage(FlowDirection dir, std::span<const std::uint8_t> msg) {
  if (msg.size() < 4 || msg[1] != 'S' || msg[2] != 'M' || msg[3] != 'B') {
    ++errors_;
    return;
  }
  switch (msg[0]) {
    case 0xfe: onSmb2(dir, msg); break;
    case 0xff: onSmb1(dir, msg); break;
    case 0xfd:  // SMB3 transform (encrypted)
    case 0xfc:  // SMB3 compression
      ++skipped_;
      break;
    default: ++errors_; break;
  }
}

// --- SMB2 -----------------------------------------------------------------------------------------

void SmbState::onSmb2(FlowDirection dir, std::span<const std::uint8_t> msg) {
  // A compound message chains commands, each header saying where the next one starts.
  std::size_t at = 0;
  compound_name_.clear();
  for (int n = 0; n < 64; ++n) {
    const Bytes m{msg.subspan(at)};
    if (!m.has(0, smb2::kHeader) || m.u32(0) != 0x424d53fe || m.u16(4) != 64) {
      ++errors_;
      return;
    }
    const std::uint32_t next = m.u32(20);
    const auto command = next >= smb2::kHeader && next < m.d.size() ? m.d.first(next) : m.d;
    const bool response = (m.u32(16) & smb2::kFlagResponse) != 0;
    if (response != (dir == FlowDirection::ToClient)) ++errors_;  // sent the wrong way: parsed as what it says
    if (response) smb2Response(command, msg);
    else smb2Request(command, msg);
    if (next < smb2::kHeader || next >= m.d.size()) return;
    at += next;
  }
}

void SmbState::smb2Request(std::span<const std::uint8_t> hdr, std::span<const std::uint8_t> /*msg*/) {
  const Bytes h{hdr};
  const std::uint16_t command = h.u16(12);
  const std::uint64_t mid = h.u64(24);
  const bool async = (h.u32(16) & smb2::kFlagAsync) != 0;
  const std::uint64_t session = h.u64(40);
  const std::uint32_t tree_id = async ? 0 : h.u32(36);
  constexpr std::size_t b = smb2::kHeader;  // the command's body starts after the header
  auto create = [&](SmbTransaction::Type type) -> SmbTransaction& {
    SmbTransaction& tx = newTransaction(2, command, mid);
    tx.type = type;
    tx.session_id = session;
    tx.tree_id = tree_id;
    tx.request_done = true;
    return tx;
  };
  switch (command) {
    case smb2::kNegotiate: {
      SmbTransaction& tx = create(SmbTransaction::Type::Negotiate);
      const std::size_t count = h.u16(b + 2);
      if (h.has(b + 12, 16)) {
        std::copy_n(h.d.begin() + b + 12, 16, tx.client_guid.begin());
        tx.has_client_guid = true;
      }
      for (std::size_t i = 0; i < count && h.has(b + 36 + 2 * i, 2); ++i) tx.client_dialects.push_back(smb2DialectName(h.u16(b + 36 + 2 * i)));
      break;
    }
    case smb2::kSessionSetup: {
      SmbTransaction& tx = create(SmbTransaction::Type::SessionSetup);
      tx.has_ntlmssp = parseNtlmsspAuthenticate(h.sub(h.u16(b + 12), h.u16(b + 14)), tx.ntlmssp);
      break;
    }
    case smb2::kTreeConnect: {
      SmbTransaction& tx = create(SmbTransaction::Type::TreeConnect);
      tx.share = utf16(h.sub(h.u16(b + 4), h.u16(b + 6)));
      await(mid, command).name = tx.share;
      break;
    }
    case smb2::kCreate: {
      SmbTransaction& tx = create(SmbTransaction::Type::Create);
      tx.filename = utf16(h.sub(h.u16(b + 44), h.u16(b + 46)));
      compound_name_ = tx.filename;
      tx.disposition = h.u32(b + 36);
      const std::uint32_t options = h.u32(b + 40);
      tx.delete_on_close = (options & kFileDeleteOnClose) != 0;
      tx.directory = (options & kFileDirectoryFile) != 0;
      Awaited& a = await(mid, command);
      a.name = tx.filename;
      a.tree_id = tree_id;
      break;
    }
    case smb2::kClose:
      create(SmbTransaction::Type::Generic).fid = fileId16(h, b + 8);
      closeFile(fileId16(h, b + 8));
      break;
    case smb2::kRead: {
      Awaited& a = await(mid, command);
      a.fid = fileId16(h, b + 16);
      a.offset = h.u64(b + 8);
      a.tree_id = tree_id;
      break;
    }
    case smb2::kWrite: {
      const SmbFileId fid = fileId16(h, b + 16);
      // The data as far as the message holds it, whatever the length field claims.
      const auto data = h.sub(h.u16(b + 2), h.u32(b + 4));
      const OpenFile* f = openFile(fid);
      if (f != nullptr && f->pipe) {
        if (DceTransaction* dce = pipeData(FlowDirection::ToServer, data)) dce->smb = {command, 2, session, tree_id, mid, 0, false};
      } else {
        fileData(FlowDirection::ToServer, 2, command, fid, h.u64(b + 8), data, h.u32(b + 4), session, tree_id);
        await(mid, command).fid = fid;  // its answer's status goes on the file
      }
      break;
    }
    case smb2::kIoctl: {
      const std::uint32_t function = h.u32(b + 4);
      const SmbFileId fid = fileId16(h, b + 8);
      const OpenFile* f = openFile(fid);
      if (function == kFsctlPipeTransceive && f != nullptr && f->pipe) {
        if (DceTransaction* dce = pipeData(FlowDirection::ToServer, h.sub(h.u32(b + 24), h.u32(b + 28)))) {
          dce->smb = {command, 2, session, tree_id, mid, 0, false};
        }
        Awaited& a = await(mid, command);
        a.fid = fid;
        break;
      }
      create(SmbTransaction::Type::Ioctl).function = function;
      break;
    }
    case smb2::kSetInfo: {
      // File information (type 1): a deletion mark or a rename get a transaction, as Suricata's.
      const std::uint8_t info_class = h.u8(b + 3);
      if (h.u8(b + 2) != 1 || (info_class != 13 && info_class != 10)) break;
      const auto buffer = h.sub(h.u16(b + 8), h.u32(b + 4));
      const SmbFileId fid = fileId16(h, b + 16);
      const OpenFile* f = openFile(fid);
      SmbTransaction& tx = create(info_class == 13 ? SmbTransaction::Type::SetFileInfo : SmbTransaction::Type::Rename);
      tx.fid = fid;
      const bool related = std::all_of(fid.bytes.begin(), fid.bytes.end(), [](std::uint8_t v) { return v == 0xff; });
      tx.filename = f != nullptr ? f->name : related && !compound_name_.empty() ? compound_name_ : std::string("<unknown>");
      if (info_class == 13) {
        tx.delete_on_close = !buffer.empty() && buffer[0] != 0;
      } else {
        const Bytes r{buffer};
        tx.rename_to = utf16(r.sub(20, r.u32(16)));
      }
      break;
    }
    case smb2::kQueryInfo:
      break;  // as Suricata: no transaction of its own
    default:
      create(SmbTransaction::Type::Generic);
      break;
  }
}

void SmbState::smb2Response(std::span<const std::uint8_t> hdr, std::span<const std::uint8_t> /*msg*/) {
  const Bytes h{hdr};
  const std::uint32_t status = h.u32(8);
  const std::uint16_t command = h.u16(12);
  const bool async = (h.u32(16) & smb2::kFlagAsync) != 0;
  const std::uint64_t mid = h.u64(24);
  const std::uint32_t tree_id = async ? 0 : h.u32(36);
  constexpr std::size_t b = smb2::kHeader;
  if (status == kStatusPending && async) return;  // interim: the final answer comes later
  const bool ok = status == 0;
  SmbTransaction* tx = findTransaction(2, command, mid);
  switch (command) {
    case smb2::kNegotiate: {
      if (tx == nullptr) {  // the answer to an SMB1 NEGOTIATE offering SMB2 dialects
        for (auto it = transactions_.rbegin(); it != transactions_.rend() && tx == nullptr; ++it) {
          if (it->version == 1 && it->command == smb1::kNegotiate && !it->response_done) tx = &*it;
        }
      }
      if (ok) {
        dialect_ = h.u16(b + 4);
        max_read_size_ = h.u32(b + 32);
        max_write_size_ = h.u32(b + 36);
      }
      if (tx != nullptr && h.has(b + 8, 16)) {
        std::copy_n(h.d.begin() + b + 8, 16, tx->server_guid.begin());
        tx->has_server_guid = true;
      }
      break;
    }
    case smb2::kSessionSetup:
      if (tx != nullptr) tx->session_id = h.u64(40);
      break;
    case smb2::kTreeConnect: {
      const Awaited* a = awaited(mid, command);
      const std::uint8_t type = h.u8(b + 2);
      if (ok && a != nullptr) {
        if (Tree* t = tree(tree_id)) *t = Tree{tree_id, a->name, type == 2};
        else {
          capped(trees_, kMaxEntries);
          trees_.push_back(Tree{tree_id, a->name, type == 2});
        }
      }
      if (tx != nullptr) {
        tx->share_type = type;
        tx->is_pipe = type == 2;
        tx->tree_id = tree_id;
      }
      forget(mid, command);
      break;
    }
    case smb2::kCreate: {
      const Awaited* a = awaited(mid, command);
      if (tx != nullptr) {
        tx->created = unixSeconds(h.u64(b + 8));
        tx->accessed = unixSeconds(h.u64(b + 16));
        tx->modified = unixSeconds(h.u64(b + 24));
        tx->changed = unixSeconds(h.u64(b + 32));
        tx->size = h.u64(b + 48);
        tx->fid = fileId16(h, b + 64);
      }
      if (ok && a != nullptr) {
        const Tree* t = tree(a->tree_id);
        capped(files_, kMaxEntries);
        files_.push_back(OpenFile{fileId16(h, b + 64), a->name, t != nullptr ? t->share : std::string(), t != nullptr && t->pipe});
      }
      forget(mid, command);
      break;
    }
    case smb2::kRead: {
      const Awaited* a = awaited(mid, command);
      if (a == nullptr) break;
      if (ok || status == kStatusBufferOverflow) {
        const auto data = h.sub(h.u8(b + 2), h.u32(b + 4));
        const OpenFile* f = openFile(a->fid);
        if (f != nullptr && f->pipe) {
          if (DceTransaction* dce = pipeData(FlowDirection::ToClient, data)) {
            dce->smb.status = status;
            dce->smb.status_set = true;
          }
        } else {
          if (SmbTransaction* file =
                  fileData(FlowDirection::ToClient, 2, command, a->fid, a->offset, data, h.u32(b + 4), h.u64(40), a->tree_id)) {
            setStatus(*file, status, false);
          }
        }
      }
      forget(mid, command);
      break;
    }
    case smb2::kWrite:
      if (const Awaited* a = awaited(mid, command)) {
        if (SmbTransaction* file = openFileTransaction(FlowDirection::ToServer, a->fid)) setStatus(*file, status, false);
        forget(mid, command);
      }
      break;
    case smb2::kIoctl: {
      const Awaited* a = awaited(mid, command);
      if (a != nullptr) {  // a pipe transceive: the answer is a DCERPC PDU
        if (ok || status == kStatusBufferOverflow) {
          if (DceTransaction* dce = pipeData(FlowDirection::ToClient, h.sub(h.u32(b + 32), h.u32(b + 36)))) {
            dce->smb.status = status;
            dce->smb.status_set = true;
          }
        }
        forget(mid, command);
      }
      break;
    }
    default:
      break;
  }
  if (tx != nullptr) {
    setStatus(*tx, status, false);
    tx->response_done = true;
  }
}

// --- SMB1 -----------------------------------------------------------------------------------------

struct SmbState::Smb1Header {
  std::uint32_t status = 0;
  bool nt_status = true;
  bool reply = false;
  bool unicode = false;
  std::uint16_t tid = 0;
  std::uint16_t uid = 0;
  std::uint64_t key = 0;  // MID | PID << 16
};

void SmbState::onSmb1(FlowDirection dir, std::span<const std::uint8_t> msg) {
  const Bytes m{msg};
  if (!m.has(0, smb1::kHeader + 1)) {
    ++errors_;
    return;
  }
  Smb1Header h;
  const std::uint16_t flags2 = m.u16(10);
  h.nt_status = (flags2 & 0x4000) != 0;
  h.status = h.nt_status ? m.u32(5) : static_cast<std::uint32_t>(m.u8(5)) << 16 | m.u16(7);
  h.reply = (m.u8(9) & 0x80) != 0;
  h.unicode = (flags2 & 0x8000) != 0;
  h.tid = m.u16(24);
  h.uid = m.u16(28);
  h.key = m.u16(30) | static_cast<std::uint64_t>(m.u16(26)) << 16;
  if (h.reply != (dir == FlowDirection::ToClient)) ++errors_;
  // The first command, then its AndX chain.
  std::uint8_t command = m.u8(4);
  std::size_t at = smb1::kHeader;
  for (int n = 0; n < 8; ++n) {
    smb1Command(h, command, at, msg);
    static constexpr std::uint8_t kAndX[] = {0x24, 0x2d, 0x2e, 0x2f, 0x73, 0x74, 0x75, 0xa2};
    if (std::find(std::begin(kAndX), std::end(kAndX), command) == std::end(kAndX) || m.u8(at) < 2) return;
    const std::uint8_t next = m.u8(at + 1);
    const std::size_t next_at = m.u16(at + 3);
    if (next == 0xff || next_at <= at || !m.has(next_at, 1)) return;
    command = next;
    at = next_at;
  }
}

void SmbState::smb1Command(const Smb1Header& h, std::uint8_t command, std::size_t at, std::span<const std::uint8_t> msg) {
  const Bytes m{msg};
  const std::size_t word_count = m.u8(at);
  const std::size_t w = at + 1;                    // the parameter words
  const std::size_t bytes_at = w + 2 * word_count + 2;  // the data bytes, after their count
  const std::size_t byte_count = m.u16(w + 2 * word_count);
  const bool ok = h.nt_status ? h.status == 0 : h.status == 0;
  if (!h.reply) {
    auto create = [&](SmbTransaction::Type type) -> SmbTransaction& {
      SmbTransaction& tx = newTransaction(1, command, h.key);
      tx.type = type;
      tx.session_id = h.uid;
      tx.tree_id = h.tid;
      tx.request_done = true;
      return tx;
    };
    switch (command) {
      case smb1::kNegotiate: {
        SmbTransaction& tx = create(SmbTransaction::Type::Negotiate);
        smb1_offered_.clear();
        std::size_t p = bytes_at;
        while (p < bytes_at + byte_count && m.has(p, 1)) {
          if (m.u8(p) != 0x02) break;
          std::string d = ascii(m.sub(p + 1, bytes_at + byte_count - p - 1));
          p += d.size() + 2;
          tx.client_dialects.push_back(d);
          smb1_offered_.push_back(std::move(d));
        }
        break;
      }
      case smb1::kSessionSetupAndX: {
        SmbTransaction& tx = create(SmbTransaction::Type::SessionSetup);
        std::size_t p = bytes_at;
        if (word_count == 12) {  // extended security: a security blob
          const std::size_t blob = m.u16(w + 14);
          tx.has_ntlmssp = parseNtlmsspAuthenticate(m.sub(bytes_at, blob), tx.ntlmssp);
          p = bytes_at + blob;
        } else if (word_count == 13) {  // passwords, account, domain
          p = bytes_at + m.u16(w + 14) + m.u16(w + 16);
          smb1String(m, p, h.unicode, &p);
          smb1String(m, p, h.unicode, &p);
        } else {
          break;
        }
        tx.request_native_os = smb1String(m, p, h.unicode, &p);
        tx.request_native_lm = smb1String(m, p, h.unicode, &p);
        tx.has_request_host = true;
        break;
      }
      case smb1::kTreeConnectAndX: {
        SmbTransaction& tx = create(SmbTransaction::Type::TreeConnect);
        std::size_t p = bytes_at + m.u16(w + 6);  // after the password
        tx.share = smb1String(m, p, h.unicode, &p);
        tx.service_request = ascii(m.sub(p, msg.size()));
        await(h.key, command).name = tx.share;
        break;
      }
      case smb1::kNtCreateAndX: {
        SmbTransaction& tx = create(SmbTransaction::Type::Create);
        tx.filename = smb1String(m, bytes_at, h.unicode);
        tx.disposition = m.u32(w + 35);
        const std::uint32_t options = m.u32(w + 39);
        tx.delete_on_close = (options & kFileDeleteOnClose) != 0;
        tx.directory = (options & kFileDirectoryFile) != 0;
        Awaited& a = await(h.key, command);
        a.name = tx.filename;
        a.tree_id = h.tid;
        break;
      }
      case smb1::kWriteAndX: {
        const SmbFileId fid = fileId2(m, w + 4);
        std::uint64_t offset = m.u32(w + 6);
        if (word_count == 14) offset |= static_cast<std::uint64_t>(m.u32(w + 24)) << 32;
        const std::size_t length = m.u16(w + 20) | static_cast<std::size_t>(m.u16(w + 18)) << 16;
        const auto data = m.sub(m.u16(w + 22), length);
        const OpenFile* f = openFile(fid);
        if (f != nullptr && f->pipe) {
          if (DceTransaction* dce = pipeData(FlowDirection::ToServer, data)) dce->smb = {command, 1, h.uid, h.tid, h.key, 0, false};
        } else {
          fileData(FlowDirection::ToServer, 1, command, fid, offset, data, length, h.uid, h.tid);
          await(h.key, command).fid = fid;  // its answer's status goes on the file
        }
        break;
      }
      case smb1::kReadAndX: {
        Awaited& a = await(h.key, command);
        a.fid = fileId2(m, w + 4);
        a.offset = m.u32(w + 6);
        if (word_count == 12) a.offset |= static_cast<std::uint64_t>(m.u32(w + 20)) << 32;
        a.tree_id = h.tid;
        break;
      }
      case smb1::kTrans: {
        // TransactNmPipe (setup 0x26, FID): a DCERPC PDU through a named pipe.
        if (word_count >= 16 && m.u8(w + 26) >= 2 && m.u16(w + 28) == 0x26) {
          const SmbFileId fid = fileId2(m, w + 30);
          if (DceTransaction* dce = pipeData(FlowDirection::ToServer, m.sub(m.u16(w + 24), m.u16(w + 22)))) {
            dce->smb = {command, 1, h.uid, h.tid, h.key, 0, false};
          }
          await(h.key, command).fid = fid;
          break;
        }
        create(SmbTransaction::Type::Generic);
        break;
      }
      case smb1::kClose:
        create(SmbTransaction::Type::Generic).fid = fileId2(m, w);
        closeFile(fileId2(m, w));
        break;
      default:
        create(SmbTransaction::Type::Generic);
        break;
    }
    return;
  }
  // A reply: what its request awaits, then its transaction.
  SmbTransaction* tx = findTransaction(1, command, h.key);
  switch (command) {
    case smb1::kNegotiate:
      if (ok && word_count >= 1 && m.u16(w) < smb1_offered_.size()) smb1_dialect_ = smb1_offered_[m.u16(w)];
      if (tx != nullptr && word_count == 17 && m.has(bytes_at, 16) && byte_count >= 16) {
        std::copy_n(m.d.begin() + static_cast<std::ptrdiff_t>(bytes_at), 16, tx->server_guid.begin());
        tx->has_server_guid = true;
      }
      break;
    case smb1::kSessionSetupAndX:
      if (tx != nullptr && (word_count == 3 || word_count == 4)) {
        std::size_t p = bytes_at + (word_count == 4 ? m.u16(w + 6) : 0);
        tx->response_native_os = smb1String(m, p, h.unicode, &p);
        tx->response_native_lm = smb1String(m, p, h.unicode, &p);
        tx->has_response_host = true;
      }
      break;
    case smb1::kTreeConnectAndX: {
      const Awaited* a = awaited(h.key, command);
      const std::string service = word_count >= 3 ? ascii(m.sub(bytes_at, byte_count)) : std::string();
      if (ok && a != nullptr) {
        if (Tree* t = tree(h.tid)) *t = Tree{h.tid, a->name, service == "IPC"};
        else {
          capped(trees_, kMaxEntries);
          trees_.push_back(Tree{h.tid, a->name, service == "IPC"});
        }
      }
      if (tx != nullptr) {
        tx->service_response = service;
        tx->is_pipe = service == "IPC";
        tx->tree_id = h.tid;
      }
      forget(h.key, command);
      break;
    }
    case smb1::kNtCreateAndX: {
      const Awaited* a = awaited(h.key, command);
      const SmbFileId fid = fileId2(m, w + 5);
      if (tx != nullptr && word_count >= 34) {
        tx->created = unixSeconds(m.u64(w + 11));
        tx->accessed = unixSeconds(m.u64(w + 19));
        tx->modified = unixSeconds(m.u64(w + 27));
        tx->changed = unixSeconds(m.u64(w + 35));
        tx->size = m.u64(w + 55);
        tx->fid = fid;
      }
      if (ok && a != nullptr && word_count >= 34) {
        const Tree* t = tree(a->tree_id);
        capped(files_, kMaxEntries);
        files_.push_back(OpenFile{fid, a->name, t != nullptr ? t->share : std::string(), t != nullptr && t->pipe});
      }
      forget(h.key, command);
      break;
    }
    case smb1::kWriteAndX:
      if (const Awaited* a = awaited(h.key, command)) {
        if (SmbTransaction* file = openFileTransaction(FlowDirection::ToServer, a->fid)) setStatus(*file, h.status, !h.nt_status);
        forget(h.key, command);
      }
      break;
    case smb1::kReadAndX: {
      const Awaited* a = awaited(h.key, command);
      if (a != nullptr && (ok || h.status == kStatusBufferOverflow) && word_count >= 12) {
        const std::size_t length = m.u16(w + 10) | static_cast<std::size_t>(m.u16(w + 14)) << 16;
        const auto data = m.sub(m.u16(w + 12), length);
        const OpenFile* f = openFile(a->fid);
        if (f != nullptr && f->pipe) {
          if (DceTransaction* dce = pipeData(FlowDirection::ToClient, data)) {
            dce->smb.status = h.status;
            dce->smb.status_set = true;
          }
        } else {
          if (SmbTransaction* file = fileData(FlowDirection::ToClient, 1, command, a->fid, a->offset, data, length, h.uid, a->tree_id)) {
            setStatus(*file, h.status, !h.nt_status);
          }
        }
      }
      forget(h.key, command);
      break;
    }
    case smb1::kTrans: {
      const Awaited* a = awaited(h.key, command);
      if (a != nullptr) {
        if ((ok || h.status == kStatusBufferOverflow) && word_count >= 10) {
          if (DceTransaction* dce = pipeData(FlowDirection::ToClient, m.sub(m.u16(w + 14), m.u16(w + 12)))) {
            dce->smb.status = h.status;
            dce->smb.status_set = true;
          }
        }
        forget(h.key, command);
      }
      break;
    }
    default:
      break;
  }
  if (tx != nullptr) {
    setStatus(*tx, h.status, !h.nt_status);
    tx->response_done = true;
  }
}

}  // namespace gsoc::sensor

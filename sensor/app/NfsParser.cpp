#include "sensor/app/NfsParser.hpp"

#include <algorithm>
#include <array>

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

// XDR (RFC 4506): big-endian 32-bit units, opaque data padded to four bytes. Every read is
// checked; a short input fails the read and leaves the reader failed.
class Xdr {
 public:
  explicit Xdr(std::string_view d) : d_(d) {}
  bool u32(std::uint32_t& v) {
    if (!ok_ || d_.size() < 4) return fail();
    v = static_cast<std::uint32_t>(static_cast<std::uint8_t>(d_[0])) << 24 | static_cast<std::uint32_t>(static_cast<std::uint8_t>(d_[1])) << 16 |
        static_cast<std::uint32_t>(static_cast<std::uint8_t>(d_[2])) << 8 | static_cast<std::uint8_t>(d_[3]);
    d_.remove_prefix(4);
    return true;
  }
  bool u64(std::uint64_t& v) {
    std::uint32_t hi = 0, lo = 0;
    if (!u32(hi) || !u32(lo)) return false;
    v = static_cast<std::uint64_t>(hi) << 32 | lo;
    return true;
  }
  // Variable-length opaque<max>.
  bool opaque(std::string_view& v, std::uint32_t max) {
    std::uint32_t n = 0;
    if (!u32(n) || n > max) return fail();
    return fixed(v, n);
  }
  // Fixed-length opaque[n].
  bool fixed(std::string_view& v, std::size_t n) {
    const std::size_t padded = (n + 3) & ~std::size_t{3};
    if (!ok_ || d_.size() < n) return fail();
    v = d_.substr(0, n);
    d_.remove_prefix(std::min(padded, d_.size()));
    return true;
  }
  bool skip(std::size_t n) {
    if (!ok_ || d_.size() < n) return fail();
    d_.remove_prefix(n);
    return true;
  }
  bool skipOpaque(std::uint32_t max) {
    std::string_view v;
    return opaque(v, max);
  }
  // A bitmap4 or another array of 32-bit words.
  bool skipWords(std::uint32_t max) {
    std::uint32_t n = 0;
    if (!u32(n) || n > max) return fail();
    return skip(static_cast<std::size_t>(n) * 4);
  }
  [[nodiscard]] std::string_view rest() const { return d_; }
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  bool fail() {
    ok_ = false;
    return false;
  }
  std::string_view d_;
  bool ok_ = true;
};

constexpr std::uint32_t kMaxName = 4096;
constexpr std::uint32_t kMaxHandleV3 = 64;
constexpr std::uint32_t kMaxHandleV4 = 128;
constexpr std::uint32_t kMaxData = 16u << 20;  // Suricata's bound on a READ or WRITE count

std::string_view text(std::span<const std::uint8_t> d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }

std::uint32_t be32(std::span<const std::uint8_t> d, std::size_t at) {
  return static_cast<std::uint32_t>(d[at]) << 24 | static_cast<std::uint32_t>(d[at + 1]) << 16 |
         static_cast<std::uint32_t>(d[at + 2]) << 8 | d[at + 3];
}

// fattr4: the attribute mask, then the attribute values as one opaque.
bool skipFattr4(Xdr& x) { return x.skipWords(64) && x.skipOpaque(kMaxData); }
bool skipStateid(Xdr& x) { return x.skip(16); }
bool skipChangeInfo(Xdr& x) { return x.skip(4 + 8 + 8); }
bool skipOwner(Xdr& x) { return x.skip(8) && x.skipOpaque(1024); }

}  // namespace

std::string nfsProcedureName(std::uint16_t version, std::uint32_t procedure) {
  static constexpr std::array<std::string_view, 18> kV2 = {"NULL",  "GETATTR", "SETATTR", "ROOT",   "LOOKUP", "READLINK",
                                                           "READ",  "WRITECACHE", "WRITE", "CREATE", "REMOVE", "RENAME",
                                                           "LINK",  "SYMLINK", "MKDIR",   "RMDIR",  "READDIR", "STATFS"};
  static constexpr std::array<std::string_view, 22> kV3 = {
      "NULL",   "GETATTR", "SETATTR", "LOOKUP", "ACCESS", "READLINK", "READ",    "WRITE",       "CREATE", "MKDIR",    "SYMLINK",
      "MKNOD",  "REMOVE",  "RMDIR",   "RENAME", "LINK",   "READDIR",  "READDIRPLUS", "FSSTAT", "FSINFO", "PATHCONF", "COMMIT"};
  // NFSv4 operations by code (RFC 7530, 8881); 2 is unused.
  static constexpr std::array<std::string_view, 59> kV4 = {
      "NULL",          "COMPOUND",          "",              "ACCESS",       "CLOSE",           "COMMIT",       "CREATE",
      "DELEGPURGE",    "DELEGRETURN",       "GETATTR",       "GETFH",        "LINK",            "LOCK",         "LOCKT",
      "LOCKU",         "LOOKUP",            "LOOKUPP",       "NVERIFY",      "OPEN",            "OPENATTR",     "OPEN_CONFIRM",
      "OPEN_DOWNGRADE", "PUTFH",            "PUTPUBFH",      "PUTROOTFH",    "READ",            "READDIR",      "READLINK",
      "REMOVE",        "RENAME",            "RENEW",         "RESTOREFH",    "SAVEFH",          "SECINFO",      "SETATTR",
      "SETCLIENTID",   "SETCLIENTID_CONFIRM", "VERIFY",      "WRITE",        "RELEASE_LOCKOWNER", "BACKCHANNEL_CTL", "BIND_CONN_TO_SESSION",
      "EXCHANGE_ID",   "CREATE_SESSION",    "DESTROY_SESSION", "FREE_STATEID", "GET_DIR_DELEGATION", "GETDEVICEINFO", "GETDEVICELIST",
      "LAYOUTCOMMIT",  "LAYOUTGET",         "LAYOUTRETURN",  "SECINFO_NO_NAME", "SEQUENCE",      "SET_SSV",      "TEST_STATEID",
      "WANT_DELEGATION", "DESTROY_CLIENTID", "RECLAIM_COMPLETE"};
  std::string_view name;
  if (version == 2 && procedure < kV2.size()) name = kV2[procedure];
  else if (version == 3 && procedure < kV3.size()) name = kV3[procedure];
  else if (version >= 4 && procedure < kV4.size()) name = kV4[procedure];
  return name.empty() ? std::to_string(procedure) : std::string(name);
}

std::string nfsStatusName(std::uint32_t status) {
  switch (status) {
    case 0: return "OK";
    case 1: return "ERR_PERM";
    case 2: return "ERR_NOENT";
    case 5: return "ERR_IO";
    case 6: return "ERR_NXIO";
    case 13: return "ERR_ACCES";
    case 17: return "ERR_EXIST";
    case 18: return "ERR_XDEV";
    case 19: return "ERR_NODEV";
    case 20: return "ERR_NOTDIR";
    case 21: return "ERR_ISDIR";
    case 22: return "ERR_INVAL";
    case 27: return "ERR_FBIG";
    case 28: return "ERR_NOSPC";
    case 30: return "ERR_ROFS";
    case 31: return "ERR_MLINK";
    case 63: return "ERR_NAMETOOLONG";
    case 66: return "ERR_NOTEMPTY";
    case 69: return "ERR_DQUOT";
    case 70: return "ERR_STALE";
    case 71: return "ERR_REMOTE";
    case 10001: return "ERR_BADHANDLE";
    case 10002: return "ERR_NOT_SYNC";
    case 10003: return "ERR_BAD_COOKIE";
    case 10004: return "ERR_NOTSUPP";
    case 10005: return "ERR_TOOSMALL";
    case 10006: return "ERR_SERVERFAULT";
    case 10007: return "ERR_BADTYPE";
    case 10008: return "ERR_JUKEBOX";
    default: return std::to_string(status);
  }
}

std::string rpcStatusName(std::uint32_t status) {
  if (status == 0) return "ACCEPTED";
  if (status == 1) return "DENIED";
  return std::to_string(status);
}

std::string rpcAuthTypeName(std::uint32_t flavor) {
  switch (flavor) {
    case 0: return "NULL";
    case 1: return "UNIX";
    case 2: return "SHORT";
    case 3: return "DH";
    case 4: return "KERB4";
    case 6: return "RPCSEC_GSS";
    default: return std::to_string(flavor);
  }
}

bool looksLikeNfsCall(std::span<const std::uint8_t> data, bool record_marking) {
  const std::size_t at = record_marking ? 4 : 0;
  // Suricata's probes: over UDP a call of 48 bytes at least; over TCP a first fragment of 24 to
  // 35000 bytes.
  if (data.size() < at + (record_marking ? 24 : 48)) return false;
  if (record_marking && ((be32(data, 0) & 0x7fffffffu) < 24 || (be32(data, 0) & 0x7fffffffu) > 35000)) return false;
  const std::uint32_t version = be32(data, at + 16);
  return be32(data, at + 4) == 0 && be32(data, at + 8) == 2 && be32(data, at + 12) == nfs::kProgram && version >= 2 && version <= 4;
}

bool looksLikeRpcReply(std::span<const std::uint8_t> data, bool record_marking) {
  const std::size_t at = record_marking ? 4 : 0;
  if (data.size() < at + 12) return false;
  if (record_marking && ((be32(data, 0) & 0x7fffffffu) < 24 || (be32(data, 0) & 0x7fffffffu) > 35000)) return false;
  return be32(data, at + 4) == 1 && be32(data, at + 8) <= 1;
}

void NfsState::datagram(FlowDirection dir, std::span<const std::uint8_t> payload) { record(dir, text(payload)); }

void NfsState::gap(FlowDirection dir) {
  const std::size_t side = dir == FlowDirection::ToServer ? 0 : 1;
  parse(dir);
  pending_[side].clear();
  record_[side].clear();
  resync_[side] = true;
}

void NfsState::parse(FlowDirection dir) {
  const std::size_t side = dir == FlowDirection::ToServer ? 0 : 1;
  AckedBytes& in = pending_[side];
  for (;;) {
    const std::string_view ready = in.ready();
    const auto bytes = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(ready.data()), ready.size());
    if (resync_[side]) {
      // After a hole: skip to a fragment header followed by a call (or, the server's way, a reply).
      std::size_t at = 0;
      for (; at + 16 <= bytes.size(); ++at) {
        const auto rest = bytes.subspan(at);
        if (dir == FlowDirection::ToServer ? looksLikeNfsCall(rest, true) : looksLikeRpcReply(rest, true)) break;
      }
      if (at + 16 > bytes.size()) {
        in.consume(bytes.size() > 16 ? bytes.size() - 16 : 0);
        return;
      }
      in.consume(at);
      resync_[side] = false;
      continue;
    }
    if (bytes.size() < 4) return;
    const std::uint32_t header = be32(bytes, 0);
    const std::uint32_t length = header & 0x7fffffffu;
    if (length > kMaxRecord || record_[side].size() + length > kMaxRecord) {
      malformed();
      in.consume(bytes.size());
      record_[side].clear();
      resync_[side] = true;
      return;
    }
    if (bytes.size() < 4 + static_cast<std::size_t>(length)) return;
    record_[side].append(ready.substr(4, length));
    in.consume(4 + static_cast<std::size_t>(length));
    if ((header & 0x80000000u) == 0) continue;  // more fragments to come
    record(dir, record_[side]);
    record_[side].clear();
  }
}

void NfsState::record(FlowDirection dir, std::string_view message) {
  current_dir_ = dir;
  if (message.size() < 8) {
    ++errors_;
    return;
  }
  const std::uint32_t type = static_cast<std::uint32_t>(static_cast<std::uint8_t>(message[7]));
  if (message[4] != 0 || message[5] != 0 || message[6] != 0 || type > 1) {
    malformed();
    return;
  }
  // Calls come from the client and replies from the server; the other way (an NFSv4 callback)
  // is a different program, which Suricata does not follow either.
  if (type == 0 && dir == FlowDirection::ToServer) call(message);
  else if (type == 1 && dir == FlowDirection::ToClient) reply(message);
}

void NfsState::call(std::string_view message) {
  Xdr x(message);
  Call c;
  std::uint32_t type = 0, rpc_version = 0, program = 0, cred_flavor = 0, verf_flavor = 0;
  std::string_view cred, verf;
  if (!x.u32(c.xid) || !x.u32(type) || !x.u32(rpc_version) || !x.u32(program) || !x.u32(c.version) || !x.u32(c.procedure) ||
      !x.u32(cred_flavor) || !x.opaque(cred, 400) || !x.u32(verf_flavor) || !x.opaque(verf, 400)) {
    malformed();
    return;
  }
  if (rpc_version != 2 || program != nfs::kProgram) return;  // another program on the connection (NLM, MOUNT...)
  c.flavor = cred_flavor;
  if (cred_flavor == nfs::kAuthUnix) {
    // Suricata 8 reads uid and gid right after the machine name's bytes, without the name's XDR
    // padding; its EVE (and so this) has the values found there.
    Xdr u(cred);
    std::uint32_t stamp = 0, length = 0;
    std::string_view machine;
    if (u.u32(stamp) && u.u32(length) && length < 256 && cred.size() >= 8 + static_cast<std::size_t>(length)) {
      machine = cred.substr(8, length);
      Xdr ids(cred.substr(8 + length));
      if (ids.u32(c.uid) && ids.u32(c.gid)) c.machine_name = std::string(machine);
      else c.uid = c.gid = 0;
    }
  }
  if (c.version < 2 || c.version > 4) {
    ++errors_;
    events.set(signatures::AnomalyEvent::NfsNonExistingVersion);
    return;
  }
  if (version_ == 0) version_ = static_cast<std::uint16_t>(c.version);
  PendingCall pending;
  pending.version = c.version;
  pending.procedure = c.procedure;
  if (c.version == 2) callV2(c, x.rest(), pending);
  else if (c.version == 3) callV3(c, x.rest(), pending);
  else callV4(c, x.rest(), pending);
  if (calls_.size() >= kMaxPendingCalls) calls_.clear();  // unanswered calls: a capture that misses the replies
  calls_[c.xid] = std::move(pending);
}

NfsTransaction& NfsState::newTx(FlowDirection by) {
  if (txs_.size() >= kMaxTransactions) {
    // Past the cap the oldest is given up on; the app layer logs what it has not yet.
    txs_.front().request_done = txs_.front().response_done = true;
    if (txs_.front().logged && txs_.front().inspected) txs_.pop_front();
  }
  NfsTransaction& tx = txs_.emplace_back();
  tx.id = ++next_id_;
  tx.created_by = by;
  return tx;
}

NfsTransaction& NfsState::newCallTx(const Call& c, const PendingCall& pending, std::uint32_t procedure) {
  NfsTransaction& tx = newTx(FlowDirection::ToServer);
  tx.xid = c.xid;
  tx.procedure = procedure;
  tx.version = static_cast<std::uint16_t>(c.version);
  tx.request_done = true;
  tx.file_name = pending.file_name;
  tx.file_handle = pending.file_handle;
  tx.auth_type = c.flavor;
  tx.machine_name = c.machine_name;
  tx.uid = c.uid;
  tx.gid = c.gid;
  return tx;
}

NfsTransaction* NfsState::fileTx(std::string_view handle, FlowDirection dir) {
  for (NfsTransaction& tx : txs_) {
    if (tx.is_file_tx && !tx.file.closed && tx.file_direction == dir && tx.file_handle == handle) return &tx;
  }
  return nullptr;
}

NfsTransaction* NfsState::txByXid(std::uint32_t xid) {
  for (NfsTransaction& tx : txs_) {
    if (!tx.is_file_tx && tx.xid == xid) return &tx;
  }
  return nullptr;
}

void NfsState::markResponse(std::uint32_t xid, std::uint32_t rpc_status, std::uint32_t nfs_status, std::string_view handle) {
  NfsTransaction* tx = txByXid(xid);
  if (tx == nullptr) return;
  tx->response_done = true;
  tx->rpc_status = rpc_status;
  tx->nfs_status = nfs_status;
  if (tx->file_handle.empty() && !handle.empty()) tx->file_handle = std::string(handle);
}

void NfsState::remember(std::string_view handle, std::string_view name) {
  if (names_.size() >= kMaxNames && names_.find(std::string(handle)) == names_.end()) names_.clear();
  names_[std::string(handle)] = std::string(name);
}

std::string NfsState::nameOf(std::string_view handle) const {
  const auto it = names_.find(std::string(handle));
  return it != names_.end() ? it->second : std::string();
}

void NfsState::closeFile(NfsTransaction& tx) {
  NfsFile& f = tx.file;
  if (f.closed) return;
  f.closed = true;
  if (f.hasher && !f.gaps) f.hasher->finishAndRestart(f.md5, f.sha256);
  f.hasher.reset();
}

void NfsState::fileChunk(const Call* c, std::uint32_t xid, std::uint16_t version, std::uint32_t procedure, FlowDirection dir,
                         std::string_view handle, std::string_view name, std::uint64_t offset, std::string_view data, bool last,
                         std::uint32_t rpc_status, std::uint32_t nfs_status) {
  NfsTransaction* tx = fileTx(handle, dir);
  // As Suricata, the chunk that opens a file transaction is not counted in its chunks.
  if (tx != nullptr) ++tx->chunk_count;
  if (tx == nullptr) {
    tx = &newTx(dir);
    tx->is_file_tx = true;
    tx->file_direction = dir;
    tx->file_handle = std::string(handle);
    tx->file_name = std::string(name);
    tx->procedure = procedure;
    tx->xid = xid;
    tx->version = version;
    tx->is_first = true;
    if (c != nullptr) {
      tx->auth_type = c->flavor;
      tx->machine_name = c->machine_name;
      tx->uid = c->uid;
      tx->gid = c->gid;
    }
    tx->file.hasher = std::make_unique<FileHasher>();
  }
  NfsFile& f = tx->file;
  if (!f.closed) {
    if (offset != f.next_offset) f.gaps = true;  // out of order or missing: the hashes would be wrong
    if (!f.gaps && f.hasher) f.hasher->update(data);
    f.next_offset = offset + data.size();
    f.size = std::max(f.size, offset + data.size());
  }
  if (!last) return;
  tx->file_last_xid = xid;
  tx->is_last = true;
  closeFile(*tx);
  if (dir == FlowDirection::ToClient) {  // a READ's last reply: the transaction is answered
    tx->rpc_status = rpc_status;
    tx->nfs_status = nfs_status;
    tx->request_done = true;
    tx->response_done = true;
  } else {
    tx->request_done = true;  // a WRITE's last chunk: Suricata waits for no answer, nor logs one
  }
}

// NFSv2 (RFC 1094): file handles are 32 bytes; diropargs are a directory handle and a name.
void NfsState::callV2(const Call& c, std::string_view args, PendingCall& pending) {
  Xdr x(args);
  std::string_view handle, name;
  switch (c.procedure) {
    case nfs::kV2Lookup:
    case nfs::kV2Create:
    case nfs::kV2Remove:
    case nfs::kV2Mkdir:
    case nfs::kV2Rmdir:
    case nfs::kV2Rename:
      if (!x.fixed(handle, 32) || !x.opaque(name, kMaxName)) break;
      pending.file_handle = std::string(handle);
      pending.file_name = std::string(name);
      break;
    case nfs::kV2Read: {
      std::uint32_t offset = 0;
      if (!x.fixed(handle, 32) || !x.u32(offset)) break;
      pending.file_handle = std::string(handle);
      pending.offset = offset;
      pending.file_name = nameOf(handle);
      break;
    }
    default:
      break;
  }
  if (!x.ok()) {
    malformed();
  }
  // READ is a file transaction made at its reply; v2's WRITE is not followed (as Suricata's).
  if (c.procedure == nfs::kV2Read || c.procedure == nfs::kV2Write) return;
  NfsTransaction& tx = newCallTx(c, pending, c.procedure);
  if (c.procedure == nfs::kV2Lookup) tx.file_handle.clear();  // the handle found, from the reply
  if (c.procedure == nfs::kV2Rename) {
    tx.is_rename = true;
    std::string_view to_handle, to_name;
    if (x.fixed(to_handle, 32) && x.opaque(to_name, kMaxName)) tx.rename_to = std::string(to_name);
  }
}

void NfsState::replyV2(std::uint32_t xid, std::uint32_t reply_stat, std::string_view results, const PendingCall& pending) {
  Xdr x(results);
  std::uint32_t status = 0;
  x.u32(status);
  std::string_view handle;
  if (pending.procedure == nfs::kV2Read) {
    // readres: status, fattr (17 words: type, mode, nlink, uid, gid, size...), data.
    std::uint32_t attrs[17] = {};
    std::string_view data;
    bool ok = status == 0;
    for (std::uint32_t& a : attrs) ok = ok && x.u32(a);
    if (ok && x.opaque(data, kMaxData)) {
      const bool last = attrs[5] == pending.offset + data.size();
      fileChunk(nullptr, xid, 2, nfs::kV2Read, FlowDirection::ToClient, pending.file_handle, pending.file_name, pending.offset, data,
                last, reply_stat, status);
    }
    return;
  }
  if ((pending.procedure == nfs::kV2Lookup || pending.procedure == nfs::kV2Create || pending.procedure == nfs::kV2Mkdir) && status == 0 &&
      x.fixed(handle, 32)) {
    remember(handle, pending.file_name);
  }
  markResponse(xid, reply_stat, status, pending.procedure == nfs::kV2Lookup ? handle : std::string_view());
}

// NFSv3 (RFC 1813): handles are opaque<64>.
void NfsState::callV3(const Call& c, std::string_view args, PendingCall& pending) {
  Xdr x(args);
  std::string_view handle, name;
  std::string rename_to;
  switch (c.procedure) {
    case nfs::kV3Lookup:
      if (x.opaque(handle, kMaxHandleV3) && x.opaque(name, kMaxName)) pending.file_name = std::string(name);
      break;
    case 4:   // ACCESS
    case nfs::kV3Getattr:
    case 17:  // READDIRPLUS
      if (x.opaque(handle, kMaxHandleV3)) {
        pending.file_handle = std::string(handle);
        pending.file_name = nameOf(handle);
      }
      break;
    case nfs::kV3Read:
      if (x.opaque(handle, kMaxHandleV3) && x.u64(pending.offset)) {
        pending.file_handle = std::string(handle);
        pending.file_name = nameOf(handle);
      }
      break;
    case nfs::kV3Write: {
      std::uint64_t offset = 0;
      std::uint32_t count = 0, stable = 0;
      std::string_view data;
      if (x.opaque(handle, kMaxHandleV3) && x.u64(offset) && x.u32(count) && x.u32(stable) && x.opaque(data, kMaxData) && count != 0) {
        pending.file_handle = std::string(handle);
        // FILE_SYNC (2): taken as the file's one and last chunk, as Suricata does.
        // WRITE transactions carry no caller (Suricata's take none of the call's credentials).
        fileChunk(nullptr, c.xid, 3, nfs::kV3Write, FlowDirection::ToServer, handle, nameOf(handle), offset, data, stable == 2, 0, 0);
      }
      break;
    }
    case nfs::kV3Create:
    case nfs::kV3Remove:
    case nfs::kV3Mkdir:
    case nfs::kV3Rmdir:
    case nfs::kV3Rename:
      if (x.opaque(handle, kMaxHandleV3) && x.opaque(name, kMaxName)) {
        pending.file_handle = std::string(handle);
        pending.file_name = std::string(name);
        if (c.procedure == nfs::kV3Rename) {
          std::string_view to_handle, to_name;
          if (x.opaque(to_handle, kMaxHandleV3) && x.opaque(to_name, kMaxName)) rename_to = std::string(to_name);
        }
      }
      break;
    case nfs::kV3Commit:
      if (x.opaque(handle, kMaxHandleV3)) {
        if (NfsTransaction* tx = fileTx(handle, FlowDirection::ToServer)) {
          ++tx->chunk_count;
          tx->file_last_xid = c.xid;
          tx->is_last = true;
          tx->request_done = true;
          closeFile(*tx);
        }
      }
      break;
    default:
      break;
  }
  if (!x.ok()) {
    malformed();
  }
  if (c.procedure == nfs::kV3Commit || c.procedure == nfs::kV3Write) return;
  if (c.procedure == nfs::kV3Read) {
    // The file transaction starts with the first READ of a handle, carrying its caller.
    if (fileTx(pending.file_handle, FlowDirection::ToClient) == nullptr) {
      NfsTransaction& tx = newTx(FlowDirection::ToServer);
      tx.is_file_tx = true;
      tx.file_direction = FlowDirection::ToClient;
      tx.file_handle = pending.file_handle;
      tx.file_name = pending.file_name;
      tx.procedure = nfs::kV3Read;
      tx.xid = c.xid;
      tx.is_first = true;
      tx.version = 3;
      tx.auth_type = c.flavor;
      tx.machine_name = c.machine_name;
      tx.uid = c.uid;
      tx.gid = c.gid;
      tx.file.hasher = std::make_unique<FileHasher>();
    }
    return;
  }
  NfsTransaction& tx = newCallTx(c, pending, c.procedure);
  if (c.procedure == nfs::kV3Rename) {
    tx.is_rename = true;
    tx.rename_to = std::move(rename_to);
  }
}

void NfsState::replyV3(std::uint32_t xid, std::uint32_t reply_stat, std::string_view results, const PendingCall& pending) {
  Xdr x(results);
  std::uint32_t status = 0;
  x.u32(status);
  std::string_view handle;
  if (pending.procedure == nfs::kV3Read) {
    // READ3resok: post_op_attr, count, eof, data.
    std::uint32_t follows = 0, count = 0, eof = 0;
    std::string_view data;
    if (status == 0 && x.u32(follows) && (follows == 0 || x.skip(84)) && x.u32(count) && x.u32(eof) && x.opaque(data, kMaxData) &&
        count != 0) {
      fileChunk(nullptr, xid, 3, nfs::kV3Read, FlowDirection::ToClient, pending.file_handle, pending.file_name, pending.offset, data,
                eof != 0, reply_stat, status);
    }
    return;
  }
  if (pending.procedure == nfs::kV3Lookup && status == 0 && x.opaque(handle, kMaxHandleV3)) remember(handle, pending.file_name);
  if (pending.procedure == nfs::kV3Create && status == 0) {
    std::uint32_t follows = 0;
    std::string_view created;
    if (x.u32(follows) && follows != 0 && x.opaque(created, kMaxHandleV3)) remember(created, pending.file_name);
  }
  markResponse(xid, reply_stat, status, pending.procedure == nfs::kV3Lookup ? handle : std::string_view());
}

// NFSv4 COMPOUND (RFC 7530): the operations in order, a PUTFH's handle the current one for
// those after it. Operations whose arguments this parser does not know end the walk.
void NfsState::callV4(const Call& c, std::string_view args, PendingCall& pending) {
  if (c.procedure != nfs::kV4Compound) return;
  Xdr x(args);
  std::uint32_t minor = 0, count = 0;
  if (!x.skipOpaque(kMaxName) || !x.u32(minor) || !x.u32(count)) {
    malformed();
    return;
  }
  std::string_view current;  // the last PUTFH's handle
  std::uint32_t main_op = 0;
  for (std::uint32_t i = 0; i < count && x.ok(); ++i) {
    std::uint32_t op = 0;
    if (!x.u32(op)) break;
    std::string_view v;
    std::uint32_t n = 0;
    std::uint64_t offset = 0;
    switch (op) {
      case 3: x.skip(4); break;                                  // ACCESS
      case 4: x.skip(4 + 16); [[fallthrough]];                   // CLOSE
      case 5:                                                    // COMMIT
        if (op == 5) x.skip(8 + 4);
        if (x.ok() && !current.empty()) {
          if (NfsTransaction* tx = fileTx(current, FlowDirection::ToServer)) {
            tx->file_last_xid = c.xid;
            tx->is_last = true;
            tx->request_done = true;
            closeFile(*tx);
          }
        }
        break;
      case 6:  // CREATE: type (a link's data, a device's numbers), name, attributes
        if (!x.u32(n)) break;
        if (n == 5) x.skipOpaque(kMaxData);
        else if (n == 3 || n == 4) x.skip(8);
        if (x.opaque(v, kMaxName) && skipFattr4(x)) {
          pending.file_name = std::string(v);
          if (!current.empty()) pending.file_handle = std::string(current);
          main_op = nfs::kV4Create;
        }
        break;
      case 7: x.skip(8); break;                                  // DELEGPURGE
      case 8: skipStateid(x); break;                             // DELEGRETURN
      case 9: x.skipWords(64); break;                            // GETATTR
      case 10: case 16: case 23: case 27: case 31: case 32: break;  // GETFH LOOKUPP PUTPUBFH READLINK RESTOREFH SAVEFH
      case 24: break;                                            // PUTROOTFH
      case 11: x.skipOpaque(kMaxName); break;                    // LINK
      case 12: {                                                 // LOCK
        std::uint32_t new_owner = 0;
        x.skip(4 + 4 + 8 + 8);
        if (x.u32(new_owner) && new_owner != 0) {
          x.skip(4 + 16 + 4);
          skipOwner(x);
        } else {
          x.skip(16 + 4);
        }
        break;
      }
      case 13: x.skip(4 + 8 + 8); skipOwner(x); break;           // LOCKT
      case 14: x.skip(4 + 4 + 16 + 8 + 8); break;                // LOCKU
      case 15:                                                   // LOOKUP
        if (x.opaque(v, kMaxName)) pending.file_name = std::string(v);
        break;
      case 17: case 37: skipFattr4(x); break;                    // NVERIFY VERIFY
      case 18: {                                                 // OPEN
        std::uint32_t how = 0, claim = 0;
        x.skip(4 + 4 + 4);
        skipOwner(x);
        if (!x.u32(how)) break;
        if (how == 1) {
          std::uint32_t mode = 0;
          if (!x.u32(mode)) break;
          if (mode == 0 || mode == 1) skipFattr4(x);
          else if (mode == 2) x.skip(8);
          else if (mode == 3) { x.skip(8); skipFattr4(x); }
        }
        if (!x.u32(claim)) break;
        if (claim == 0 || claim == 3) {
          if (x.opaque(v, kMaxName)) pending.file_name = std::string(v);
        } else if (claim == 1) {
          x.skip(4);
        } else if (claim == 2) {
          skipStateid(x);
          if (x.opaque(v, kMaxName)) pending.file_name = std::string(v);
        } else if (claim == 5) {
          skipStateid(x);
        }
        break;
      }
      case 19: x.skip(4); break;                                 // OPENATTR
      case 20: x.skip(16 + 4); break;                            // OPEN_CONFIRM
      case 21: x.skip(16 + 4 + 4 + 4); break;                    // OPEN_DOWNGRADE
      case 22:                                                   // PUTFH
        if (x.opaque(v, kMaxHandleV4)) current = v;
        break;
      case 25:                                                   // READ
        if (skipStateid(x) && x.u64(offset) && x.u32(n) && !current.empty()) {
          pending.offset = offset;
          pending.file_handle = std::string(current);
          pending.file_name = nameOf(current);
        }
        break;
      case 26: x.skip(8 + 8 + 4 + 4); x.skipWords(64); break;    // READDIR
      case 28:                                                   // REMOVE
        if (x.opaque(v, kMaxName)) {
          pending.file_name = std::string(v);
          main_op = nfs::kV4Remove;
        }
        break;
      case 29: x.skipOpaque(kMaxName); x.skipOpaque(kMaxName); break;  // RENAME
      case 30: x.skip(8); break;                                 // RENEW
      case 33: x.skipOpaque(kMaxName); break;                    // SECINFO
      case 34: skipStateid(x); skipFattr4(x); break;             // SETATTR
      case 35:                                                   // SETCLIENTID
        x.skip(8);
        x.skipOpaque(1024);
        x.skip(4);
        x.skipOpaque(kMaxName);
        x.skipOpaque(kMaxName);
        x.skip(4);
        break;
      case 36: x.skip(8 + 8); break;                             // SETCLIENTID_CONFIRM
      case 38: {                                                 // WRITE
        std::uint32_t stable = 0;
        if (skipStateid(x) && x.u64(offset) && x.u32(stable) && x.opaque(v, kMaxData) && !current.empty() && !v.empty()) {
          // WRITE transactions carry no caller (Suricata's make none of the call's credentials).
          fileChunk(nullptr, c.xid, 4, nfs::kV4Write, FlowDirection::ToServer, current, nameOf(current), offset, v, stable == 2, 0, 0);
        }
        break;
      }
      case 39: skipOwner(x); break;                              // RELEASE_LOCKOWNER
      case 44: x.skip(16); break;                                // DESTROY_SESSION
      case 53: x.skip(16 + 4 + 4 + 4 + 4); break;                // SEQUENCE
      case 58: x.skip(4); break;                                 // RECLAIM_COMPLETE
      default:
        i = count;  // arguments unknown: the rest cannot be found
        break;
    }
  }
  if (!x.ok()) {
    malformed();
  }
  if (main_op != 0) newCallTx(c, pending, main_op);
}

void NfsState::replyV4(std::uint32_t xid, std::uint32_t reply_stat, std::string_view results, PendingCall& pending) {
  if (pending.procedure != nfs::kV4Compound) return;
  Xdr x(results);
  std::uint32_t status = 0, count = 0;
  if (!x.u32(status) || !x.skipOpaque(kMaxName) || !x.u32(count)) return;
  bool name_with_getfh = false;
  bool main_status_set = false;
  std::uint32_t main_status = 0;
  for (std::uint32_t i = 0; i < count && x.ok(); ++i) {
    std::uint32_t op = 0, st = 0;
    if (!x.u32(op) || !x.u32(st)) break;
    std::string_view v;
    if (op == 28 || op == 6) {  // REMOVE, CREATE: their status is the transaction's
      main_status = st;
      main_status_set = true;
    }
    if (op == 24 && st == 0 && pending.file_name.empty()) pending.file_name = "<mount_root>";
    if (st != 0) {
      // A failed operation ends the compound; LOCK's denial and SETATTR's mask follow it, ignored here.
      break;
    }
    switch (op) {
      case 3: x.skip(8); break;                                           // ACCESS
      case 4: skipStateid(x); break;                                      // CLOSE
      case 5: x.skip(8); break;                                           // COMMIT
      case 6: skipChangeInfo(x); x.skipWords(64); break;                  // CREATE
      case 9: skipFattr4(x); break;                                       // GETATTR
      case 10:                                                            // GETFH
        if (x.opaque(v, kMaxHandleV4) && name_with_getfh) remember(v, pending.file_name);
        break;
      case 11: skipChangeInfo(x); break;                                  // LINK
      case 12: skipStateid(x); break;                                     // LOCK
      case 14: skipStateid(x); break;                                     // LOCKU
      case 18: {                                                          // OPEN
        std::uint32_t type = 0;
        skipStateid(x);
        skipChangeInfo(x);
        x.skip(4);
        x.skipWords(64);
        if (!x.u32(type)) break;
        if (type == 1 || type == 2) {
          skipStateid(x);
          x.skip(4);
          if (type == 2) {
            std::uint32_t limit = 0;
            if (x.u32(limit)) x.skip(8);
          }
          x.skip(12);
          x.skipOpaque(kMaxName);
        }
        name_with_getfh = x.ok();
        break;
      }
      case 20: skipStateid(x); break;                                     // OPEN_CONFIRM
      case 21: skipStateid(x); break;                                     // OPEN_DOWNGRADE
      case 25: {                                                          // READ
        std::uint32_t eof = 0;
        if (x.u32(eof) && x.opaque(v, kMaxData) && !v.empty()) {
          fileChunk(nullptr, xid, 4, nfs::kV4Read, FlowDirection::ToClient, pending.file_handle, pending.file_name, pending.offset, v,
                    eof != 0, reply_stat, st);
        }
        break;
      }
      case 27: x.skipOpaque(kMaxData); break;                             // READLINK
      case 28: skipChangeInfo(x); break;                                  // REMOVE
      case 29: skipChangeInfo(x); skipChangeInfo(x); break;               // RENAME
      case 34: x.skipWords(64); break;                                    // SETATTR
      case 35: x.skip(8 + 8); break;                                      // SETCLIENTID
      case 38: x.skip(4 + 4 + 8); break;                                  // WRITE
      case 53: x.skip(16 + 4 + 4 + 4 + 4 + 4); break;                     // SEQUENCE
      case 7: case 8: case 15: case 16: case 19: case 22: case 23: case 24: case 30: case 31: case 32: case 36: case 39: case 44:
      case 58:
        break;  // nothing but the status
      default:
        i = count;
        break;
    }
  }
  if (main_status_set) markResponse(xid, reply_stat, main_status, {});
}

void NfsState::reply(std::string_view message) {
  Xdr x(message);
  std::uint32_t xid = 0, type = 0, reply_stat = 0;
  if (!x.u32(xid) || !x.u32(type) || !x.u32(reply_stat)) {
    ++errors_;
    return;
  }
  if (reply_stat == 0) {
    std::uint32_t verf_flavor = 0, accept_stat = 0;
    if (!x.u32(verf_flavor) || !x.skipOpaque(400) || !x.u32(accept_stat)) {
      malformed();
      return;
    }
  }
  const auto it = calls_.find(xid);
  if (it == calls_.end()) return;  // its call was not seen (or not the NFS program's)
  PendingCall pending = std::move(it->second);
  calls_.erase(it);
  const std::string_view results = x.rest();
  if (pending.version == 2) replyV2(xid, reply_stat, results, pending);
  else if (pending.version == 3) replyV3(xid, reply_stat, results, pending);
  else replyV4(xid, reply_stat, results, pending);
}

void NfsState::prune() {
  while (!txs_.empty() && txs_.front().logged && txs_.front().inspected) txs_.pop_front();
}

}  // namespace gsoc::sensor

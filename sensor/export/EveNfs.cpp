// EVE nfs and rpc objects, as Suricata 8's nfs logger writes them: the rpc call's xid, reply
// status, auth flavour and (AUTH_UNIX) credentials; the nfs transaction's version (the flow's),
// procedure, file name, the CRC-32 of its file handle (hhash), id, whether it is a file
// transfer, and always as a response with its status; NFSv2/v3 READ and WRITE add their file
// progress, RENAME its names. Also the fileinfo object of a transferred file.

#include <zlib.h>

#include <cstdio>

#include "sensor/app/NfsParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

void EveWriter::nfsObjects(const NfsTransaction& tx, const NfsState& state) {
  out_ << ",\"rpc\":{\"xid\":" << tx.xid << ",\"status\":";
  string(rpcStatusName(tx.rpc_status));
  out_ << ",\"auth_type\":";
  string(rpcAuthTypeName(tx.auth_type));
  if (tx.auth_type == nfs::kAuthUnix) {
    out_ << ",\"creds\":{\"machine_name\":";
    string(tx.machine_name);
    out_ << ",\"uid\":" << tx.uid << ",\"gid\":" << tx.gid << "}";
  }
  const std::uint16_t version = state.version();
  out_ << "},\"nfs\":{\"version\":" << version << ",\"procedure\":";
  // The flow's version names the procedure, as Suricata's (v4: the operation's name).
  string(nfsProcedureName(version, tx.procedure));
  out_ << ",\"filename\":";
  string(tx.file_name);
  if (!tx.file_handle.empty()) {
    const auto crc = crc32(0L, reinterpret_cast<const Bytef*>(tx.file_handle.data()), static_cast<uInt>(tx.file_handle.size()));
    char hex[16];
    std::snprintf(hex, sizeof hex, "%lx", static_cast<unsigned long>(crc));
    out_ << ",\"hhash\":\"" << hex << "\"";
  }
  out_ << ",\"id\":" << tx.id << ",\"file_tx\":" << (tx.is_file_tx ? "true" : "false") << ",\"type\":\"response\",\"status\":";
  string(nfsStatusName(tx.nfs_status));
  const bool read = (version == 2 && tx.procedure == nfs::kV2Read) || (version == 3 && tx.procedure == nfs::kV3Read) ||
                    (version == 4 && tx.procedure == nfs::kV4Read);
  const bool write = (version == 2 && tx.procedure == nfs::kV2Write) || (version == 3 && tx.procedure == nfs::kV3Write) ||
                     (version == 4 && tx.procedure == nfs::kV4Write);
  const bool rename = (version == 2 && tx.procedure == nfs::kV2Rename) || (version == 3 && tx.procedure == nfs::kV3Rename);
  if (read || write) {
    out_ << (read ? ",\"read\":{" : ",\"write\":{") << "\"first\":" << (tx.is_first ? "true" : "false")
         << ",\"last\":" << (tx.is_last ? "true" : "false");
    if (tx.is_file_tx) out_ << ",\"last_xid\":" << tx.file_last_xid << ",\"chunks\":" << tx.chunk_count;
    out_ << "}";
  } else if (rename) {
    out_ << ",\"rename\":{\"from\":";
    string(tx.file_name);
    out_ << ",\"to\":";
    string(tx.rename_to);
    out_ << "}";
  }
  out_ << "}";
}

void EveWriter::nfsFileObject(const NfsTransaction& tx) {
  const NfsFile& f = tx.file;
  out_ << ",\"fileinfo\":{\"filename\":";
  string(tx.file_name);
  out_ << ",\"gaps\":" << (f.gaps ? "true" : "false") << ",\"state\":\"" << (f.closed && !f.gaps ? "CLOSED" : "TRUNCATED") << "\"";
  if (!f.md5.empty()) out_ << ",\"md5\":\"" << f.md5 << "\"";
  if (!f.sha256.empty()) out_ << ",\"sha256\":\"" << f.sha256 << "\"";
  out_ << ",\"stored\":false,\"size\":" << f.size << ",\"tx_id\":" << tx.id - 1 << "}";
}

}  // namespace gsoc::sensor

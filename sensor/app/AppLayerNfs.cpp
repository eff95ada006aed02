// The app layer's NFS: detection on each transaction once made (its procedure and version for
// nfs_procedure and nfs.version; alerts carry its nfs and rpc objects), its record once
// complete (GETATTR of NFSv2 and v3 excepted, as Suricata leaves them out), the fileinfo record
// of a file once closed, and what is left at the flow's end.

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::BufferId;
using signatures::FlowDirection;

namespace {

std::string_view bigEndian(std::uint32_t value, std::array<char, 4>& out) {
  for (std::size_t i = 0; i < 4; ++i) out[i] = static_cast<char>(value >> (24 - 8 * i));
  return {out.data(), out.size()};
}

FlowDirection opposite(FlowDirection dir) { return dir == FlowDirection::ToServer ? FlowDirection::ToClient : FlowDirection::ToServer; }

}  // namespace

void AppLayer::parseNfs(Flow& flow, FlowDirection data_dir, FlowDirection dir, std::int64_t ts, std::optional<std::uint64_t> unacked) {
  auto& nfs = static_cast<NfsState&>(*flow.app_layer.state);
  if (unacked) nfs.pending(data_dir).release(*unacked);
  else nfs.pending(data_dir).release();
  nfs.parse(data_dir);
  afterNfs(flow, nfs, dir, ts, nullptr, false);
}

void AppLayer::afterNfs(Flow& flow, NfsState& nfs, FlowDirection dir, std::int64_t ts, signatures::BufferSet* datagram, bool end) {
  for (NfsTransaction& tx : nfs.transactions()) {
    if (!tx.inspected) {
      tx.inspected = true;
      AppMetadata record{AppMetadata::Kind::Nfs, &flow, tx.created_by, ts};
      record.nfs = &tx;
      record.nfs_state = &nfs;
      record.tx_id = static_cast<std::int64_t>(tx.id - 1);
      signatures::BufferSet& buffers = datagram != nullptr ? *datagram : tx_.buffers;
      if (datagram == nullptr) tx_.buffers.clear();
      buffers.set(BufferId::NfsProcedureNumber, bigEndian(tx.procedure, nfs_procedure_));
      buffers.set(BufferId::NfsVersionNumber, bigEndian(tx.version, nfs_version_));
      if (tx.is_file_tx) buffers.set(BufferId::FileName, tx.file_name);  // a file transfer: the file keywords see it
      if (datagram == nullptr) {
        tx_.meta.facts = {};
        tx_record_ = &record;  // alerts carry the nfs and rpc objects
        emit(flow, tx.created_by);
        tx_record_ = nullptr;
      } else {
        // The datagram's packet match reads the buffers; its alerts carry this transaction.
        datagram_record_ = record;
        has_datagram_record_ = true;
      }
    }
    if (tx.is_file_tx && !tx.file_logged && (tx.file.closed || end)) {
      tx.file_logged = true;
      if (metadata_) {
        // From the side that sent the file, as Suricata's fileinfo records.
        AppMetadata record{AppMetadata::Kind::NfsFile, &flow, tx.file_direction, ts};
        record.nfs = &tx;
        record.nfs_state = &nfs;
        metadata_(record);
      }
    }
    if (!tx.logged && (tx.complete() || end)) logNfs(flow, nfs, tx, dir, ts);
  }
  if (datagram == nullptr) nfs.prune();  // a datagram's record may view its transaction until matched
}

void AppLayer::logNfs(Flow& flow, NfsState& nfs, NfsTransaction& tx, FlowDirection dir, std::int64_t ts) {
  tx.logged = true;
  // Suricata leaves GETATTR out of NFSv2 and v3's records (too many, too little said).
  if (nfs.version() <= 3 && tx.procedure == nfs::kV3Getattr) return;
  if (!metadata_) return;
  AppMetadata record{AppMetadata::Kind::Nfs, &flow, dir, ts};
  record.nfs = &tx;
  record.nfs_state = &nfs;
  metadata_(record);
}

// Over UDP (AppLayer::parseDatagram): each datagram a call or a reply.
bool AppLayer::parseNfsDatagram(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> payload, signatures::BufferSet& buffers,
                                std::int64_t ts) {
  if (flow.app != AppProto::Nfs) {
    const bool nfs_port = flow.server_port == 2049 || flow.client_port == 2049;
    if (flow.app != AppProto::None || !(looksLikeNfsCall(payload, false) || (nfs_port && looksLikeRpcReply(payload, false)))) return false;
    if (protocolMode(AppProto::Nfs) == ProtocolMode::Off) return false;
    flow.app = AppProto::Nfs;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
  }
  if (!flow.app_layer.state) flow.app_layer.state = std::make_unique<NfsState>();
  auto& nfs = static_cast<NfsState&>(*flow.app_layer.state);
  const std::uint64_t errors = nfs.errors();
  // The previous datagram's transactions, inspected and logged, go now: this one's record may
  // view its own until it is matched.
  nfs.prune();
  nfs.datagram(dir, payload);
  counters_.countParseErrors(flow, nfs.errors() - errors);
  afterNfs(flow, nfs, dir, ts, &buffers, false);
  return true;
}

void AppLayer::onNfsPacket(Flow& flow, FlowDirection dir, std::uint64_t unacked) {
  auto& nfs = static_cast<NfsState&>(*flow.app_layer.state);
  nfs.last_packet = dir;
  if (flow.ip_proto != 6 || stream_inline_) return;
  const std::uint64_t errors = nfs.errors();
  parseNfs(flow, opposite(dir), dir, flow.last_ns, unacked);  // what this packet acknowledges
  counters_.countParseErrors(flow, nfs.errors() - errors);
}

void AppLayer::onNfsStream(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts) {
  if (!flow.app_layer.state) flow.app_layer.state = std::make_unique<NfsState>();
  auto& nfs = static_cast<NfsState&>(*flow.app_layer.state);
  const std::size_t side = dir == FlowDirection::ToServer ? 0 : 1;
  if (const std::uint64_t gaps = flow.streams[side].counters().gaps; gaps != nfs.gaps_seen[side]) {
    nfs.gaps_seen[side] = gaps;
    parseNfs(flow, dir, dir, ts, std::nullopt);  // what came before the hole, then resynchronise
    nfs.gap(dir);
  }
  nfs.pending(dir).append(data);
  const std::uint64_t errors = nfs.errors();
  if (parsesOnArrival(flow, dir)) parseNfs(flow, dir, dir, ts, std::nullopt);
  counters_.countParseErrors(flow, nfs.errors() - errors);
}

void AppLayer::endNfs(Flow& flow) {
  auto& nfs = static_cast<NfsState&>(*flow.app_layer.state);
  if (flow.ip_proto == 6) {
    for (const FlowDirection d : {FlowDirection::ToServer, FlowDirection::ToClient}) {
      nfs.pending(d).release();
      nfs.parse(d);
    }
  }
  afterNfs(flow, nfs, nfs.last_packet, flow.last_ns, nullptr, true);
}

}  // namespace gsoc::sensor

// The app layer's FTP data connections (FtpData.hpp): a RETR or STOR on a control channel makes
// the next connection between its hosts to the negotiated port ftp-data. Its one transaction is
// inspected when the connection ends, once each way: the file's buffers (file_data, file.name)
// the way the file went, the command (ftpdata_command) and the name both ways, as Suricata's
// ftp-data transaction is seen from either side; then its record.

#include "sensor/app/AppLayer.hpp"

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::BufferId;
using signatures::FlowDirection;

void AppLayer::expectFtpData(Flow& control) {
  if (!control.app_layer.state) return;
  auto& ftp = static_cast<FtpState&>(*control.app_layer.state);
  while (ftp.takeTransfer(ftp_transfer_)) ftp_data_expected_.expect(control, ftp_transfer_);
}

bool AppLayer::claimFtpData(Flow& flow) {
  if (ftp_data_expected_.empty() || flow.app != AppProto::None || flow.app_layer.state) return false;
  if (!ftp_data_expected_.claim(flow, ftp_transfer_)) return false;
  flow.app = AppProto::FtpData;
  flow.app_layer.identified_by = ftpDataDirection(ftp_transfer_);
  flow.app_layer.detection_done = true;
  flow.app_layer.state = ftp_data_states_.take([] { return std::make_unique<FtpDataState>(); });
  auto& state = static_cast<FtpDataState&>(*flow.app_layer.state);
  state.start(ftp_transfer_);
  if (file_store_) state.limitToDepth(file_store_depth_);
  return true;
}

void AppLayer::finishFtpData(Flow& flow) {
  auto& state = static_cast<FtpDataState&>(*flow.app_layer.state);
  if (state.finished) return;
  state.finished = true;
  // The whole file kept (not past kMaxFileBytes): its hashes, then the store.
  if (!state.truncated() && state.size() > 0 && hashFiles()) file_hasher_.update(state.data()).finishAndRestart(state.md5, state.sha256);
  state.stored = storeFile(state.data(), state.sha256);
  AppMetadata record{AppMetadata::Kind::FtpData, &flow, FlowDirection::ToServer, flow.last_ns};
  record.ftp_data = &state;
  record.tx_id = 0;
  tx_record_ = &record;
  for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    tx_.buffers.clear();
    tx_.buffers.set(BufferId::FtpDataCommandNumber, std::string_view(reinterpret_cast<const char*>(&state.commandByte()), 1));
    tx_.buffers.set(BufferId::FileName, state.transfer().file_name);
    if (dir == state.direction()) {
      tx_.buffers.set(BufferId::FileData, state.data());
      if (!state.md5.empty()) tx_.buffers.set(BufferId::FileMd5, state.md5);
      if (!state.sha256.empty()) tx_.buffers.set(BufferId::FileSha256, state.sha256);
      if (!state.truncated()) tx_.buffers.set(BufferId::FileSizeNumber, fileSizeBuffer(state.size()));
    }
    emit(flow, dir);
  }
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

}  // namespace gsoc::sensor

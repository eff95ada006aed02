// EVE ftp_data objects, as Suricata writes them in its ftp_data records and in the alerts on a
// data connection: the file name the command named and the command (RETR, STOR).

#include "sensor/app/FtpData.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

void EveWriter::ftpDataObject(const FtpDataState& state) {
  out_ << ",\"ftp_data\":{\"filename\":";
  string(state.transfer().file_name);
  out_ << ",\"command\":\"" << (state.transfer().command == FtpTransfer::Command::Stor ? "STOR" : "RETR") << "\"}";
}

void EveWriter::ftpDataFileObject(const FtpDataState& state) {
  // The transfer's file: one per connection, its transaction 0, TRUNCATED past what was kept.
  out_ << ",\"fileinfo\":{\"filename\":";
  string(state.transfer().file_name);
  out_ << ",\"gaps\":false,\"state\":\"" << (state.truncated() ? "TRUNCATED" : "CLOSED") << "\"";
  if (!state.md5.empty()) out_ << ",\"md5\":\"" << state.md5 << "\"";
  if (!state.sha256.empty()) out_ << ",\"sha256\":\"" << state.sha256 << "\"";
  out_ << ",\"stored\":" << (state.stored ? "true" : "false") << ",\"size\":" << state.size() << ",\"tx_id\":0}";
}

}  // namespace gsoc::sensor

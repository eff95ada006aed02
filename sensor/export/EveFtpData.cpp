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

}  // namespace gsoc::sensor

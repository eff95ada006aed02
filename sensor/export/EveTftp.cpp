// EVE tftp objects, as Suricata's tftp logger writes them: the request's packet ("read",
// "write"), file and mode.

#include "sensor/app/TftpParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

void EveWriter::tftpObject(const TftpTransaction& tx) {
  out_ << ",\"tftp\":{\"packet\":\"" << tftpPacketName(tx.opcode) << "\",\"file\":";
  string(tx.file);
  out_ << ",\"mode\":";
  string(tx.mode);
  out_ << "}";
}

}  // namespace gsoc::sensor

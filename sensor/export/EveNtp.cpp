// EVE ntp objects, as Suricata 8's ntp logger writes them: the message's version, mode,
// stratum and reference id (four octets, colon-separated hex).

#include "sensor/app/NtpParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

void EveWriter::ntpObject(const NtpMessage& m) {
  constexpr char kHex[] = "0123456789abcdef";
  out_ << ",\"ntp\":{\"version\":" << unsigned{m.version} << ",\"mode\":" << unsigned{m.mode}
       << ",\"stratum\":" << unsigned{m.stratum} << ",\"reference_id\":\"";
  for (std::size_t i = 0; i < m.reference_id.size(); ++i) {
    if (i != 0) out_ << ':';
    out_ << kHex[m.reference_id[i] >> 4] << kHex[m.reference_id[i] & 15];
  }
  out_ << "\"}";
}

}  // namespace gsoc::sensor

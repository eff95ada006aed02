#include "sensor/app/TftpParser.hpp"

#include <algorithm>
#include <cctype>

namespace gsoc::sensor {

using signatures::FlowDirection;

namespace {

// The NUL-terminated string at the start of `data` into `out`, and what follows it; false when
// no NUL ends it or it is not valid UTF-8 (Suricata's request parser wants a str).
bool cString(std::span<const std::uint8_t>& data, std::string& out) {
  const auto nul = std::find(data.begin(), data.end(), std::uint8_t{0});
  if (nul == data.end()) return false;
  const auto length = static_cast<std::size_t>(nul - data.begin());
  std::size_t i = 0;
  while (i < length) {  // UTF-8: lead octet, then its continuation octets
    const std::uint8_t c = data[i];
    const std::size_t n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 4;
    if (n == 4 || (n != 0 && c < 0xc2) || length - i - 1 < n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((data[i + k] & 0xc0) != 0x80) return false;
    }
    i += n + 1;
  }
  out.assign(reinterpret_cast<const char*>(data.data()), length);
  data = data.subspan(length + 1);
  return true;
}

}  // namespace

std::string_view tftpPacketName(std::uint8_t opcode) {
  switch (opcode) {
    case 1: return "read";
    case 2: return "write";
    default: return "error";
  }
}

bool parseTftpRequest(std::span<const std::uint8_t> data, TftpTransaction& out) {
  if (data.size() < 2 || data[0] != 0) return false;
  out.opcode = data[1];
  data = data.subspan(2);
  if (!cString(data, out.file) || !cString(data, out.mode)) return false;
  std::transform(out.mode.begin(), out.mode.end(), out.mode.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return true;
}

bool looksLikeTftp(std::span<const std::uint8_t> data) { return data.size() >= 4 && data[0] == 0 && data[1] >= 1 && data[1] <= 5; }

void TftpState::datagram(FlowDirection dir, std::span<const std::uint8_t> payload, const TransactionSink& sink) {
  if (dir != FlowDirection::ToServer) return;  // Suricata parses the client's side only
  if (!parseTftpRequest(payload, tx_)) {
    ++errors_;
    return;
  }
  tx_.tx_id = next_tx_id_++;
  sink(tx_);
}

void TftpState::reset() {
  tx_.opcode = 0;
  tx_.file.clear();
  tx_.mode.clear();
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

}  // namespace gsoc::sensor

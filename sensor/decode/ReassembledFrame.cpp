#include "sensor/decode/ReassembledFrame.hpp"

namespace gsoc::sensor {

std::span<const std::uint8_t> ReassembledFrame::build(const DecodedPacket& fragment, std::span<const std::uint8_t> payload) {
  const std::span<const std::uint8_t> frame = fragment.frame;
  const std::span<const std::uint8_t> ip = fragment.ip_header;
  if (ip.empty() || ip.data() < frame.data() || ip.data() + ip.size() > frame.data() + frame.size()) return {};
  const auto link = static_cast<std::size_t>(ip.data() - frame.data());
  bytes_.assign(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(link + ip.size()));
  bytes_.insert(bytes_.end(), payload.begin(), payload.end());
  std::uint8_t* h = bytes_.data() + link;
  if (fragment.ip_version == 4 && ip.size() >= 20) {
    const std::size_t total = ip.size() + payload.size();
    h[2] = static_cast<std::uint8_t>(total >> 8);
    h[3] = static_cast<std::uint8_t>(total);
    h[6] &= 0x40;  // keep DF; no more fragments, offset 0
    h[7] = 0;
    h[10] = h[11] = 0;
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i + 1 < ip.size(); i += 2) sum += static_cast<std::uint32_t>(h[i] << 8 | h[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    const auto checksum = static_cast<std::uint16_t>(~sum);
    h[10] = static_cast<std::uint8_t>(checksum >> 8);
    h[11] = static_cast<std::uint8_t>(checksum);
  } else if (fragment.ip_version == 6 && ip.size() >= 40) {
    const std::size_t length = ip.size() - 40 + payload.size();
    h[4] = static_cast<std::uint8_t>(length >> 8);
    h[5] = static_cast<std::uint8_t>(length);
    if (fragment.fragment_next_header_at < ip.size()) h[fragment.fragment_next_header_at] = fragment.ip_proto;
  } else {
    return {};
  }
  return bytes_;
}

}  // namespace gsoc::sensor

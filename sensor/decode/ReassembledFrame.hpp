#pragma once
// The frame of a reassembled IP datagram, as Suricata rebuilds it for output (EVE alert
// `packet`): the link-layer bytes of the fragment that completed it, its IP header made whole
// (IPv4: total length, fragment field and checksum; IPv6: the fragment header taken out and its
// next header moved into the header before it, the payload length), then the datagram's payload.
// The buffer is reused from datagram to datagram.

#include <cstdint>
#include <span>
#include <vector>

#include "sensor/decode/DecodedPacket.hpp"

namespace gsoc::sensor {

class ReassembledFrame {
 public:
  // `fragment`: the fragment as decoded (frame, ip_header, fragment_next_header_at, ip_proto);
  // `payload`: the reassembled transport payload. Empty when the fragment's IP header does not
  // lie in its frame (nothing to rebuild from). Valid until the next call.
  std::span<const std::uint8_t> build(const DecodedPacket& fragment, std::span<const std::uint8_t> payload);

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace gsoc::sensor

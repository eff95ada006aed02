#pragma once
// Writes classic pcap files (microsecond or nanosecond timestamps). Used by the traffic
// generator and by tests that build their own captures.

#include <cstdint>
#include <fstream>
#include <span>
#include <string>

#include "sensor/capture/RawPacket.hpp"

namespace gsoc::sensor {

class PcapWriter {
 public:
  // Throws std::runtime_error when the file cannot be created.
  explicit PcapWriter(const std::string& path, LinkType link_type = LinkType::Ethernet, bool nanosecond = true);
  void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame);
  void flush() { out_.flush(); }

 private:
  std::ofstream out_;
  bool nanosecond_;
};

}  // namespace gsoc::sensor

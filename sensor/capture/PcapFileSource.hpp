#pragma once
// Reads a pcap (or pcapng) file with libpcap, as fast as possible. A truncated or corrupt file
// ends the input early with the error counted and described, never a crash.

#include <memory>
#include <string>

#include "sensor/capture/PacketSource.hpp"

struct pcap;

namespace gsoc::sensor {

class PcapFileSource final : public PacketSource {
 public:
  // Throws std::runtime_error naming the file when it cannot be opened or is not a capture.
  explicit PcapFileSource(const std::string& path);
  ~PcapFileSource() override;
  PcapFileSource(const PcapFileSource&) = delete;
  PcapFileSource& operator=(const PcapFileSource&) = delete;

  bool next(RawPacket& packet) override;
  [[nodiscard]] CaptureCounters counters() const override { return counters_; }
  [[nodiscard]] std::string describe() const override { return "pcap file " + path_; }
  [[nodiscard]] std::string lastError() const override { return error_; }

 private:
  std::string path_;
  pcap* handle_ = nullptr;
  LinkType link_type_ = LinkType::Ethernet;
  bool nanosecond_ = false;
  CaptureCounters counters_;
  std::string error_;
};

}  // namespace gsoc::sensor

#pragma once
// Captures from a live interface through libpcap (promiscuous, immediate mode, large kernel
// buffer, optional BPF filter). next() waits for packets while `keep_running` says so, so a
// signal can stop the capture within one read timeout. Kernel and interface drops come from
// pcap_stats.

#include <functional>
#include <string>

#include "sensor/capture/PacketSource.hpp"

struct pcap;

namespace gsoc::sensor {

class LivePcapSource final : public PacketSource {
 public:
  // Throws std::runtime_error naming the interface (no such device, no permission, bad filter).
  LivePcapSource(const std::string& interface, const std::string& bpf, std::function<bool()> keep_running);
  ~LivePcapSource() override;
  LivePcapSource(const LivePcapSource&) = delete;
  LivePcapSource& operator=(const LivePcapSource&) = delete;

  bool next(RawPacket& packet) override;
  [[nodiscard]] CaptureCounters counters() const override;
  [[nodiscard]] std::string describe() const override { return "interface " + interface_; }
  [[nodiscard]] std::string lastError() const override { return error_; }

 private:
  std::string interface_;
  pcap* handle_ = nullptr;
  LinkType link_type_ = LinkType::Ethernet;
  std::function<bool()> keep_running_;
  CaptureCounters counters_;
  std::string error_;
};

}  // namespace gsoc::sensor

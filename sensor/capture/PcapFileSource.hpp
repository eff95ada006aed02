#pragma once
// Reads a pcap (or pcapng) file, as fast as possible. A classic pcap file is mapped into memory
// and its records are handed out in place: no read call and no copy per packet (libpcap's
// reader makes two stdio reads and a copy for each, a tenth of the sensor's time on a realistic
// capture, issue 17). pcapng and anything else go to libpcap, which also names what is wrong
// with a file that is not a capture. A truncated or corrupt file ends the input early with the
// error counted and described, never a crash.

#include <cstddef>
#include <cstdint>
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

  // A packet's bytes stay valid until the source is destroyed (mapped file; pages read long ago
  // leave the resident set and come back from the file if read again) or until the next call
  // (libpcap).
  bool next(RawPacket& packet) override;
  [[nodiscard]] CaptureCounters counters() const override { return counters_; }
  [[nodiscard]] std::string describe() const override { return "pcap file " + path_; }
  [[nodiscard]] std::string lastError() const override { return error_; }

 private:
  // The classic format's file header, when the file is one; false leaves the file to libpcap.
  bool mapClassicPcap();
  bool nextMapped(RawPacket& packet);
  bool nextLibpcap(RawPacket& packet);
  // Gives back the pages of the mapped file read well before offset_ (see nextMapped).
  void releaseReadPages();
  void fail(std::string what);

  struct Unmap {
    std::size_t size;
    void operator()(const std::uint8_t* p) const;
  };
  std::string path_;
  std::unique_ptr<const std::uint8_t, Unmap> map_{nullptr, Unmap{0}};
  std::size_t size_ = 0;
  std::size_t offset_ = 0;
  std::size_t released_ = 0;  // the mapped file's pages below this offset were given back
  bool swapped_ = false;  // written on a host of the other byte order
  pcap* handle_ = nullptr;
  LinkType link_type_ = LinkType::Ethernet;
  bool nanosecond_ = false;
  CaptureCounters counters_;
  std::string error_;
};

}  // namespace gsoc::sensor

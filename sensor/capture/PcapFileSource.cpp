#include "sensor/capture/PcapFileSource.hpp"

#include <pcap/pcap.h>

#include <stdexcept>

namespace gsoc::sensor {

PcapFileSource::PcapFileSource(const std::string& path) : path_(path) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  handle_ = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle_ == nullptr) throw std::runtime_error(path + ": " + errbuf);
  nanosecond_ = pcap_get_tstamp_precision(handle_) == PCAP_TSTAMP_PRECISION_NANO;
  // pcap_datalink() gives the DLT, which for raw IP is 12 (or 14) on the host, not the file's
  // LINKTYPE_RAW (101) that LinkType names.
  const int dlt = pcap_datalink(handle_);
  link_type_ = dlt == DLT_RAW ? LinkType::Raw : static_cast<LinkType>(dlt);
}

PcapFileSource::~PcapFileSource() {
  if (handle_ != nullptr) pcap_close(handle_);
}

bool PcapFileSource::next(RawPacket& packet) {
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_, &header, &data);
  if (rc == 1) {
    const std::int64_t fraction = nanosecond_ ? header->ts.tv_usec : std::int64_t{header->ts.tv_usec} * 1000;
    packet.timestamp_ns = std::int64_t{header->ts.tv_sec} * 1'000'000'000 + fraction;
    packet.data = {data, header->caplen};
    packet.wire_length = header->len;
    packet.link_type = link_type_;
    ++counters_.packets;
    packet.capture_index = counters_.packets;
    counters_.bytes += header->len;
    return true;
  }
  if (rc == PCAP_ERROR) {  // truncated or corrupt record
    ++counters_.errors;
    error_ = path_ + ": " + pcap_geterr(handle_);
  }
  return false;
}

}  // namespace gsoc::sensor

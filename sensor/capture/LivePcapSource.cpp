#include "sensor/capture/LivePcapSource.hpp"

#include <pcap/pcap.h>
#include <poll.h>

#include <stdexcept>

namespace gsoc::sensor {

LivePcapSource::LivePcapSource(const std::string& interface, const std::string& bpf, std::function<bool()> keep_running)
    : interface_(interface), keep_running_(std::move(keep_running)) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  handle_ = pcap_create(interface.c_str(), errbuf);
  if (handle_ == nullptr) throw std::runtime_error("interface " + interface + ": " + errbuf);
  pcap_set_snaplen(handle_, 262144);
  pcap_set_promisc(handle_, 1);
  pcap_set_timeout(handle_, 100);
  pcap_set_immediate_mode(handle_, 1);
  pcap_set_buffer_size(handle_, 64 << 20);
  pcap_set_tstamp_precision(handle_, PCAP_TSTAMP_PRECISION_NANO);
  const int rc = pcap_activate(handle_);
  if (rc < 0) {
    const std::string why = pcap_geterr(handle_);
    pcap_close(handle_);
    handle_ = nullptr;
    throw std::runtime_error("interface " + interface + ": " + why);
  }
  if (!bpf.empty()) {
    bpf_program program{};
    if (pcap_compile(handle_, &program, bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 || pcap_setfilter(handle_, &program) != 0) {
      const std::string why = pcap_geterr(handle_);
      pcap_freecode(&program);
      pcap_close(handle_);
      handle_ = nullptr;
      throw std::runtime_error("capture filter '" + bpf + "': " + why);
    }
    pcap_freecode(&program);
  }
  // Non-blocking reads plus our own poll: libpcap's read timeout does not bound a blocking
  // read on Linux (TPACKET_V3), and a stop signal must be seen within one timeout.
  if (pcap_setnonblock(handle_, 1, errbuf) != 0) throw std::runtime_error("interface " + interface + ": " + errbuf);
  // pcap_datalink() gives the DLT, which for raw IP is 12 (or 14) on the host, not the file's
  // LINKTYPE_RAW (101) that LinkType names.
  const int dlt = pcap_datalink(handle_);
  link_type_ = dlt == DLT_RAW ? LinkType::Raw : static_cast<LinkType>(dlt);
}

LivePcapSource::~LivePcapSource() {
  if (handle_ != nullptr) pcap_close(handle_);
}

bool LivePcapSource::next(RawPacket& packet) {
  const bool nano = pcap_get_tstamp_precision(handle_) == PCAP_TSTAMP_PRECISION_NANO;
  while (keep_running_()) {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(handle_, &header, &data);
    if (rc == 0) {  // nothing yet: wait up to 100 ms, then look at keep_running again
      idle();
      pollfd fd{pcap_get_selectable_fd(handle_), POLLIN, 0};
      ::poll(&fd, 1, 100);
      continue;
    }
    if (rc < 0) {
      ++counters_.errors;
      error_ = interface_ + ": " + pcap_geterr(handle_);
      return false;
    }
    packet.timestamp_ns = std::int64_t{header->ts.tv_sec} * 1'000'000'000 + (nano ? header->ts.tv_usec : std::int64_t{header->ts.tv_usec} * 1000);
    packet.data = {data, header->caplen};
    packet.wire_length = header->len;
    packet.link_type = link_type_;
    ++counters_.packets;
    packet.capture_index = counters_.packets;
    counters_.bytes += header->len;
    return true;
  }
  return false;
}

CaptureCounters LivePcapSource::counters() const {
  CaptureCounters c = counters_;
  pcap_stat stats{};
  if (pcap_stats(handle_, &stats) == 0) {
    c.dropped_by_capture = stats.ps_drop;
    c.dropped_by_interface = stats.ps_ifdrop;
  }
  return c;
}

}  // namespace gsoc::sensor

#include "sensor/capture/PcapFileSource.hpp"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace gsoc::sensor {
namespace {

constexpr std::size_t kFileHeader = 24;
constexpr std::size_t kRecordHeader = 16;
// libpcap's own bound on a record (MAXIMUM_SNAPLEN): a larger length means a corrupt file.
constexpr std::uint32_t kMaxRecord = 262144;
// Mapped pages are given back in steps of this many bytes read, the last half step kept.
constexpr std::size_t kReleaseStep = std::size_t{16} << 20;
constexpr std::uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr std::uint32_t kMagicNano = 0xa1b23c4d;

std::uint32_t load32(const std::uint8_t* p, bool swapped) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap32(v) : v;
}

}  // namespace

void PcapFileSource::Unmap::operator()(const std::uint8_t* p) const {
  if (p != nullptr) ::munmap(const_cast<std::uint8_t*>(p), size);
}

PcapFileSource::PcapFileSource(const std::string& path) : path_(path) {
  if (mapClassicPcap()) return;
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

bool PcapFileSource::mapClassicPcap() {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;  // libpcap says why
  struct stat st {};
  const bool regular = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) >= kFileHeader;
  void* mapped = regular ? ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
  ::close(fd);  // the mapping keeps the file
  if (mapped == MAP_FAILED) return false;
  const std::size_t size = static_cast<std::size_t>(st.st_size);
  std::unique_ptr<const std::uint8_t, Unmap> map(static_cast<const std::uint8_t*>(mapped), Unmap{size});
  const std::uint32_t magic = load32(map.get(), false);
  const std::uint32_t swapped_magic = __builtin_bswap32(magic);
  if (magic != kMagicMicro && magic != kMagicNano && swapped_magic != kMagicMicro && swapped_magic != kMagicNano) return false;
  ::madvise(mapped, size, MADV_SEQUENTIAL);
  swapped_ = swapped_magic == kMagicMicro || swapped_magic == kMagicNano;
  nanosecond_ = (swapped_ ? swapped_magic : magic) == kMagicNano;
  // The link type's low 16 bits; the upper ones may carry FCS information.
  link_type_ = static_cast<LinkType>(load32(map.get() + 20, swapped_) & 0xffff);
  map_ = std::move(map);
  size_ = size;
  offset_ = kFileHeader;
  return true;
}

bool PcapFileSource::next(RawPacket& packet) {
  return map_ ? nextMapped(packet) : nextLibpcap(packet);
}

bool PcapFileSource::nextMapped(RawPacket& packet) {
  const std::size_t left = size_ - offset_;
  if (left == 0) return false;
  if (left < kRecordHeader) {
    fail("truncated dump file; tried to read 16 header bytes, only got " + std::to_string(left));
    return false;
  }
  const std::uint8_t* h = map_.get() + offset_;
  const std::uint32_t seconds = load32(h, swapped_);
  const std::uint32_t fraction = load32(h + 4, swapped_);
  const std::uint32_t caplen = load32(h + 8, swapped_);
  const std::uint32_t len = load32(h + 12, swapped_);
  if (caplen > kMaxRecord) {
    fail("invalid packet capture length " + std::to_string(caplen) + ", bigger than maximum of " + std::to_string(kMaxRecord));
    return false;
  }
  if (caplen > left - kRecordHeader) {
    fail("truncated dump file; tried to read " + std::to_string(caplen) + " captured bytes, only got " +
         std::to_string(left - kRecordHeader));
    return false;
  }
  packet.timestamp_ns = std::int64_t{seconds} * 1'000'000'000 + (nanosecond_ ? std::int64_t{fraction} : std::int64_t{fraction} * 1000);
  packet.data = {h + kRecordHeader, caplen};
  packet.wire_length = len;
  packet.link_type = link_type_;
  ++counters_.packets;
  packet.capture_index = counters_.packets;
  counters_.bytes += len;
  offset_ += kRecordHeader + caplen;
  if (offset_ - released_ >= kReleaseStep) releaseReadPages();
  return true;
}

void PcapFileSource::releaseReadPages() {
  // Pages read long ago leave the process's resident set: replaying a large capture should not
  // hold the whole file resident (nor count it in memory measurements). The mapping is private
  // and never written, so a page read again later (a view some stage kept) comes back from the
  // file unchanged.
  static const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t keep_from = offset_ > kReleaseStep / 2 ? offset_ - kReleaseStep / 2 : 0;
  const std::size_t upto = keep_from / page * page;
  if (upto <= released_) return;
  // Advice only: where it fails the pages stay resident, which costs memory and nothing else.
  if (::madvise(const_cast<std::uint8_t*>(map_.get()) + released_, upto - released_, MADV_DONTNEED) == 0) released_ = upto;
  else released_ = offset_;  // no retry on every packet
}

bool PcapFileSource::nextLibpcap(RawPacket& packet) {
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
  if (rc == PCAP_ERROR) fail(pcap_geterr(handle_));  // truncated or corrupt record
  return false;
}

void PcapFileSource::fail(std::string what) {
  ++counters_.errors;
  error_ = path_ + ": " + what;
  offset_ = size_;  // the mapped file ends here
}

}  // namespace gsoc::sensor

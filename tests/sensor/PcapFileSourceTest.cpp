// The mapped pcap reader over a capture larger than its page-release step: every record comes
// out whole and in order, and the bytes of a packet read long before (whose pages were given
// back) are still the file's.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sensor/capture/PcapFileSource.hpp"

namespace gsoc::sensor {
namespace {

void put32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

// `count` records of `size` bytes each, record i filled with the byte i % 251 after its index.
std::string writeCapture(std::size_t count, std::size_t size) {
  const std::string path = (std::filesystem::temp_directory_path() / ("gsoc-pcap-" + std::to_string(::getpid()) + ".pcap")).string();
  std::ofstream out(path, std::ios::binary);
  std::string header;
  put32(header, 0xa1b2c3d4);
  header += std::string("\x02\x00\x04\x00", 4);
  put32(header, 0);
  put32(header, 0);
  put32(header, 65535);
  put32(header, 1);
  out << header;
  std::string record;
  for (std::size_t i = 0; i < count; ++i) {
    record.clear();
    put32(record, static_cast<std::uint32_t>(1700000000 + i));
    put32(record, 0);
    put32(record, static_cast<std::uint32_t>(size));
    put32(record, static_cast<std::uint32_t>(size));
    put32(record, static_cast<std::uint32_t>(i));
    record.append(size - 4, static_cast<char>(i % 251));
    out << record;
  }
  return path;
}

std::uint32_t indexOf(const RawPacket& p) {
  std::uint32_t v = 0;
  std::memcpy(&v, p.data.data(), 4);
  return v;
}

TEST(PcapFileSource, LargeCaptureReadWholeWhilePagesAreGivenBack) {
  constexpr std::size_t kCount = 30000;  // about 45 MB: pages released twice over
  constexpr std::size_t kSize = 1500;
  const std::string path = writeCapture(kCount, kSize);
  {
    PcapFileSource source(path);
    RawPacket p;
    std::vector<std::uint8_t> first_seen;
    const std::uint8_t* first = nullptr;
    std::size_t n = 0;
    while (source.next(p)) {
      ASSERT_EQ(p.data.size(), kSize);
      ASSERT_EQ(indexOf(p), n);
      ASSERT_EQ(p.data[kSize - 1], static_cast<std::uint8_t>(n % 251));
      if (n == 0) {
        first = p.data.data();
        first_seen.assign(p.data.begin(), p.data.end());
      }
      ++n;
    }
    EXPECT_EQ(n, kCount);
    EXPECT_TRUE(source.lastError().empty());
    // The first packet's pages went back long ago: reading them again gives the file's bytes.
    EXPECT_TRUE(std::equal(first_seen.begin(), first_seen.end(), first));
  }
  std::remove(path.c_str());
}

}  // namespace
}  // namespace gsoc::sensor

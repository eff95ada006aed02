#include "sensor/capture/PcapWriter.hpp"

#include <stdexcept>

namespace gsoc::sensor {
namespace {
void put32(std::ofstream& out, std::uint32_t v) { out.write(reinterpret_cast<const char*>(&v), 4); }
void put16(std::ofstream& out, std::uint16_t v) { out.write(reinterpret_cast<const char*>(&v), 2); }
}  // namespace

PcapWriter::PcapWriter(const std::string& path, LinkType link_type, bool nanosecond)
    : out_(path, std::ios::binary | std::ios::trunc), nanosecond_(nanosecond) {
  if (!out_) throw std::runtime_error(path + ": cannot create pcap file");
  put32(out_, nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);  // host byte order magic
  put16(out_, 2);
  put16(out_, 4);
  put32(out_, 0);
  put32(out_, 0);
  put32(out_, 262144);
  put32(out_, static_cast<std::uint32_t>(link_type));
}

void PcapWriter::write(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame) {
  const auto seconds = static_cast<std::uint32_t>(timestamp_ns / 1'000'000'000);
  const std::int64_t fraction = timestamp_ns % 1'000'000'000;
  put32(out_, seconds);
  put32(out_, static_cast<std::uint32_t>(nanosecond_ ? fraction : fraction / 1000));
  put32(out_, static_cast<std::uint32_t>(frame.size()));
  put32(out_, static_cast<std::uint32_t>(frame.size()));
  out_.write(reinterpret_cast<const char*>(frame.data()), static_cast<std::streamsize>(frame.size()));
}

}  // namespace gsoc::sensor

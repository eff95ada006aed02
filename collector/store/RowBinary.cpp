#include "collector/store/RowBinary.hpp"

namespace gsoc::collector {

RowBinaryWriter& RowBinaryWriter::varint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
  return *this;
}

std::optional<std::uint64_t> RowBinaryReader::u64() {
  if (data_.size() - pos_ < 8) return std::nullopt;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
  pos_ += 8;
  return v;
}

std::optional<std::uint64_t> RowBinaryReader::varint() {
  std::uint64_t v = 0;
  for (std::size_t i = pos_, shift = 0; i < data_.size() && shift < 64; ++i, shift += 7) {
    const auto byte = static_cast<unsigned char>(data_[i]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      pos_ = i + 1;
      return v;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> RowBinaryReader::str() {
  const std::size_t start = pos_;
  const auto n = varint();
  if (!n || data_.size() - pos_ < *n) {
    pos_ = start;
    return std::nullopt;
  }
  const std::string_view v = data_.substr(pos_, *n);
  pos_ += *n;
  return v;
}

}  // namespace gsoc::collector

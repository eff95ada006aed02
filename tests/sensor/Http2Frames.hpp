#pragma once
// Builds HTTP/2 frames and HPACK header blocks byte by byte for the sensor's tests.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace gsoc::sensor::test {

// One frame; `declared_length` (default: the payload's) lets a test send a length that lies.
inline std::string h2Frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream, std::string_view payload,
                           std::optional<std::uint32_t> declared_length = std::nullopt) {
  const std::uint32_t length = declared_length.value_or(static_cast<std::uint32_t>(payload.size()));
  std::string f;
  f.push_back(static_cast<char>(length >> 16));
  f.push_back(static_cast<char>(length >> 8));
  f.push_back(static_cast<char>(length));
  f.push_back(static_cast<char>(type));
  f.push_back(static_cast<char>(flags));
  for (const int shift : {24, 16, 8, 0}) f.push_back(static_cast<char>(stream >> shift));
  return f + std::string(payload);
}

// A header block of literal fields without indexing and without Huffman (names and values under
// 128 bytes).
inline std::string h2Headers(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
  std::string block;
  for (const auto& [name, value] : fields) {
    block.push_back('\0');
    block.push_back(static_cast<char>(name.size()));
    block += name;
    block.push_back(static_cast<char>(value.size()));
    block += value;
  }
  return block;
}

}  // namespace gsoc::sensor::test

#pragma once
// What the frames of one direction of an HTTP/2 transaction said, beyond its headers and body:
// the frame types seen, RST_STREAM and GOAWAY error codes, priority weights, WINDOW_UPDATE
// increments, HPACK dynamic table size updates and SETTINGS. A transaction is a stream, or one
// frame of stream 0 (the connection's), as Suricata counts them. Each list holds its values as
// the big-endian numbers the http2.* integer keywords test (Buffer.hpp's Http2*Number), so the
// buffers are views of these strings; capacity is kept from one transaction to the next.

#include <cstdint>
#include <string>
#include <string_view>

namespace gsoc::sensor {

struct Http2Frames {
  static constexpr std::size_t kMaxValues = 64;  // per list: a stream may send any number of frames

  std::string types;         // 1 byte each, each type once
  std::string error_codes;   // 4 bytes each
  std::string priorities;    // 1 byte each
  std::string windows;       // 4 bytes each
  std::string size_updates;  // 4 bytes each
  std::string settings;      // 6 bytes each: the id (2 bytes), the value (4)

  void addType(std::uint8_t type) {
    if (types.find(static_cast<char>(type)) == std::string::npos) types.push_back(static_cast<char>(type));
  }
  static void add(std::string& list, std::uint64_t value, std::size_t bytes) {
    if (list.size() >= kMaxValues * bytes) return;
    for (std::size_t i = bytes; i-- > 0;) list.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  [[nodiscard]] bool empty() const {
    return types.empty() && error_codes.empty() && priorities.empty() && windows.empty() && size_updates.empty() &&
           settings.empty();
  }
  void clear() {
    for (std::string* s : {&types, &error_codes, &priorities, &windows, &size_updates, &settings}) s->clear();
  }
};

// "SETTINGSMAXCONCURRENTSTREAMS", "INTERNALERROR": the names Suricata's EVE gives; empty for a
// number without one.
std::string_view http2SettingName(std::uint16_t id);
std::string_view http2ErrorName(std::uint32_t code);

}  // namespace gsoc::sensor

#pragma once
// What is known of the file an HTTP message carries (HttpFile.hpp finds it): its name, size,
// completeness and hashes, for the file.* buffers and EVE's fileinfo record.

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

namespace gsoc::sensor {

struct HttpFile {
  std::string name;
  std::uint64_t size = 0;  // bytes of the body (decoded), or as many as arrived when truncated
  // The body did not arrive whole (the connection ended inside it) or went past the inspection
  // cap: Suricata's state TRUNCATED, and no hashes (they would be of a part).
  bool truncated = false;
  bool gaps = false;  // bytes of it were lost (TCP gaps); its size counts them
  std::string md5, sha256;  // lower-case hex, of the decoded body
  std::uint64_t tx_id = 0;
  bool stored = false;  // written to the file store (FileStore.hpp)
  // Where the file's bytes are in the message's (decoded) body: all of it, or the part of a
  // multipart/form-data upload. Offsets, not a view: the message may be copied (AckedParsing).
  std::size_t content_offset = 0;
  std::size_t content_length = static_cast<std::size_t>(-1);
  [[nodiscard]] std::string_view contentIn(std::string_view body) const {
    return body.substr(std::min(content_offset, body.size()), content_length);
  }
};

}  // namespace gsoc::sensor

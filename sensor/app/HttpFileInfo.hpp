#pragma once
// What is known of the file an HTTP message carries (HttpFile.hpp finds it): its name, size,
// completeness and hashes, for the file.* buffers and EVE's fileinfo record.

#include <cstdint>
#include <string>

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
};

}  // namespace gsoc::sensor

#pragma once
// The file an HTTP message carries, as Suricata sees HTTP files: every response body, and the
// body of a PUT request. Named by the Content-Disposition header's filename when there is one,
// else by the request's URI path (without its query). It fills the file.* buffers and EVE's
// fileinfo record.

#include <cstdint>
#include <string>
#include <string_view>

#include "sensor/app/FileHasher.hpp"
#include "sensor/app/HttpParser.hpp"

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
};

// The filename parameter of a Content-Disposition value (quoted or not); empty when none.
std::string_view contentDispositionFilename(std::string_view value);

// Fills `out` with the file `message` carries; false when it carries none (a request other than
// PUT, or no body). `request`: the request a response answers, for its URI (none: unknown).
// `hasher` is the worker's, reused; null: the file is not hashed (nothing needs its hashes).
bool httpFileOf(const HttpMessage& message, const HttpMessage* request, FileHasher* hasher, HttpFile& out);

}  // namespace gsoc::sensor

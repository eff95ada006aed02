#pragma once
// The file an HTTP message carries, as Suricata sees HTTP files: every response body, the body
// of a PUT request, and the upload in a multipart/form-data request (the first part with a
// filename; gsoc keeps one file per message). Named by the Content-Disposition header's filename
// when there is one, else by the request's URI path (without its query). It fills the file.*
// buffers and EVE's fileinfo record.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sensor/app/FileHasher.hpp"
#include "sensor/app/HttpFileInfo.hpp"
#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {

// The filename parameter of a Content-Disposition value (quoted or not); empty when none.
std::string_view contentDispositionFilename(std::string_view value);

// The first file part of a multipart body (RFC 7578): its filename, its bytes and whether its
// closing delimiter came (else the body ended inside it). None: no part names a file.
struct MultipartFile {
  std::string_view name;
  std::size_t offset = 0;
  std::size_t length = 0;
  bool complete = false;
};
std::optional<MultipartFile> firstMultipartFile(std::string_view content_type, std::string_view body);

// Fills `out` with the file `message` carries; false when it carries none (a request other than
// PUT or a multipart upload, or no body). `request`: the request a response answers, for its URI (none: unknown).
// `hasher` is the worker's, reused; null: the file is not hashed (nothing needs its hashes).
bool httpFileOf(const HttpMessage& message, const HttpMessage* request, FileHasher* hasher, HttpFile& out);

}  // namespace gsoc::sensor

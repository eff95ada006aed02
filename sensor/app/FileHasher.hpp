#pragma once
// The hashes of an extracted file (an HTTP body, a mail attachment), fed a piece at a time:
// MD5 and SHA-256, the two that file indicator lists and Suricata's filemd5/filesha256 use.
// One per worker, restarted after each file, so hashing allocates nothing once warm.

#include <string>
#include <string_view>

#include "gsoc/signatures/Digest.hpp"

namespace gsoc::sensor {

class FileHasher {
 public:
  FileHasher& update(std::string_view data);
  // Writes both digests in lower-case hex (capacity kept) and starts the next file.
  void finishAndRestart(std::string& md5, std::string& sha256);

 private:
  signatures::Digest md5_{signatures::Digest::Algorithm::Md5};
  signatures::Digest sha256_{signatures::Digest::Algorithm::Sha256};
};

}  // namespace gsoc::sensor

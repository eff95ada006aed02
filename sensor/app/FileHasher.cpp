#include "sensor/app/FileHasher.hpp"

namespace gsoc::sensor {

FileHasher& FileHasher::update(std::string_view data) {
  md5_.update(data);
  sha256_.update(data);
  return *this;
}

void FileHasher::finishAndRestart(std::string& md5, std::string& sha256) {
  md5_.hexDigestAndRestart(md5);
  sha256_.hexDigestAndRestart(sha256);
}

}  // namespace gsoc::sensor

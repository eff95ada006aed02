#include "sensor/export/EveFile.hpp"

#include <stdexcept>

namespace gsoc::sensor {

namespace {
constexpr std::size_t kBufferSize = 1 << 20;
}

EveFile::EveFile(std::string path, OpenMode mode) : path_(std::move(path)), buffer_(std::make_unique<char[]>(kBufferSize)) {
  out_.rdbuf()->pubsetbuf(buffer_.get(), kBufferSize);  // before open, as the standard library needs
  out_.open(path_, mode == OpenMode::append ? std::ios::app : std::ios::trunc);
  if (!out_) throw std::runtime_error(path_ + ": cannot create EVE output");
}

void EveFile::write(std::string_view lines) {
  std::lock_guard lock(mutex_);
  out_.write(lines.data(), static_cast<std::streamsize>(lines.size()));
}

void EveFile::reopen() {
  std::lock_guard lock(mutex_);
  out_.close();
  out_.clear();
  out_.open(path_, std::ios::app);
  if (!out_) throw std::runtime_error(path_ + ": cannot reopen EVE output");
}

void EveFile::flush() {
  std::lock_guard lock(mutex_);
  out_.flush();
}

}  // namespace gsoc::sensor

#pragma once
// A SQLite file under the temporary directory for one test: named by the process, so test
// binaries running side by side (ctest -j) do not meet, and removed with its WAL and
// shared-memory files when the test starts (a crashed run's leftovers) and when it ends.

#include <unistd.h>

#include <filesystem>
#include <string>

namespace gsoc::collector {

class TempSqliteFile {
 public:
  explicit TempSqliteFile(const std::string& stem)
      : path_((std::filesystem::temp_directory_path() / (stem + "-" + std::to_string(::getpid()) + ".db")).string()) {
    remove();
  }
  ~TempSqliteFile() { remove(); }
  TempSqliteFile(const TempSqliteFile&) = delete;
  TempSqliteFile& operator=(const TempSqliteFile&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  void remove() const {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

}  // namespace gsoc::collector

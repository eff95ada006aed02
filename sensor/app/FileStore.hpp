#pragma once
// Suricata's file-store (version 2): extracted files written whole under one folder, each named
// by the SHA-256 of its content in a folder named by the hash's first two hex digits
// (DIR/ab/ab12...). A file is written under a temporary name in DIR/tmp first and renamed into
// place, so a reader never sees half a file and the same content is kept once. One per worker:
// the temporary names carry the process's and the store's own numbers.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/CounterTable.hpp"

namespace gsoc::sensor {

struct FileStoreCounters {
  std::uint64_t stored = 0;  // files written (or already there: same content, same name)
  std::uint64_t failed = 0;  // files that could not be written (the folder, the disk)

  static constexpr auto counterFields() {
    using F = gsoc::CounterField<FileStoreCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"stored", &FileStoreCounters::stored, kCounter, "Files written (or already there)."},
        F{"failed", &FileStoreCounters::failed, kCounter, "Files that could not be written."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<FileStoreCounters>());

class FileStore {
 public:
  explicit FileStore(std::filesystem::path dir);

  // Writes `content`, whose SHA-256 is `sha256_hex` (lower-case hex, 64 digits). True when the
  // file is on disk; false (counted) when it could not be written or the hash is not one.
  bool store(std::string_view content, std::string_view sha256_hex);

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  [[nodiscard]] const FileStoreCounters& counters() const { return counters_; }

 private:
  std::filesystem::path dir_;
  std::uint64_t instance_;   // this store's number in the process, for its temporary names
  std::uint64_t next_tmp_ = 0;
  FileStoreCounters counters_;
};

}  // namespace gsoc::sensor

#pragma once
// What the correlation tests share: simulated event time (a midnight to start from), raw IPv4
// addresses as events carry them, and a temporary directory for a real store.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace gsoc::collector::testing {

constexpr std::int64_t kSecond = 1000000000LL;
constexpr std::int64_t kMinute = 60 * kSecond;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kT0 = 1790000000LL * kSecond - (1790000000LL * kSecond) % kDay;  // a midnight

inline std::string v4(int a, int b, int c, int d) {
  return std::string({static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)});
}

// A directory for one test's store, removed with it.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name) : path(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace gsoc::collector::testing

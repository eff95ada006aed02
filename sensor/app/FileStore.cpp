#include "sensor/app/FileStore.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <system_error>

namespace gsoc::sensor {
namespace {

std::atomic<std::uint64_t> g_instances{0};

bool isSha256Hex(std::string_view hex) {
  return hex.size() == 64 &&
         std::all_of(hex.begin(), hex.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

FileStore::FileStore(std::filesystem::path dir) : dir_(std::move(dir)), instance_(g_instances.fetch_add(1)) {}

bool FileStore::store(std::string_view content, std::string_view sha256_hex) {
  if (!isSha256Hex(sha256_hex)) {
    ++counters_.failed;
    return false;
  }
  namespace fs = std::filesystem;
  const fs::path folder = dir_ / std::string(sha256_hex.substr(0, 2));
  const fs::path final_path = folder / std::string(sha256_hex);
  std::error_code ec;
  if (fs::exists(final_path, ec)) {  // the same content, stored before
    ++counters_.stored;
    return true;
  }
  const fs::path tmp_dir = dir_ / "tmp";
  fs::create_directories(tmp_dir, ec);
  if (!ec) fs::create_directories(folder, ec);
  if (ec) {
    ++counters_.failed;
    return false;
  }
  const fs::path tmp = tmp_dir / ("file." + std::to_string(::getpid()) + "." + std::to_string(instance_) + "." +
                                  std::to_string(next_tmp_++));
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      fs::remove(tmp, ec);
      ++counters_.failed;
      return false;
    }
  }
  fs::rename(tmp, final_path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    ++counters_.failed;
    return false;
  }
  ++counters_.stored;
  return true;
}

}  // namespace gsoc::sensor

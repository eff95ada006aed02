// The file store (Suricata's file-store v2): a file lands at DIR/<first two hex>/<sha256> with
// its exact bytes and no temporary file left behind, the same content twice is one file, and a
// bad hash or an unwritable folder is counted as a failure, never thrown.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sensor/app/FileStore.hpp"

namespace gsoc::sensor {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

fs::path freshDir(const char* name) {
  const fs::path dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  return dir;
}

TEST(FileStore, WritesByHashAndKeepsOneCopy) {
  const fs::path dir = freshDir("gsoc-filestore-write");
  FileStore store(dir);
  ASSERT_TRUE(store.store("abc", kAbcSha256));
  const fs::path file = dir / "ba" / std::string(kAbcSha256);
  EXPECT_EQ(readAll(file), "abc");
  EXPECT_TRUE(fs::is_empty(dir / "tmp"));  // renamed into place
  ASSERT_TRUE(store.store("abc", kAbcSha256));
  EXPECT_EQ(store.counters().stored, 2u);
  EXPECT_EQ(store.counters().failed, 0u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "ba"), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(FileStore, BadHashOrFolderIsCountedNotThrown) {
  const fs::path dir = freshDir("gsoc-filestore-bad");
  FileStore store(dir);
  EXPECT_FALSE(store.store("abc", "BA7816"));                  // not 64 digits
  EXPECT_FALSE(store.store("abc", std::string(64, 'g')));      // not hex
  EXPECT_FALSE(fs::exists(dir));
  // A file where the store's folder should be: nothing can be created under it.
  fs::create_directories(dir.parent_path());
  std::ofstream(dir) << "not a folder";
  EXPECT_FALSE(store.store("abc", kAbcSha256));
  EXPECT_EQ(store.counters().failed, 3u);
  EXPECT_EQ(store.counters().stored, 0u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace gsoc::sensor

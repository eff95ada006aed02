// AsciiCase: only A-Z fold, so a byte of a non-ASCII name never equals another by accident.
#include <gtest/gtest.h>

#include "common/AsciiCase.hpp"

namespace gsoc {
namespace {

TEST(AsciiCase, OnlyAToZFold) {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    const char want = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : ch;
    EXPECT_EQ(asciiLower(ch), want) << c;
  }
}

TEST(AsciiCase, EqualsNoCase) {
  EXPECT_TRUE(asciiEqualsNoCase("Content-Length", "content-length"));
  EXPECT_TRUE(asciiEqualsNoCase("", ""));
  EXPECT_FALSE(asciiEqualsNoCase("Content-Length", "Content-Lengt"));
  EXPECT_FALSE(asciiEqualsNoCase("Host", "Hos\xf4"));
  EXPECT_FALSE(asciiEqualsNoCase("\xc0", "\xe0"));  // Latin-1 letters are not folded
  static_assert(asciiEqualsNoCase("ETag", "etag"));
}

}  // namespace
}  // namespace gsoc

// filesize: Suricata's unsigned integer test on a whole file's size (eight bytes, big-endian,
// in FileSizeNumber), a transaction without a whole file never matching it, and its refusals.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;

struct SizeBytes {
  std::array<char, 8> bytes{};
  explicit SizeBytes(std::uint64_t size) {
    for (int i = 7; i >= 0; --i, size >>= 8) bytes[static_cast<std::size_t>(i)] = static_cast<char>(size & 0xff);
  }
  [[nodiscard]] std::string_view view() const { return {bytes.data(), bytes.size()}; }
};

MatchInput fileOfSize(const SizeBytes& size) {
  MatchInput in = tcpInput();
  in.meta.app = AppProto::Smb;
  in.buffers.set(BufferId::FileName, "eicar");
  in.buffers.set(BufferId::FileSizeNumber, size.view());
  return in;
}

TEST(FileSizeKeyword, Comparisons) {
  const auto rs = compileRules(R"(
alert tcp any any -> any any (filesize:<70; sid:1;)
alert tcp any any -> any any (filesize:>50; sid:2;)
alert tcp any any -> any any (filesize:68; sid:3;)
alert tcp any any -> any any (filesize:!68; sid:4;)
alert tcp any any -> any any (filesize:60-100; sid:5;)
alert tcp any any -> any any (filesize:>=5000000000; sid:6;)
)");
  Detector d(rs);
  const SizeBytes eicar(68);
  EXPECT_EQ(fire(d, fileOfSize(eicar)), Sids({1, 2, 3, 5}));
  const SizeBytes big(5'000'000'000ULL);
  EXPECT_EQ(fire(d, fileOfSize(big)), Sids({2, 4, 6}));
  // No whole file (no size): nothing matches, not even the negation.
  MatchInput none = tcpInput();
  none.meta.app = AppProto::Smb;
  none.buffers.set(BufferId::FileName, "eicar");
  EXPECT_EQ(fire(d, none), Sids({}));
}

TEST(FileSizeKeyword, Refusals) {
  const RuleVariables vars = RuleVariables::withDefaults();
  EXPECT_THROW(RuleParser(vars).parse("alert tcp any any -> any any (filesize; sid:1;)"), RuleParseError);
  EXPECT_THROW(RuleParser(vars).parse("alert tcp any any -> any any (filesize:big; sid:1;)"), RuleParseError);
  EXPECT_THROW(RuleParser(vars).parse("alert tcp any any -> any any (filesize:9<>3; sid:1;)"), RuleParseError);
}

}  // namespace
}  // namespace gsoc::signatures

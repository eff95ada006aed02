// Database cache and bundles: the second load reuses compiled databases; a damaged or foreign
// cache or bundle is reported and recompiled, never trusted.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "TestRules.hpp"
#include "gsoc/signatures/Bundle.hpp"

namespace gsoc::signatures {
namespace {

namespace fs = std::filesystem;
using namespace testing;

constexpr std::string_view kRules = R"(
alert http any any -> any any (http.uri; content:"/a"; sid:1;)
alert tcp any any -> any any (content:"payload"; sid:2;)
alert http any any -> any any (http.uri; pcre:"/^\/b[0-9]+$/"; sid:3;)
)";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "gsoc-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(CompilerCache, SecondCompileComesFromCache) {
  TempDir dir;
  CompileOptions options;
  options.cache_dir = dir.path();
  const auto cold = RuleCompiler(options).compile(loadRules(kRules));
  EXPECT_FALSE(cold->stats().cache_hit);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
  const auto warm = RuleCompiler(options).compile(loadRules(kRules));
  EXPECT_TRUE(warm->stats().cache_hit);
  EXPECT_EQ(warm->stats().groups_from_cache, cold->stats().databases);
  Detector d(warm);
  EXPECT_EQ(fire(d, httpInput("GET", "/b42", "h")), Sids({3}));
  EXPECT_EQ(fire(d, httpInput("GET", "/a", "h")), Sids({1}));
  // A changed ruleset has another key.
  const auto other = RuleCompiler(options).compile(loadRules(std::string(kRules) + "alert tcp any any -> any any (content:\"x\"; sid:4;)\n"));
  EXPECT_FALSE(other->stats().cache_hit);
}

TEST(CompilerCache, CorruptCacheIsReportedAndRecompiled) {
  TempDir dir;
  CompileOptions options;
  options.cache_dir = dir.path();
  (void)RuleCompiler(options).compile(loadRules(kRules));
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    std::ofstream(entry.path(), std::ios::trunc) << "garbage";
  }
  const auto again = RuleCompiler(options).compile(loadRules(kRules));
  EXPECT_FALSE(again->stats().cache_hit);
  EXPECT_NE(again->stats().cache_note.find("corrupt"), std::string::npos) << again->stats().cache_note;
  Detector d(again);
  EXPECT_EQ(fire(d, tcpInput("a payload")), Sids({2}));
}

TEST(Bundle, RoundTripLoadsShippedDatabases) {
  TempDir dir;
  const fs::path rules = dir.path() / "local.rules";
  std::ofstream(rules) << kRules;
  const fs::path iocs = dir.path() / "domains.tsv";
  std::ofstream(iocs) << "d-1\tevil.example\n";
  RulesetSource source;
  source.rule_paths = {rules};
  source.indicator_files = {{IndicatorType::Domain, iocs}};
  source.variables.setAddressGroup("HOME_NET", "[192.0.2.0/24]");
  LoadedSources loaded = loadSources(source);
  ASSERT_TRUE(loaded.errors.empty());
  CompileOptions options;
  options.version = "2026.11.22-1";
  const auto compiled = RuleCompiler(options).compile(loaded.ruleset, loaded.indicators);
  const fs::path bundle_path = dir.path() / "ruleset.gsocbundle";
  writeBundle(bundle_path, makeBundle(loaded, *compiled));

  const gsoc::v1::SignatureBundle bundle = readBundle(bundle_path);
  EXPECT_EQ(bundle.version(), "2026.11.22-1");
  EXPECT_EQ(bundle.summary().rules_loaded(), 3u);
  const LoadedBundle back = compileBundle(bundle);
  EXPECT_TRUE(back.errors.empty());
  EXPECT_TRUE(back.ruleset->stats().cache_hit);  // databases came from the bundle
  EXPECT_EQ(back.ruleset->hash(), compiled->hash());
  EXPECT_EQ(back.ruleset->source().variables.addressGroups().at("HOME_NET"), "[192.0.2.0/24]");
  Detector d(back.ruleset);
  EXPECT_EQ(fire(d, httpInput("GET", "/a", "h")), Sids({1}));
  MatchInput dns = tcpInput();
  dns.buffers.set(BufferId::DnsQuery, "evil.example");
  (void)d.match(dns, nullptr);
  EXPECT_EQ(d.indicatorHits().size(), 1u);
}

TEST(Bundle, ForeignPlatformIsSaidClearlyAndRecompiled) {
  const auto compiled = RuleCompiler().compile(loadRules(kRules));
  LoadedSources loaded;
  loaded.ruleset = loadRules(kRules);
  loaded.files.push_back({SourceBytes::Kind::Rules, "test.rules", std::string(kRules), IndicatorType::Ip});
  gsoc::v1::SignatureBundle bundle = makeBundle(loaded, *compiled);
  bundle.mutable_platform()->set_cpu_features(~0ULL);  // claims every feature, e.g. AVX-512 VBMI
  const LoadedBundle back = compileBundle(bundle);
  EXPECT_NE(back.note.find("lacks; recompiling"), std::string::npos) << back.note;
  EXPECT_FALSE(back.ruleset->stats().cache_hit);
  Detector d(back.ruleset);
  EXPECT_EQ(fire(d, tcpInput("payload")), Sids({2}));
}

TEST(Bundle, DatabasesLaidOutByAnotherCompilerAreNotTrusted) {
  const auto compiled = RuleCompiler().compile(loadRules(kRules));
  LoadedSources loaded;
  loaded.ruleset = loadRules(kRules);
  loaded.files.push_back({SourceBytes::Kind::Rules, "test.rules", std::string(kRules), IndicatorType::Ip});
  gsoc::v1::SignatureBundle bundle = makeBundle(loaded, *compiled);
  EXPECT_EQ(bundle.database_key(), compiled->databaseKey());
  bundle.set_database_key("from-an-older-gsoc");
  const LoadedBundle back = compileBundle(bundle);
  EXPECT_NE(back.note.find("another compiler version"), std::string::npos) << back.note;
  EXPECT_FALSE(back.ruleset->stats().cache_hit);
  Detector d(back.ruleset);
  EXPECT_EQ(fire(d, httpInput("GET", "/b7", "h")), Sids({3}));
}

TEST(Bundle, NotABundleIsRefused) {
  TempDir dir;
  const fs::path path = dir.path() / "x.gsocbundle";
  std::ofstream(path) << "definitely not protobuf";
  EXPECT_THROW((void)readBundle(path), std::runtime_error);
  EXPECT_THROW((void)readBundle(dir.path() / "missing"), std::runtime_error);
}

}  // namespace
}  // namespace gsoc::signatures

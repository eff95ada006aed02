// Hostile input never crashes: mutated real rules either parse or fail with a located error,
// and random bytes in every buffer run through the full ET Open detector. Deterministic seeds;
// run under ASan/UBSan by scripts/test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "TestRules.hpp"
#include "gsoc/signatures/RuleParser.hpp"
#include "gsoc/signatures/RulesetSource.hpp"

namespace gsoc::signatures {
namespace {

using namespace testing;
namespace fs = std::filesystem;

std::vector<std::string> sampleRules(std::size_t count) {
  std::vector<std::string> rules;
  const fs::path et = fs::path(GSOC_SHARED_DIR) / "rules" / "et-open";
  if (fs::exists(et)) {
    for (const char* file : {"emerging-web_server.rules", "emerging-dns.rules", "emerging-exploit.rules", "emerging-user_agents.rules",
                             "emerging-policy.rules"}) {
      std::ifstream in(et / file);
      std::string line;
      while (std::getline(in, line) && rules.size() < count) {
        if (line.starts_with("alert")) rules.push_back(line);
      }
    }
  }
  // Always some hand-written ones, so the test means something without ../shared.
  rules.push_back(R"(alert http $HOME_NET any -> $EXTERNAL_NET any (msg:"x"; flow:established,to_server; http.uri; content:"/a"; fast_pattern; content:"b"; distance:0; within:5; pcre:"/c+d/Ri"; byte_test:2,>,5,0,relative,string,dec; sid:1;))");
  rules.push_back(R"(alert tcp [192.0.2.0/24,!192.0.2.5] [80,1024:] <> any any (content:"|de ad|"; depth:4; byte_jump:2,0,relative,little; isdataat:!1,relative; threshold:type both, track by_src, count 2, seconds 9; flags:S+,12; sid:2;))");
  return rules;
}

TEST(Robustness, MutatedRulesParseOrFailWithALocation) {
  const RuleVariables vars = RuleVariables::withDefaults();
  const RuleParser parser(vars);
  std::mt19937 rng(7);
  const std::string alphabet = "\"|;:\\/()[]!,$ 0123456789abcxyz-<>";
  std::size_t parsed = 0, rejected = 0;
  for (const std::string& original : sampleRules(1500)) {
    for (int round = 0; round < 6; ++round) {
      std::string text = original;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !text.empty(); ++e) {
        const std::size_t pos = rng() % text.size();
        switch (rng() % 3) {
          case 0: text.erase(pos, 1 + rng() % 8); break;
          case 1: text.insert(pos, 1, alphabet[rng() % alphabet.size()]); break;
          default: text[pos] = alphabet[rng() % alphabet.size()]; break;
        }
      }
      try {
        (void)parser.parse(text);
        ++parsed;
      } catch (const RuleParseError& e) {
        EXPECT_LE(e.offset(), text.size()) << text;
        EXPECT_FALSE(e.reason().empty());
        ++rejected;
      }
    }
  }
  EXPECT_GT(parsed, 0u);
  EXPECT_GT(rejected, 0u);
}

TEST(Robustness, RandomBytesInEveryBufferThroughTheDetector) {
  Ruleset rs;
  const fs::path et = fs::path(GSOC_SHARED_DIR) / "rules" / "et-open";
  if (fs::exists(et)) {
    RulesetSource source;
    source.rule_paths = {et / "emerging-web_server.rules", et / "emerging-dns.rules", et / "emerging-exploit.rules"};
    rs = loadSources(source).ruleset;
  } else {
    rs = loadRules(R"(alert tcp any any -> any any (content:"a"; byte_jump:4,0,relative; content:"b"; within:2; sid:1;))");
  }
  Detector d(RuleCompiler().compile(std::move(rs)));
  std::mt19937_64 rng(11);
  std::vector<std::string> storage(kBufferCount);
  const AppProto apps[] = {AppProto::None, AppProto::Http, AppProto::Dns, AppProto::Tls, AppProto::Smtp};
  for (int i = 0; i < 3000; ++i) {
    MatchInput in = tcpInput();
    in.meta.app = apps[rng() % 5];
    in.meta.direction = rng() % 2 ? FlowDirection::ToServer : FlowDirection::ToClient;
    in.meta.src = IpAddress::fromV4(static_cast<std::uint32_t>(rng()));
    in.meta.dst = IpAddress::fromV4(static_cast<std::uint32_t>(rng()));
    in.meta.src_port = static_cast<std::uint16_t>(rng());
    in.meta.dst_port = static_cast<std::uint16_t>(rng() % 3 ? 80 : rng());
    in.meta.tcp_flags = static_cast<std::uint8_t>(rng());
    for (std::size_t b = 0; b < kBufferCount; ++b) {
      if (rng() % 4 != 0) continue;
      std::string& bytes = storage[b];
      bytes.resize(rng() % 300);
      for (char& c : bytes) c = static_cast<char>(rng() % 3 ? "GET /%.=&?|ab01\r\n"[rng() % 17] : rng());
      in.buffers.set(static_cast<BufferId>(b), bytes);
    }
    in.meta.payload_size = static_cast<std::uint32_t>(storage[0].size());
    FlowBits bits(d.ruleset().flowbitCount());
    (void)d.match(in, &bits);
  }
  EXPECT_EQ(d.counters().inputs, 3000u);
  EXPECT_EQ(d.counters().scan_errors, 0u);
}

}  // namespace
}  // namespace gsoc::signatures

// dataset and datarep: parsing, the files Suricata reads and writes, and matching on buffers.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "TestRules.hpp"
#include "gsoc/signatures/Dataset.hpp"
#include "gsoc/signatures/DatasetRegistry.hpp"
#include "gsoc/signatures/RuleParser.hpp"
#include "gsoc/signatures/RulesetSource.hpp"
#include "gsoc/v1/config.pb.h"

namespace gsoc::signatures {
namespace {

using namespace testing;
namespace fs = std::filesystem;

// A fresh folder per test, removed at the end.
class DatasetFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gsoc-dataset-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "rules");
    fs::create_directories(dir_ / "data");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& path, const std::string& text) {
    std::ofstream(dir_ / path, std::ios::binary) << text;
  }
  std::string read(const fs::path& path) {
    std::ifstream in(dir_ / path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Loads rule text as the file rules/test.rules, datasets kept in data/.
  Ruleset load(const std::string& text, DatasetOptions options = {}) {
    write("rules/test.rules", text);
    options.data_dir = dir_ / "data";
    RulesetLoader loader(RuleVariables::withDefaults(), ClassificationTable::withDefaults(), options);
    loader.loadFile(dir_ / "rules/test.rules");
    return loader.take();
  }
  CompiledRulesetPtr compile(const std::string& text, DatasetOptions options = {}) {
    Ruleset rs = load(text, std::move(options));
    for (const auto& e : rs.report.errors) ADD_FAILURE() << e.format();
    return RuleCompiler().compile(std::move(rs), {});
  }
  static MatchInput dns(std::string_view query) {
    MatchInput in = tcpInput();
    in.meta.transport = Transport::Udp;
    in.meta.app = AppProto::Dns;
    in.buffers.set(BufferId::DnsQuery, query);
    return in;
  }

  fs::path dir_;
};

TEST(DatasetParse, KeywordsAndErrorsWithColumn) {
  RuleVariables vars = RuleVariables::withDefaults();
  RuleParser parser(vars);
  const Rule r = parser.parse(
      R"(alert dns any any -> any any (dns.query; dataset:isset,seen,type string,load a.lst,memcap 10mb,hashsize 2048; sid:1;))");
  ASSERT_EQ(r.inspections.size(), 1u);
  const auto& d = std::get<DatasetMatch>(r.inspections[0].items[0]);
  EXPECT_EQ(d.op, DatasetMatch::Op::IsSet);
  EXPECT_EQ(d.name, "seen");
  EXPECT_EQ(d.definition->type, DatasetType::String);
  EXPECT_EQ(d.definition->load, "a.lst");
  EXPECT_EQ(d.definition->memcap, 10u << 20);
  EXPECT_EQ(d.definition->hashsize, 2048u);

  const Rule rep = parser.parse(R"(alert dns any any -> any any (dns.query; to_md5; datarep:rep, >=, 200, load r.rep, type md5; sid:2;))");
  const auto& dr = std::get<DatasetMatch>(rep.inspections[0].items[0]);
  EXPECT_EQ(dr.op, DatasetMatch::Op::Reputation);
  EXPECT_EQ(dr.compare, DatasetMatch::Compare::GreaterEqual);
  EXPECT_EQ(dr.reputation, 200);
  EXPECT_EQ(rep.inspections[0].transforms.size(), 1u);

  const std::string bad_cmd = R"(alert dns any any -> any any (dns.query; dataset:check,seen; sid:3;))";
  try {
    (void)parser.parse(bad_cmd);
    FAIL() << "accepted an unknown dataset command";
  } catch (const RuleParseError& e) {
    EXPECT_EQ(e.offset(), bad_cmd.find("check"));
    EXPECT_NE(std::string(e.what()).find("unknown command 'check'"), std::string::npos);
  }
  EXPECT_THROW((void)parser.parse(R"(alert dns any any -> any any (dataset:isset,seen,type string; sid:4;))"), RuleParseError);
  EXPECT_THROW((void)parser.parse(R"(alert dns any any -> any any (dns.query; dataset:isset,seen,type blob; sid:5;))"),
               RuleParseError);
  EXPECT_THROW((void)parser.parse(R"(alert dns any any -> any any (dns.query; datarep:r, >, 70000, type string; sid:6;))"),
               RuleParseError);
}

TEST_F(DatasetFiles, LoadBase64StringsAndMatchIssetIsnotset) {
  write("rules/ua.lst", "Y3VybC83LjQzLjA=\n\nZXZpbA==\n");  // "curl/7.43.0", "evil"
  const auto rs = compile(R"(alert http any any -> any any (http.user_agent; dataset:isset,ua,type string,load ua.lst; sid:1;)
alert http any any -> any any (http.user_agent; dataset:isnotset,ua,type string,load ua.lst; sid:2;)
)");
  Detector d(rs);
  MatchInput in = httpInput("GET", "/", "h");
  in.buffers.set(BufferId::HttpUserAgent, "curl/7.43.0");
  EXPECT_EQ(fire(d, in), Sids({1}));
  in.buffers.set(BufferId::HttpUserAgent, "Mozilla/5.0");
  EXPECT_EQ(fire(d, in), Sids({2}));
  EXPECT_EQ(rs->source().datasets->find("ua")->size(), 2u);
}

TEST_F(DatasetFiles, SetMatchesOnlyNewValuesUnsetOnlyPresentOnesAndStateIsSavedSorted) {
  const auto rs = compile(R"(alert dns any any -> any any (dns.query; content:"add"; dataset:set,seen,type string,state seen.csv; sid:1;)
alert dns any any -> any any (dns.query; content:"del"; dataset:unset,seen; sid:2;)
)");
  Detector d(rs);
  const auto seen = rs->source().datasets->find("seen");
  ASSERT_TRUE(seen);
  EXPECT_EQ(fire(d, dns("b.add")), Sids({1}));
  EXPECT_EQ(fire(d, dns("b.add")), Sids({}));  // already there: set does not match
  EXPECT_EQ(fire(d, dns("a.add")), Sids({1}));
  EXPECT_EQ(fire(d, dns("x.del")), Sids({}));  // not there: unset does not match
  EXPECT_TRUE(seen->add("x.del"));
  EXPECT_EQ(fire(d, dns("x.del")), Sids({2}));
  EXPECT_FALSE(seen->contains("x.del"));
  EXPECT_TRUE(seen->contains("a.add"));
  EXPECT_TRUE(rs->source().datasets->save().empty());
  EXPECT_EQ(read("data/seen.csv"), "YS5hZGQ=\nYi5hZGQ=\n");  // base64 of a.add, b.add, sorted

  // The next run starts from the state file.
  const auto again = compile(R"(alert dns any any -> any any (dns.query; dataset:isnotset,seen,type string,state seen.csv; sid:9;))");
  Detector d2(again);
  EXPECT_EQ(fire(d2, dns("a.add")), Sids({}));
  EXPECT_EQ(fire(d2, dns("c.add")), Sids({9}));
}

TEST_F(DatasetFiles, DigestsAndAddresses) {
  // md5("example.com") and sha256("example.com")
  write("rules/md5.lst", "5ababd603b22780302dd8d83498e5172\n");
  write("rules/sha.lst", "a379a6f6eeafb9a55e378c118034e2751e682fab9f2d30ab13d2125586ce1947\n");
  write("rules/v4.lst", "198.51.100.7\n");
  write("rules/ip.lst", "::ffff:198.51.100.8\n2001:db8::1\n");
  const auto rs = compile(R"(alert dns any any -> any any (dns.query; to_md5; dataset:isset,m,type md5,load md5.lst; sid:1;)
alert dns any any -> any any (dns.query; to_sha256; dataset:isset,s,type sha256,load sha.lst; sid:2;)
alert ip any any -> any any (ip.dst; dataset:isset,v4,type ipv4,load v4.lst; sid:3;)
alert ip any any -> any any (ip.dst; dataset:isset,ip,type ip,load ip.lst; sid:4;)
)");
  Detector d(rs);
  EXPECT_EQ(fire(d, dns("example.com")), Sids({1, 2}));
  EXPECT_EQ(fire(d, dns("example.org")), Sids({}));
  auto packet = [](std::string_view dst) {
    MatchInput in = tcpInput();
    in.buffers.set(BufferId::IpDst, dst);
    return in;
  };
  EXPECT_EQ(fire(d, packet(std::string_view("\xc6\x33\x64\x07", 4))), Sids({3}));
  EXPECT_EQ(fire(d, packet(std::string_view("\xc6\x33\x64\x08", 4))), Sids({4}));  // IPv4 in an ip set
  const std::string v6("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
  EXPECT_EQ(fire(d, packet(v6)), Sids({4}));
}

TEST_F(DatasetFiles, AddressesWithTransactionBuffers) {
  // ip.src next to an application buffer: a transaction has no address buffers, so the
  // addresses come from the input's metadata (192.168.1.10 -> 203.0.113.5 in httpInput).
  write("rules/clients.lst", "192.168.1.10\n");
  const auto rs = compile(
      R"(alert http any any -> any any (http.host; content:"evil"; ip.src; dataset:isset,c,type ipv4,load clients.lst; sid:1;)
alert http any any -> any any (http.host; content:"evil"; ip.dst; dataset:isset,c; sid:2;)
)");
  Detector d(rs);
  MatchInput in = httpInput("GET", "/", "evil.example");
  in.meta.is_transaction = true;
  EXPECT_EQ(fire(d, in), Sids({1}));
  in.meta.src = *IpAddress::parse("192.168.1.11");
  EXPECT_EQ(fire(d, in), Sids({}));
  RuleVariables vars = RuleVariables::withDefaults();
  // Other packet headers still cannot be mixed with transaction buffers.
  EXPECT_THROW((void)RuleParser(vars).parse(R"(alert http any any -> any any (http.host; content:"a"; ipv4.hdr; content:"b"; sid:3;))"),
               RuleParseError);
}

TEST_F(DatasetFiles, Datarep) {
  write("rules/rep.csv", "Z29vZ2xlLmNvbQ==,255\nZXhhbXBsZS5jb20=,100\n");  // google.com, example.com
  const auto rs = compile(R"(alert dns any any -> any any (dns.query; datarep:rep, >, 200, load rep.csv, type string; sid:1;)
alert dns any any -> any any (dns.query; datarep:rep, ==, 100; sid:2;)
)");
  Detector d(rs);
  EXPECT_EQ(fire(d, dns("google.com")), Sids({1}));
  EXPECT_EQ(fire(d, dns("example.com")), Sids({2}));
  EXPECT_EQ(fire(d, dns("other.com")), Sids({}));
}

TEST_F(DatasetFiles, MatchSubdomainAndJsonLines) {
  write("rules/d.json", "{\"domain\": \".evil.com\"}\n");
  const auto rs = compile(
      R"(alert dns any any -> any any (dns.query; dotprefix; dataset:isset,d,type string,match subdomain,load d.json,format ndjson,value_key domain; sid:1;))");
  Detector d(rs);
  EXPECT_EQ(fire(d, dns("www.evil.com")), Sids({1}));
  EXPECT_EQ(fire(d, dns("evil.com")), Sids({1}));
  EXPECT_EQ(fire(d, dns("notevil.com")), Sids({}));

  // format json: an array of objects, here under a nested array_key, values under a dotted key.
  write("rules/h.json", R"({"info": {"threat": [{"host": {"fqdn": "bad.example"}, "year": 2005}]}})");
  const auto js = compile(
      R"(alert dns any any -> any any (dns.query; dataset:isset,h,type string,load h.json,format json,value_key host.fqdn,array_key info.threat,context_key h,remove_key; sid:2;))");
  Detector dj(js);
  EXPECT_EQ(fire(dj, dns("bad.example")), Sids({2}));
  EXPECT_EQ(fire(dj, dns("good.example")), Sids({}));
}

// datajson: a matched value's JSON object goes to the alert under context_key; remove_key
// leaves out the value's own (dotted) key; a set without context_key keeps no objects; a match
// of the other rule carries nothing, and a rule whose later keyword fails keeps no context.
TEST_F(DatasetFiles, ContextOfMatchedJsonValues) {
  write("rules/h.json", R"([{"ioc": {"host": "bad.example", "kind": "c2"}, "year": 2005}, {"ioc": {"host": "bad.example"}, "year": 1999}])");
  write("rules/ip.json", R"([{"ip": "192.168.1.10", "test": "success"}])");
  const auto rs = compile(R"(
alert dns any any -> any any (dns.query; dataset:isset,h,type string,load h.json,format json,value_key ioc.host,context_key bad_host,remove_key; ip.src; dataset:isset,src,type ip,load ip.json,format json,value_key ip,context_key src_ip; sid:1;)
alert dns any any -> any any (dns.query; dataset:isset,h; content:"nothing"; sid:2;)
alert dns any any -> any any (dns.query; content:"bad"; sid:3;)
)");
  Detector d(rs);
  const MatchInput in = dns("bad.example");
  const auto matches = d.match(in, nullptr);
  ASSERT_EQ(matches.size(), 2u);
  std::map<std::uint32_t, std::vector<std::pair<std::string, std::string>>> by_sid;
  for (const RuleMatch& m : matches) {
    auto& list = by_sid[d.ruleset().rules()[m.rule].sid];
    for (const AlertContext& c : d.contexts(m)) list.emplace_back(std::string(c.key), c.json);
  }
  ASSERT_EQ(by_sid[1].size(), 2u);
  EXPECT_EQ(by_sid[1][0].first, "bad_host");
  const std::string& host = by_sid[1][0].second;  // the first object of the value, without ioc.host
  EXPECT_NE(host.find(R"("kind":"c2")"), std::string::npos) << host;
  EXPECT_NE(host.find(R"("year":2005)"), std::string::npos) << host;
  EXPECT_EQ(host.find("host"), std::string::npos) << host;
  EXPECT_EQ(host.front(), '{');
  EXPECT_EQ(by_sid[1][1].first, "src_ip");
  const std::string& ip = by_sid[1][1].second;  // no remove_key: the value stays
  EXPECT_NE(ip.find(R"("ip":"192.168.1.10")"), std::string::npos) << ip;
  EXPECT_NE(ip.find(R"("test":"success")"), std::string::npos) << ip;
  EXPECT_TRUE(by_sid[3].empty());
  EXPECT_EQ(by_sid.count(2), 0u);
}

TEST_F(DatasetFiles, RefusedRulesNameFileLineColumnAndSuricatasReason) {
  write("rules/bad.lst", "Y3VybC83Lj!QzLjA=\n");
  write("rules/mixed.lst", "Y3VybC83LjQzLjA=\nYmxhaA==,1\n");
  const std::string text = R"(alert http any any -> any any (http.user_agent; dataset:isset,ua,type string,load bad.lst; sid:1;)
alert http any any -> any any (http.user_agent; dataset:isnotset,ua,type string,load bad.lst; sid:2;)
alert http any any -> any any (http.user_agent; dataset:isset,m,type string,load mixed.lst; sid:3;)
alert dns any any -> any any (dns.query; dataset:isset,n,type string,load missing.lst; sid:4;)
alert dns any any -> any any (dns.query; dataset:set,a,type string,state /abs.csv; sid:5;)
alert dns any any -> any any (dns.query; dataset:set,p,type string,save x/../p.csv; sid:6;)
alert dns any any -> any any (dns.query; dataset:set,m,type md5; sid:7;)
alert dns any any -> any any (dns.query; dataset:isset,undefined; sid:8;)
)";
  const Ruleset rs = load(text);
  ASSERT_EQ(rs.report.errors.size(), 8u);
  const auto& e = rs.report.errors;
  EXPECT_EQ(e[0].line, 1u);
  EXPECT_EQ(e[0].column, text.find("isset,ua") + 1);
  EXPECT_NE(e[0].message.find("bad base64 encoding ua/"), std::string::npos) << e[0].message;
  EXPECT_NE(e[1].message.find("could not be loaded"), std::string::npos) << e[1].message;  // reported once
  EXPECT_NE(e[2].message.find("Cannot mix dataset and datarep values for set m"), std::string::npos) << e[2].message;
  EXPECT_NE(e[3].message.find("fopen"), std::string::npos) << e[3].message;
  EXPECT_EQ(e[4].message, "Absolute paths not allowed: /abs.csv");
  EXPECT_EQ(e[5].message, "Directory traversals not allowed: x/../p.csv");
  EXPECT_NE(e[6].message.find("could not be loaded"), std::string::npos) << e[6].message;
  EXPECT_NE(e[7].message.find("dataset undefined not defined"), std::string::npos) << e[7].message;
  EXPECT_EQ(e[7].line, 8u);

  DatasetOptions no_write;
  no_write.allow_write = false;
  const Ruleset denied = load("alert dns any any -> any any (dns.query; dataset:set,s,type string,state s.csv; sid:1;)\n", no_write);
  ASSERT_EQ(denied.report.errors.size(), 1u);
  EXPECT_EQ(denied.report.errors[0].message, "Rules containing save/state datasets have been disabled");
}

TEST_F(DatasetFiles, AReloadCarriesSetsDefinedTheSameWay) {
  const std::string rules = "alert dns any any -> any any (dns.query; dataset:set,s,type string,state s.csv; sid:1;)\n"
                            "alert dns any any -> any any (dns.query; dataset:set,t,type string,state t.csv; sid:2;)\n";
  Ruleset first = load(rules);
  ASSERT_TRUE(first.report.errors.empty());
  EXPECT_TRUE(first.datasets->find("s")->add("kept"));
  DatasetOptions reload;
  reload.previous = first.datasets;
  // t is now defined with another file: a new, empty set read from that file.
  Ruleset second = load("alert dns any any -> any any (dns.query; dataset:set,s,type string,state s.csv; sid:1;)\n"
                        "alert dns any any -> any any (dns.query; dataset:set,t,type string,state t2.csv; sid:2;)\n",
                        reload);
  ASSERT_TRUE(second.report.errors.empty());
  EXPECT_EQ(second.datasets->find("s"), first.datasets->find("s"));  // the same set, values and all
  EXPECT_TRUE(second.datasets->find("s")->contains("kept"));
  EXPECT_NE(second.datasets->find("t"), first.datasets->find("t"));
  EXPECT_EQ(second.datasets->options().previous, nullptr);  // not kept past loading
}

// Suricata's `datasets:` in suricata.yaml: sets defined in the rules configuration are loaded
// before the rules, which name them alone; sizes take the defaults; state goes to the data dir.
TEST_F(DatasetFiles, SetsDefinedInTheRulesConfigAreNamedByRules) {
  write("rules/ua.lst", "Y3VybC83LjQzLjA=\n");  // "curl/7.43.0"
  write("rules/test.rules", "alert http any any -> any any (http.user_agent; dataset:isset,ua-bl; sid:1;)\n"
                            "alert dns any any -> any any (dns.query; dataset:set,dns-seen; sid:2;)\n");
  gsoc::v1::RulesConfig config;
  config.add_rule_files("test.rules");
  auto* datasets = config.mutable_datasets();
  datasets->mutable_defaults()->set_memcap("1mb");
  datasets->mutable_defaults()->set_hashsize(2048);
  auto& ua = (*datasets->mutable_sets())["ua-bl"];
  ua.set_type("string");
  ua.set_load("ua.lst");  // relative to the configuration's folder
  auto& seen = (*datasets->mutable_sets())["dns-seen"];
  seen.set_type("string");
  seen.set_state("dns-seen.lst");
  seen.set_memcap("64kb");
  RulesetSource source = RulesetSource::fromConfig(config, dir_ / "rules");
  DatasetOptions flags;
  flags.data_dir = dir_ / "data";
  flags.allow_write = false;  // refuses save/state in rules, not in the configuration
  source.applyDatasetFlags(flags);
  ASSERT_EQ(source.datasets.configured.size(), 2u);
  EXPECT_EQ(source.datasets.configured[0].definition.memcap, 64u << 10);  // dns-seen (sorted by name)
  EXPECT_EQ(source.datasets.configured[1].definition.memcap, 1u << 20);   // ua-bl: the default
  EXPECT_EQ(source.datasets.configured[1].definition.hashsize, 2048u);
  LoadedSources loaded = loadSources(source);
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.front();
  for (const auto& e : loaded.ruleset.report.errors) ADD_FAILURE() << e.format();
  const auto registry = loaded.ruleset.datasets;
  const auto rs = RuleCompiler().compile(std::move(loaded.ruleset), {});
  Detector d(rs);
  MatchInput in = httpInput("GET", "/", "h");
  in.buffers.set(BufferId::HttpUserAgent, "curl/7.43.0");
  EXPECT_EQ(fire(d, in), Sids({1}));
  EXPECT_EQ(fire(d, dns("a.example")), Sids({2}));
  EXPECT_EQ(fire(d, dns("a.example")), Sids({}));
  EXPECT_TRUE(registry->save().empty());
  EXPECT_EQ(read("data/dns-seen.lst"), "YS5leGFtcGxl\n");
}

TEST_F(DatasetFiles, BadConfiguredSetsNameTheirKey) {
  gsoc::v1::RulesConfig config;
  auto& set = (*config.mutable_datasets()->mutable_sets())["ua-bl"];
  set.set_type("strnig");
  try {
    (void)RulesetSource::fromConfig(config, dir_);
    ADD_FAILURE() << "no error";
  } catch (const ConfigKeyError& e) {
    EXPECT_EQ(e.key(), "datasets.sets.ua-bl.type");
    EXPECT_STREQ(e.what(), "rules.datasets.sets.ua-bl.type: unknown dataset type 'strnig' (string, md5, sha256, ipv4, ip)");
  }
  set.set_type("md5");
  set.set_memcap("lots");
  EXPECT_THROW((void)RulesetSource::fromConfig(config, dir_), ConfigKeyError);
  // A load file that is missing: the set is refused, and so is every rule that names it.
  set.set_memcap("");
  set.set_load("missing.lst");
  write("rules/test.rules", "alert http any any -> any any (http.user_agent; to_md5; dataset:isset,ua-bl; sid:1;)\n");
  config.add_rule_files("rules/test.rules");
  LoadedSources loaded = loadSources(RulesetSource::fromConfig(config, dir_));
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_EQ(loaded.errors[0].rfind("datasets.sets.ua-bl: ", 0), 0u) << loaded.errors[0];
  EXPECT_EQ(loaded.ruleset.report.rules_loaded, 0u);
}

TEST_F(DatasetFiles, ConflictingDefinitionsAreRefused) {
  const Ruleset rs = load(R"(alert dns any any -> any any (dns.query; dataset:set,s,type string,save a.csv; sid:1;)
alert dns any any -> any any (dns.query; dataset:isset,s,type md5; sid:2;)
alert dns any any -> any any (dns.query; dataset:isset,s,type string,save b.csv; sid:3;)
alert dns any any -> any any (dns.query; dataset:isset,s; sid:4;)
)");
  ASSERT_EQ(rs.report.errors.size(), 2u);
  EXPECT_NE(rs.report.errors[0].message.find("already exists and is of type string"), std::string::npos);
  EXPECT_NE(rs.report.errors[1].message.find("save mismatch"), std::string::npos);
  EXPECT_EQ(rs.report.rules_loaded, 2u);
}

TEST(Dataset, LookupOfWrongSizedValuesAndMemcap) {
  Dataset md5("m", DatasetType::Md5, false);
  EXPECT_FALSE(md5.add("short"));
  EXPECT_FALSE(md5.contains("short"));
  Dataset capped("c", DatasetType::String, false, 150);
  EXPECT_TRUE(capped.add("a"));
  EXPECT_TRUE(capped.add("b"));
  EXPECT_FALSE(capped.add("c"));  // a third entry of 65 bytes (value and overhead) exceeds 150
  EXPECT_EQ(capped.memcapRefusals(), 1u);
  EXPECT_TRUE(capped.remove("a"));
  EXPECT_FALSE(capped.remove("a"));
  EXPECT_TRUE(capped.add("c"));
  // A load file that does not fit is refused, as Suricata refuses to start.
  Dataset small("small", DatasetType::String, false, 150);
  EXPECT_THROW(small.loadText("YQ==\nYg==\nYw==\n", "three.lst"), DatasetError);  // a, b, c
}

TEST(Dataset, HashSetsAlsoMatchTheHashInHex) {
  // file.md5 and file.sha256 hold hex, as EVE writes them; the set keeps the digests.
  Dataset md5("m", DatasetType::Md5, false);
  md5.loadText("44d88612fea8a8f36de82e1278abb02f\n", "eicar.md5");
  EXPECT_TRUE(md5.contains("44d88612fea8a8f36de82e1278abb02f"));
  EXPECT_TRUE(md5.contains("44D88612FEA8A8F36DE82E1278ABB02F"));
  EXPECT_FALSE(md5.contains("44d88612fea8a8f36de82e1278abb020"));
  EXPECT_FALSE(md5.contains("44d88612fea8a8f36de82e1278abb02g"));  // not hex
  Dataset sha("s", DatasetType::Sha256, false);
  sha.loadText("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f\n", "eicar.sha256");
  EXPECT_TRUE(sha.contains("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"));
  EXPECT_FALSE(sha.contains("275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0e"));
}

TEST(Dataset, WorkersShareOneSetAndEachValueIsNewOnce) {
  // Several workers `set` overlapping values at once: each value is reported new exactly once.
  Dataset set("shared", DatasetType::String, false);
  std::atomic<int> added{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&set, &added] {
      for (int i = 0; i < 2000; ++i) {
        if (set.add("value-" + std::to_string(i))) ++added;
        (void)set.contains("value-" + std::to_string(i / 2));
      }
    });
  }
  for (auto& t : workers) t.join();
  EXPECT_EQ(added.load(), 2000);
  EXPECT_EQ(set.size(), 2000u);
}

}  // namespace
}  // namespace gsoc::signatures

// Signature engine benchmarks: ET Open parse and compile time (cold and cached), and scan
// throughput over a synthetic buffer corpus, full detection (prefilter + verification) against
// the raw Hyperscan prefilter alone, in the same process. Run:
//   build/bin/gsoc_bench_signatures [--benchmark_filter=...]
// ET Open is read from ../shared/rules/et-open (GSOC_ET_OPEN overrides).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gsoc/signatures/Detector.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "gsoc/signatures/RulesetSource.hpp"

namespace fs = std::filesystem;
using namespace gsoc::signatures;

namespace {

fs::path etOpenDir() {
  if (const char* dir = std::getenv("GSOC_ET_OPEN")) return dir;
  return fs::path(GSOC_SHARED_DIR) / "rules" / "et-open";
}

const LoadedSources& etOpenSources() {
  static const LoadedSources sources = [] {
    RulesetSource source;
    source.rule_paths = {etOpenDir()};
    source.classification_file = etOpenDir() / "classification.config";
    return loadSources(source);
  }();
  return sources;
}

const CompiledRulesetPtr& etOpenCompiled() {
  static const CompiledRulesetPtr compiled = RuleCompiler().compile(etOpenSources().ruleset);
  return compiled;
}

// One transaction or packet of the corpus; owns its bytes.
struct Sample {
  PacketMeta meta;
  std::vector<std::pair<BufferId, std::string>> buffers;
};

// Deterministic mixed traffic: HTTP requests and responses, DNS queries, TLS client hellos and
// raw TCP payload of realistic sizes, with words that partly overlap real rule content.
std::vector<Sample> makeCorpus(std::size_t count) {
  std::mt19937_64 rng(20261122);
  const std::vector<std::string> words = {"index", "login", "api", "v1", "static", "images", "news", "update", "download",
                                          "search", "user", "admin", "report", "php", "cgi-bin", "wp-content", "jquery",
                                          "min", "js", "css", "id", "session", "token", "page", "mofa", "example", "go",
                                          "jp", "docs", "share", "file", "cfm", "action", "do", "json", "xml"};
  const std::vector<std::string> agents = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_5) AppleWebKit/605.1.15 Version/16.6 Safari/605.1.15",
      "curl/8.4.0", "Microsoft-CryptoAPI/10.0", "Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.50"};
  auto word = [&] { return words[rng() % words.size()]; };
  // Appends instead of operator+ chains, which trip GCC 12's -Wrestrict false positive at -O3.
  auto cat = [](std::initializer_list<std::string_view> parts) {
    std::string out;
    for (const std::string_view p : parts) out.append(p);
    return out;
  };
  auto text = [&](std::size_t n) {
    std::string s;
    while (s.size() < n) {
      s.append(word());
      s.append(rng() % 4 == 0 ? "\r\n" : " ");
    }
    s.resize(n);
    return s;
  };
  std::vector<Sample> corpus;
  for (std::size_t i = 0; i < count; ++i) {
    Sample s;
    s.meta.transport = Transport::Tcp;
    s.meta.direction = FlowDirection::ToServer;
    s.meta.established = true;
    s.meta.src = IpAddress::fromV4(0xC0A80000u | static_cast<std::uint32_t>(rng() % 65536));
    s.meta.dst = IpAddress::fromV4(0xCB007100u | static_cast<std::uint32_t>(rng() % 256));
    s.meta.src_port = static_cast<std::uint16_t>(32768 + rng() % 28000);
    s.meta.dst_port = 80;
    switch (i % 10) {
      case 0: case 1: case 2: case 3: {  // HTTP request
        s.meta.app = AppProto::Http;
        const std::string number = std::to_string(rng() % 100000);
        const std::string session = std::to_string(rng());
        std::string uri = cat({"/", word(), "/", word(), ".", rng() % 2 ? "php" : "html", "?", word(), "=", number});
        std::string host = cat({"www.", word(), ".example.go.jp"});
        std::string ua = agents[rng() % agents.size()];
        std::string header = cat({"Host: ", host, "\r\nUser-Agent: ", ua, "\r\nAccept: */*\r\nCookie: session=", session, "\r\n"});
        s.buffers = {{BufferId::HttpMethod, rng() % 5 ? "GET" : "POST"}, {BufferId::HttpUri, uri}, {BufferId::HttpRawUri, uri},
                     {BufferId::HttpHost, host}, {BufferId::HttpUserAgent, ua}, {BufferId::HttpHeader, header},
                     {BufferId::HttpRequestLine, cat({"GET ", uri, " HTTP/1.1"})}};
        break;
      }
      case 4: case 5: {  // HTTP response body
        s.meta.app = AppProto::Http;
        s.meta.direction = FlowDirection::ToClient;
        std::swap(s.meta.src, s.meta.dst);
        s.buffers = {{BufferId::HttpStatCode, "200"}, {BufferId::HttpContentType, "text/html"},
                     {BufferId::FileData, text(1200 + rng() % 3000)}};
        break;
      }
      case 6: {  // DNS
        s.meta.transport = Transport::Udp;
        s.meta.app = AppProto::Dns;
        s.meta.dst_port = 53;
        s.buffers = {{BufferId::DnsQuery, cat({word(), ".", word(), ".example.com"})}};
        break;
      }
      case 7: {  // TLS
        s.meta.app = AppProto::Tls;
        s.meta.dst_port = 443;
        s.buffers = {{BufferId::TlsSni, cat({word(), ".", word(), ".example.net"})}, {BufferId::Ja3Hash, "e7d705a3286e19ea42f587b344ee6865"}};
        break;
      }
      default: {  // raw TCP payload, MTU-sized
        s.meta.dst_port = static_cast<std::uint16_t>(1024 + rng() % 60000);
        s.buffers = {{BufferId::Payload, text(1460)}};
        s.meta.payload_size = 1460;
        break;
      }
    }
    corpus.push_back(std::move(s));
  }
  return corpus;
}

const std::vector<Sample>& corpus() {
  static const std::vector<Sample> c = makeCorpus(20000);
  return c;
}

std::size_t corpusBytes() {
  std::size_t bytes = 0;
  for (const Sample& s : corpus()) for (const auto& [id, value] : s.buffers) bytes += value.size();
  return bytes;
}

void fill(const Sample& s, MatchInput& in) {
  in.meta = s.meta;
  in.buffers.clear();
  for (const auto& [id, value] : s.buffers) in.buffers.add(id, value);
}

void BM_ParseEtOpen(benchmark::State& state) {
  if (!fs::exists(etOpenDir())) return state.SkipWithError("ET Open not found");
  for (auto _ : state) {
    LoadedSources loaded = loadSources(etOpenSources().files, etOpenSources().ruleset.variables);
    benchmark::DoNotOptimize(loaded.ruleset.rules.size());
  }
  state.counters["rules"] = static_cast<double>(etOpenSources().ruleset.rules.size());
}
BENCHMARK(BM_ParseEtOpen)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_CompileEtOpenCold(benchmark::State& state) {
  if (!fs::exists(etOpenDir())) return state.SkipWithError("ET Open not found");
  for (auto _ : state) {
    auto compiled = RuleCompiler().compile(etOpenSources().ruleset);
    state.counters["databases"] = static_cast<double>(compiled->stats().databases);
    state.counters["db_MiB"] = static_cast<double>(compiled->stats().database_bytes) / (1024.0 * 1024.0);
  }
}
BENCHMARK(BM_CompileEtOpenCold)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_CompileEtOpenCached(benchmark::State& state) {
  if (!fs::exists(etOpenDir())) return state.SkipWithError("ET Open not found");
  const fs::path cache = fs::temp_directory_path() / "gsoc-bench-cache";
  CompileOptions options;
  options.cache_dir = cache;
  (void)RuleCompiler(options).compile(etOpenSources().ruleset);  // fill
  for (auto _ : state) {
    auto compiled = RuleCompiler(options).compile(etOpenSources().ruleset);
    if (!compiled->stats().cache_hit) state.SkipWithError("cache miss");
  }
  fs::remove_all(cache);
}
BENCHMARK(BM_CompileEtOpenCached)->Unit(benchmark::kMillisecond)->Iterations(3);

// The ceiling: only the prefilter databases, one scan per buffer, as the detector scans them.
void BM_PrefilterOnly(benchmark::State& state) {
  if (!fs::exists(etOpenDir())) return state.SkipWithError("ET Open not found");
  const CompiledRuleset& rs = *etOpenCompiled();
  hs::ScratchPtr scratch;
  for (const auto& [name, db] : rs.databases()) hs::ensureScratch(scratch, *db);
  std::uint64_t hits = 0;
  auto onMatch = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
    ++*static_cast<std::uint64_t*>(ctx);
    return 0;
  };
  for (auto _ : state) {
    for (const Sample& s : corpus()) {
      for (const auto& [id, value] : s.buffers) {
        const GroupDatabases& g = rs.scanGroup(s.meta.transport, s.meta.app, s.meta.direction, index(id));
        if (g.literals) hs_scan(g.literals.get(), value.data(), static_cast<unsigned>(value.size()), 0, scratch.get(), onMatch, &hits);
        if (g.regexes) hs_scan(g.regexes.get(), value.data(), static_cast<unsigned>(value.size()), 0, scratch.get(), onMatch, &hits);
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpusBytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
  state.counters["prefilter_hits_per_input"] = static_cast<double>(hits) / static_cast<double>(state.iterations() * corpus().size());
}
BENCHMARK(BM_PrefilterOnly)->Unit(benchmark::kMillisecond);

void BM_DetectorFull(benchmark::State& state) {
  if (!fs::exists(etOpenDir())) return state.SkipWithError("ET Open not found");
  Detector detector(etOpenCompiled());
  MatchInput in;
  std::uint64_t alerts = 0;
  for (auto _ : state) {
    for (const Sample& s : corpus()) {
      fill(s, in);
      alerts += detector.match(in, nullptr).size();
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * corpusBytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * corpus().size()));
  const auto inputs = static_cast<double>(detector.counters().inputs);
  state.counters["candidates_per_input"] = static_cast<double>(detector.counters().candidates) / inputs;
  state.counters["alerts_per_input"] = static_cast<double>(alerts) / inputs;
}
BENCHMARK(BM_DetectorFull)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

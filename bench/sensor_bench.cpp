// Sensor throughput per worker core on generated mixed traffic (HTTP, TLS, DNS, SMTP; MSS-sized
// segments) with the full ET Open ruleset, against two references in the same process: the
// pipeline without rules (decode, defrag, flows, reassembly, app layer off) and the raw Hyperscan
// payload databases alone over the same payload bytes (the ceiling). Run:
//   build/bin/gsoc_bench_sensor
#include <benchmark/benchmark.h>

#include <filesystem>

#include "bench/traffic/TrafficGenerator.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "gsoc/signatures/RulesetSource.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/worker/SensorWorker.hpp"

using namespace gsoc;

namespace {

struct Frame {
  std::int64_t ts;
  traffic::Bytes bytes;
};

const std::vector<Frame>& frames() {
  static const std::vector<Frame> all = [] {
    std::vector<Frame> out;
    traffic::TrafficGenerator gen(7, [&](std::int64_t ts, std::span<const std::uint8_t> f) { out.push_back({ts, traffic::Bytes(f.begin(), f.end())}); });
    gen.mixed(48ull << 20);
    return out;
  }();
  return all;
}

std::uint64_t wireBytes() {
  std::uint64_t n = 0;
  for (const Frame& f : frames()) n += f.bytes.size();
  return n;
}

const signatures::CompiledRulesetPtr& etOpen() {
  static const signatures::CompiledRulesetPtr compiled = [] {
    const std::filesystem::path dir = std::filesystem::path(GSOC_SHARED_DIR) / "rules" / "et-open";
    signatures::RulesetSource source;
    source.rule_paths = {dir};
    source.classification_file = dir / "classification.config";
    return signatures::RuleCompiler().compile(signatures::loadSources(source).ruleset);
  }();
  return compiled;
}

sensor::RawPacket raw(const Frame& f) {
  sensor::RawPacket r;
  r.data = f.bytes;
  r.wire_length = static_cast<std::uint32_t>(f.bytes.size());
  r.timestamp_ns = f.ts;
  return r;
}

void report(benchmark::State& state) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wireBytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames().size()));
  const double bits = static_cast<double>(wireBytes()) * 8;
  state.counters["Gbit/s"] = benchmark::Counter(bits * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["Mpps"] = benchmark::Counter(static_cast<double>(frames().size() * state.iterations()) / 1e6, benchmark::Counter::kIsRate);
}

void BM_SensorNoRules(benchmark::State& state) {
  (void)frames();  // generated before timing starts
  for (auto _ : state) {
    sensor::SensorWorker worker({}, {});
    for (const Frame& f : frames()) worker.process(raw(f));
    worker.finish();
  }
  report(state);
}
BENCHMARK(BM_SensorNoRules)->Unit(benchmark::kMillisecond)->MinTime(3);

void BM_SensorEtOpen(benchmark::State& state) {
  if (!std::filesystem::exists(std::filesystem::path(GSOC_SHARED_DIR) / "rules" / "et-open")) return state.SkipWithError("no ET Open");
  std::uint64_t alerts = 0;
  const signatures::CompiledRulesetPtr& ruleset = etOpen();  // compiled before timing starts
  (void)frames();
  for (auto _ : state) {
    sensor::DetectionStage detection(ruleset, [&](const sensor::AlertHit&) { ++alerts; });
    sensor::WorkerHooks hooks;
    hooks.on_packet = [&](const sensor::DecodedPacket& p, sensor::Flow& fl, signatures::FlowDirection d) { detection.onPacket(p, fl, d); };
    hooks.on_stream_data = [&](sensor::Flow& fl, signatures::FlowDirection d, std::span<const std::uint8_t> data) {
      detection.onStreamData(fl, d, data);
    };
    hooks.on_flow_end = [&](sensor::Flow& fl, sensor::FlowEndReason) { detection.onFlowEnd(fl); };
    sensor::SensorWorker worker({}, hooks);
    for (const Frame& f : frames()) worker.process(raw(f));
    worker.finish();
  }
  report(state);
  state.counters["alerts_per_run"] = static_cast<double>(alerts) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SensorEtOpen)->Unit(benchmark::kMillisecond)->MinTime(3);

// The ceiling: every packet payload scanned once by the ET Open payload database of its
// transport (the merged ip + tcp/udp group), nothing else.
void BM_HyperscanCeiling(benchmark::State& state) {
  if (!std::filesystem::exists(std::filesystem::path(GSOC_SHARED_DIR) / "rules" / "et-open")) return state.SkipWithError("no ET Open");
  const signatures::CompiledRuleset& rs = *etOpen();
  std::vector<std::pair<std::span<const std::uint8_t>, signatures::Transport>> payloads;
  sensor::PacketDecoder decoder;
  sensor::DecodedPacket p;
  for (const Frame& f : frames()) {
    if (decoder.decode(raw(f), p) && !p.payload.empty()) {
      payloads.emplace_back(p.payload, p.ip_proto == 6 ? signatures::Transport::Tcp : signatures::Transport::Udp);
    }
  }
  signatures::hs::ScratchPtr scratch;
  for (const auto& [name, db] : rs.databases()) signatures::hs::ensureScratch(scratch, *db);
  std::uint64_t hits = 0;
  auto onMatch = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
    ++*static_cast<std::uint64_t*>(ctx);
    return 0;
  };
  for (auto _ : state) {
    for (const auto& [payload, transport] : payloads) {
      const auto& g = rs.scanGroup(transport, signatures::AppProto::None, signatures::FlowDirection::ToServer,
                                   signatures::index(signatures::BufferId::Payload));
      if (g.literals) hs_scan(g.literals.get(), reinterpret_cast<const char*>(payload.data()), static_cast<unsigned>(payload.size()), 0, scratch.get(), onMatch, &hits);
    }
  }
  report(state);
}
BENCHMARK(BM_HyperscanCeiling)->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace

BENCHMARK_MAIN();

// Sensor throughput per worker core with the full ET Open ruleset, on generated
// traffic, against two references in the same process: the pipeline without rules (decode,
// defrag, flows, reassembly, app layer off) and the raw Hyperscan payload databases alone over
// the same payload bytes (the ceiling). Each benchmark runs these traffic cases:
//   uplink — the realistic uplink profile (issue 17), the default: 60 s of one agency's uplink in
//            time order (about 490 MB, 730k frames, 92k flows, most of them DNS; override the
//            length with GSOC_BENCH_UPLINK_SECONDS), so flows open and expire as on a wire;
//   mixed  — the earlier mix: 48 MiB of few, long HTTP/TLS/SMTP sessions and DNS, MSS-sized;
//   smtp   — (the sensor benchmarks only) 32 MiB of that mix's SMTP sessions alone.
// Run:
//   build/bin/gsoc_bench_sensor
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "bench/AllocationCounter.hpp"
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
  std::size_t offset;
  std::size_t size;
};

// One case's frames in one buffer: 730k separate allocations would be a cost of their own.
struct Traffic {
  std::vector<std::uint8_t> data;
  std::vector<Frame> frames;
  [[nodiscard]] std::span<const std::uint8_t> bytes(const Frame& f) const { return {data.data() + f.offset, f.size}; }
  [[nodiscard]] std::uint64_t wireBytes() const { return data.size(); }
};

enum Case : std::int64_t { kUplink = 0, kMixed = 1, kSmtp = 2 };

// Frames of the mixed generator, `bytes` of it with the given session shares.
Traffic generateMixed(std::uint64_t bytes, const traffic::TrafficMix& mix) {
  Traffic t;
  traffic::TrafficGenerator gen(7, [&](std::int64_t ts, std::span<const std::uint8_t> f) {
    t.frames.push_back({ts, t.data.size(), f.size()});
    t.data.insert(t.data.end(), f.begin(), f.end());
  });
  gen.mixed(bytes, mix);
  return t;
}

// Each case is generated the first time a benchmark asks for it (a filter for one case builds
// only that one).
const Traffic& traffic(std::int64_t which) {
  if (which == kMixed) {
    static const Traffic mixed = generateMixed(48ull << 20, {});
    return mixed;
  }
  if (which == kSmtp) {
    // Mail alone (the mixed generator's SMTP sessions with base64 attachments): the SMTP
    // parser's cost and allocations, which the other cases dilute.
    static const Traffic smtp = generateMixed(32ull << 20, traffic::TrafficMix{0, 0, 0, 1});
    return smtp;
  }
  static const Traffic uplink = [] {
    Traffic t;
    traffic::UplinkOptions options;
    if (const char* s = std::getenv("GSOC_BENCH_UPLINK_SECONDS")) options.seconds = std::atof(s);
    const traffic::UplinkCounters c = traffic::generateUplink(7, options, [&](std::int64_t ts, std::span<const std::uint8_t> f) {
      t.frames.push_back({ts, t.data.size(), f.size()});
      t.data.insert(t.data.end(), f.begin(), f.end());
    });
    std::cerr << "uplink profile, " << options.seconds << " s: " << c.summary() << "\n";
    return t;
  }();
  return uplink;
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

sensor::RawPacket raw(const Traffic& t, const Frame& f) {
  sensor::RawPacket r;
  r.data = t.bytes(f);
  r.wire_length = static_cast<std::uint32_t>(f.size);
  r.timestamp_ns = f.ts;
  return r;
}

void report(benchmark::State& state, const Traffic& t) {
  state.SetLabel(state.range(0) == kUplink ? "uplink" : state.range(0) == kMixed ? "mixed" : "smtp");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * t.wireBytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * t.frames.size()));
  const double bits = static_cast<double>(t.wireBytes()) * 8;
  state.counters["Gbit/s"] = benchmark::Counter(bits * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["Mpps"] = benchmark::Counter(static_cast<double>(t.frames.size() * state.iterations()) / 1e6, benchmark::Counter::kIsRate);
}

// Allocations in steady state: counted over the second half of the frames (the first half grows
// the flow slabs and the buffers to the working set), per packet and per flow created there.
struct AllocationProbe {
  std::uint64_t allocations = 0;
  std::uint64_t packets = 0;
  std::uint64_t flows = 0;
};

void runCounted(sensor::SensorWorker& worker, const Traffic& t, AllocationProbe& probe) {
  const std::size_t half = t.frames.size() / 2;
  for (std::size_t i = 0; i < half; ++i) worker.process(raw(t, t.frames[i]));
  const std::uint64_t allocations = gsoc::bench::allocationCount();
  const std::uint64_t flows = worker.flowCounters().created;
  for (std::size_t i = half; i < t.frames.size(); ++i) worker.process(raw(t, t.frames[i]));
  probe.allocations += gsoc::bench::allocationCount() - allocations;
  probe.packets += t.frames.size() - half;
  probe.flows += worker.flowCounters().created - flows;
  worker.finish();
}

void report(benchmark::State& state, const Traffic& t, const AllocationProbe& probe) {
  state.counters["allocs/packet"] = static_cast<double>(probe.allocations) / static_cast<double>(std::max<std::uint64_t>(probe.packets, 1));
  state.counters["allocs/flow"] = static_cast<double>(probe.allocations) / static_cast<double>(std::max<std::uint64_t>(probe.flows, 1));
  report(state, t);
}

void BM_SensorNoRules(benchmark::State& state) {
  const Traffic& t = traffic(state.range(0));  // generated before timing starts
  AllocationProbe probe;
  for (auto _ : state) {
    sensor::SensorWorker worker({}, {});
    runCounted(worker, t, probe);
  }
  report(state, t, probe);
}
BENCHMARK(BM_SensorNoRules)->Arg(kUplink)->Arg(kMixed)->Arg(kSmtp)->Unit(benchmark::kMillisecond)->MinTime(3);

void BM_SensorEtOpen(benchmark::State& state) {
  if (!std::filesystem::exists(std::filesystem::path(GSOC_SHARED_DIR) / "rules" / "et-open")) return state.SkipWithError("no ET Open");
  std::uint64_t alerts = 0;
  const signatures::CompiledRulesetPtr& ruleset = etOpen();  // compiled before timing starts
  const Traffic& t = traffic(state.range(0));
  AllocationProbe probe;
  for (auto _ : state) {
    sensor::DetectionStage detection(ruleset, [&](const sensor::AlertHit&) { ++alerts; });
    sensor::WorkerHooks hooks;
    hooks.on_packet = [&](const sensor::DecodedPacket& p, sensor::Flow& fl, signatures::FlowDirection d) { detection.onPacket(p, fl, d); };
    hooks.on_stream_data = [&](sensor::Flow& fl, signatures::FlowDirection d, std::span<const std::uint8_t> data) {
      detection.onStreamData(fl, d, data);
    };
    hooks.on_flow_end = [&](sensor::Flow& fl, sensor::FlowEndReason) { detection.onFlowEnd(fl); };
    sensor::SensorWorker worker({}, hooks);
    runCounted(worker, t, probe);
  }
  report(state, t, probe);
  state.counters["alerts_per_run"] = static_cast<double>(alerts) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SensorEtOpen)->Arg(kUplink)->Arg(kMixed)->Arg(kSmtp)->Unit(benchmark::kMillisecond)->MinTime(3);

// The ceiling: every packet payload scanned once by the ET Open payload database of its
// transport (the merged ip + tcp/udp group), nothing else.
void BM_HyperscanCeiling(benchmark::State& state) {
  if (!std::filesystem::exists(std::filesystem::path(GSOC_SHARED_DIR) / "rules" / "et-open")) return state.SkipWithError("no ET Open");
  const signatures::CompiledRuleset& rs = *etOpen();
  std::vector<std::pair<std::span<const std::uint8_t>, signatures::Transport>> payloads;
  sensor::PacketDecoder decoder;
  sensor::DecodedPacket p;
  const Traffic& t = traffic(state.range(0));
  for (const Frame& f : t.frames) {
    if (decoder.decode(raw(t, f), p) && !p.payload.empty()) {
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
  report(state, t);
}
BENCHMARK(BM_HyperscanCeiling)->Arg(kUplink)->Arg(kMixed)->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace

BENCHMARK_MAIN();

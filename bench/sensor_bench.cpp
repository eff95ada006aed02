// Sensor throughput per worker core with the full ET Open ruleset, on generated
// traffic, against two references in the same process: the pipeline without rules (decode,
// defrag, flows, reassembly, app layer off) and the ceiling (issue 17): the Hyperscan scans the
// sensor makes on that traffic, by its own databases, replayed raw with each reassembled stream
// byte scanned once (packet payloads, new stream bytes, every app-layer buffer). Each benchmark
// runs these traffic cases:
//   uplink — the realistic uplink profile (issue 17), the default: 60 s of one agency's uplink in
//            time order (about 490 MB, 730k frames, 92k flows, most of them DNS; override the
//            length with GSOC_BENCH_UPLINK_SECONDS), so flows open and expire as on a wire;
//   mixed  — the earlier mix: 48 MiB of few, long HTTP/TLS/SMTP sessions and DNS, MSS-sized;
//   smtp   — (the sensor benchmarks only) 32 MiB of that mix's SMTP sessions alone.
// Run:
//   build/bin/gsoc_bench_sensor
// Your own capture and rules in place of the uplink case and ET Open (bench/sensor_ceiling.py
// runs this and prints the ratios):
//   GSOC_BENCH_PCAP=uplink.pcap GSOC_BENCH_RULES=/etc/gsoc/rules build/bin/gsoc_bench_sensor --benchmark_filter=/0
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string_view>

#include "bench/AllocationCounter.hpp"
#include "sensor/capture/PcapFileSource.hpp"
#include "bench/traffic/TrafficGenerator.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "gsoc/signatures/RulesetSource.hpp"
#include "sensor/decode/PacketDecoder.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/worker/InspectionHooks.hpp"
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
    if (const char* path = std::getenv("GSOC_BENCH_PCAP")) {
      sensor::PcapFileSource file(path);
      sensor::RawPacket r;
      while (file.next(r)) {
        t.frames.push_back({r.timestamp_ns, t.data.size(), r.data.size()});
        t.data.insert(t.data.end(), r.data.begin(), r.data.end());
      }
      if (!file.lastError().empty()) std::cerr << file.lastError() << "\n";
      std::cerr << path << ": " << t.frames.size() << " frames, " << t.data.size() << " bytes\n";
      return t;
    }
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

// The rules: GSOC_BENCH_RULES (a rules file or folder) when set, else ET Open from ../shared.
std::filesystem::path rulesPath() {
  if (const char* path = std::getenv("GSOC_BENCH_RULES")) return path;
  return std::filesystem::path(GSOC_SHARED_DIR) / "rules" / "et-open";
}

const signatures::CompiledRulesetPtr& etOpen() {
  static const signatures::CompiledRulesetPtr compiled = [] {
    const std::filesystem::path dir = rulesPath();
    signatures::RulesetSource source;
    source.rule_paths = {dir};
    const std::filesystem::path classification = (std::filesystem::is_directory(dir) ? dir : dir.parent_path()) / "classification.config";
    if (std::filesystem::exists(classification)) source.classification_file = classification;
    return signatures::RuleCompiler().compile(signatures::loadSources(source).ruleset);
  }();
  return compiled;
}

// GSOC_BENCH_TLS_ENCRYPTION_HANDLING=full: TLS ciphertext inspected like any payload (the sensor's
// --tls-encryption-handling full), to compare with the default, track-only, in one build.
void applyEncryptionHandling(sensor::FlowInspector& inspection) {
  const char* handling = std::getenv("GSOC_BENCH_TLS_ENCRYPTION_HANDLING");
  inspection.detection().setInspectEncrypted(handling != nullptr && std::string_view(handling) == "full");
}

// `later_ns`: the frame replayed that much later (a second pass over the case).
sensor::RawPacket raw(const Traffic& t, const Frame& f, std::int64_t later_ns = 0) {
  sensor::RawPacket r;
  r.data = t.bytes(f);
  r.wire_length = static_cast<std::uint32_t>(f.size);
  r.timestamp_ns = f.ts + later_ns;
  return r;
}

void report(benchmark::State& state, const Traffic& t) {
  state.SetLabel(state.range(0) == kUplink ? (std::getenv("GSOC_BENCH_PCAP") != nullptr ? "pcap" : "uplink")
                 : state.range(0) == kMixed ? "mixed" : "smtp");
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
  gsoc::bench::traceAllocations(true);
  for (std::size_t i = half; i < t.frames.size(); ++i) worker.process(raw(t, t.frames[i]));
  gsoc::bench::traceAllocations(false);
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
  if (!std::filesystem::exists(rulesPath())) return state.SkipWithError("no rules (ET Open or GSOC_BENCH_RULES)");
  std::uint64_t alerts = 0;
  const signatures::CompiledRulesetPtr& ruleset = etOpen();  // compiled before timing starts
  const Traffic& t = traffic(state.range(0));
  AllocationProbe probe;
  for (auto _ : state) {
    sensor::FlowInspector inspection(ruleset, [&](const sensor::AlertHit&) { ++alerts; });
    applyEncryptionHandling(inspection);
    sensor::SensorWorker worker({}, inspectionHooks(inspection));
    runCounted(worker, t, probe);
  }
  report(state, t, probe);
  state.counters["alerts_per_run"] = static_cast<double>(alerts) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_SensorEtOpen)->Arg(kUplink)->Arg(kMixed)->Arg(kSmtp)->Unit(benchmark::kMillisecond)->MinTime(3);

// The app layer without detection (an empty ruleset): what identifying and parsing HTTP, DNS,
// TLS, SMTP and the rest adds to the pipeline. With BM_SensorNoRules and BM_HyperscanCeiling it
// bounds the share of the ceiling that any detection over this app layer could reach
// (bench/sensor_ceiling.py prints both).
void BM_SensorAppLayer(benchmark::State& state) {
  static const signatures::CompiledRulesetPtr empty = signatures::RuleCompiler().compile(signatures::Ruleset{});
  const Traffic& t = traffic(state.range(0));
  AllocationProbe probe;
  for (auto _ : state) {
    sensor::FlowInspector inspection(empty, [](const sensor::AlertHit&) {});
    applyEncryptionHandling(inspection);
    sensor::SensorWorker worker({}, inspectionHooks(inspection));
    runCounted(worker, t, probe);
  }
  report(state, t, probe);
}
BENCHMARK(BM_SensorAppLayer)->Arg(kUplink)->Arg(kMixed)->Arg(kSmtp)->Unit(benchmark::kMillisecond)->MinTime(3);

// Allocations in steady state (issue 17: none per packet or per flow once warm). Within one pass
// of the uplink case the working set never stops growing: its flows outlive the 60 s (UDP and
// TCP established timeouts are 300 s and more), so every new flow may be a new high of live
// states. Here the worker takes the case twice: once to warm up, then again three hours later,
// when every flow of the first pass has expired and given its state, windows and buffers back,
// so the second pass's flows (the same ones, new again) meet pools that once held all of them.
// Allocations are counted over the second pass; time and Gbit/s over both.
void BM_SensorEtOpenSteady(benchmark::State& state) {
  if (!std::filesystem::exists(rulesPath())) return state.SkipWithError("no rules (ET Open or GSOC_BENCH_RULES)");
  constexpr std::int64_t kLaterNs = 3 * 3600 * 1'000'000'000LL;
  const signatures::CompiledRulesetPtr& ruleset = etOpen();
  const Traffic& t = traffic(state.range(0));
  AllocationProbe probe;
  for (auto _ : state) {
    sensor::FlowInspector inspection(ruleset, [](const sensor::AlertHit&) {});
    applyEncryptionHandling(inspection);
    sensor::SensorWorker worker({}, inspectionHooks(inspection));
    for (const Frame& f : t.frames) worker.process(raw(t, f));
    const std::uint64_t allocations = gsoc::bench::allocationCount();
    const std::uint64_t flows = worker.flowCounters().created;
    gsoc::bench::traceAllocations(true);
    for (const Frame& f : t.frames) worker.process(raw(t, f, kLaterNs));
    gsoc::bench::traceAllocations(false);
    probe.allocations += gsoc::bench::allocationCount() - allocations;
    probe.packets += t.frames.size();
    probe.flows += worker.flowCounters().created - flows;
    worker.finish();
  }
  report(state, t, probe);
  state.SetBytesProcessed(static_cast<std::int64_t>(2 * state.iterations() * t.wireBytes()));
  state.SetItemsProcessed(static_cast<std::int64_t>(2 * state.iterations() * t.frames.size()));
  const double bits = static_cast<double>(t.wireBytes()) * 8;
  state.counters["Gbit/s"] = benchmark::Counter(2 * bits * static_cast<double>(state.iterations()) / 1e9, benchmark::Counter::kIsRate);
  state.counters["Mpps"] = benchmark::Counter(2 * static_cast<double>(t.frames.size() * state.iterations()) / 1e6, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SensorEtOpenSteady)->Arg(kUplink)->Arg(kMixed)->Arg(kSmtp)->Unit(benchmark::kMillisecond)->MinTime(3);

// The ceiling's scans: each a group's databases over bytes kept in the recording.
struct Inspection {
  const signatures::GroupDatabases* group;
  const char* bytes;  // into the traffic's buffer or the recording's copies
  unsigned size;
};

struct InspectionRecording {
  std::vector<std::unique_ptr<char[]>> copies;  // bytes the traffic's buffer does not hold (windows, app buffers)
  std::vector<Inspection> scans;
  std::uint64_t packet_bytes = 0;       // packet payloads
  std::uint64_t stream_once_bytes = 0;  // new reassembled bytes: what the ceiling scans
  std::uint64_t stream_window_bytes = 0;  // what the sensor scans for them (windows overlap)
  std::uint64_t buffer_bytes = 0;       // app-layer buffers (transactions)
};

// Records what the sensor's detector scans, keeping a stream window's new bytes only.
class InspectionRecorder final : public signatures::ScanObserver {
 public:
  InspectionRecorder(const Traffic& t, InspectionRecording& out) : traffic_(t), out_(out) {}
  void scanned(const signatures::GroupDatabases& group, std::string_view bytes, const signatures::PacketMeta& meta) override {
    if (meta.is_stream) {
      out_.stream_window_bytes += bytes.size();
      bytes.remove_prefix(std::min<std::size_t>(meta.stream_new_data_offset, bytes.size()));
      out_.stream_once_bytes += bytes.size();
    } else if (meta.is_transaction) {
      out_.buffer_bytes += bytes.size();
    } else {
      out_.packet_bytes += bytes.size();
    }
    if (bytes.empty()) return;
    const auto* base = reinterpret_cast<const char*>(traffic_.data.data());
    const char* p = bytes.data();
    if (p < base || p + bytes.size() > base + traffic_.data.size()) {  // not a packet's: copy it
      auto copy = std::make_unique<char[]>(bytes.size());
      std::copy(bytes.begin(), bytes.end(), copy.get());
      p = copy.get();
      out_.copies.push_back(std::move(copy));
    }
    out_.scans.push_back({&group, p, static_cast<unsigned>(bytes.size())});
  }

 private:
  const Traffic& traffic_;
  InspectionRecording& out_;
};

// One sensor run over the case with its scans recorded (before timing; once per case).
const InspectionRecording& recordedInspections(std::int64_t which) {
  static std::map<std::int64_t, InspectionRecording> recordings;
  auto [it, fresh] = recordings.try_emplace(which);
  if (!fresh) return it->second;
  const Traffic& t = traffic(which);
  InspectionRecorder recorder(t, it->second);
  sensor::FlowInspector inspection(etOpen(), [](const sensor::AlertHit&) {});
  applyEncryptionHandling(inspection);
  inspection.detection().observeScans(&recorder);
  sensor::SensorWorker worker({}, inspectionHooks(inspection));
  for (const Frame& f : t.frames) worker.process(raw(t, f));
  worker.finish();
  inspection.detection().observeScans(nullptr);
  return it->second;
}

// The ceiling (issue 17): the sensor's own Hyperscan scans of this traffic replayed raw, each
// reassembled stream byte once (the sensor's windows overlap: stream_rescan says by how much).
// Packet payloads and app-layer buffers as the detector scanned them.
void BM_HyperscanCeiling(benchmark::State& state) {
  if (!std::filesystem::exists(rulesPath())) return state.SkipWithError("no rules (ET Open or GSOC_BENCH_RULES)");
  const signatures::CompiledRuleset& rs = *etOpen();
  const Traffic& t = traffic(state.range(0));
  const InspectionRecording& rec = recordedInspections(state.range(0));
  signatures::hs::ScratchPtr scratch;
  for (const auto& [name, db] : rs.databases()) signatures::hs::ensureScratch(scratch, *db);
  std::uint64_t hits = 0;
  auto onMatch = [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) -> int {
    ++*static_cast<std::uint64_t*>(ctx);
    return 0;
  };
  for (auto _ : state) {
    for (const Inspection& s : rec.scans) {
      if (s.group->literals) hs_scan(s.group->literals.get(), s.bytes, s.size, 0, scratch.get(), onMatch, &hits);
      if (s.group->regexes) hs_scan(s.group->regexes.get(), s.bytes, s.size, 0, scratch.get(), onMatch, &hits);
    }
  }
  report(state, t);
  const auto mib = [](std::uint64_t b) { return static_cast<double>(b) / (1 << 20); };
  state.counters["scans"] = static_cast<double>(rec.scans.size());
  state.counters["packet_MiB"] = mib(rec.packet_bytes);
  state.counters["stream_MiB"] = mib(rec.stream_once_bytes);
  state.counters["buffer_MiB"] = mib(rec.buffer_bytes);
  state.counters["stream_rescan"] = static_cast<double>(rec.stream_window_bytes) / static_cast<double>(std::max<std::uint64_t>(rec.stream_once_bytes, 1));
}
BENCHMARK(BM_HyperscanCeiling)->Arg(kUplink)->Arg(kMixed)->Unit(benchmark::kMillisecond)->MinTime(3);

}  // namespace

BENCHMARK_MAIN();

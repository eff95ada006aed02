// Hostile traffic never crashes the sensor: generated HTTP/TLS/DNS/SMTP sessions with random
// bytes flipped, cut and inserted run through the whole pipeline (decode, defrag, flows,
// reassembly, every app-layer parser, detection with the default ruleset and indicators).
// Deterministic seeds; scripts/test runs it under ASan/UBSan.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "bench/traffic/TrafficGenerator.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "gsoc/signatures/RulesetSource.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/worker/InspectionHooks.hpp"
#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor {
namespace {

TEST(SensorRobustness, MutatedTrafficThroughEveryParser) {
  signatures::RulesetSource source;
  const std::filesystem::path dir = std::filesystem::path(GSOC_SOURCE_DIR) / "signatures" / "rules" / "default";
  source.rule_paths = {dir / "gsoc-default.rules"};
  source.indicator_files = {{signatures::IndicatorType::Domain, dir / "indicators" / "domain.tsv"},
                            {signatures::IndicatorType::Email, dir / "indicators" / "email.tsv"}};
  signatures::LoadedSources loaded = signatures::loadSources(source);
  ASSERT_TRUE(loaded.errors.empty());
  const auto ruleset = signatures::RuleCompiler().compile(std::move(loaded.ruleset), std::move(loaded.indicators));

  std::uint64_t alerts = 0, records = 0;
  FlowInspector inspection(ruleset, [&](const AlertHit&) { ++alerts; });
  inspection.setMetadataSink([&](const AppMetadata&) { ++records; });
  SensorWorker worker({}, inspectionHooks(inspection));

  std::mt19937_64 rng(99);
  std::uint64_t frames = 0;
  traffic::TrafficGenerator generator(5, [&](std::int64_t ts, std::span<const std::uint8_t> frame) {
    std::vector<std::uint8_t> bytes(frame.begin(), frame.end());
    const int mutations = static_cast<int>(rng() % 4);  // a quarter of the frames stay intact
    for (int m = 0; m < mutations && !bytes.empty(); ++m) {
      const std::size_t pos = 14 + rng() % std::max<std::size_t>(1, bytes.size() - 14);  // keep Ethernet
      switch (rng() % 3) {
        case 0: if (pos < bytes.size()) bytes[pos] = static_cast<std::uint8_t>(rng()); break;
        case 1: if (pos < bytes.size()) bytes.resize(pos); break;
        default: bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(std::min(pos, bytes.size())), static_cast<std::uint8_t>(rng())); break;
      }
    }
    RawPacket raw;
    raw.data = bytes;
    raw.wire_length = static_cast<std::uint32_t>(bytes.size());
    raw.timestamp_ns = ts;
    worker.process(raw);
    ++frames;
  });
  generator.mixed(12'000'000, traffic::TrafficMix{0.3, 0.2, 0.3, 0.2});
  generator.attackScenarios();
  worker.finish();
  EXPECT_EQ(worker.counters().packets, frames);
  EXPECT_GT(worker.decodeCounters().malformed(), 0u);  // the mutations were seen and counted
  EXPECT_GT(records, 0u);                              // and parsers still produced records
  EXPECT_EQ(inspection.detection().detector().counters().scan_errors, 0u);
  (void)alerts;
}

}  // namespace
}  // namespace gsoc::sensor

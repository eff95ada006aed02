// SensorEngine on a capture written here: every packet reaches a worker and every flow ends once,
// with one worker and with several (dispatch by flow hash, rings, threads); alerts and flow
// records reach the EVE file; a ruleset installed from the housekeeping replaces the old one
// for the packets after it; without a ruleset the engine only tracks flows.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "bench/traffic/FrameBuilder.hpp"
#include "sensor/capture/PcapFileSource.hpp"
#include "sensor/capture/PcapWriter.hpp"
#include "sensor/export/EventOutput.hpp"
#include "sensor/worker/SensorEngine.hpp"
#include "signatures/TestRules.hpp"

namespace gsoc::sensor {
namespace {

using signatures::testing::compileRules;

constexpr std::size_t kFlows = 40;
constexpr std::size_t kPacketsPerFlow = 3;

class SensorEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("gsoc-sensor-engine-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    // kFlows UDP flows from as many clients, each of kPacketsPerFlow packets: the first says
    // "alpha", the others "beta".
    PcapWriter pcap((dir_ / "in.pcap").string());
    std::int64_t ts = 1'700'000'000'000'000'000;
    for (std::size_t f = 0; f < kFlows; ++f) {
      for (std::size_t p = 0; p < kPacketsPerFlow; ++p) {
        traffic::PacketSpec spec;
        spec.proto = 17;
        spec.src = "192.0.2." + std::to_string(f + 1);
        spec.sport = static_cast<std::uint16_t>(40000 + f);
        spec.dport = 5000;
        spec.payload = p == 0 ? "hello alpha" : "hello beta";
        pcap.write(ts += 1'000'000, traffic::ethernetFrame(spec));
      }
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  struct Result {
    SensorTotals totals;
    std::uint64_t alerts_counted = 0;  // by the outputs, for the heartbeat
    std::uint64_t eve_records = 0;
  };
  Result run(std::size_t workers, const signatures::CompiledRulesetPtr& ruleset, const signatures::CompiledRulesetPtr& swap_to = nullptr) {
    PcapFileSource source((dir_ / "in.pcap").string());
    std::atomic<std::uint64_t> alerts{0};
    EventOutput output((dir_ / "eve.json").string(), EveFile::OpenMode::truncate, "", EveSettings{}, alerts);
    EngineConfig config;
    config.workers = workers;
    config.stats_interval = 0;
    const std::atomic<bool> stop{false};
    SensorEngine engine(config, source, nullptr, ruleset, output, nullptr, stop);
    bool swapped = swap_to == nullptr;
    engine.run({.due = [&] { return !swapped; },
                .service =
                    [&] {
                      engine.installRuleset(swap_to);
                      swapped = true;
                    }});
    Result r{engine.totals(), alerts.load(), 0};
    output.finish(engine.lastTimestamp(), r.totals, engine.captureCounters());
    r.eve_records = output.eveRecords();
    return r;
  }

  std::filesystem::path dir_;
};

constexpr std::string_view kAlphaRule = R"(alert udp any any -> any 5000 (msg:"alpha"; content:"alpha"; sid:1;))";
constexpr std::string_view kBetaRule = R"(alert udp any any -> any 5000 (msg:"beta"; content:"beta"; sid:2;))";

TEST_F(SensorEngineTest, OneWorkerSeesEveryPacketAndFlow) {
  const Result r = run(1, compileRules(kAlphaRule));
  EXPECT_EQ(r.totals.worker.packets, kFlows * kPacketsPerFlow);
  EXPECT_EQ(r.totals.flows.created, kFlows);
  EXPECT_EQ(r.totals.worker.flows_ended, kFlows);
  EXPECT_EQ(r.totals.detection.alerts, kFlows);
  EXPECT_EQ(r.alerts_counted, kFlows);
  EXPECT_EQ(r.totals.ring_drops, 0u);
  EXPECT_EQ(r.eve_records, kFlows /* alerts */ + kFlows /* flows */ + 1 /* stats */);
}

TEST_F(SensorEngineTest, SeveralWorkersShareTheFlowsAndCountTheSame) {
  const Result r = run(3, compileRules(kAlphaRule));
  EXPECT_EQ(r.totals.worker.packets, kFlows * kPacketsPerFlow);
  EXPECT_EQ(r.totals.flows.created, kFlows);  // both directions of a flow on one worker: no flow twice
  EXPECT_EQ(r.totals.worker.flows_ended, kFlows);
  EXPECT_EQ(r.totals.detection.alerts, kFlows);
  EXPECT_EQ(r.alerts_counted, kFlows);
  EXPECT_EQ(r.totals.ring_drops, 0u);  // a file waits for a full ring, never drops
  EXPECT_EQ(r.eve_records, 2 * kFlows + 1);
}

TEST_F(SensorEngineTest, InstalledRulesetReplacesTheOldOneBetweenPackets) {
  // Installed before the first packet: only the new rule fires, on every "beta" packet.
  const Result r = run(1, compileRules(kAlphaRule), compileRules(kBetaRule));
  EXPECT_EQ(r.totals.detection.alerts, kFlows * (kPacketsPerFlow - 1));
}

TEST_F(SensorEngineTest, WithoutRulesetOnlyFlowsAreTracked) {
  const Result r = run(2, nullptr);
  EXPECT_EQ(r.totals.worker.packets, kFlows * kPacketsPerFlow);
  EXPECT_EQ(r.totals.flows.created, kFlows);
  EXPECT_EQ(r.totals.detection.alerts, 0u);
  EXPECT_EQ(r.eve_records, kFlows + 1);
}

}  // namespace
}  // namespace gsoc::sensor

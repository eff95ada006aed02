#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "gsoc/config/ConfigLoader.hpp"
#include "gsoc/v1/config.pb.h"

namespace gsoc::config {
namespace {

std::string errorOf(std::string_view yaml) {
  gsoc::v1::SensorConfig config;
  try {
    loadYamlText(yaml, "sensor.yaml", config);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ConfigLoader, ReadsNestedMessagesListsMapsAndScalars) {
  gsoc::v1::SensorConfig config;
  loadYamlText(R"(
sensor_id: mofa-uplink-1
agency_id: MOFA
capture:
  source: dpdk
  dpdk_eal_args: [--no-huge, -m, "512"]
  workers: 4
  replay_speed: 1.5
rules:
  rule_files: [rules/default.rules]
  address_groups:
    HOME_NET: "[192.0.2.0/24]"
  strict: yes
  indicators:
    - {type: domain, path: iocs/domains.tsv}
)", "sensor.yaml", config);
  EXPECT_EQ(config.sensor_id(), "mofa-uplink-1");
  EXPECT_EQ(config.capture().workers(), 4u);
  EXPECT_DOUBLE_EQ(config.capture().replay_speed(), 1.5);
  ASSERT_EQ(config.capture().dpdk_eal_args_size(), 3);
  EXPECT_EQ(config.capture().dpdk_eal_args(2), "512");
  EXPECT_EQ(config.rules().address_groups().at("HOME_NET"), "[192.0.2.0/24]");
  EXPECT_TRUE(config.rules().strict());
  ASSERT_EQ(config.rules().indicators_size(), 1);
  EXPECT_EQ(config.rules().indicators(0).type(), "domain");
}

TEST(ConfigLoader, EmptyFileIsDefaults) {
  gsoc::v1::SensorConfig config;
  loadYamlText("", "empty.yaml", config);
  EXPECT_EQ(config.sensor_id(), "");
}

TEST(ConfigLoader, ErrorsNameFileLineColumnAndKey) {
  EXPECT_EQ(errorOf("sensor_id: a\ncapture:\n  workerz: 4\n"),
            "sensor.yaml:3:3: key 'capture.workerz': unknown key (not in gsoc.v1.CaptureConfig)");
  EXPECT_EQ(errorOf("capture:\n  workers: four\n"), "sensor.yaml:2:12: key 'capture.workers': expected a non-negative integer, got 'four'");
  EXPECT_EQ(errorOf("capture:\n  workers: -1\n"), "sensor.yaml:2:12: key 'capture.workers': expected a non-negative integer, got '-1'");
  EXPECT_EQ(errorOf("rules:\n  strict: maybe\n"), "sensor.yaml:2:11: key 'rules.strict': expected true or false, got 'maybe'");
  EXPECT_EQ(errorOf("capture: dpdk\n"), "sensor.yaml:1:10: key 'capture': expected a mapping for CaptureConfig");
  EXPECT_EQ(errorOf("rules:\n  rule_files: one.rules\n"), "sensor.yaml:2:15: key 'rules.rule_files': expected a list");
  EXPECT_EQ(errorOf("sensor_id: [a\n").rfind("sensor.yaml:", 0), 0u);
}

// A value only its reader can judge (a dataset's type) is reported at its line, as the loader's own.
TEST(ConfigLoader, KeyErrorPointsAtTheValueInTheFile) {
  const auto path = std::filesystem::temp_directory_path() / ("gsoc-keyerror-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "rule_files: [a.rules]\ndatasets:\n  sets:\n    ua.seen:\n      type: strnig\n";
  }
  gsoc::v1::RulesConfig config;
  loadYamlFile(path, config);  // well-formed: the schema has no opinion on the type's value
  EXPECT_EQ(keyError(path, "datasets.sets.ua.seen.type", "unknown dataset type 'strnig'").what(),
            path.string() + ":5:13: key 'datasets.sets.ua.seen.type': unknown dataset type 'strnig'");
  // A key the file lacks: the deepest one it has.
  EXPECT_EQ(keyError(path, "datasets.sets.other.type", "x").what(), path.string() + ":4:5: key 'datasets.sets.other.type': x");
  std::filesystem::remove(path);
  EXPECT_EQ(keyError(path, "a", "gone").what(), path.string() + ": key 'a': gone");
}

// A list element is named by its index, and found at its line (a sensor's second collector address).
TEST(ConfigLoader, KeyErrorPointsAtAListElement) {
  const auto path = std::filesystem::temp_directory_path() / ("gsoc-keyerror-list-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(path);
    out << "transport:\n  collector_addresses:\n    - a:1\n    - b:99999\n  ca_file: [x, y]\n";
  }
  EXPECT_EQ(keyError(path, "transport.collector_addresses.1", "bad port").what(),
            path.string() + ":4:7: key 'transport.collector_addresses.1': bad port");
  EXPECT_EQ(keyError(path, "transport.ca_file.1", "x").what(), path.string() + ":5:16: key 'transport.ca_file.1': x");
  // An index the list lacks, or a name where an index belongs: the list itself.
  EXPECT_EQ(keyError(path, "transport.collector_addresses.2", "x").what(),
            path.string() + ":3:5: key 'transport.collector_addresses.2': x");
  EXPECT_EQ(keyError(path, "transport.collector_addresses.x", "x").what(),
            path.string() + ":3:5: key 'transport.collector_addresses.x': x");
  std::filesystem::remove(path);
}

// yaml-cpp throws its own conversion error for such keys; the loader must report them (fuzzing).
TEST(ConfigLoader, ListOrMappingKeysAreConfigErrors) {
  EXPECT_EQ(errorOf("{[a]: 1}\n"), "sensor.yaml:1:2: a key must be a plain value, not a list or mapping");
  EXPECT_EQ(errorOf("capture:\n  ? {a: b}\n  : 1\n"),
            "sensor.yaml:2:5: key 'capture': a key must be a plain value, not a list or mapping");
}

TEST(ConfigLoader, MissingFile) {
  gsoc::v1::CollectorConfig config;
  EXPECT_THROW(loadYamlFile("/nonexistent/collector.yaml", config), ConfigError);
}

TEST(ConfigLoader, ShippedDefaultConfigsAreValid) {
  const std::filesystem::path dir = std::filesystem::path(GSOC_SOURCE_DIR) / "packaging" / "config";
  gsoc::v1::SensorConfig sensor;
  EXPECT_NO_THROW(loadYamlFile(dir / "sensor.yaml", sensor));
  EXPECT_FALSE(sensor.rules().rule_files().empty());
  gsoc::v1::CollectorConfig collector;
  EXPECT_NO_THROW(loadYamlFile(dir / "collector.yaml", collector));
  EXPECT_EQ(collector.store().retention_days(), 400u);
}

}  // namespace
}  // namespace gsoc::config

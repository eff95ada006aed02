// The sensor's Prometheus exposition: every family typed once, drops split by layer, the spool
// series only when shipping, and label values escaped.
#include "sensor/control/SensorMetrics.hpp"

#include <gtest/gtest.h>

#include <string>

using gsoc::sensor::renderSensorMetrics;
using gsoc::sensor::SensorMetrics;

namespace {

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST(SensorMetricsTest, CountersByLayerAndTheSpoolWhenShipping) {
  SensorMetrics m;
  m.packets = 728648;
  m.bytes = 500000000;
  m.alerts = 17;
  m.drop_interface = 1;
  m.drop_capture = 2;
  m.drop_ring = 3;
  m.engine.malformed = 4;
  m.engine.fragments = 5;
  m.spool_events = 42;
  m.spool.dropped_full = 6;
  m.shipper.events_committed = 900;
  const std::string text = renderSensorMetrics(m, "moj-1", "MOJ", "2026.12.05-1", true);
  EXPECT_NE(text.find("gsoc_sensor_info{sensor=\"moj-1\",agency=\"MOJ\",ruleset=\"2026.12.05-1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_packets_total 728648\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_bytes_total 500000000\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_alerts_total 17\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_dropped_packets_total{layer=\"interface\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_dropped_packets_total{layer=\"capture\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_dropped_packets_total{layer=\"ring\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_dropped_packets_total{layer=\"malformed\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_dropped_packets_total{layer=\"fragments\"} 5\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_spool_events 42\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_spool_dropped_events_total{reason=\"full\"} 6\n"), std::string::npos);
  EXPECT_NE(text.find("gsoc_sensor_events_committed_total 900\n"), std::string::npos);
  // Each family is declared once, before its samples.
  EXPECT_EQ(count(text, "# TYPE gsoc_sensor_dropped_packets_total counter\n"), 1U);
  EXPECT_EQ(count(text, "# TYPE "), count(text, "# HELP "));
}

TEST(SensorMetricsTest, NoSpoolSeriesWithoutTransport) {
  const std::string text = renderSensorMetrics(SensorMetrics{}, "s", "A", "", false);
  EXPECT_EQ(text.find("gsoc_sensor_spool"), std::string::npos);
  EXPECT_NE(text.find("ruleset=\"none\""), std::string::npos);
}

TEST(SensorMetricsTest, LabelValuesAreEscaped) {
  const std::string text = renderSensorMetrics(SensorMetrics{}, "a\"b\\c\nd", "A", "v", false);
  EXPECT_NE(text.find("sensor=\"a\\\"b\\\\c\\nd\""), std::string::npos);
}

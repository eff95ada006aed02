#include "sensor/control/SensorMetrics.hpp"

#include <sstream>

namespace gsoc::sensor {
namespace {

// A label value as the exposition format wants it: backslash, double quote and newline escaped.
std::string labelValue(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

class Exposition {
 public:
  // One metric family: HELP and TYPE once, then its samples.
  Exposition& family(std::string_view name, std::string_view type, std::string_view help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    name_ = name;
    return *this;
  }
  Exposition& sample(std::uint64_t value, std::string_view labels = {}) {
    out_ << name_;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
    return *this;
  }
  [[nodiscard]] std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::string_view name_;
};

}  // namespace

std::string renderSensorMetrics(const SensorMetrics& m, std::string_view sensor_id, std::string_view agency_id,
                                std::string_view ruleset_version, bool transport) {
  Exposition e;
  const std::string info = "sensor=\"" + labelValue(sensor_id) + "\",agency=\"" + labelValue(agency_id) + "\",ruleset=\"" +
                           labelValue(ruleset_version.empty() ? "none" : ruleset_version) + "\"";
  e.family("gsoc_sensor_info", "gauge", "The sensor's identity and active ruleset version (always 1).").sample(1, info);
  e.family("gsoc_sensor_packets_total", "counter", "Packets captured.").sample(m.packets);
  e.family("gsoc_sensor_bytes_total", "counter", "Bytes captured.").sample(m.bytes);
  e.family("gsoc_sensor_alerts_total", "counter", "Alerts raised (rules and indicator lists).").sample(m.alerts);
  e.family("gsoc_sensor_dropped_packets_total", "counter",
           "Packets lost, by the layer that lost them: interface (NIC or kernel), capture (libpcap buffer or DPDK), "
           "ring (the sensor's dispatch rings), malformed (failed to decode), fragments (reassembly gave up).")
      .sample(m.drop_interface, "layer=\"interface\"")
      .sample(m.drop_capture, "layer=\"capture\"")
      .sample(m.drop_ring, "layer=\"ring\"")
      .sample(m.engine.malformed, "layer=\"malformed\"")
      .sample(m.engine.fragments, "layer=\"fragments\"");
  e.family("gsoc_sensor_flows_evicted_total", "counter", "Flows pushed out of a full flow table before their timeout.")
      .sample(m.engine.flows_evicted);
  e.family("gsoc_sensor_stream_gap_bytes_total", "counter", "TCP stream bytes never seen (gaps skipped by reassembly).")
      .sample(m.engine.stream_gap_bytes);
  if (!transport) return e.str();
  e.family("gsoc_sensor_spool_events", "gauge", "Events spooled to disk and not yet acknowledged by the collector.")
      .sample(m.spool_events);
  e.family("gsoc_sensor_spool_bytes", "gauge", "Bytes of spooled, unacknowledged events.").sample(m.spool_bytes);
  e.family("gsoc_sensor_spool_dropped_events_total", "counter",
           "Events the spool lost: full (drop_oldest policy), disk_full, shutdown (refused while closing).")
      .sample(m.spool.dropped_full, "reason=\"full\"")
      .sample(m.spool.dropped_disk_full, "reason=\"disk_full\"")
      .sample(m.spool.dropped_shutdown, "reason=\"shutdown\"");
  e.family("gsoc_sensor_events_committed_total", "counter", "Events the collector acknowledged as newly stored.")
      .sample(m.shipper.events_committed);
  e.family("gsoc_sensor_events_rejected_total", "counter", "Events the collector refused as invalid.")
      .sample(m.shipper.events_rejected);
  e.family("gsoc_sensor_stream_failures_total", "counter", "Shipping streams to the collector that failed.")
      .sample(m.shipper.stream_failures);
  e.family("gsoc_sensor_collector_failovers_total", "counter", "Moves to another collector address.")
      .sample(m.shipper.failovers);
  e.family("gsoc_sensor_bundles_refused_total", "counter", "Signature bundles refused (signature or compile failed).")
      .sample(m.shipper.bundles_refused);
  return e.str();
}

}  // namespace gsoc::sensor

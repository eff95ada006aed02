#pragma once
// EventOutput: where the sensor's records go. One EVE file shared by the workers (each formats
// its lines with its own EveWriter) and one numbered stream of gsoc.v1.Event records (EventSink)
// to the event file and the collector's spool, each worker serializing its own events. A
// WorkerOutput is one worker's end of it: it fans each alert, app-layer record, anomaly and flow
// out to the EVE writer and the event stream that are configured, on the worker's own thread.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gsoc/signatures/RuleCompiler.hpp"
#include "sensor/export/EveFile.hpp"
#include "sensor/export/EveWriter.hpp"
#include "sensor/export/EventEncoder.hpp"
#include "sensor/export/EventFile.hpp"
#include "sensor/export/EventSink.hpp"

namespace gsoc::sensor {

class SensorTransport;
struct SensorTotals;
struct CaptureCounters;

// What EVE records say and which are written (Suricata's eve-log settings).
struct EveSettings {
  int dns_version = 3;
  bool dns_requests = true;
  bool dns_responses = true;
  std::vector<std::uint16_t> dns_types;  // empty: all
  std::vector<std::string> smb_types;    // empty: all
  bool http_request_headers = false;
  bool http_response_headers = false;
  EveWriter::Xff xff;
  EveOptions options;
  bool pgsql_passwords = false;
  bool frames = false;               // frame records
  bool tagged_packets = false;       // packet records for what a tag keyword covers
  bool arp = false;                  // arp records
  bool stats_zero_counters = true;   // the stats record lists zero counters
};

// One worker's outputs. Not thread-safe: called on its worker's thread only.
class WorkerOutput {
 public:
  WorkerOutput(std::unique_ptr<EveWriter> eve, std::unique_ptr<EventEncoder> encoder, EventSink* sink,
               std::atomic<std::uint64_t>& alerts);

  [[nodiscard]] bool writesEve() const { return eve_ != nullptr; }

  // `rules`: the worker's ruleset that raised it, for the classtype's description.
  void alert(const AlertHit& hit, const signatures::CompiledRuleset& rules);
  void metadata(const AppMetadata& record);
  void anomaly(const AnomalyHit& hit) { eve_->anomalyRecord(hit); }                  // with EVE only
  void taggedPacket(const DecodedPacket& p, const Flow* flow) { eve_->packetRecord(p, flow); }  // with EVE only
  void arp(const DecodedPacket& p) { eve_->arpRecord(p); }                            // with EVE only
  void flowEnd(const Flow& flow, FlowEndReason reason);
  // A reloaded ruleset reached this worker: events name its version and its HOME_NET.
  void setRuleset(const signatures::CompiledRulesetPtr& ruleset);
  [[nodiscard]] std::uint64_t eveRecords() const { return eve_ ? eve_->records() : 0; }

 private:
  std::unique_ptr<EveWriter> eve_;
  std::unique_ptr<EventEncoder> encoder_;  // with the event stream
  EventSink* sink_;
  std::atomic<std::uint64_t>& alerts_;
};

class EventOutput {
 public:
  // Opens the EVE file and the event file whose paths are not empty. Throws std::runtime_error
  // when one cannot be created. `alerts`: counted for the heartbeat and the control socket.
  EventOutput(const std::string& eve_path, EveFile::OpenMode eve_mode, std::string events_path, EveSettings eve_settings,
              std::atomic<std::uint64_t>& alerts);

  // The numbered event stream, with an event file or a collector to ship to (else a no-op):
  // events carry the sensor's ids, the ruleset's version and HOME_NET (for Event.locality).
  void startEvents(const std::string& sensor_id, const std::string& agency_id, std::uint64_t epoch, SensorTransport* transport,
                   const signatures::CompiledRulesetPtr& ruleset);

  // A worker's end, configured as the settings say; valid as long as this.
  WorkerOutput& addWorker();

  [[nodiscard]] bool writesEve() const { return eve_file_ != nullptr; }
  [[nodiscard]] bool writesEvents() const { return sink_ != nullptr; }
  [[nodiscard]] const EveSettings& eveSettings() const { return settings_; }

  // SIGUSR1: reopens the EVE file after logrotate moved it; failures are logged, not thrown.
  void reopenEve();
  // The final stats record, then everything flushed.
  void finish(std::int64_t last_ts, const SensorTotals& totals, const CaptureCounters& capture);

  // For the run's summary.
  [[nodiscard]] std::uint64_t eveRecords() const;
  [[nodiscard]] const std::string& evePath() const { return eve_path_; }
  [[nodiscard]] bool writesEventFile() const { return events_file_ != nullptr; }
  [[nodiscard]] std::uint64_t eventFileRecords() const { return events_file_->events(); }
  [[nodiscard]] const std::string& eventsPath() const { return events_path_; }

 private:
  std::string eve_path_;
  std::string events_path_;
  EveSettings settings_;
  std::atomic<std::uint64_t>& alerts_;
  std::unique_ptr<EveFile> eve_file_;     // shared by the workers' writers
  std::unique_ptr<EveWriter> stats_eve_;  // the capture thread's: the stats record
  std::unique_ptr<EventFileWriter> events_file_;
  std::unique_ptr<EventSink> sink_;
  std::unique_ptr<EventBuilder> event_prototype_;  // each worker's encoder starts from a copy
  std::vector<std::unique_ptr<WorkerOutput>> workers_;
};

}  // namespace gsoc::sensor

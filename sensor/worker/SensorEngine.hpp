#pragma once
// SensorEngine: the sensor's packet path from capture to detection. One lane per worker, each
// with its own SensorWorker (decode, reassembly, flows), DetectionStage and WorkerOutput; one
// loop reads the source and hands each packet to its lane, through a PacketRing chosen by the
// FlowDispatcher's hash when there are several (or runs the only lane on the same thread). On a
// DPDK port with a queue per worker, each worker polls its own queue and the loop only services
// reloads and reports. Between packets the loop asks the caller's housekeeping (reloads, EVE
// reopen) whether it has work, publishes what heartbeats and the control socket report, and
// prints a progress line with each interval's drops by layer.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "gsoc/signatures/RuleCompiler.hpp"
#include "sensor/app/AppLayer.hpp"
#include "sensor/app/Dnp3Parser.hpp"
#include "sensor/app/FtpParser.hpp"
#include "sensor/app/LdapParser.hpp"
#include "sensor/app/MqttParser.hpp"
#include "sensor/capture/PacketSource.hpp"
#include "sensor/control/SensorStats.hpp"
#include "sensor/flow/FlowTable.hpp"

namespace gsoc::sensor {

class DpdkPort;
class EventOutput;

// What every worker's DetectionStage is set to (the command line's parser limits and file options).
struct DetectionSettings {
  bool stream_inline = false;
  bool inspect_encrypted = false;  // --tls-encryption-handling full
  bool force_file_hashes = false;
  std::string file_store;         // with force_filestore: where every file is stored
  bool force_filestore = false;
  std::uint64_t file_store_depth = 0;
  MqttLimits mqtt_limits;
  std::size_t ftp_max_line = FtpState::kMaxLineBytes;
  std::size_t ftp_max_tx = FtpState::kDefaultMaxTx;
  std::size_t ldap_max_tx = LdapState::kDefaultMaxTx;
  Dnp3Limits dnp3_limits;
  // Protocols turned off or identified only (small UDP/ICS protocols; NFS, per transport).
  std::vector<std::tuple<signatures::AppProto, AppLayer::ProtocolMode, signatures::Transport>> protocol_modes;
};

struct EngineConfig {
  std::size_t workers = 1;
  FlowTableConfig flow;  // each worker's table; flow ids are interleaved across workers
  DetectionSettings detection;
  double replay_speed = 0;     // > 0: pace a file's packets at this multiple of their recorded speed
  double stats_interval = 10;  // seconds between progress lines; <= 0: none
};

class SensorEngine {
 public:
  // The caller's work between packets. `due` is asked for every packet and must be cheap.
  struct Housekeeping {
    std::function<bool()> due;
    std::function<void()> service;
  };

  // `source`: what run() reads; with a DPDK `port` of several queues, the workers poll those
  // instead. Without a ruleset the workers only decode and track flows (and write flow records).
  // `published`: where the heartbeat and the control socket read the counters; null when no one
  // does. `stop`: raised by SIGINT/SIGTERM.
  SensorEngine(EngineConfig config, PacketSource& source, DpdkPort* port, const signatures::CompiledRulesetPtr& ruleset,
               EventOutput& output, LiveCounters* published, const std::atomic<bool>& stop);
  ~SensorEngine();
  SensorEngine(const SensorEngine&) = delete;
  SensorEngine& operator=(const SensorEngine&) = delete;

  // Until the source ends or `stop`; then every flow is ended and every worker thread joined.
  void run(const Housekeeping& housekeeping);

  // Hands a reloaded ruleset to every worker, which takes it between two packets. Called on
  // run()'s thread (from the housekeeping).
  void installRuleset(const signatures::CompiledRulesetPtr& fresh);

  // After run().
  [[nodiscard]] SensorTotals totals() const;
  [[nodiscard]] CaptureCounters captureCounters() const;
  [[nodiscard]] std::int64_t lastTimestamp() const { return last_ts_; }
  [[nodiscard]] double seconds() const { return seconds_; }
  [[nodiscard]] std::size_t workers() const { return lanes_.size(); }
  // Whether the workers polled the DPDK port's queues themselves.
  [[nodiscard]] bool pollsQueues() const { return per_queue_; }

 private:
  struct Lane;
  void startWorkers();
  void dispatch(const Housekeeping& housekeeping);
  void progress(std::uint64_t packets);

  EngineConfig config_;
  PacketSource& source_;
  DpdkPort* port_;
  LiveCounters* published_;
  const std::atomic<bool>& stop_;
  bool live_;       // a live interface: a full ring drops rather than waits
  bool per_queue_;  // each worker polls its own DPDK queue
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::atomic<bool> input_done_{false};
  std::uint64_t ring_drops_ = 0;
  std::uint64_t read_ = 0;
  std::int64_t last_ts_ = 0;
  double seconds_ = 0;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_report_;
  // At the last progress line: its interval's drops are the difference.
  CaptureCounters reported_;
  std::uint64_t reported_ring_drops_ = 0;
  EngineDrops reported_engine_;
};

}  // namespace gsoc::sensor

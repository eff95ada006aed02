#pragma once
// CorrelationService: the collector's correlation stage. It takes each group of committed events
// from the BatchWriter (after the acks, so correlation never slows ingest down), feeds them to a
// CampaignCorrelator on its own thread, records every hit in the store (correlation_hits) and
// hands new ones to a sink (the log, later the live feed and notify/).
//
// Restart: the store keeps the event time up to which events were processed. rebuild() replays
// the stored events of the preceding window horizon (the longest timespan + suppression +
// baseline), of the kinds the rules can select, so windows hold what they held; hits up to that time are recognised by their key
// (rule, group, time) and not raised twice, and events held back for lateness when the old
// process stopped are processed now.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "collector/correlate/CampaignCorrelator.hpp"
#include "collector/ingest/BatchWriter.hpp"
#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

struct CorrelationCounters {
  std::uint64_t events = 0;
  std::uint64_t replayed = 0;     // stored events replayed by rebuild()
  std::uint64_t hits = 0;         // new hits raised (updates included)
  std::uint64_t known_hits = 0;   // hits recognised as already recorded
  std::uint64_t late_events = 0;     // correlated behind the frontier (a sensor's backlog)
  std::uint64_t late_unplaced = 0;   // of those, older than every window they could join
  std::uint64_t lagging_sensors = 0; // now
};

class CorrelationService {
 public:
  using HitSink = std::function<void(const CorrelationHit&)>;
  // idle_flush: when no events arrive for this long (wall time), everything held for lateness
  // is processed (a quiet network must not hold a campaign back); later events older than
  // those are then correlated late (CampaignCorrelator).
  // max_sensor_lag_ns: see CampaignCorrelator (0: the lateness).
  CorrelationService(std::vector<CorrelationRule> rules, std::int64_t lateness_ns, EventStore& store, HitSink sink,
                     std::chrono::milliseconds idle_flush = std::chrono::seconds(60), std::int64_t max_sensor_lag_ns = 0);
  ~CorrelationService();
  CorrelationService(const CorrelationService&) = delete;
  CorrelationService& operator=(const CorrelationService&) = delete;

  // Call once, before events are submitted. through_commit: replay only the events of commits
  // up to this commit-log number (a correlator fed by CommitTail from there; 0: all).
  void rebuild(std::uint64_t through_commit = 0);
  void submit(std::vector<CommittedBatch> batches);
  // Processes what is queued and stops. Events held for lateness stay unprocessed: the next
  // start replays them from the store.
  void stop();
  [[nodiscard]] CorrelationCounters counters() const;

 private:
  void run();
  void handleHits(std::int64_t replayed_through);
  std::int64_t horizon() const;
  std::vector<std::string> replayKinds() const;

  std::vector<CorrelationRule> rules_;
  CampaignCorrelator correlator_;
  EventStore& store_;
  HitSink sink_;
  std::chrono::milliseconds idle_flush_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::vector<CommittedBatch>> queue_;
  bool stopping_ = false;
  std::int64_t saved_progress_ = INT64_MIN;
  CorrelationCounters counters_;
  std::thread thread_;
};

// JSON array of strings, for the store's values_json/evidence_json columns.
std::string jsonArray(const std::vector<std::string>& values);

}  // namespace gsoc::collector

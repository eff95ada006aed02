#pragma once
// EventShipper: drains the EventSpool to the collector over gRPC with mutual TLS (the Ingest.Ship
// bidirectional stream) and sends heartbeats (Ingest.Heartbeat). It keeps a bounded window of
// batches in flight, advances the spool's acknowledged mark only from the collector's acks (which
// come after the collector's commit), and on any failure (connection lost, ack timeout,
// RESOURCE_EXHAUSTED, UNAVAILABLE) backs off and resends everything after the last ack: delivery
// is at least once, and the collector's (sensor, epoch, sequence) deduplication makes it exactly
// once in the store.
//
// Several collector front-ends (over one store) may be listed: the shipper stays on the first that
// works, and when a connection or stream to it fails moves on to the next, round robin, backing
// off only after a whole round failed without progress. The resend after the last ack is the
// same on any address: the front-ends share the store's per-stream marks, so what the dead one
// committed is acknowledged as a duplicate by the next, and acks alone still free the spool.
//
// Heartbeats carry the sensor's status and measure the clock offset to the collector with the
// NTP midpoint rule (offset = collector time - (send + receive) / 2), reported in the next one.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sensor/transport/EventSpool.hpp"

namespace gsoc::v1 {
class SensorStatus;
class SignatureBundle;
}  // namespace gsoc::v1

namespace gsoc::sensor {

struct ShipperOptions {
  std::string address;      // host:port of the collector
  // Further front-ends of the same collector store, tried in order after `address`.
  std::vector<std::string> more_addresses;
  std::string ca_pem;       // the CA that signed the collector's certificate
  std::string cert_pem;     // this sensor's certificate (identity in its URI SAN)
  std::string key_pem;
  std::string server_name;  // TLS name to verify the collector as; empty: the address's host
  std::string sensor_id;
  std::uint32_t batch_max_events = 2000;
  std::uint32_t batch_max_bytes = 2U << 20;
  std::uint32_t max_in_flight = 8;
  // With batches in flight, a short batch waits this long for more events (Nagle-style): at low
  // rates an event goes out at once, at high rates batches fill and per-batch costs amortise.
  std::chrono::milliseconds linger{5};
  std::chrono::milliseconds ack_timeout{30000};
  std::chrono::milliseconds heartbeat_interval{30000};
  std::chrono::milliseconds keepalive_time{20000};
  std::chrono::milliseconds max_backoff{10000};
  // Signature distribution: when a heartbeat reply names a bundle this sensor does not run, it is
  // fetched, its Ed25519 signature checked against this key, and handed to on_bundle. Without a
  // key the sensor never takes rules from the collector.
  std::string bundle_public_key_pem;
  std::function<void(gsoc::v1::SignatureBundle)> on_bundle;
};

struct ShipperCounters {
  std::uint64_t batches_sent = 0;
  std::uint64_t events_sent = 0;       // resends included
  std::uint64_t events_committed = 0;  // newly stored by the collector
  std::uint64_t events_duplicate = 0;  // acknowledged as already stored (replays)
  std::uint64_t events_rejected = 0;   // refused as invalid by the collector (logged)
  std::uint64_t streams = 0;           // Ship streams opened
  std::uint64_t stream_failures = 0;
  std::uint64_t heartbeats = 0;
  std::uint64_t heartbeat_failures = 0;
  std::uint64_t bundles_fetched = 0;
  std::uint64_t bundles_refused = 0;
  std::uint64_t failovers = 0;         // moves to another collector address
};

class EventShipper {
 public:
  using StatusSource = std::function<gsoc::v1::SensorStatus()>;

  // Throws std::invalid_argument when the address or the TLS material is missing.
  EventShipper(EventSpool& spool, ShipperOptions options, StatusSource status);
  ~EventShipper();
  EventShipper(const EventShipper&) = delete;
  EventShipper& operator=(const EventShipper&) = delete;

  void start();
  // Waits until the spool holds nothing unacknowledged, or the timeout passes. True when drained.
  bool drain(std::chrono::milliseconds timeout);
  // Ends the stream gracefully (acks of batches in flight are awaited for a few seconds), sends
  // a last heartbeat and joins the threads.
  void stop();

  [[nodiscard]] ShipperCounters counters() const;
  [[nodiscard]] std::int64_t clockOffsetNs() const { return clock_offset_ns_.load(); }
  [[nodiscard]] bool clockMeasured() const { return clock_measured_.load(); }
  [[nodiscard]] std::string lastError() const;
  // The collector address shipped to now (or being tried).
  [[nodiscard]] std::string currentAddress() const;
  [[nodiscard]] std::size_t addressCount() const;
  // The bundle version now running (reported in heartbeats), and why a bundle was not taken.
  void setActiveBundleVersion(std::string version);
  void reportBundleError(const std::string& version, std::string reason);

 private:
  struct Channels;
  void shipLoop();
  void heartbeatLoop();
  bool sendHeartbeat();
  void maybeFetchBundle();
  // One Ship stream until it fails or stop(); returns whether any ack arrived.
  // `failure` says why it ended, for the failover log line.
  bool runStream(int& backoff_floor_ms, std::string& failure);
  // Moves to the next collector address (after a failed connection or stream) and logs why.
  void failOver(const std::string& reason);
  void setError(std::string message);
  // Sleeps up to `duration`, returning early on stop().
  void pause(std::chrono::milliseconds duration);

  EventSpool& spool_;
  ShipperOptions options_;
  StatusSource status_;
  std::unique_ptr<Channels> channels_;
  std::thread ship_thread_;
  std::thread heartbeat_thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ship_done_{false};
  bool started_ = false;
  std::mutex pause_mutex_;
  std::condition_variable pause_cv_;
  mutable std::mutex counters_mutex_;
  ShipperCounters counters_;
  std::string last_error_;
  std::string announced_bundle_;  // what the collector publishes, from the last heartbeat reply
  std::string active_bundle_;
  std::string handed_bundle_;     // given to on_bundle, not yet active or refused
  std::string refused_bundle_;
  std::string bundle_error_;
  std::atomic<std::int64_t> clock_offset_ns_{0};
  std::atomic<bool> clock_measured_{false};
};

}  // namespace gsoc::sensor

#pragma once
// A worker's flows. Lookup by the bidirectional key; a bounded table (max flows) with state-
// dependent idle timeouts in packet time, kept in least-recently-seen order so expiry and
// eviction never scan the whole table. Every flow leaves through the end callback with its
// reason, so each one becomes exactly one flow record.

#include <cstdint>
#include <functional>
#include <list>
#include <unordered_map>

#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct FlowTableConfig {
  std::size_t max_flows = 1'000'000;
  std::int64_t tcp_new_timeout_ns = 30'000'000'000;
  std::int64_t tcp_established_timeout_ns = 600'000'000'000;
  std::int64_t tcp_closed_timeout_ns = 10'000'000'000;
  std::int64_t udp_timeout_ns = 120'000'000'000;
  std::int64_t other_timeout_ns = 60'000'000'000;
  std::size_t stream_held_cap = 1 << 20;
  // Flow ids are first_id, first_id + id_step, ...: with one table per worker, worker i of N uses
  // first_id i + 1 and step N, so ids stay unique across the sensor.
  std::uint64_t first_id = 1;
  std::uint64_t id_step = 1;
};

struct FlowTableCounters {
  std::uint64_t created = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t closed = 0;
  std::uint64_t evicted = 0;  // pushed out because the table was full
  void merge(const FlowTableCounters& o) {
    created += o.created;
    timed_out += o.timed_out;
    closed += o.closed;
    evicted += o.evicted;
  }
};

class FlowTable {
 public:
  using EndCallback = std::function<void(Flow&, FlowEndReason)>;

  FlowTable(FlowTableConfig config, EndCallback on_end)
      : config_(config), on_end_(std::move(on_end)), next_id_(config.first_id) {}
  ~FlowTable() = default;  // the owner calls flushAll() while its callback targets are alive
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // The flow this packet belongs to, created if new; `created` tells which.
  Flow& lookup(const DecodedPacket& packet, bool& created);
  // Ends flows idle past their timeout at packet time `now_ns`.
  void expire(std::int64_t now_ns);
  // Ends every flow (shutdown).
  void flushAll();

  [[nodiscard]] std::size_t size() const { return index_.size(); }
  [[nodiscard]] const FlowTableCounters& counters() const { return counters_; }
  [[nodiscard]] std::int64_t timeoutOf(const Flow& flow) const;

 private:
  void end(std::list<Flow>::iterator it, FlowEndReason reason);

  FlowTableConfig config_;
  EndCallback on_end_;
  std::list<Flow> lru_;  // front: most recently seen
  std::unordered_map<FlowKey, std::list<Flow>::iterator, FlowKeyHash> index_;
  std::uint64_t next_id_;
  FlowTableCounters counters_;
};

}  // namespace gsoc::sensor

#pragma once
// A worker's flows. Lookup by the bidirectional key; a bounded table (max flows) with state-
// dependent idle timeouts in packet time. Every flow leaves through the end callback with its
// reason, so each one becomes exactly one flow record.
//
// Cost on traffic with many short flows (real uplinks are mostly DNS): flows live in one
// least-recently-seen list per timeout class (TCP new / established / closed, UDP, other), so
// each list is also ordered by expiry time and expire() stops at the first unexpired flow of
// each list: it costs the flows it ends plus one look per class, never a walk over flows that
// are idle but within their own (longer) timeout. Flows sit in 2 MiB slabs (huge pages where
// the kernel gives them) with the list links beside them, and the key index is open addressing
// over slot numbers, so a flow costs the table no allocation once the slabs have grown to the
// working set (the flow's own streams and app-layer state still allocate).
//
// Contract with the caller: a flow's timeout class follows its TCP state, which the caller
// changes (Flow::account) on the flow the latest lookup() returned, before the next call into
// the table. The table files that flow under its new class at the start of the next call, so
// callers need not tell it. Changing the state of any other flow is not supported.

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "common/CounterTable.hpp"
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

  // Named as the stats record's flow section.
  static constexpr auto counterFields() {
    using F = gsoc::CounterField<FlowTableCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"created", &FlowTableCounters::created, kCounter, "Flows created."},
        F{"timed_out", &FlowTableCounters::timed_out, kCounter, "Flows ended by their idle timeout."},
        F{"closed", &FlowTableCounters::closed, kCounter, "Flows ended by FIN or RST."},
        F{"evicted", &FlowTableCounters::evicted, kCounter, "Flows pushed out of a full table."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<FlowTableCounters>());

class FlowTable {
 public:
  using EndCallback = std::function<void(Flow&, FlowEndReason)>;

  FlowTable(FlowTableConfig config, EndCallback on_end);
  ~FlowTable() = default;  // the owner calls flushAll() while its callback targets are alive
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // The flow this packet belongs to, created if new; `created` tells which. When the table is
  // full, the least recently seen flow (over all timeout classes) is evicted first.
  Flow& lookup(const DecodedPacket& packet, bool& created);
  // Ends flows idle past their timeout at packet time `now_ns`, least recently seen first (the
  // same flows, reasons and order as one walk over all flows in least-recently-seen order while
  // packet timestamps do not go backwards).
  void expire(std::int64_t now_ns);
  // Ends every flow (shutdown), least recently seen first.
  void flushAll();

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] const FlowTableCounters& counters() const { return counters_; }
  [[nodiscard]] std::int64_t timeoutOf(const Flow& flow) const { return timeouts_[classOf(flow)]; }
  // Flows expire() has looked at so far, ended or not: what expiry costs (tests hold it to the
  // flows ended plus one look per class and call).
  [[nodiscard]] std::uint64_t expiryChecks() const { return expiry_checks_; }

 private:
  enum TimeoutClass : std::uint8_t { kTcpNew, kTcpEstablished, kTcpClosed, kUdp, kOther, kClasses };
  using SlotId = std::uint32_t;
  static constexpr SlotId kNil = UINT32_MAX;
  // A slab is one 2 MiB block, aligned so Linux can back it with one transparent huge page:
  // first touching flow memory is then one page fault per 3,000-odd flows, not one per 6.
  static constexpr std::size_t kSlabBytes = std::size_t{2} << 20;

  // The links come first: with the flow's id and key they share the first cache line, which
  // a lookup reads anyway to compare the key.
  struct Slot {
    std::uint64_t seen = 0;  // lookup sequence number: recency across all lists
    SlotId newer = kNil;     // list links; a free slot's `older` is the next free slot
    SlotId older = kNil;
    std::uint32_t tag = 0;   // the high half of the key's hash (its index entry)
    std::uint8_t cls = 0;    // the list it is filed in
    std::optional<Flow> flow;
  };
  static constexpr SlotId kSlabSize = kSlabBytes / sizeof(Slot);
  struct SlabFree {
    void operator()(Slot* slots) const;
  };
  using Slab = std::unique_ptr<Slot[], SlabFree>;
  [[nodiscard]] static Slab newSlab();
  struct List {
    SlotId newest = kNil;
    SlotId oldest = kNil;
  };
  // Open addressing with linear probing: the slot and its tag, which picks the home bucket and
  // spares most key comparisons (and the cache miss of loading the flow) on a probe.
  struct Bucket {
    SlotId slot = kNil;
    std::uint32_t tag = 0;
  };

  [[nodiscard]] static TimeoutClass classOf(const Flow& flow);
  [[nodiscard]] Slot& slot(SlotId id) { return slabs_[id / kSlabSize][id % kSlabSize]; }
  [[nodiscard]] std::size_t home(std::uint32_t tag) const { return (tag * 0x9E3779B9u) >> (32 - bucket_bits_); }
  void fileLatest();  // moves the last looked-up flow to the list of its (possibly new) class
  void linkNewest(SlotId id);
  void unlink(SlotId id);
  [[nodiscard]] SlotId leastRecentlySeen();
  [[nodiscard]] SlotId allocate();
  void indexInsert(SlotId id, std::uint32_t tag);
  void indexErase(SlotId id, std::uint32_t tag);
  void grow();
  void end(SlotId id, FlowEndReason reason);

  FlowTableConfig config_;
  EndCallback on_end_;
  std::array<std::int64_t, kClasses> timeouts_;
  std::array<List, kClasses> lists_;
  std::vector<Slab> slabs_;  // slots never move: lookup() hands out references
  SlotId free_ = kNil;
  std::vector<Bucket> buckets_;
  unsigned bucket_bits_ = 0;
  std::size_t size_ = 0;
  std::uint64_t clock_ = 0;
  SlotId latest_ = kNil;  // returned by the last lookup(), not yet re-filed by its new state
  std::uint64_t next_id_;
  std::uint64_t expiry_checks_ = 0;
  FlowTableCounters counters_;
};

}  // namespace gsoc::sensor

#pragma once
// EventBlock: how the SQLite store keeps events. A block holds up to kBlockEvents events of one
// commit in event-time order; each record is the event's serialized gsoc.v1.Event followed by a
// small Event carrying its event_id, sensor_id and agency_id (protobuf merges concatenated
// messages, so the sensor's bytes are stored as they came, never re-encoded), length-prefixed;
// the whole block is compressed with zstd. Beside each block the store keeps its time range, the
// kinds in it and its terms (every observable its events carry, plus their agencies, sensors and
// signatures) in a term index, so a query opens only blocks that may hold what it asks for, then
// checks each event exactly. One row per block instead of one row and four index entries per
// event is what makes ingest fast (issue 18), as Loki's chunks and label index do.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace gsoc::v1 {
class Event;
}

namespace gsoc::collector {

inline constexpr std::size_t kBlockEvents = 2048;

// Calls `term` with each term an event is found by: its observables (eventCarries' values), and
// "agency:A", "sensor:S", "sid:N".
void forEachTerm(const gsoc::v1::Event& event, std::string_view agency_id, std::string_view sensor_id,
                 const std::function<void(std::string_view)>& term);

// Bit of an event kind in a block's kinds mask (0 for an event without a body).
std::uint32_t kindBit(std::string_view kind);

// One block ready to store: compressed payload, its time range, kinds and distinct terms.
struct SealedBlock {
  std::int64_t min_ts_ns = 0;
  std::int64_t max_ts_ns = 0;
  std::uint32_t events = 0;
  std::uint32_t kinds = 0;
  std::size_t raw_bytes = 0;
  std::string_view payload;
  std::vector<std::string_view> terms;
};

// Collects one commit's events and seals them into blocks. Reused from commit to commit: its
// buffers keep their capacity, so steady-state ingest does not allocate per event.
class EventBlockBuilder {
 public:
  EventBlockBuilder();
  ~EventBlockBuilder();
  EventBlockBuilder(const EventBlockBuilder&) = delete;
  EventBlockBuilder& operator=(const EventBlockBuilder&) = delete;

  // An event as received: its ids are appended to its bytes.
  void add(const gsoc::v1::Event& event, const std::string& sensor_id, std::uint64_t epoch, std::uint64_t sequence,
           const std::string& agency_id);
  // A record already stored (its ids inside), parsed as `event` (retention rewrites a block).
  void addStored(std::string_view record, const gsoc::v1::Event& event);
  [[nodiscard]] bool empty() const { return pending_.empty(); }
  // Sorts by event time (stable: arrival order within a time) and hands each block to `seal`.
  void seal(const std::function<void(const SealedBlock&)>& store);
  void clear();

 private:
  struct Pending {
    std::int64_t ts_ns;
    std::uint32_t offset;
    std::uint32_t size;
    std::uint32_t terms_begin;
    std::uint32_t terms_end;
    std::uint32_t kind;
  };
  void addTerms(const gsoc::v1::Event& event, std::string_view agency_id, std::string_view sensor_id, Pending& p);

  std::string records_;
  std::string term_bytes_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> terms_;  // (offset, size) in term_bytes_
  std::vector<Pending> pending_;
  std::string raw_;
  std::string compressed_;
  std::string event_id_;
  std::unordered_set<std::string_view> distinct_;
  std::unique_ptr<gsoc::v1::Event> ids_;
  struct Compressor;
  std::unique_ptr<Compressor> zstd_;
};

// Decompresses a block's payload into `scratch` and calls `record` with each record (parse it
// as a gsoc.v1.Event). Throws std::runtime_error for a corrupt block.
void forEachRecord(std::string_view payload, std::string& scratch, const std::function<void(std::string_view)>& record);

}  // namespace gsoc::collector

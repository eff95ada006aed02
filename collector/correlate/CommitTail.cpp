#include "collector/correlate/CommitTail.hpp"

#include <iostream>

#include "collector/ingest/ArenaBatch.hpp"

namespace gsoc::collector {
namespace {

constexpr std::size_t kChunkEvents = 20000;

// "sensor:epoch:sequence" (a stored event's id) split; false for anything else.
bool parseEventId(const std::string& id, std::string& sensor, std::uint64_t& epoch, std::uint64_t& seq) {
  const std::size_t second = id.rfind(':');
  if (second == std::string::npos || second == 0) return false;
  const std::size_t first = id.rfind(':', second - 1);
  if (first == std::string::npos) return false;
  try {
    sensor = id.substr(0, first);
    epoch = std::stoull(id.substr(first + 1, second - first - 1));
    seq = std::stoull(id.substr(second + 1));
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

}  // namespace

CommitTail::CommitTail(EventStore& store, CorrelationService& correlation, std::chrono::milliseconds poll)
    : store_(store), correlation_(correlation), poll_(poll) {}

CommitTail::~CommitTail() { stop(); }

void CommitTail::start(std::uint64_t from) {
  position_ = from;
  thread_ = std::thread([this] { run(); });
}

void CommitTail::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CommitTail::run() {
  for (;;) {
    bool moved = false;
    try {
      moved = step();
    } catch (const std::exception& e) {
      std::cerr << "gsoc-collector: correlation tail at commit " << position_.load() << ": " << e.what() << " (retrying)\n";
    }
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (!moved) wake_.wait_for(lock, poll_, [&] { return stopping_; });
    if (stopping_) return;
  }
}

bool CommitTail::step() {
  // Runs of one stream's consecutive events become one batch, as the writer would hand them on.
  std::vector<CommittedBatch> batches;
  std::string sensor;
  std::uint64_t epoch = 0, seq = 0, next = 0;
  std::uint64_t n = 0;
  const std::uint64_t from = position_.load();
  const std::uint64_t through = store_.forEachCommitted(from, kChunkEvents, [&](gsoc::v1::Event&& e) {
    std::string s;
    std::uint64_t ep = 0, sq = 0;
    if (!parseEventId(e.event_id(), s, ep, sq)) throw StoreError("a stored event has no sensor:epoch:sequence id: '" + e.event_id() + "'");
    if (batches.empty() || s != sensor || ep != epoch || sq != next) {
      CommittedBatch c;
      c.identity.sensor_id = s;
      c.identity.agency_id = e.agency_id();
      c.batch = makeArenaBatch();
      c.batch->set_sensor_id(s);
      c.batch->set_epoch(ep);
      c.batch->set_first_sequence(sq);
      batches.push_back(std::move(c));
      sensor = s;
      epoch = ep;
    }
    seq = sq;
    next = seq + 1;
    *batches.back().batch->add_events() = std::move(e);
    ++n;
  });
  if (!batches.empty()) correlation_.submit(std::move(batches));
  if (through == from) return false;
  store_.setCommitTail(through);  // a restart replays up to here and goes on after it
  position_ = through;
  events_ += n;
  return true;
}

}  // namespace gsoc::collector

#pragma once
// CommitTail: feeds the correlator from the store's commit log rather than from this process's
// writer. With several ingest front-ends sharing one store (ClickHouse events, PostgreSQL state),
// a sensor's events reach whichever front-end it is connected to; correlating them where they
// arrive would split a campaign across processes. So exactly one front-end correlates, and it
// reads every front-end's commits in commit-log order (EventStore::forEachCommitted), each once,
// and saves its position in the store after handing each chunk on. After a restart it replays
// the windows up to that position (CorrelationService::rebuild) and goes on from it.
//
// Why a tail by commit order and not correlators partitioned by a key: the correlation rules
// join on indicators, senders and signatures across agencies, so no key partitions the events
// without splitting a campaign; and one correlator keeps up with the centre's rate (issue 14's
// bench: 455-694k events/s on this machine's 2 cores).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "collector/correlate/CorrelationService.hpp"
#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

class CommitTail {
 public:
  CommitTail(EventStore& store, CorrelationService& correlation, std::chrono::milliseconds poll = std::chrono::milliseconds(200));
  ~CommitTail();
  CommitTail(const CommitTail&) = delete;
  CommitTail& operator=(const CommitTail&) = delete;

  // Reads from the commit after `from` on a thread of its own.
  void start(std::uint64_t from);
  void stop();
  [[nodiscard]] std::uint64_t position() const { return position_.load(); }
  [[nodiscard]] std::uint64_t events() const { return events_.load(); }

 private:
  void run();
  // One chunk: returns whether it moved.
  bool step();

  EventStore& store_;
  CorrelationService& correlation_;
  std::chrono::milliseconds poll_;
  std::atomic<std::uint64_t> position_{0};
  std::atomic<std::uint64_t> events_{0};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gsoc::collector

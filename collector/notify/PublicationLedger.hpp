#pragma once
// PublicationLedger: where everything the centre publishes is written: campaigns, warnings,
// notices and intelligence reports, kept in the store's publications table as the proto's JSON,
// numbered (W-YEAR-NNNN, N-YEAR-NNNN, I-YEAR-NNNN) and handed to the listener (the live feed).
// CampaignPublisher, RetroHunter, IntelReports and acknowledge() all write through it, and its
// one mutex serialises them: numbering and the read-modify-write of a record must not
// interleave between the correlation thread and analysts' calls. Callers hold lock() around a
// read-modify-write; put(), nextNumber() and findLocked() expect it held.

#include <functional>
#include <mutex>
#include <optional>
#include <string>

#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

class PublicationLedger {
 public:
  using Listener = std::function<void(const Publication&)>;
  explicit PublicationLedger(EventStore& store, Listener listener = {}) : store_(store), listener_(std::move(listener)) {}

  [[nodiscard]] std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
  [[nodiscard]] EventStore& store() { return store_; }
  // Stores the record and tells the listener. Throws StoreError when the store fails.
  void put(const Publication& p);
  // The next number of a kind in the year of `at_ns`, e.g. "W-2026-0007".
  std::string nextNumber(const std::string& kind, char letter, std::int64_t at_ns);
  // A publication by number or id (any kind); nullopt when there is none.
  std::optional<Publication> findLocked(const std::string& id);
  std::optional<Publication> find(const std::string& id) {
    auto held = lock();
    return findLocked(id);
  }

 private:
  EventStore& store_;
  Listener listener_;
  std::mutex mutex_;
};

}  // namespace gsoc::collector

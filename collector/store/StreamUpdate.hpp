#pragma once
// StreamUpdate: what one commit changes for one (sensor, epoch) stream, folded over all the
// batches of a group commit, so a store writes each stream's mark, the sensor's last-seen time
// and the agency once per transaction instead of once per batch.

#include <span>
#include <vector>

#include "collector/store/EventStore.hpp"

namespace gsoc::collector {

struct StreamUpdate {
  const SensorIdentity* identity = nullptr;
  std::uint64_t epoch = 0;
  std::uint64_t acked_through = 0;
  std::int64_t events = 0;    // newly stored
  std::int64_t gap_events = 0;
  std::int64_t rejected_events = 0;
  std::int64_t received_ns = 0;
};

// In first-seen order; each stream once.
std::vector<StreamUpdate> foldStreams(std::span<const CommitBatch> batches);
// The distinct commit-log numbers of batches whose events are stored elsewhere.
std::vector<std::uint64_t> commitNumbers(std::span<const CommitBatch> batches);

}  // namespace gsoc::collector

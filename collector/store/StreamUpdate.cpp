#include "collector/store/StreamUpdate.hpp"

#include <algorithm>

#include "gsoc/v1/ingest.pb.h"

namespace gsoc::collector {

std::vector<StreamUpdate> foldStreams(std::span<const CommitBatch> batches) {
  std::vector<StreamUpdate> out;  // a group holds a few streams: a linear search beats a map
  for (const CommitBatch& b : batches) {
    auto it = std::find_if(out.begin(), out.end(), [&](const StreamUpdate& u) {
      return u.epoch == b.batch->epoch() && u.identity->sensor_id == b.identity->sensor_id;
    });
    if (it == out.end()) {
      out.push_back(StreamUpdate{b.identity, b.batch->epoch(), 0, 0, 0, 0, 0});
      it = out.end() - 1;
    }
    const std::int64_t n = b.batch->events_size();
    it->acked_through = std::max(it->acked_through, b.acked_through);
    it->events += b.rejected ? 0 : n - b.skip;
    it->rejected_events += b.rejected ? n - b.skip : 0;
    it->gap_events += static_cast<std::int64_t>(b.gap_events);
    it->received_ns = std::max(it->received_ns, b.received_ns);
  }
  return out;
}

std::vector<std::uint64_t> commitNumbers(std::span<const CommitBatch> batches) {
  std::vector<std::uint64_t> out;
  for (const CommitBatch& b : batches) {
    if (b.events_elsewhere && b.commit_no != 0 && std::find(out.begin(), out.end(), b.commit_no) == out.end()) out.push_back(b.commit_no);
  }
  return out;
}

}  // namespace gsoc::collector

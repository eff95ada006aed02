#pragma once
// An EventBatch that owns the protobuf arena it was allocated on. A batch holds thousands of
// events, each with sub-messages and strings: parsed on the heap that is one allocation per
// message and string, and as many frees when it is dropped (measured: a fifth of the
// transport's time). On an arena, parsing takes a few large blocks and dropping the batch frees
// them at once. A BatchPtr may also hold a batch on the heap (tests build them with
// std::make_unique); the deleter frees whichever it is.

#include <memory>

#include <google/protobuf/arena.h>

#include "gsoc/v1/ingest.pb.h"

namespace gsoc::collector {

struct BatchDeleter {
  BatchDeleter() = default;
  BatchDeleter(std::default_delete<gsoc::v1::EventBatch>) {}  // NOLINT: a heap batch converts
  void operator()(gsoc::v1::EventBatch* batch) const {
    if (google::protobuf::Arena* arena = batch->GetArena()) {
      delete arena;  // the batch and everything parsed into it
    } else {
      delete batch;
    }
  }
};

using BatchPtr = std::unique_ptr<gsoc::v1::EventBatch, BatchDeleter>;

// An empty batch on an arena of its own, sized for batches of about a megabyte.
inline BatchPtr makeArenaBatch() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 64 * 1024;
  options.max_block_size = 1024 * 1024;
  auto arena = std::make_unique<google::protobuf::Arena>(options);
  auto* batch = google::protobuf::Arena::CreateMessage<gsoc::v1::EventBatch>(arena.get());
  arena.release();  // owned through the batch from here on
  return BatchPtr(batch);
}

}  // namespace gsoc::collector

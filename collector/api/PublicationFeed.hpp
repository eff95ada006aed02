#pragma once
// PublicationFeed: the live feed behind Central.Feed. Every publication or revision is handed to
// each subscriber whose filter it matches, on the publishing thread, into the subscriber's own
// bounded queue, so a slow analyst's client never holds the correlator back. A subscriber that
// falls more than `max_queue` items behind is marked overflowed rather than silently skipped:
// its stream ends with RESOURCE_EXHAUSTED and the client reconnects with since_ns to catch up
// from the store.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "gsoc/v1/central.pb.h"

namespace gsoc::collector {

class PublicationFeed {
 public:
  class Subscription {
   public:
    enum class Next { kItem, kTimeout, kOverflowed };
    // Waits up to `wait` for the next matching publication.
    Next next(gsoc::v1::Publication& out, std::chrono::milliseconds wait);

   private:
    friend class PublicationFeed;
    gsoc::v1::Filter filter_;
    std::size_t max_queue_ = 0;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<gsoc::v1::Publication> queue_;
    bool overflowed_ = false;
  };

  explicit PublicationFeed(std::size_t max_queue = 10000) : max_queue_(max_queue) {}
  void publish(const gsoc::v1::Publication& p);
  // The subscription ends when the returned pointer is released.
  std::shared_ptr<Subscription> subscribe(gsoc::v1::Filter filter);
  [[nodiscard]] std::size_t subscribers();

 private:
  std::size_t max_queue_;
  std::mutex mutex_;
  std::vector<std::weak_ptr<Subscription>> subscribers_;
};

}  // namespace gsoc::collector

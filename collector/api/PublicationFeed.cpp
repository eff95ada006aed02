#include "collector/api/PublicationFeed.hpp"

#include <algorithm>

#include "collector/api/PublicationRecord.hpp"

namespace gsoc::collector {

PublicationFeed::Subscription::Next PublicationFeed::Subscription::next(gsoc::v1::Publication& out, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, wait, [this] { return overflowed_ || !queue_.empty(); });
  if (overflowed_) return Next::kOverflowed;
  if (queue_.empty()) return Next::kTimeout;
  out = std::move(queue_.front());
  queue_.pop_front();
  return Next::kItem;
}

void PublicationFeed::publish(const gsoc::v1::Publication& p) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [](const std::weak_ptr<Subscription>& w) { return w.expired(); });
  for (const auto& weak : subscribers_) {
    const auto s = weak.lock();
    if (!s || !matches(s->filter_, p)) continue;
    {
      std::lock_guard slock(s->mutex_);
      if (s->queue_.size() >= s->max_queue_) s->overflowed_ = true;
      else s->queue_.push_back(p);
    }
    s->ready_.notify_one();
  }
}

std::shared_ptr<PublicationFeed::Subscription> PublicationFeed::subscribe(gsoc::v1::Filter filter) {
  auto s = std::make_shared<Subscription>();
  s->filter_ = std::move(filter);
  s->max_queue_ = max_queue_;
  std::lock_guard lock(mutex_);
  subscribers_.push_back(s);
  return s;
}

std::size_t PublicationFeed::subscribers() {
  std::lock_guard lock(mutex_);
  return static_cast<std::size_t>(std::count_if(subscribers_.begin(), subscribers_.end(), [](const auto& w) { return !w.expired(); }));
}

}  // namespace gsoc::collector

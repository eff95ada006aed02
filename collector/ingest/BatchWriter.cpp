#include "collector/ingest/BatchWriter.hpp"

#include <algorithm>
#include <iostream>
#include <set>

namespace gsoc::collector {

BatchWriter::BatchWriter(EventStore& store, WriterOptions options, Clock clock, CommitListener on_commit)
    : store_(store), options_(options), clock_(std::move(clock)), on_commit_(std::move(on_commit)), marks_(store.streamMarks()) {
  thread_ = std::thread([this] { run(); });
}

BatchWriter::~BatchWriter() { stop(); }

std::optional<std::future<WriteResult>> BatchWriter::submit(const SensorIdentity& identity, BatchPtr batch,
                                                            std::chrono::milliseconds wait, std::string rejected_reason) {
  const auto events = static_cast<std::uint64_t>(batch->events_size());
  std::unique_lock lock(mutex_);
  // A batch larger than the whole queue still goes in once the queue is empty.
  const bool room = room_ready_.wait_for(lock, wait, [&] {
    return stopping_ || queued_events_ == 0 || queued_events_ + events <= options_.max_queue_events;
  });
  if (!room || stopping_) {
    ++counters_.queue_full;
    return std::nullopt;
  }
  Item item{identity, std::move(batch), std::move(rejected_reason), {}};
  auto future = item.done.get_future();
  queue_.push_back(std::move(item));
  queued_events_ += events;
  lock.unlock();
  work_ready_.notify_one();
  return future;
}

void BatchWriter::run() {
  std::vector<Item> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is committed
      std::uint64_t events = 0;
      while (!queue_.empty() && (group.empty() || events + static_cast<std::uint64_t>(queue_.front().batch->events_size()) <= options_.commit_max_events)) {
        events += static_cast<std::uint64_t>(queue_.front().batch->events_size());
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      queued_events_ -= events;
    }
    room_ready_.notify_all();
    commitGroup(group);
    group.clear();
  }
}

void BatchWriter::commitGroup(std::vector<Item>& group) {
  const std::int64_t now = clock_();
  std::vector<CommitBatch> commits;
  std::vector<gsoc::v1::BatchAck> acks(group.size());
  std::map<StreamKey, std::uint64_t> marks;  // this group's view: later batches see earlier ones
  std::vector<WriterCounters> deltas(group.size());  // per batch: a partial commit counts only what it stored
  for (std::size_t i = 0; i < group.size(); ++i) {
    Item& item = group[i];
    const gsoc::v1::EventBatch& b = *item.batch;
    StreamKey key{item.identity.sensor_id, b.epoch()};
    auto it = marks.find(key);
    if (it == marks.end()) it = marks.emplace(key, marks_.contains(key) ? marks_[key] : 0).first;
    std::uint64_t& mark = it->second;
    const std::uint64_t first = b.first_sequence();
    const std::uint64_t last = first + static_cast<std::uint64_t>(b.events_size()) - 1;
    gsoc::v1::BatchAck& ack = acks[i];
    ack.set_sensor_id(item.identity.sensor_id);
    ack.set_epoch(b.epoch());
    ack.set_first_sequence(first);
    if (last <= mark) {  // a replay of what is stored: acknowledge, store nothing
      ack.set_status(gsoc::v1::BatchAck::STATUS_DUPLICATE);
      ack.set_acked_through(mark);
      deltas[i].events_duplicate += static_cast<std::uint64_t>(b.events_size());
      continue;
    }
    CommitBatch c;
    c.identity = &item.identity;
    c.batch = item.batch.get();
    c.received_ns = now;
    c.skip = first <= mark ? static_cast<int>(mark - first + 1) : 0;
    c.gap_events = first > mark + 1 ? first - mark - 1 : 0;
    c.rejected = !item.rejected_reason.empty();
    c.acked_through = last;
    mark = last;
    ack.set_acked_through(last);
    if (c.rejected) {
      ack.set_status(gsoc::v1::BatchAck::STATUS_REJECTED);
      ack.set_reason(item.rejected_reason);
      deltas[i].events_rejected += static_cast<std::uint64_t>(b.events_size() - c.skip);
    } else {
      ack.set_status(gsoc::v1::BatchAck::STATUS_COMMITTED);  // also when only partly new
      ack.set_stored_events(static_cast<std::uint32_t>(b.events_size() - c.skip));
      deltas[i].events_stored += static_cast<std::uint64_t>(b.events_size() - c.skip);
      deltas[i].events_duplicate += static_cast<std::uint64_t>(c.skip);
    }
    deltas[i].gap_events += c.gap_events;
    commits.push_back(c);
  }
  std::string error;
  bool partial = false;
  std::set<StreamKey> failed;  // with a partial commit: the streams not stored
  if (!commits.empty()) {
    try {
      store_.commit(commits);
    } catch (const PartialCommitError& e) {
      error = e.what();
      partial = true;
      failed = e.failed();
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  auto stored = [&](const StreamKey& key) { return error.empty() || (partial && !failed.contains(key)); };
  std::size_t unstored = 0;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, mark] : marks) {
      if (stored(key)) marks_[key] = mark;
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (!stored(StreamKey{group[i].identity.sensor_id, group[i].batch->epoch()})) {
        ++unstored;
        continue;
      }
      ++counters_.batches;
      counters_.events_stored += deltas[i].events_stored;
      counters_.events_duplicate += deltas[i].events_duplicate;
      counters_.events_rejected += deltas[i].events_rejected;
      counters_.gap_events += deltas[i].gap_events;
    }
    if (!commits.empty() && unstored < group.size()) ++counters_.commits;
    if (!error.empty()) ++counters_.commit_failures;
  }
  if (!error.empty()) {
    std::cerr << "gsoc-collector: store commit failed for " << unstored << " of " << group.size() << " batches (sensors will resend): " << error << "\n";
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    WriteResult result;
    result.stored = stored(StreamKey{group[i].identity.sensor_id, group[i].batch->epoch()});
    if (!result.stored) result.error = error;
    result.ack = std::move(acks[i]);
    group[i].done.set_value(std::move(result));
  }
  if (on_commit_ && unstored < group.size() && !commits.empty()) {
    std::vector<CommittedBatch> committed;
    for (const CommitBatch& c : commits) {
      if (c.rejected || !stored(StreamKey{c.identity->sensor_id, c.batch->epoch()})) continue;
      auto item = std::find_if(group.begin(), group.end(), [&](const Item& it) { return it.batch.get() == c.batch; });
      committed.push_back(CommittedBatch{item->identity, std::move(item->batch), c.skip});
    }
    on_commit_(std::move(committed));
  }
}

void BatchWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  work_ready_.notify_all();
  room_ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

WriterCounters BatchWriter::counters() const {
  std::lock_guard lock(mutex_);
  WriterCounters c = counters_;
  c.queued_events = queued_events_;
  return c;
}

}  // namespace gsoc::collector

#include "collector/correlate/CorrelationService.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>
#include <set>

namespace gsoc::collector {

std::string jsonArray(const std::vector<std::string>& values) {
  std::string out = "[";
  for (const auto& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (const char c : v) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x20) {
        char esc[8];
        std::snprintf(esc, sizeof esc, "\\u%04x", u);
        out += esc;
      } else {
        out += c;
      }
    }
    out += '"';
  }
  return out + "]";
}

namespace {

StoredHit toStored(const CorrelationHit& h) {
  StoredHit s;
  s.rule_id = h.rule_id;
  s.group = joinGroup(h.group);
  s.last_ns = h.last_ns;
  s.first_ns = h.first_ns;
  s.update = h.update;
  s.title = h.title;
  s.severity = h.severity;
  s.events = h.events;
  s.values_json = jsonArray(h.values);
  s.evidence_json = jsonArray(h.evidence);
  return s;
}

}  // namespace

CorrelationService::CorrelationService(std::vector<CorrelationRule> rules, std::int64_t lateness_ns, EventStore& store, HitSink sink,
                                       std::chrono::milliseconds idle_flush, std::int64_t max_sensor_lag_ns)
    : rules_(rules), correlator_(std::move(rules), lateness_ns, max_sensor_lag_ns), store_(store), sink_(std::move(sink)), idle_flush_(idle_flush) {}

CorrelationService::~CorrelationService() { stop(); }

namespace {

// The event kinds a selection can select: its `kind` clause's values; nullopt when it has none.
std::optional<std::vector<std::string>> kindsOf(const EventSelection& selection) {
  for (const auto& c : selection.clauses) {
    if (c.field.isKind()) return c.any_of;
  }
  return std::nullopt;
}

}  // namespace

// The kinds any rule can select, so a restart replays only those (flow records, the bulk of a
// store, are selected by none of the shipped rules). Empty: every kind.
std::vector<std::string> CorrelationService::replayKinds() const {
  std::set<std::string> kinds;
  for (const auto& r : rules_) {
    if (auto k = kindsOf(r.selection)) {
      kinds.insert(k->begin(), k->end());
      continue;
    }
    if (r.stages.empty()) return {};
    for (const auto& s : r.stages) {
      auto k = kindsOf(s.selection);
      if (!k) return {};
      kinds.insert(k->begin(), k->end());
    }
  }
  return {kinds.begin(), kinds.end()};
}

std::int64_t CorrelationService::horizon() const {
  std::int64_t h = 0;
  for (const auto& r : rules_) h = std::max(h, r.horizon());
  return h;
}

void CorrelationService::handleHits(std::int64_t replayed_through) {
  for (const CorrelationHit& hit : correlator_.takeHits()) {
    const bool recorded = store_.recordHit(toStored(hit));
    // Up to where the last process got, a hit either was raised then (recorded) or was not raised
    // because that process saw more history: either way it is not news. A late hit is the
    // exception: events that process never saw (a sensor's backlog) raised it.
    const bool news = recorded && (hit.last_ns > replayed_through || hit.late);
    {
      std::lock_guard lock(mutex_);
      ++(news ? counters_.hits : counters_.known_hits);
    }
    if (news && sink_) sink_(hit);
  }
}

void CorrelationService::rebuild(std::uint64_t through_commit) {
  const std::int64_t progress = store_.correlatorProgress();
  saved_progress_ = progress;
  if (progress != INT64_MIN) {
    std::uint64_t replayed = 0;
    EventQuery query;
    query.since_ns = progress - horizon();
    query.kinds = replayKinds();
    query.through_commit = through_commit;
    store_.forEachEvent(query, [&](gsoc::v1::Event&& e) {
      ++replayed;
      correlator_.add(std::move(e));
    });
    std::lock_guard lock(mutex_);
    counters_.replayed = replayed;
  }
  if (progress != INT64_MIN) {
    handleHits(progress);
  }
  thread_ = std::thread([this] { run(); });
}

void CorrelationService::submit(std::vector<CommittedBatch> batches) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(batches));
  }
  ready_.notify_one();
}

void CorrelationService::run() {
  for (;;) {
    std::vector<CommittedBatch> batches;
    bool idle = false;
    {
      std::unique_lock lock(mutex_);
      idle = !ready_.wait_for(lock, idle_flush_, [&] { return stopping_ || !queue_.empty(); });
      if (!idle && queue_.empty()) return;  // stopping
      if (!idle) {
        batches = std::move(queue_.front());
        queue_.pop_front();
      }
    }
    if (idle) {
      if (correlator_.counters().buffered == 0) continue;
      correlator_.flush();
    }
    std::uint64_t n = 0;
    for (CommittedBatch& c : batches) {
      auto& events = *c.batch->mutable_events();
      const std::string prefix = c.identity.sensor_id + ":" + std::to_string(c.batch->epoch()) + ":";
      for (int i = c.skip; i < events.size(); ++i) {
        gsoc::v1::Event& e = events[i];  // read in place: the batch (and its arena) is dropped after
        e.set_event_id(prefix + std::to_string(c.batch->first_sequence() + static_cast<std::uint64_t>(i)));
        e.set_agency_id(c.identity.agency_id);
        e.set_sensor_id(c.identity.sensor_id);
        correlator_.add(e);
        ++n;
      }
    }
    try {
      handleHits(saved_progress_);
      const std::int64_t through = correlator_.processedThrough();
      if (through != INT64_MIN) store_.setCorrelatorProgress(through);
    } catch (const std::exception& ex) {
      std::cerr << "gsoc-collector: correlation: store: " << ex.what() << "\n";
    }
    std::lock_guard lock(mutex_);
    counters_.events += n;
    const CorrelatorCounters c = correlator_.counters();
    counters_.late_events = c.late_events;
    counters_.late_unplaced = c.late_unplaced;
    counters_.lagging_sensors = c.lagging_sources;
  }
}

void CorrelationService::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  if (thread_.joinable()) thread_.join();
}

CorrelationCounters CorrelationService::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

}  // namespace gsoc::collector

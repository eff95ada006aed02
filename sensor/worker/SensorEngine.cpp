#include "sensor/worker/SensorEngine.hpp"

#include <algorithm>
#include <iostream>
#include <mutex>
#include <thread>

#include "common/CounterTable.hpp"
#include "sensor/capture/DpdkPort.hpp"
#include "sensor/capture/LivePcapSource.hpp"
#include "sensor/export/EventOutput.hpp"
#include "sensor/worker/EngineDrops.hpp"
#include "sensor/worker/FlowDispatcher.hpp"
#include "sensor/worker/FlowInspector.hpp"
#include "sensor/worker/InspectionHooks.hpp"
#include "sensor/worker/PacketRing.hpp"
#include "sensor/worker/SensorWorker.hpp"

namespace gsoc::sensor {

namespace sig = gsoc::signatures;

// One lane per worker: its flows, its detector, its outputs, its ring when there are several.
struct SensorEngine::Lane {
  std::unique_ptr<FlowInspector> inspector;  // with a ruleset: the app layer and detection
  WorkerOutput* output = nullptr;            // owned by the EventOutput
  std::unique_ptr<SensorWorker> worker;
  std::unique_ptr<PacketRing> ring;
  std::thread thread;
  std::mutex reload_mutex;
  sig::CompiledRulesetPtr pending;
  std::atomic<bool> has_pending{false};
  std::atomic<bool> done{false};  // its queue has ended (per-queue DPDK)
  PublishedEngineDrops drops;     // what its worker could not inspect, for the progress line
  std::int64_t last_ts = 0;       // read after the thread is joined

  // On the lane's thread, between packets: a reloaded ruleset, if one is waiting.
  void applyPending() {
    if (!has_pending.load(std::memory_order_acquire)) return;
    std::lock_guard lock(reload_mutex);
    output->setRuleset(pending);
    inspector->setRuleset(std::move(pending));
    has_pending = false;
  }
};

SensorEngine::SensorEngine(EngineConfig config, PacketSource& source, DpdkPort* port, const sig::CompiledRulesetPtr& ruleset,
                           EventOutput& output, LiveCounters* published, const std::atomic<bool>& stop)
    : config_(std::move(config)),
      source_(source),
      port_(port),
      published_(published),
      stop_(stop),
      live_(dynamic_cast<LivePcapSource*>(&source) != nullptr),
      // DPDK with a queue per worker: each worker polls its own queue, and run()'s thread only
      // reloads rulesets and reports. Otherwise that thread reads and hands packets to the workers.
      per_queue_(port != nullptr && port->queueCount() > 1) {
  const DetectionSettings& settings = config_.detection;
  const EveSettings& eve = output.eveSettings();
  for (std::size_t i = 0; i < config_.workers; ++i) {
    auto lane = std::make_unique<Lane>();
    Lane* l = lane.get();
    l->output = &output.addWorker();
    // The outputs, called on the lane's thread: records formatted and serialized there, then
    // appended to the shared EVE file and numbered by the event sink, each under its own lock.
    WorkerHooks hooks;
    if (ruleset) {
      // The lane's own ruleset raised it (a reload reaches each lane between packets).
      l->inspector = std::make_unique<FlowInspector>(ruleset, [l](const AlertHit& hit) { l->output->alert(hit, l->inspector->detection().ruleset()); });
      FlowInspector& inspector = *l->inspector;
      inspector.setStreamInline(settings.stream_inline);
      inspector.detection().setInspectEncrypted(settings.inspect_encrypted);
      inspector.setForceFileHashes(settings.force_file_hashes);
      inspector.setLogFrames(eve.frames && l->output->writesEve());
      AppLayer& app = inspector.app();
      if (settings.force_filestore) app.setFileStore(settings.file_store, settings.file_store_depth);
      app.setKeepRequestHeaders(eve.http_request_headers);
      app.setMqttLimits(settings.mqtt_limits);
      app.setFtpMaxLineBytes(settings.ftp_max_line);
      app.setFtpMaxTx(settings.ftp_max_tx);
      app.setLdapMaxTx(settings.ldap_max_tx);
      app.setDnp3Limits(settings.dnp3_limits);
      for (const auto& [proto, mode, over] : settings.protocol_modes) app.setProtocolMode(proto, mode, over);
      if (output.writesEve() || output.writesEvents()) {
        inspector.setMetadataSink([l](const AppMetadata& record) { l->output->metadata(record); });
      }
      DetectionStage& detection = inspector.detection();
      if (l->output->writesEve()) detection.setAnomalySink([l](const AnomalyHit& hit) { l->output->anomaly(hit); });
      if (l->output->writesEve() && eve.tagged_packets) {
        detection.setTaggedPacketSink([l](const DecodedPacket& p, const Flow* flow) { l->output->taggedPacket(p, flow); });
      }
      hooks = inspectionHooks(inspector);
    }
    // The lane's outputs after the inspection: ARP records, and each flow's record at its end.
    const bool arp = l->output->writesEve() && eve.arp;
    if (arp) {
      hooks.on_flowless_packet = [l, inspected = std::move(hooks.on_flowless_packet)](const DecodedPacket& p) {
        if (inspected) inspected(p);
        if (p.arp) l->output->arp(p);
      };
    }
    hooks.on_flow_end = [l, inspected = std::move(hooks.on_flow_end)](Flow& flow, FlowEndReason reason) {
      if (inspected) inspected(flow, reason);
      l->output->flowEnd(flow, reason);
    };
    FlowTableConfig flow_config = config_.flow;
    flow_config.first_id = i + 1;
    flow_config.id_step = config_.workers;
    l->worker = std::make_unique<SensorWorker>(flow_config, std::move(hooks));
    lanes_.push_back(std::move(lane));
  }
}

SensorEngine::~SensorEngine() {
  // run() joins them; this is for a run() cut short by an exception.
  input_done_ = true;
  for (auto& lane : lanes_) {
    if (lane->thread.joinable()) lane->thread.join();
  }
}

void SensorEngine::startWorkers() {
  if (per_queue_) {
    for (std::size_t i = 0; i < lanes_.size(); ++i) {
      Lane* l = lanes_[i].get();
      l->thread = std::thread([l, &queue = port_->queue(static_cast<std::uint16_t>(i)), &stop = stop_] {
        RawPacket packet;
        std::uint64_t n = 0;
        while (queue.next(packet)) {
          if (l->inspector) l->applyPending();
          l->worker->process(packet);
          l->last_ts = packet.timestamp_ns;
          if ((++n & 0x3ff) == 0) {
            l->drops.publish(engineDropsOf(*l->worker));
            if (stop.load(std::memory_order_relaxed)) break;
          }
        }
        l->worker->finish();
        l->drops.publish(engineDropsOf(*l->worker));
        l->done = true;
      });
    }
  } else if (lanes_.size() > 1) {
    for (auto& lane : lanes_) {
      Lane* l = lane.get();
      l->ring = std::make_unique<PacketRing>(8192);
      l->thread = std::thread([l, &input_done = input_done_] {
        RawPacket packet;
        std::uint64_t n = 0;
        for (;;) {
          if (l->inspector) l->applyPending();
          if (l->ring->front(packet)) {
            l->worker->process(packet);
            l->ring->pop();
            if ((++n & 0x3ff) == 0) l->drops.publish(engineDropsOf(*l->worker));
          } else if (input_done.load(std::memory_order_acquire)) {
            if (l->ring->empty()) break;
          } else {
            std::this_thread::sleep_for(std::chrono::microseconds(20));
          }
        }
        l->worker->finish();
        l->drops.publish(engineDropsOf(*l->worker));
      });
    }
  }
}

void SensorEngine::run(const Housekeeping& housekeeping) {
  startWorkers();
  started_ = std::chrono::steady_clock::now();
  last_report_ = started_;
  if (per_queue_) {
    auto running = [&] {
      return std::any_of(lanes_.begin(), lanes_.end(), [](const auto& lane) { return !lane->done.load(std::memory_order_acquire); });
    };
    while (running()) {
      if (housekeeping.due()) housekeeping.service();
      progress(captureCounters().packets);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  } else {
    dispatch(housekeeping);
  }
  input_done_ = true;
  if (lanes_.size() == 1) {
    lanes_.front()->worker->finish();
  } else {
    for (auto& lane : lanes_) {
      lane->thread.join();
      last_ts_ = std::max(last_ts_, lane->last_ts);
    }
  }
  seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

// This thread reads the source and hands each packet to its lane.
void SensorEngine::dispatch(const Housekeeping& housekeeping) {
  FlowDispatcher dispatcher(lanes_.size());
  // A quiet link: reloads and counters are served while the source waits.
  source_.setIdleHook([&] {
    if (housekeeping.due()) housekeeping.service();
    progress(read_);
  });
  RawPacket raw;
  std::int64_t first_ts = -1;
  while (source_.next(raw)) {
    ++read_;
    if (housekeeping.due()) housekeeping.service();
    if (config_.replay_speed > 0) {  // pace by the recorded timestamps
      if (first_ts < 0) first_ts = raw.timestamp_ns;
      const auto due = started_ + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                      static_cast<double>(raw.timestamp_ns - first_ts) / config_.replay_speed));
      std::this_thread::sleep_until(due);
      if (stop_) break;
    }
    last_ts_ = raw.timestamp_ns;
    if (lanes_.size() == 1) {
      lanes_.front()->worker->process(raw);
    } else {
      PacketRing& ring = *lanes_[dispatcher.laneOf(raw)]->ring;
      while (!ring.push(raw)) {
        if (live_) {  // never stall a live capture: count the drop
          ++ring_drops_;
          break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
    if ((read_ & 0x3ff) == 0) {
      progress(read_);
      if (stop_.load(std::memory_order_relaxed)) break;  // a busy DPDK port never runs dry
    }
  }
  source_.setIdleHook({});  // it refers to this call's housekeeping
}

void SensorEngine::installRuleset(const sig::CompiledRulesetPtr& fresh) {
  for (auto& lane : lanes_) {
    std::lock_guard lock(lane->reload_mutex);
    lane->pending = fresh;
    lane->has_pending = true;
  }
  if (lanes_.size() == 1) lanes_.front()->applyPending();  // this thread is its worker
}

// Every 1024 packets, while a live source waits, or every 10 ms when the workers poll their own
// queues: what the next heartbeat and `stats` report, and the progress line when it is due.
void SensorEngine::progress(std::uint64_t packets) {
  if (lanes_.size() == 1) lanes_.front()->drops.publish(engineDropsOf(*lanes_.front()->worker));  // this thread is its worker
  EngineDrops engine;
  for (const auto& lane : lanes_) gsoc::mergeCounters(engine, lane->drops.read());
  if (published_ != nullptr) {
    const CaptureCounters cap = captureCounters();
    published_->packets = cap.packets;
    published_->bytes = cap.bytes;
    published_->drop_interface = cap.dropped_by_interface;
    published_->drop_capture = cap.dropped_by_capture;
    published_->drop_ring = ring_drops_;
    published_->engine_drops.publish(engine);
  }
  if (config_.stats_interval <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_report_).count() < config_.stats_interval) return;
  last_report_ = now;
  // Drops per interval, by layer: what an operator watches to size the appliance.
  const CaptureCounters cap = captureCounters();
  const CaptureCounters c = gsoc::diffCounters(cap, reported_);
  const EngineDrops e = gsoc::diffCounters(engine, reported_engine_);
  std::cerr << "gsoc-sensor: " << packets << " packets (+" << packets - reported_.packets << "), drops this interval: interface "
            << c.dropped_by_interface << ", capture " << c.dropped_by_capture << ", ring " << ring_drops_ - reported_ring_drops_
            << "; engine: " << e.malformed << " malformed, " << e.fragments << " fragments, " << e.flows_evicted
            << " flows evicted, " << e.stream_gap_bytes << " stream gap bytes\n";
  reported_ = cap;
  reported_.packets = packets;
  reported_ring_drops_ = ring_drops_;
  reported_engine_ = engine;
}

SensorTotals SensorEngine::totals() const {
  SensorTotals t;
  for (const auto& lane : lanes_) {
    gsoc::mergeCounters(t.worker, lane->worker->counters());
    gsoc::mergeCounters(t.decode, lane->worker->decodeCounters());
    gsoc::mergeCounters(t.fragments, lane->worker->fragmentCounters());
    gsoc::mergeCounters(t.flows, lane->worker->flowCounters());
    t.active_flows += lane->worker->activeFlows();
    if (lane->inspector) {
      gsoc::mergeCounters(t.detection, lane->inspector->detection().counters());
      gsoc::mergeCounters(t.app, lane->inspector->app().counters());
      lane->inspector->addPools(t.pools);
    }
    if (lane->ring) t.ring_truncated += lane->ring->truncated();
  }
  t.ring_drops = ring_drops_;
  return t;
}

CaptureCounters SensorEngine::captureCounters() const { return port_ != nullptr ? port_->counters() : source_.counters(); }

}  // namespace gsoc::sensor

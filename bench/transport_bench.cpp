// gsoc_bench_transport: end-to-end event transport for capacity planning. In one process, on
// loopback: N sensors (an EventSpool and an EventShipper each, their own client certificate)
// ship to the collector's real ingest stack (IngestServer with mutual TLS, IngestService,
// BatchWriter) committing into SQLite or PostgreSQL.
//
//   0. store: batches built beforehand, committed by calling the store directly (as the
//      BatchWriter does, --commit-events per transaction): the store's own speed.
//   1. ceiling: the same events committed straight through the BatchWriter (no gRPC, no TLS,
//      no spool), the batches parsed as they are submitted: what the collector can take
//      without the network.
//   2. throughput: every sensor's spool pre-filled with --events events; time until the
//      collector has acknowledged all of them. Reported as events/s and as a ratio of (1).
//   3. latency: sensors append at --rate events/s in total for --seconds; for each event the time
//      from spool append to the sensor seeing the collector's ack (which follows the commit):
//      p50, p99, max.
//
// --store none commits nothing (it keeps only the stream marks that acks need): the ceiling of
// the transport itself, spool, gRPC/mTLS, decoding and validation, to set against a store's.
//
// Usage: gsoc_bench_transport [--store sqlite|postgresql|clickhouse|none] [--dsn DSN] [--sensors 8]
//                              [--events 100000] [--rate 50000] [--seconds 5]
//                              [--commit-events 20000] [--queue-events 200000]
//                              [--clickhouse URL[,URL] [--cluster NAME] [--frontends 1]]
// PostgreSQL needs a server; bench/transport_bench.sh starts a temporary one. ClickHouse needs
// running shards (the state goes to a SQLite file, the events to a database of the bench's own).
#include <grpcpp/grpcpp.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/TlsMaterial.hpp"
#include "collector/ingest/BatchWriter.hpp"
#include "collector/ingest/IngestServer.hpp"
#include "collector/ingest/IngestService.hpp"
#include "collector/store/ClickHouseEventStore.hpp"
#include "collector/store/PostgresEventStore.hpp"
#include "collector/store/SqliteEventStore.hpp"
#include "gsoc/v1/event.pb.h"
#include "gsoc/v1/status.pb.h"
#include "sensor/transport/EventShipper.hpp"
#include "sensor/transport/EventSpool.hpp"
#include "gsoc/grpc/GrpcLifetime.hpp"  // last: its namespace gsoc::grpc would shadow ::grpc in the headers above

namespace fs = std::filesystem;
using namespace gsoc;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string store = "sqlite";
  std::string dsn;
  std::vector<std::string> shards;  // --clickhouse
  std::string cluster;
  int sensors = 8;
  int frontends = 1;    // collector front-ends the sensors are spread over (clickhouse)
  int events = 100000;  // per sensor, throughput phase
  int rate = 50000;     // total events/s, latency phase
  int seconds = 5;
  collector::WriterOptions writer;  // --commit-events, --queue-events
};

std::int64_t wallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// A realistic mix of what sensors send: mostly flow and DNS/HTTP/TLS metadata, some alerts.
std::vector<std::string> sampleEvents() {
  std::vector<std::string> out;
  std::mt19937 rng(2026);
  for (int i = 0; i < 1000; ++i) {
    v1::Event e;
    e.set_timestamp_ns(wallNs());
    e.set_flow_id(static_cast<std::uint64_t>(rng()));
    e.set_community_id("1:Zm9vYmFyYmF6cXV4cXV1eDEyMzQ1Njc4OTA=");
    auto* t = e.mutable_tuple();
    t->set_src_ip(std::string("\xc0\x00\x02", 3) + static_cast<char>(rng() % 250 + 1));
    t->set_dst_ip(std::string("\xcb\x00\x71", 3) + static_cast<char>(rng() % 120 + 130));
    t->set_src_port(rng() % 30000 + 30000);
    t->set_dst_port(443);
    t->set_ip_proto(6);
    const unsigned kind = rng() % 100;
    if (kind < 5) {
      auto* a = e.mutable_alert();
      a->set_action(v1::Alert::ACTION_ALERT);
      a->set_sid(2030000 + rng() % 1000);
      a->set_rev(3);
      a->set_msg("ET MALWARE Possible C2 beacon to a rare external destination");
      a->set_classtype("trojan-activity");
      a->set_severity(v1::SEVERITY_HIGH);
      a->set_buffer("http.uri");
      a->set_excerpt(std::string(120, 'x'));
    } else if (kind < 45) {
      auto* f = e.mutable_flow();
      f->set_packets_to_server(rng() % 100);
      f->set_bytes_to_server(rng() % 100000);
      f->set_tcp_state("closed");
      f->set_end_reason("fin");
    } else if (kind < 70) {
      auto* d = e.mutable_dns();
      d->set_query("www" + std::to_string(rng() % 1000) + ".mofa.example.go.jp");
      d->set_qtype("A");
      d->set_rcode("NOERROR");
      auto* ans = d->add_answers();
      ans->set_data("198.51.100.7");
    } else if (kind < 90) {
      auto* h = e.mutable_http();
      h->set_method("GET");
      h->set_host("portal.example.go.jp");
      h->set_uri("/index.php?id=" + std::to_string(rng() % 100000));
      h->set_user_agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
      h->set_status(200);
    } else {
      auto* tls = e.mutable_tls();
      tls->set_sni("mail.example.go.jp");
      tls->set_version("TLS 1.3");
      tls->set_ja3("771,4865-4866-4867,0-23-65281,29-23-24,0");
    }
    out.push_back(e.SerializeAsString());
  }
  return out;
}

// --store none: keeps the stream marks (so acks and replays behave) and nothing else.
class DiscardingStore final : public collector::EventStore {
 public:
  std::string describe() const override { return "none (events discarded)"; }
  std::map<collector::StreamKey, std::uint64_t> streamMarks() override {
    std::lock_guard lock(mutex_);
    return marks_;
  }
  void commit(std::span<const collector::CommitBatch> batches) override {
    std::lock_guard lock(mutex_);
    for (const auto& b : batches) marks_[collector::StreamKey{b.identity->sensor_id, b.batch->epoch()}] = b.acked_through;
  }
  collector::StreamClaim claimStreams(std::span<const collector::StreamKey>) override { return {}; }
  void releaseStreams() override {}
  void recordPendingInserts(std::span<collector::PendingInsert>) override {}
  std::vector<collector::PendingInsert> pendingInserts() override { return {}; }
  void settlePendingInsert(const collector::PendingInsert&, bool) override {}
  std::vector<collector::CommitLogEntry> commitLog(std::uint64_t, std::size_t) override { return {}; }
  std::uint64_t commitTail() override { return 0; }
  void setCommitTail(std::uint64_t) override {}
  void recordSensorStatus(const collector::SensorIdentity&, const v1::SensorStatus&, std::int64_t) override {}
  void recordRefusal(std::int64_t, const collector::SensorIdentity&, std::string_view) override {}
  std::uint64_t deleteEventsBefore(std::int64_t) override { return 0; }
  std::uint64_t eventCount() override { return 0; }
  std::vector<collector::SensorRow> sensors() override { return {}; }
  bool recordHit(const collector::StoredHit&) override { return true; }
  std::int64_t correlatorProgress() override { return INT64_MIN; }
  void setCorrelatorProgress(std::int64_t) override {}
  void forEachEvent(const collector::EventQuery&, const std::function<void(v1::Event&&)>&) override {}
  std::vector<collector::EventCount> countEvents(const collector::EventQuery&, std::span<const collector::EventDimension>) override { return {}; }
  void upsertPublication(const collector::Publication&) override {}
  std::optional<collector::Publication> publication(const std::string&, const std::string&) override { return std::nullopt; }
  std::uint64_t publicationCount(const std::string&, const std::string&) override { return 0; }
  std::vector<collector::Publication> selectPublications(const collector::PublicationQuery&) override { return {}; }
  std::vector<collector::PublicationTally> tallyPublications(const std::string&) override { return {}; }

 private:
  std::mutex mutex_;
  std::map<collector::StreamKey, std::uint64_t> marks_;
};

// `fresh`: a store of its own (ClickHouse: the bench's database dropped first); false for a
// second front-end of the same phase, sharing the first's.
collector::EventStorePtr openStore(const Options& o, const fs::path& dir, const std::string& name, bool fresh = true) {
  if (o.store == "none") return std::make_unique<DiscardingStore>();
  // PostgreSQL keeps its tables between phases: each phase has its own epochs, and is measured
  // by acks, not by table size.
  if (o.store == "postgresql") return std::make_unique<collector::PostgresEventStore>(o.dsn);
  const std::string path = (dir / (name + ".db")).string();
  if (o.store == "clickhouse") {
    collector::ClickHouseOptions ch;
    ch.shard_urls = o.shards;
    ch.cluster = o.cluster;
    ch.database = "gsoc_bench_" + std::to_string(::getpid());
    if (fresh) {
      for (const auto& url : o.shards) collector::ClickHouseClient(url).query("DROP DATABASE IF EXISTS " + ch.database);
    }
    // Front-ends share marks through PostgreSQL (--dsn); one alone may keep them in SQLite.
    collector::EventStorePtr state = o.dsn.empty() ? collector::EventStorePtr(std::make_unique<collector::SqliteEventStore>(path))
                                                   : collector::EventStorePtr(std::make_unique<collector::PostgresEventStore>(o.dsn));
    return std::make_unique<collector::ClickHouseEventStore>(ch, std::move(state));
  }
  return std::make_unique<collector::SqliteEventStore>(path);
}

std::vector<collector::SensorIdentity> benchIdentities(const Options& o) {
  std::vector<collector::SensorIdentity> ids;
  for (int s = 0; s < o.sensors; ++s) ids.push_back({"A" + std::to_string(s), "bench-" + std::to_string(s), "", "local"});
  return ids;
}

// --events events per sensor as 2,000-event batches, round robin over the sensors, each parsed
// from the samples onto an arena; `use` gets the sensor's index and the batch.
void forEachBatch(const Options& o, const std::vector<collector::SensorIdentity>& ids, const std::vector<std::string>& samples,
                  std::uint64_t epoch, const std::function<void(std::size_t, collector::BatchPtr)>& use) {
  std::vector<std::uint64_t> next(ids.size(), 1);
  const int total = o.events * o.sensors;
  for (int done = 0; done < total;) {
    for (std::size_t s = 0; s < ids.size() && done < total; ++s) {
      collector::BatchPtr b = collector::makeArenaBatch();
      b->set_sensor_id(ids[s].sensor_id);
      b->set_epoch(epoch);
      b->set_first_sequence(next[s]);
      for (int k = 0; k < 2000; ++k) b->add_events()->ParseFromString(samples[static_cast<std::size_t>(done + k) % samples.size()]);
      next[s] += 2000;
      done += 2000;
      use(s, std::move(b));
    }
  }
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

struct Fleet {
  std::vector<std::unique_ptr<sensor::EventSpool>> spools;
  std::vector<std::unique_ptr<sensor::EventShipper>> shippers;
};

// Sensor i ships to ports[i % ports.size()].
Fleet makeFleet(const Options& o, const fs::path& dir, const std::string& phase, const std::vector<int>& ports) {
  Fleet f;
  const std::string ca = slurp(dir / "pki" / "ca.pem");
  for (int i = 0; i < o.sensors; ++i) {
    sensor::SpoolOptions so;
    so.dir = dir / (phase + "-spool-" + std::to_string(i));
    so.max_bytes = 4ULL << 30;
    f.spools.push_back(std::make_unique<sensor::EventSpool>(so));
    sensor::ShipperOptions sh;
    // An address, not a name: gRPC's c-ares resolver keeps allocations LeakSanitizer reports
    // in ASan builds (the capacity planner's test runs this bench there).
    sh.address = "127.0.0.1:" + std::to_string(ports[static_cast<std::size_t>(i) % ports.size()]);
    sh.ca_pem = ca;
    const std::string id = "bench-" + std::to_string(i);
    sh.cert_pem = slurp(dir / "pki" / "sensors" / (id + ".pem"));
    sh.key_pem = slurp(dir / "pki" / "sensors" / (id + ".key"));
    sh.sensor_id = id;
    sh.heartbeat_interval = std::chrono::seconds(5);
    f.shippers.push_back(std::make_unique<sensor::EventShipper>(*f.spools.back(), sh, [] { return v1::SensorStatus(); }));
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  gsoc::common::keepOpenSslUntilExit();          // before gRPC: its threads may still use OpenSSL as we exit
  const gsoc::grpc::GrpcLifetime grpc_lifetime;  // destroyed last: gRPC (and its c-ares resolver) shut down
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--store") o.store = value();
    else if (a == "--dsn") o.dsn = value();
    else if (a == "--cluster") o.cluster = value();
    else if (a == "--frontends") o.frontends = std::stoi(value());
    else if (a == "--clickhouse") {
      const std::string urls = value();
      for (std::size_t at = 0; at < urls.size();) {
        const std::size_t comma = std::min(urls.find(',', at), urls.size());
        o.shards.push_back(urls.substr(at, comma - at));
        at = comma + 1;
      }
    }
    else if (a == "--sensors") o.sensors = std::stoi(value());
    else if (a == "--events") o.events = std::stoi(value());
    else if (a == "--rate") o.rate = std::stoi(value());
    else if (a == "--seconds") o.seconds = std::stoi(value());
    else if (a == "--commit-events") o.writer.commit_max_events = std::stoull(value());
    else if (a == "--queue-events") o.writer.max_queue_events = std::stoull(value());
    else {
      std::cerr << "usage: gsoc_bench_transport [--store sqlite|postgresql|clickhouse|none] [--dsn DSN] [--clickhouse URLS] [--cluster NAME] [--frontends N] [--sensors N] [--events N] [--rate R] [--seconds S] [--commit-events N] [--queue-events N]\n";
      return 2;
    }
  }
  if (o.store == "postgresql" && o.dsn.empty()) {
    std::cerr << "--store postgresql needs --dsn (bench/transport_bench.sh starts a server)\n";
    return 2;
  }
  if (o.store == "clickhouse" && o.shards.empty()) {
    std::cerr << "--store clickhouse needs --clickhouse URL[,URL] (bench/clickhouse_bench.py starts servers)\n";
    return 2;
  }
  if (o.frontends < 1 || (o.frontends > 1 && (o.store != "clickhouse" || o.dsn.empty()))) {
    std::cerr << "--frontends N > 1 needs --store clickhouse with --dsn (front-ends share their marks through PostgreSQL)\n";
    return 2;
  }
  const fs::path dir = fs::temp_directory_path() / ("gsoc-bench-transport-" + std::to_string(::getpid()));
  fs::create_directories(dir / "pki");
  std::string pki = std::string(GSOC_SOURCE_DIR) + "/scripts/gsoc-pki";
  std::string cmd = pki + " init " + (dir / "pki").string() + " >/dev/null && " + pki + " collector " + (dir / "pki").string() + " >/dev/null";
  for (int i = 0; i < o.sensors; ++i) cmd += " && " + pki + " sensor " + (dir / "pki").string() + " A" + std::to_string(i) + " bench-" + std::to_string(i) + " >/dev/null";
  if (std::system(cmd.c_str()) != 0) {
    std::cerr << "gsoc-pki failed\n";
    return 2;
  }
  const std::vector<std::string> samples = sampleEvents();
  std::size_t sample_bytes = 0;
  for (const auto& s : samples) sample_bytes += s.size();
  std::cout << "gsoc_bench_transport: " << o.sensors << " sensors, store " << o.store << ", mean event "
            << sample_bytes / samples.size() << " bytes\n";

  // 0. The store alone: commits of prepared batches, timed without building them.
  {
    auto store = openStore(o, dir, "store");
    const std::string description = store->describe();
    const std::uint64_t epoch = static_cast<std::uint64_t>(wallNs());
    const auto ids = benchIdentities(o);
    std::vector<collector::BatchPtr> batches;
    const int total = o.events * o.sensors;
    forEachBatch(o, ids, samples, epoch, [&](std::size_t, collector::BatchPtr b) { batches.push_back(std::move(b)); });
    const std::size_t per_commit = std::max<std::size_t>(1, o.writer.commit_max_events / 2000);
    const auto start = Clock::now();
    for (std::size_t first = 0; first < batches.size(); first += per_commit) {
      std::vector<collector::CommitBatch> commit;
      for (std::size_t i = first; i < std::min(batches.size(), first + per_commit); ++i) {
        collector::CommitBatch c;
        c.identity = &ids[i % ids.size()];
        c.batch = batches[i].get();
        c.acked_through = batches[i]->first_sequence() + 1999;
        c.received_ns = wallNs();
        commit.push_back(c);
      }
      store->commit(commit);
    }
    const double rate = static_cast<double>(total) / std::chrono::duration<double>(Clock::now() - start).count();
    store.reset();  // the last connection's close checkpoints the WAL into the file
    std::cout << std::fixed << std::setprecision(0) << "store       " << rate << " events/s (" << description
              << ", commits of prepared batches)";
    if (o.store == "sqlite") {
      std::cout << ", " << std::setprecision(1) << static_cast<double>(fs::file_size(dir / "store.db")) / total << " bytes per event on disk";
    }
    std::cout << "\n";
  }

  // 1. Ceiling: the store through the BatchWriter alone.
  double ceiling = 0;
  {
    auto store = openStore(o, dir, "ceiling");
    collector::BatchWriter writer(*store, o.writer, wallNs);
    const std::uint64_t epoch = static_cast<std::uint64_t>(wallNs());
    const int total = o.events * o.sensors;
    const auto ids = benchIdentities(o);
    std::vector<std::future<collector::WriteResult>> pending;
    const auto start = Clock::now();
    forEachBatch(o, ids, samples, epoch, [&](std::size_t s, collector::BatchPtr b) {
      pending.push_back(std::move(*writer.submit(ids[s], std::move(b), std::chrono::seconds(60))));
    });
    for (auto& f : pending) f.get();
    ceiling = static_cast<double>(total) / std::chrono::duration<double>(Clock::now() - start).count();
    std::cout << std::fixed << std::setprecision(0) << "ceiling     " << ceiling << " events/s (BatchWriter -> " << store->describe() << ", no gRPC)\n";
  }

  // The collector front-ends of the transport phases: each its own store connection, writer and
  // gRPC server, as separate gsoc-collector processes would have.
  struct FrontEnd {
    collector::EventStorePtr store;
    std::unique_ptr<collector::BatchWriter> writer;
    std::unique_ptr<collector::IngestService> service;
    collector::IngestServer server;
  };
  std::vector<FrontEnd> frontends(static_cast<std::size_t>(o.frontends));
  std::vector<int> ports;
  for (std::size_t k = 0; k < frontends.size(); ++k) {
    FrontEnd& fe = frontends[k];
    fe.store = openStore(o, dir, "transport", k == 0);
    fe.writer = std::make_unique<collector::BatchWriter>(*fe.store, o.writer, wallNs);
    fe.service = std::make_unique<collector::IngestService>(*fe.writer, *fe.store, wallNs, collector::ValidationLimits{});
    collector::IngestServerOptions so;
    so.listen_address = "127.0.0.1:0";
    so.ca_pem = slurp(dir / "pki" / "ca.pem");
    so.cert_pem = slurp(dir / "pki" / "collector.pem");
    so.key_pem = slurp(dir / "pki" / "collector.key");
    fe.server = collector::startIngestServer(so, *fe.service);
    if (!fe.server.server) {
      std::cerr << "cannot start the ingest server\n";
      return 2;
    }
    ports.push_back(fe.server.port);
  }

  // 2. Throughput from pre-filled spools.
  {
    Fleet fleet = makeFleet(o, dir, "throughput", ports);
    for (auto& spool : fleet.spools) {
      for (int k = 0; k < o.events; ++k) spool->append(samples[static_cast<std::size_t>(k) % samples.size()]);
      spool->flush();
    }
    const auto start = Clock::now();
    for (auto& s : fleet.shippers) s->start();
    for (auto& s : fleet.shippers) s->drain(std::chrono::minutes(10));
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (auto& s : fleet.shippers) s->stop();
    const double rate = static_cast<double>(o.events) * o.sensors / seconds;
    std::cout << "throughput  " << rate << " events/s end to end (" << o.events * o.sensors << " events, spool -> gRPC/mTLS -> "
              << "commit -> ack, " << std::setprecision(2) << seconds << " s) = " << rate / ceiling << " of the ceiling\n"
              << std::setprecision(0);
  }

  // 3. Latency at a fixed offered rate.
  {
    Fleet fleet = makeFleet(o, dir, "latency", ports);
    for (auto& s : fleet.shippers) s->start();
    const int per_sensor = o.rate / o.sensors;
    const auto total_per_sensor = static_cast<std::size_t>(per_sensor) * static_cast<std::size_t>(o.seconds);
    std::vector<std::vector<std::int64_t>> appended(static_cast<std::size_t>(o.sensors), std::vector<std::int64_t>(total_per_sensor + 2, 0));
    std::vector<std::vector<std::int64_t>> acked(static_cast<std::size_t>(o.sensors), std::vector<std::int64_t>(total_per_sensor + 2, 0));
    std::atomic<bool> producing{true};
    std::thread monitor([&] {
      std::vector<std::uint64_t> seen(static_cast<std::size_t>(o.sensors), 0);
      for (;;) {
        bool all = !producing;
        const std::int64_t now = Clock::now().time_since_epoch().count();
        for (std::size_t s = 0; s < seen.size(); ++s) {
          const std::uint64_t through = std::min<std::uint64_t>(fleet.spools[s]->ackedThrough(), total_per_sensor);
          for (std::uint64_t q = seen[s] + 1; q <= through; ++q) acked[s][q] = now;
          seen[s] = through;
          if (through < total_per_sensor) all = false;
        }
        if (all) return;
        std::this_thread::sleep_for(std::chrono::microseconds(500));
      }
    });
    const auto start = Clock::now();
    std::vector<std::thread> producers;
    for (int s = 0; s < o.sensors; ++s) {
      producers.emplace_back([&, s] {
        auto& spool = *fleet.spools[static_cast<std::size_t>(s)];
        for (std::size_t k = 0; k < total_per_sensor; ++k) {
          std::this_thread::sleep_until(start + std::chrono::nanoseconds(static_cast<std::int64_t>(k) * 1000000000LL / per_sensor));
          const std::int64_t now = Clock::now().time_since_epoch().count();
          const std::uint64_t seq = spool.append(samples[k % samples.size()]);
          appended[static_cast<std::size_t>(s)][seq] = now;
        }
      });
    }
    for (auto& p : producers) p.join();
    producing = false;
    monitor.join();
    for (auto& s : fleet.shippers) s->stop();
    std::vector<double> ms;
    for (std::size_t s = 0; s < appended.size(); ++s) {
      for (std::size_t q = 1; q <= total_per_sensor; ++q) ms.push_back(static_cast<double>(acked[s][q] - appended[s][q]) / 1e6);
    }
    const double max = *std::max_element(ms.begin(), ms.end());
    const double p50 = percentile(ms, 0.50);
    const double p99 = percentile(ms, 0.99);
    std::cout << std::setprecision(1) << "latency     at " << o.rate << " events/s offered for " << o.seconds << " s: spool append -> ack p50 "
              << p50 << " ms, p99 " << p99 << " ms, max " << max << " ms (" << ms.size() << " events)\n";
  }
  for (FrontEnd& fe : frontends) {
    fe.server.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    fe.writer->stop();
  }
  frontends.clear();
  fs::remove_all(dir);
  return 0;
}

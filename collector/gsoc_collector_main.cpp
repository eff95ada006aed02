// gsoc-collector: the central service. Sensors ship event batches over gRPC with mutual TLS;
// each batch is validated, deduplicated and committed to the event store (SQLite by default,
// PostgreSQL for scale) before it is acknowledged. Heartbeats keep the sensor registry current.

#include <grpcpp/grpcpp.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "collector/api/CentralService.hpp"
#include "common/MetricsServer.hpp"
#include "collector/web/WebConsole.hpp"
#include "collector/api/PublicationFeed.hpp"
#include "collector/api/PublicationRecord.hpp"
#include "collector/correlate/CommitTail.hpp"
#include "collector/correlate/CorrelationService.hpp"
#include "collector/ingest/BatchWriter.hpp"
#include "collector/notify/CentrePublications.hpp"
#include "collector/ingest/BundlePublisher.hpp"
#include "collector/ingest/IngestServer.hpp"
#include "collector/ingest/IngestService.hpp"
#include "collector/ingest/PeerIdentity.hpp"
#include "collector/store/EventStore.hpp"
#include "common/NetworkAddress.hpp"
#include "common/TlsMaterial.hpp"
#include "gsoc/config/ConfigLoader.hpp"
#include "gsoc/v1/config.pb.h"
#include "gsoc/grpc/GrpcLifetime.hpp"

using namespace gsoc::collector;

namespace {

constexpr const char* kUsage = R"(Usage:
  gsoc-collector -c collector.yaml [OPTIONS]
  gsoc-collector --listen ADDR --ca CA.pem --cert CERT.pem --key KEY.pem --sqlite FILE [OPTIONS]

Receives event batches from gsoc-sensor over gRPC with mutual TLS, validates every field, drops
replays by (sensor, epoch, sequence) and commits each batch in one transaction before
acknowledging it. A sensor's agency and id come from its client certificate (URI SAN
urn:gsoc:sensor:AGENCY:SENSOR_ID, made by scripts/gsoc-pki), never from what it sends: a batch
claiming another sensor or agency is refused (PERMISSION_DENIED) and recorded, as is a peer with no
certificate (UNAUTHENTICATED) or a revoked one (PERMISSION_DENIED).

Options (each overrides the config key in brackets):
  -c, --config FILE       collector configuration (YAML, gsoc.v1.CollectorConfig)
  --listen ADDR           host:port to listen on; port 0 picks a free one [listen_address]
  --ca FILE               CA certificate that signs sensors' certificates [ca_file]
  --cert FILE, --key FILE this collector's certificate and key [cert_file, key_file]
  --crl FILE              certificate revocation list from gsoc-pki revoke; re-read on SIGHUP [crl_file]
  --sqlite FILE           store events in this SQLite file (WAL) [store.backend: sqlite, store.sqlite_path]
  --postgresql DSN        store events in PostgreSQL, e.g. "host=/run/postgresql dbname=gsoc"
                          [store.backend: postgresql, store.postgresql_dsn]
  --clickhouse URL[,URL]  store events in ClickHouse, one HTTP URL per shard; stream marks, sensors
                          and publications stay in --sqlite FILE or --postgresql DSN
                          [store.backend: clickhouse, store.clickhouse_shards]
  --clickhouse-cluster C  the servers' cluster the Distributed tables read over (required with 2+
                          shards) [store.clickhouse_cluster]
  --correlate-from-store  correlate every front-end's commits, read from the store's commit log,
                          not what this one receives (clickhouse; one front-end of several)
                          [correlation_from_store]
  --retention-days N      delete events older than N days of event time, hourly (default 400;
                          0 keeps everything) [store.retention_days]
  --stats-interval S      progress line every S seconds (default 10; 0 off) [stats_interval_s]
  --correlation-rules F   correlation rules (YAML, docs/correlation-rules.md; repeatable)
                          [correlation_rule_files]
  --metrics ADDR          serve Prometheus metrics at http://ADDR/metrics [metrics_address]
  --web ADDR              serve the central team's web console at https://ADDR/ with cert_file
                          and key_file; analysts sign in with `gsocctl web-token` [web_address]
  --web-root DIR          the console's pages (default: ../share/gsoc/web beside the binary,
                          /usr/share/gsoc/web when installed from the package; else
                          collector/web/static of the source tree it was built from) [web_root]
  --ready-file FILE       write the listening port to FILE once ready (for scripts and tests)
  -h, --help              this text

Signature bundles: with bundle_dir and signing_key_file set, the newest *.gsocbundle in bundle_dir
(from gsoc-rules compile) is signed with the Ed25519 key and published; sensors that run another
version fetch it, verify it and hot-reload it.

Signals: SIGHUP re-reads the CRL and republishes the newest bundle; SIGINT/SIGTERM stop accepting, commit what is queued, exit 0.
Exit status: 0 after a clean stop; 2 on usage, configuration, TLS material or store errors.
)";

[[noreturn]] void usageError(const std::string& message) {
  std::cerr << "gsoc-collector: " << message << "\n(see gsoc-collector --help)\n";
  std::exit(2);
}

std::string readFile(const std::string& path, const char* key) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(std::string(key) + ": cannot read " + path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::int64_t wallNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
extern "C" void onSignal(int signal) {
  if (signal == SIGHUP) g_reload = true;
  else g_stop = true;
}

struct Args {
  gsoc::v1::CollectorConfig config;
  std::string base_dir = ".";
  std::string ready_file;
  int retention_days = -1;
  int stats_interval = -1;
  bool clickhouse = false;
};

Args parseArgs(int argc, char** argv) {
  Args args;
  std::vector<std::string> list(argv + 1, argv + argc);
  // The config file first, so the command line overrides it whatever the order.
  for (std::size_t i = 0; i + 1 < list.size(); ++i) {
    if (list[i] == "-c" || list[i] == "--config") {
      try {
        gsoc::config::loadYamlFile(list[i + 1], args.config);
      } catch (const std::exception& e) {
        usageError(e.what());
      }
      args.base_dir = std::filesystem::path(list[i + 1]).parent_path().string();
      if (args.base_dir.empty()) args.base_dir = ".";
    }
  }
  gsoc::v1::CollectorConfig& c = args.config;
  // Paths on the command line are the caller's, relative to the working directory; paths in
  // the config file are relative to the file.
  auto path = [](const std::string& p) { return std::filesystem::absolute(p).string(); };
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string& a = list[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= list.size()) usageError(a + " needs a value");
      return list[++i];
    };
    auto number = [&](const std::string& v) {
      try {
        return std::stoi(v);
      } catch (const std::exception&) {
        usageError(a + ": '" + v + "' is not a number");
      }
    };
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "-c" || a == "--config") {
      value();
    } else if (a == "--listen") {
      c.set_listen_address(value());
    } else if (a == "--ca") {
      c.set_ca_file(path(value()));
    } else if (a == "--cert") {
      c.set_cert_file(path(value()));
    } else if (a == "--key") {
      c.set_key_file(path(value()));
    } else if (a == "--crl") {
      c.set_crl_file(path(value()));
    } else if (a == "--sqlite") {
      c.mutable_store()->set_backend("sqlite");
      c.mutable_store()->set_sqlite_path(path(value()));
    } else if (a == "--postgresql") {
      c.mutable_store()->set_backend("postgresql");
      c.mutable_store()->set_postgresql_dsn(value());
    } else if (a == "--clickhouse") {
      args.clickhouse = true;
      const std::string urls = value();
      for (std::size_t at = 0; at <= urls.size();) {
        const std::size_t comma = std::min(urls.find(',', at), urls.size());
        if (comma > at) c.mutable_store()->add_clickhouse_shards(urls.substr(at, comma - at));
        at = comma + 1;
      }
    } else if (a == "--correlate-from-store") {
      c.set_correlation_from_store(true);
    } else if (a == "--clickhouse-cluster") {
      c.mutable_store()->set_clickhouse_cluster(value());
    } else if (a == "--retention-days") {
      args.retention_days = number(value());
    } else if (a == "--stats-interval") {
      args.stats_interval = number(value());
    } else if (a == "--correlation-rules") {
      c.add_correlation_rule_files(path(value()));
    } else if (a == "--metrics") {
      c.set_metrics_address(value());
    } else if (a == "--web") {
      c.set_web_address(value());
    } else if (a == "--web-root") {
      c.set_web_root(path(value()));
    } else if (a == "--ready-file") {
      args.ready_file = value();
    } else {
      usageError("unknown option '" + a + "'");
    }
  }
  // --sqlite and --postgresql name the state store of a ClickHouse one, whatever the order.
  if (args.clickhouse) args.config.mutable_store()->set_backend("clickhouse");
  return args;
}

// Prometheus exposition text: the writer's and the service's counters, and per sensor its
// last-seen age, spool depth, clock offset and stored events.
std::string renderMetrics(const BatchWriter& writer, const IngestService& service, const CorrelationService* correlation, EventStore& store,
                          std::uint32_t silence_s) {
  const WriterCounters w = writer.counters();
  const IngestCounters in = service.counters();
  std::ostringstream out;
  auto metric = [&out](const char* name, const char* type, const char* help, std::uint64_t value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n" << name << " " << value << "\n";
  };
  metric("gsoc_collector_events_stored_total", "counter", "Events committed to the store.", w.events_stored);
  metric("gsoc_collector_events_duplicate_total", "counter", "Replayed events acknowledged and not stored again.", w.events_duplicate);
  metric("gsoc_collector_events_rejected_total", "counter", "Events of batches rejected as invalid.", w.events_rejected);
  metric("gsoc_collector_events_never_sent_total", "counter", "Sequence gaps: events sensors dropped at their spool cap.", w.gap_events);
  metric("gsoc_collector_commits_total", "counter", "Store transactions.", w.commits);
  metric("gsoc_collector_commit_failures_total", "counter", "Failed store transactions.", w.commit_failures);
  metric("gsoc_collector_queue_events", "gauge", "Events waiting for the store writer.", w.queued_events);
  metric("gsoc_collector_streams_active", "gauge", "Open Ship streams.", in.active_streams);
  // SQLite's heap, its page cache (up to 256 MiB) above all: the part of the resident size that
  // grows with the store until the cache is full, told apart from the collector's own memory.
  metric("gsoc_collector_sqlite_memory_bytes", "gauge", "Memory held by SQLite (page cache included).",
         static_cast<std::uint64_t>(sqlite3_memory_used()));
  metric("gsoc_collector_refused_peers_total", "counter", "Peers refused: no, unknown-SAN or revoked certificate.", in.refused_peers);
  metric("gsoc_collector_revoked_streams_total", "counter", "Open Ship streams cut because a re-read CRL revoked their certificate.",
         in.revoked_streams);
  metric("gsoc_collector_forbidden_batches_total", "counter", "Batches claiming another sensor or agency.", in.forbidden_batches);
  metric("gsoc_collector_invalid_batches_total", "counter", "Malformed batches.", in.invalid_batches);
  metric("gsoc_collector_unreadable_messages_total", "counter", "Ship messages that were not an EventBatch (stream refused).", in.unreadable_messages);
  metric("gsoc_collector_backpressure_total", "counter", "Streams ended with RESOURCE_EXHAUSTED.", in.backpressure);
  metric("gsoc_collector_heartbeats_total", "counter", "Sensor heartbeats.", in.heartbeats);
  metric("gsoc_collector_bundles_served_total", "counter", "Signature bundles fetched by sensors.", in.bundles_served);
  if (correlation != nullptr) {
    const CorrelationCounters cc = correlation->counters();
    metric("gsoc_correlation_events_total", "counter", "Events through the correlation rules.", cc.events);
    metric("gsoc_correlation_hits_total", "counter", "Correlation hits raised (updates included).", cc.hits);
    metric("gsoc_correlation_late_events_total", "counter", "Events correlated late, behind the processed frontier (a sensor's backlog).", cc.late_events);
    metric("gsoc_correlation_late_unplaced_total", "counter", "Late events older than every window they could join.", cc.late_unplaced);
    metric("gsoc_correlation_lagging_sensors", "gauge", "Sensors too far behind to hold back correlation.", cc.lagging_sensors);
  }
  try {
    const auto sensors = store.sensors();
    const std::int64_t now = wallNs();
    out << "# HELP gsoc_sensor_last_seen_seconds Seconds since the sensor was last heard from.\n# TYPE gsoc_sensor_last_seen_seconds gauge\n";
    for (const auto& s : sensors) {
      out << "gsoc_sensor_last_seen_seconds{agency=\"" << s.agency_id << "\",sensor=\"" << s.sensor_id << "\"} "
          << static_cast<double>(now - s.last_seen_ns) / 1e9 << "\n";
    }
    out << "# HELP gsoc_sensor_silent 1 when the sensor has been silent longer than sensor_silence_timeout_s.\n# TYPE gsoc_sensor_silent gauge\n";
    for (const auto& s : sensors) {
      out << "gsoc_sensor_silent{agency=\"" << s.agency_id << "\",sensor=\"" << s.sensor_id << "\"} "
          << (now - s.last_seen_ns > static_cast<std::int64_t>(silence_s) * 1000000000LL ? 1 : 0) << "\n";
    }
    out << "# HELP gsoc_sensor_events_stored Events stored from the sensor (all epochs).\n# TYPE gsoc_sensor_events_stored gauge\n";
    for (const auto& s : sensors) out << "gsoc_sensor_events_stored{agency=\"" << s.agency_id << "\",sensor=\"" << s.sensor_id << "\"} " << s.events << "\n";
    out << "# HELP gsoc_sensor_spool_depth_events Unacknowledged events in the sensor's spool (last heartbeat).\n# TYPE gsoc_sensor_spool_depth_events gauge\n";
    for (const auto& s : sensors) out << "gsoc_sensor_spool_depth_events{agency=\"" << s.agency_id << "\",sensor=\"" << s.sensor_id << "\"} " << s.spool_depth << "\n";
    out << "# HELP gsoc_sensor_clock_offset_seconds Collector clock minus sensor clock.\n# TYPE gsoc_sensor_clock_offset_seconds gauge\n";
    for (const auto& s : sensors) {
      out << "gsoc_sensor_clock_offset_seconds{agency=\"" << s.agency_id << "\",sensor=\"" << s.sensor_id << "\"} "
          << static_cast<double>(s.clock_offset_ns) / 1e9 << "\n";
    }
  } catch (const std::exception& e) {
    out << "# sensor registry unavailable: " << e.what() << "\n";
  }
  return out.str();
}

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base) / path).string();
}

// The console's pages: the installed copy beside the binary (/usr/bin -> /usr/share/gsoc/web), or,
// for a binary run from its build tree, the source tree it was built from.
std::filesystem::path defaultWebRoot() {
  std::error_code error;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    auto installed = exe.parent_path().parent_path() / "share" / "gsoc" / "web";
    if (std::filesystem::is_directory(installed, error)) return installed;
  }
  return GSOC_WEB_ROOT;
}

}  // namespace

int main(int argc, char** argv) {
  gsoc::common::keepOpenSslUntilExit();  // before gRPC: its threads may still use OpenSSL as we exit
  const gsoc::grpc::GrpcLifetime grpc_lifetime;  // destroyed last: gRPC's threads finish first
  Args args = parseArgs(argc, argv);
  gsoc::v1::CollectorConfig& config = args.config;
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"listen_address", &config.listen_address()},
                                   {"ca_file", &config.ca_file()},
                                   {"cert_file", &config.cert_file()},
                                   {"key_file", &config.key_file()}}) {
    if (value->empty()) usageError(std::string("key '") + key + "' is required (mutual TLS only; see --help)");
  }
  // gRPC would bind a port beyond 65535 to a random one: refuse it here.
  if (const std::string problem = gsoc::common::addressError(config.listen_address(), true); !problem.empty()) {
    usageError("key 'listen_address' (--listen) " + problem);
  }
  if (config.correlation_lateness_s() > 0 && config.correlation_lateness_ms() > 0) {
    usageError("keys 'correlation_lateness_s' and 'correlation_lateness_ms' are both set: set one");
  }
  // Keys of the schema whose feature is not built yet: say so rather than ignore them silently.
  const std::uint32_t retention_days =
      args.retention_days >= 0 ? static_cast<std::uint32_t>(args.retention_days) : (config.store().retention_days() > 0 ? config.store().retention_days() : 400);
  const int stats_interval = args.stats_interval >= 0 ? args.stats_interval : (config.stats_interval_s() > 0 ? static_cast<int>(config.stats_interval_s()) : 10);
  const auto silence_s = config.sensor_silence_timeout_s() > 0 ? config.sensor_silence_timeout_s() : 300U;

  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
  EventStorePtr store;
  RevocationList revoked;
  const std::string crl_path = resolve(args.base_dir, config.crl_file());
  try {
    const std::string ca_path = resolve(args.base_dir, config.ca_file());
    const std::string cert_path = resolve(args.base_dir, config.cert_file());
    const std::string key_path = resolve(args.base_dir, config.key_file());
    ca_pem = readFile(ca_path, "ca_file");
    cert_pem = readFile(cert_path, "cert_file");
    key_pem = readFile(key_path, "key_file");
    // gRPC would only fail to listen, naming no file.
    if (const std::string problem = gsoc::common::tlsMaterialError({"ca_file (--ca)", ca_path, ca_pem}, {"cert_file (--cert)", cert_path, cert_pem},
                                                                   {"key_file (--key)", key_path, key_pem});
        !problem.empty()) {
      throw std::runtime_error(problem);
    }
    if (!crl_path.empty()) revoked = RevocationList::load(crl_path, ca_pem);
    if (!config.has_store() || config.store().backend().empty()) {
      if (config.store().sqlite_path().empty()) usageError("no store: give --sqlite FILE or --postgresql DSN (or store: in the config)");
    }
    store = openEventStore(config.store(), args.base_dir);
  } catch (const std::exception& e) {
    std::cerr << "gsoc-collector: " << e.what() << "\n";
    return 2;
  }

  std::vector<CorrelationRule> rules;
  try {
    for (const auto& file : config.correlation_rule_files()) {
      auto loaded = loadCorrelationRules(resolve(args.base_dir, file));
      for (auto& r : loaded) rules.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    std::cerr << "gsoc-collector: " << e.what() << "\n";
    return 2;
  }
  // Everything published goes to the store and the live feed; the publisher exists without
  // rules too (analysts' hunts, intelligence reports and acknowledgements go through it).
  PublicationFeed feed;
  const std::size_t rule_count = rules.size();
  CentrePublications publications(rules, *store, [&feed](const Publication& p) {
    if (auto record = toRecord(p)) feed.publish(*record);
  });
  CampaignPublisher* const publisher = &publications.publisher;
  std::unique_ptr<CorrelationService> correlation;
  std::unique_ptr<CommitTail> tail;
  std::uint64_t tail_from = 0;
  if (config.correlation_from_store() && rules.empty()) {
    std::cerr << "gsoc-collector: correlation_from_store: no correlation rules to run\n";
    return 2;
  }
  if (!rules.empty()) {
    const std::int64_t lateness = config.correlation_lateness_ms() > 0
                                      ? static_cast<std::int64_t>(config.correlation_lateness_ms()) * 1000000LL
                                      : static_cast<std::int64_t>(config.correlation_lateness_s() > 0 ? config.correlation_lateness_s() : 600) * 1000000000LL;
    correlation = std::make_unique<CorrelationService>(std::move(rules), lateness, *store, [publisher](const CorrelationHit& h) {
      std::cerr << "gsoc-collector: correlation: " << (h.update ? "update " : "new ") << h.severity << " '" << h.rule_id << "' [";
      for (std::size_t i = 0; i < h.group.size(); ++i) std::cerr << (i ? "|" : "") << h.group[i];
      std::cerr << "] " << h.events << " events";
      if (!h.values.empty()) {
        std::cerr << ", values";
        for (const auto& v : h.values) std::cerr << " " << v;
      }
      std::cerr << "\n";
      try {
        for (const auto& line : publisher->publish(h)) std::cerr << "gsoc-collector: published " << line << "\n";
      } catch (const std::exception& e) {
        std::cerr << "gsoc-collector: cannot publish for '" << h.rule_id << "': " << e.what() << "\n";
      }
    }, std::chrono::seconds(config.correlation_idle_flush_s() > 0 ? config.correlation_idle_flush_s() : 60),
       static_cast<std::int64_t>(config.correlation_max_sensor_lag_s()) * 1000000000LL);
    try {
      if (config.correlation_from_store()) {
        // Every front-end's commits, from the store's commit log; windows rebuilt up to where
        // the tail stopped (CommitTail.hpp).
        tail_from = store->commitTail();
        correlation->rebuild(tail_from);
        tail = std::make_unique<CommitTail>(*store, *correlation);
      } else {
        correlation->rebuild();
      }
    } catch (const std::exception& e) {
      std::cerr << "gsoc-collector: correlation: cannot rebuild from the store: " << e.what() << "\n";
      return 2;
    }
    const CorrelationCounters cc = correlation->counters();
    std::cerr << "gsoc-collector: correlation: " << rule_count << " rules; " << cc.replayed << " stored events replayed to rebuild windows\n";
  }

  WriterOptions writer_options;
  if (config.max_queue_events() > 0) writer_options.max_queue_events = config.max_queue_events();
  if (config.commit_max_events() > 0) writer_options.commit_max_events = config.commit_max_events();
  CommitListener on_commit;
  if (correlation && !tail) on_commit = [&correlation](std::vector<CommittedBatch> batches) { correlation->submit(std::move(batches)); };
  BatchWriter writer(*store, writer_options, wallNs, on_commit);
  if (tail) tail->start(tail_from);
  IngestService service(writer, *store, wallNs, ValidationLimits{});
  service.setRevocationList(revoked);
  const std::string bundle_dir = resolve(args.base_dir, config.bundle_dir());
  std::string signing_key;
  auto publishBundle = [&] {
    BundlePtr bundle = publishNewestBundle(bundle_dir, signing_key);
    service.setBundle(bundle);
    std::cerr << "gsoc-collector: publishing " << (bundle ? "signature bundle " + bundle->version() : std::string("no bundle")) << " from "
              << bundle_dir << "\n";
  };
  if (!bundle_dir.empty()) {
    try {
      if (config.signing_key_file().empty()) throw std::runtime_error("bundle_dir needs signing_key_file (bundles are published signed)");
      if (std::error_code error; !std::filesystem::is_directory(bundle_dir, error)) {
        throw std::runtime_error("bundle_dir '" + bundle_dir + "' is not a directory (create it, or leave bundle_dir out)");
      }
      signing_key = readFile(resolve(args.base_dir, config.signing_key_file()), "signing_key_file");
      publishBundle();
    } catch (const std::exception& e) {
      std::cerr << "gsoc-collector: " << e.what() << "\n";
      return 2;
    }
  }

  IngestServerOptions server_options;
  server_options.listen_address = config.listen_address();
  server_options.ca_pem = ca_pem;
  server_options.cert_pem = cert_pem;
  server_options.key_pem = key_pem;
  if (config.max_batch_bytes() > 0) server_options.max_batch_bytes = static_cast<int>(config.max_batch_bytes());
  if (config.keepalive_time_s() > 0) server_options.keepalive_time_ms = static_cast<int>(config.keepalive_time_s()) * 1000;
  if (config.max_connection_age_s() > 0) server_options.max_connection_age_ms = static_cast<int>(config.max_connection_age_s()) * 1000;
  CentralService central(*store, publications.ledger, publications.hunter, feed, wallNs, silence_s, retention_days > 0 ? retention_days : 3650);
  central.setRevocationList(revoked);
  central.setDutyOfficers({config.duty_officers().begin(), config.duty_officers().end()});
  // The console binds before the Central API serves, so WebToken names its bound address.
  std::unique_ptr<WebConsole> web;
  if (!config.web_address().empty()) {
    WebConsole::Options web_options;
    web_options.server = {config.web_address(), cert_pem, key_pem};
    web_options.root = config.web_root().empty() ? defaultWebRoot() : std::filesystem::path(resolve(args.base_dir, config.web_root()));
    web_options.silence_s = silence_s;
    try {
      ConsoleRoutes::Actions actions;
      actions.may_act = [&central](const std::string& analyst) { return central.mayAct(analyst); };
      actions.acknowledge = [&central](const AnalystIdentity& analyst, const gsoc::v1::AcknowledgeRequest& request, gsoc::v1::Publication& reply) {
        return central.acknowledgeAs(analyst, request, reply);
      };
      actions.export_records = [&central](const gsoc::v1::ExportRequest& request, gsoc::v1::ExportReply& reply) {
        return central.exportRecords(request, reply);
      };
      web = std::make_unique<WebConsole>(web_options, *store, feed, wallNs, [&central](const std::string& serial) { return central.revoked(serial); },
                                         std::move(actions));
    } catch (const std::exception& e) {
      std::cerr << "gsoc-collector: " << e.what() << "\n";
      return 2;
    }
    central.enableWebTokens(web->sessions(), web->boundAddress());
    std::cerr << "gsoc-collector: web console on https://" << web->boundAddress() << "/ (pages from " << web_options.root.string()
              << "); sign in with gsocctl web-token\n";
  }
  IngestServer ingest = startIngestServer(server_options, service, &central);
  std::unique_ptr<grpc::Server>& server = ingest.server;
  const int port = ingest.port;
  if (!server || port == 0) {
    std::cerr << "gsoc-collector: cannot listen on " << config.listen_address() << "\n";
    return 2;
  }
  std::cerr << "gsoc-collector: listening on " << config.listen_address() << " (port " << port << "), mutual TLS, Ingest and Central APIs; store "
            << store->describe() << "; retention " << retention_days << " days; " << revoked.size() << " revoked certificate(s)\n";
  if (!args.ready_file.empty()) {
    const std::string tmp = args.ready_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::filesystem::rename(tmp, args.ready_file);
  }

  std::unique_ptr<gsoc::common::MetricsServer> metrics;
  if (!config.metrics_address().empty()) {
    try {
      metrics = std::make_unique<gsoc::common::MetricsServer>(config.metrics_address(), [&] { return renderMetrics(writer, service, correlation.get(), *store, silence_s); });
      std::cerr << "gsoc-collector: metrics on http://" << config.metrics_address() << "/metrics (port " << metrics->port() << ")\n";
    } catch (const std::exception& e) {
      std::cerr << "gsoc-collector: " << e.what() << "\n";
      return 2;
    }
  }

  struct sigaction action {};
  action.sa_handler = onSignal;
  sigaction(SIGHUP, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  const auto started = std::chrono::steady_clock::now();
  auto last_stats = started;
  auto last_retention = started - std::chrono::hours(2);
  WriterCounters reported;
  std::map<std::string, bool> silent;
  while (!g_stop) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto now = std::chrono::steady_clock::now();
    if (g_reload.exchange(false)) {
      try {
        if (!crl_path.empty()) {
          RevocationList list = RevocationList::load(crl_path, ca_pem);
          const std::size_t revoked_count = list.size();
          service.setRevocationList(list);  // cuts the open streams of newly revoked sensors
          central.setRevocationList(std::move(list));
          std::cerr << "gsoc-collector: SIGHUP: CRL re-read (" << revoked_count << " revoked certificate(s))\n";
        }
      } catch (const std::exception& e) {
        std::cerr << "gsoc-collector: SIGHUP: keeping the old CRL: " << e.what() << "\n";
      }
      try {
        if (!bundle_dir.empty()) publishBundle();
      } catch (const std::exception& e) {
        std::cerr << "gsoc-collector: SIGHUP: keeping the published bundle: " << e.what() << "\n";
      }
    }
    if (retention_days > 0 && now - last_retention >= std::chrono::hours(1)) {
      last_retention = now;
      try {
        const std::uint64_t removed = store->deleteEventsBefore(wallNs() - static_cast<std::int64_t>(retention_days) * 86400LL * 1000000000LL);
        if (removed > 0) std::cerr << "gsoc-collector: retention: deleted " << removed << " events older than " << retention_days << " days\n";
      } catch (const std::exception& e) {
        std::cerr << "gsoc-collector: retention failed: " << e.what() << "\n";
      }
    }
    if (stats_interval > 0 && now - last_stats >= std::chrono::seconds(stats_interval)) {
      const double dt = std::chrono::duration<double>(now - last_stats).count();
      last_stats = now;
      const WriterCounters w = writer.counters();
      const IngestCounters in = service.counters();
      std::cerr << "gsoc-collector: " << w.events_stored << " events stored (+" << std::fixed << std::setprecision(0)
                << static_cast<double>(w.events_stored - reported.events_stored) / dt << "/s), " << w.events_duplicate
                << " duplicates, " << w.events_rejected << " rejected, " << w.gap_events << " never sent (sensor spool drops); "
                << in.active_streams << " streams, queue " << w.queued_events << ", refused " << in.refused_peers << " peers / "
                << in.forbidden_batches << " forbidden batches\n";
      reported = w;
      try {
        for (const SensorRow& s : store->sensors()) {
          const bool quiet = wallNs() - s.last_seen_ns > static_cast<std::int64_t>(silence_s) * 1000000000LL;
          if (quiet && !silent[s.sensor_id]) {
            std::cerr << "gsoc-collector: sensor " << s.sensor_id << " (" << s.agency_id << ") silent for more than " << silence_s << " s\n";
          }
          silent[s.sensor_id] = quiet;
        }
      } catch (const std::exception& e) {
        std::cerr << "gsoc-collector: sensor registry: " << e.what() << "\n";
      }
    }
  }
  std::cerr << "gsoc-collector: stopping: committing what is queued\n";
  central.shutdown();  // ends live feeds, which would otherwise hold Shutdown for its deadline
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  writer.stop();
  if (tail) tail->stop();
  if (correlation) correlation->stop();
  const WriterCounters w = writer.counters();
  const IngestCounters in = service.counters();
  std::cout << "collector   " << w.events_stored << " events stored in " << w.commits << " commits (" << w.batches << " batches), "
            << w.events_duplicate << " duplicates dropped, " << w.events_rejected << " rejected as invalid, " << w.gap_events
            << " never sent by sensors\n";
  std::cout << "ingest      " << in.streams << " streams, " << in.heartbeats << " heartbeats; refused: " << in.refused_peers
            << " peers, " << in.revoked_streams << " open streams cut on revocation, " << in.forbidden_batches
            << " forbidden batches, " << in.invalid_batches << " invalid batches, " << in.unreadable_messages << " unreadable messages, " << in.backpressure << " backpressure; "
            << w.commit_failures << " failed commits\n";
  if (correlation) {
    const CorrelationCounters cc = correlation->counters();
    std::cout << "correlation " << cc.events << " events, " << cc.hits << " hits raised (" << cc.known_hits << " known from before a restart), "
              << cc.late_events << " late events (correlated late; " << cc.late_unplaced << " older than every window), " << cc.replayed
              << " replayed at start\n";
  }
  return 0;
}

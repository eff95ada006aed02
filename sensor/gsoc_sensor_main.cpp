// gsoc-sensor: the agency-uplink sensor. Reads packets from a capture file, a live interface or a
// DPDK port through the SensorEngine (decode, reassembly, flows, app-layer parsing, detection),
// writes EVE and gsoc.v1.Event records through the EventOutput and ships events to the collector.
// main() reads the options and the config, builds these parts, runs the engine and prints the
// run's summary; SensorOptions has the command line (--help), RulesetSwap the reloads.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/CounterTable.hpp"
#include "common/MetricsServer.hpp"
#include "common/TlsMaterial.hpp"
#include "gsoc/config/ConfigLoader.hpp"
#include "gsoc/grpc/GrpcLifetime.hpp"
#include "gsoc/v1/config.pb.h"
#include "gsoc/v1/status.pb.h"
#include "sensor/SensorOptions.hpp"
#include "sensor/capture/DpdkPort.hpp"
#include "sensor/capture/LivePcapSource.hpp"
#include "sensor/capture/PcapFileSource.hpp"
#include "sensor/control/ControlSocket.hpp"
#include "sensor/control/SensorMetrics.hpp"
#include "sensor/control/SensorStats.hpp"
#include "sensor/detect/RulesetSwap.hpp"
#include "sensor/export/EventOutput.hpp"
#include "sensor/transport/SensorTransport.hpp"
#include "sensor/worker/SensorEngine.hpp"

using namespace gsoc::sensor;

namespace {

namespace sig = gsoc::signatures;

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
std::atomic<bool> g_reopen{false};

extern "C" void onSignal(int signal) {
  if (signal == SIGHUP) g_reload = true;
  else if (signal == SIGUSR1) g_reopen = true;
  else g_stop = true;
}

FlowTableConfig flowConfig(const gsoc::v1::FlowConfig& c, const SensorOptions& args) {
  FlowTableConfig f;
  constexpr std::int64_t s = 1'000'000'000;
  if (c.tcp_established_timeout_s()) f.tcp_established_timeout_ns = c.tcp_established_timeout_s() * s;
  if (c.tcp_closed_timeout_s()) f.tcp_closed_timeout_ns = c.tcp_closed_timeout_s() * s;
  if (c.udp_timeout_s()) f.udp_timeout_ns = c.udp_timeout_s() * s;
  if (c.stream_memcap_bytes()) f.stream_held_cap = c.stream_memcap_bytes();
  if (args.max_flows) f.max_flows = *args.max_flows;
  return f;
}

// The input the options and the config name, and how many workers read it.
struct Capture {
  std::unique_ptr<PacketSource> file_or_live;
  std::unique_ptr<DpdkPort> dpdk;
  std::size_t workers = 1;
  bool live = false;  // a live interface or DPDK port (not DPDK reading files)
  // The file or interface, or the DPDK port's first queue.
  [[nodiscard]] PacketSource& source() const { return dpdk ? dpdk->queue(0) : *file_or_live; }
};

// Throws std::runtime_error for a capture that cannot be opened or a bad capture.* key.
Capture openCapture(const SensorOptions& args, const gsoc::v1::SensorConfig& config) {
  Capture capture;
  std::vector<std::string> eal(config.capture().dpdk_eal_args().begin(), config.capture().dpdk_eal_args().end());
  if (!args.dpdk.empty()) {
    std::istringstream split(args.dpdk);
    for (std::string word; split >> word;) eal.push_back(word);
  }
  const bool dpdk = !args.dpdk.empty() || config.capture().source() == "dpdk";
  const std::string pcap = !args.pcap.empty() ? args.pcap : config.capture().pcap_file();
  const auto capture_start = std::chrono::steady_clock::now();
  auto keep_running = [duration = args.duration, capture_start] {
    return !g_stop && (duration <= 0 || std::chrono::duration<double>(std::chrono::steady_clock::now() - capture_start).count() < duration);
  };
  const std::string interface = !args.interface.empty() ? args.interface
                                : config.capture().source() == "libpcap" ? config.capture().interface() : std::string();
  // Workers: as asked, else one per core on live traffic (less one for the reader thread that
  // libpcap needs), else one, so that replaying a file gives its records in a stable order.
  capture.live = !interface.empty() || (dpdk && !DpdkPort::readsFiles(eal));
  const std::size_t cores = std::clamp(std::thread::hardware_concurrency(), 1u, 64u);
  const std::size_t workers = args.workers > 0               ? args.workers
                              : config.capture().workers() > 0 ? config.capture().workers()
                              : !capture.live                ? 1
                              : dpdk                         ? cores
                                                             : std::max<std::size_t>(1, cores - 1);
  capture.workers = workers;
  if (!interface.empty()) {
    capture.file_or_live = std::make_unique<LivePcapSource>(interface, !args.bpf.empty() ? args.bpf : config.capture().bpf(), keep_running);
  } else if (dpdk) {
    // One RX queue per worker, each polled by its worker, unless the device has fewer: then one
    // queue, spread over the workers like pcap input. capture.rx_queues, when set, is exact.
    const std::uint32_t rx_queues = config.capture().rx_queues();
    if (rx_queues > 64) throw std::runtime_error("key 'capture.rx_queues': must be 1 to 64, not " + std::to_string(rx_queues));
    if (rx_queues > 1 && rx_queues != workers) {
      throw std::runtime_error("key 'capture.rx_queues': " + std::to_string(rx_queues) + " queues for " + std::to_string(workers) +
                               " worker(s); it must be 1 or the number of workers, since each worker polls its own queue");
    }
    DpdkPort::Options options;
    options.eal_args = eal;
    options.rx_queues = static_cast<std::uint16_t>(rx_queues > 0 ? rx_queues : workers);
    options.exact = rx_queues > 0;
    options.keep_running = keep_running;
    capture.dpdk = std::make_unique<DpdkPort>(std::move(options));
    if (capture.dpdk->queueCount() < workers && workers > 1) {
      std::cerr << "gsoc-sensor: " << capture.dpdk->describe() << " has fewer RX queues than workers: one queue, spread over "
                << workers << " workers by flow hash\n";
    }
  } else if (!pcap.empty()) {
    capture.file_or_live = std::make_unique<PcapFileSource>(pcap);
  } else {
    usageError("no input: give --pcap FILE, --interface IF or --dpdk \"EAL ARGS\" (or capture: in the config)");
  }
  return capture;
}

// What the heartbeat tells the collector.
gsoc::v1::SensorStatus heartbeatStatus(const gsoc::v1::SensorConfig& config, std::chrono::steady_clock::time_point process_start,
                                       const RulesetSwap& rulesets, const LiveCounters& live) {
  gsoc::v1::SensorStatus status;
  status.set_agency_id(config.agency_id());
  status.set_software_version(GSOC_VERSION);
  status.set_uptime_s(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - process_start).count());
  if (const sig::CompiledRulesetPtr ruleset = rulesets.active()) status.set_ruleset_version(ruleset->version());
  status.set_packets(live.packets.load());
  status.set_bytes(live.bytes.load());
  status.set_alerts(live.alerts.load());
  (*status.mutable_drops())["interface"] = live.drop_interface.load();
  (*status.mutable_drops())["capture"] = live.drop_capture.load();
  (*status.mutable_drops())["ring"] = live.drop_ring.load();
  gsoc::visitCounters(live.engine_drops.read(), [&](const gsoc::CounterField<EngineDrops>& f, std::uint64_t n) {
    (*status.mutable_drops())[std::string(f.name)] = n;
  });
  return status;
}

// The control socket's reply to one command (on the socket's thread).
std::string controlReply(std::string_view command, const RulesetSwap& rulesets, const LiveCounters& live, SensorTransport* transport) {
  const sig::CompiledRulesetPtr active = rulesets.active();
  const std::string version = active ? active->version() : std::string("none (no rules loaded)");
  if (command == "version") return "ruleset " + version;
  if (command == "stats") {
    std::string engine;  // " malformed N fragments N ...", by the engine drops' names
    gsoc::visitCounters(live.engine_drops.read(), [&](const gsoc::CounterField<EngineDrops>& f, std::uint64_t n) {
      engine += " " + std::string(f.name) + " " + std::to_string(n);
    });
    return "packets " + std::to_string(live.packets.load()) + " bytes " + std::to_string(live.bytes.load()) + " alerts " +
           std::to_string(live.alerts.load()) + " drops interface " + std::to_string(live.drop_interface.load()) + " capture " +
           std::to_string(live.drop_capture.load()) + " ring " + std::to_string(live.drop_ring.load()) + engine +
           (transport ? " collector " + transport->shipper().currentAddress() + " failovers " +
                            std::to_string(transport->shipper().counters().failovers)
                      : std::string()) +
           " (refreshed every 1024 packets and while the link is quiet)";
  }
  if (command == "reload") {
    if (!active) return "error: no rules loaded, nothing to reload";
    g_reload = true;
    return "ok: recompiling in the background; version " + version + " stays active until the new one is swapped in (see the log)";
  }
  if (command == "help") return "commands: version, stats, reload, help";
  return "error: unknown command '" + std::string(command) + "' (try help)";
}

// The Prometheus page (on the metrics server's thread).
std::string metricsPage(const gsoc::v1::SensorConfig& config, const RulesetSwap& rulesets, const LiveCounters& live,
                        SensorTransport* transport) {
  const sig::CompiledRulesetPtr active = rulesets.active();
  const std::string version = active ? active->version() : std::string();
  SensorMetrics m;
  m.packets = live.packets.load();
  m.bytes = live.bytes.load();
  m.alerts = live.alerts.load();
  m.drop_interface = live.drop_interface.load();
  m.drop_capture = live.drop_capture.load();
  m.drop_ring = live.drop_ring.load();
  m.engine = live.engine_drops.read();
  if (transport) {
    m.spool_events = transport->spool().depth();
    m.spool_bytes = transport->spool().bytes();
    m.spool = transport->spool().counters();
    m.shipper = transport->shipper().counters();
  }
  return renderSensorMetrics(m, config.sensor_id(), config.agency_id(), version, transport != nullptr);
}

// --ship-only: no capture, the spool shipped until the collector acknowledged it or the drain
// timeout passed.
int shipOnly(SensorTransport* transport, const SensorOptions& args) {
  if (!transport) usageError("--ship-only needs a collector (--collector or transport.collector_address)");
  std::cerr << "gsoc-sensor: shipping " << transport->spool().depth() << " spooled events\n";
  transport->start();
  struct sigaction stop_action {};
  stop_action.sa_handler = onSignal;
  sigaction(SIGINT, &stop_action, nullptr);
  sigaction(SIGTERM, &stop_action, nullptr);
  transport->drain(std::chrono::milliseconds(static_cast<std::int64_t>(args.drain_timeout * 1000)), [] { return !g_stop.load(); });
  transport->stop();
  std::cout << transport->summary();
  return 0;
}

void printSummary(const SensorEngine& engine, const Capture& input, const CaptureCounters& capture, const SensorTotals& t,
                  bool detecting, const EventOutput& output, const SensorTransport* transport) {
  const WorkerCounters& c = t.worker;
  const DecodeCounters& d = t.decode;
  const FlowTableCounters& fl = t.flows;
  const FragmentCounters& f = t.fragments;
  const double seconds = engine.seconds();
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "source      " << (input.dpdk ? input.dpdk->describe() : input.file_or_live->describe()) << "; " << engine.workers()
            << " worker(s)\n";
  if (engine.pollsQueues()) {  // how evenly RSS spread the traffic: one busy queue is one busy core
    std::cout << "rx queues  ";
    for (std::uint16_t q = 0; q < input.dpdk->queueCount(); ++q) std::cout << (q ? ", " : " ") << q << ": " << input.dpdk->queue(q).packets();
    std::cout << " packets\n";
  }
  std::cout << "packets     " << c.packets << " (" << c.bytes << " bytes) in " << seconds << " s: "
            << (seconds > 0 ? static_cast<double>(c.packets) / seconds / 1e6 : 0) << " Mpps, "
            << (seconds > 0 ? static_cast<double>(c.bytes) * 8 / seconds / 1e9 : 0) << " Gbit/s\n";
  std::cout << "decoded     " << d.decoded << " (ipv4 " << d.ipv4 << ", ipv6 " << d.ipv6 << ", tcp " << d.tcp << ", udp " << d.udp
            << ", icmp " << d.icmp << ", other " << d.other_transport << "; vlan-tagged " << d.vlan << "; from tunnels "
            << d.tunnels << ")\n";
  std::cout << "skipped     " << d.malformed() << " malformed, " << d.errors[static_cast<std::size_t>(DecodeError::NotIp)]
            << " not IP";
  for (std::size_t i = 0; i < kDecodeErrorCount; ++i) {
    if (d.errors[i] != 0 && i != static_cast<std::size_t>(DecodeError::NotIp)) {
      std::cout << "; " << decodeErrorName(static_cast<DecodeError>(i)) << " " << d.errors[i];
    }
  }
  std::cout << "\n";
  std::cout << "drops       interface " << capture.dropped_by_interface << ", capture " << capture.dropped_by_capture << ", ring "
            << t.ring_drops << " (" << t.ring_truncated << " frames cut to the ring slot size)\n";
  std::cout << "fragments   " << f.fragments << " (" << f.reassembled << " datagrams reassembled, " << f.overlaps << " overlaps, "
            << f.timed_out << " timed out, " << f.memcap_dropped << " over memcap)\n";
  std::cout << "flows       " << fl.created << " created; ended: " << fl.timed_out << " timeout, " << fl.closed << " closed, "
            << fl.evicted << " evicted, " << (c.flows_ended - fl.timed_out - fl.closed - fl.evicted) << " at shutdown\n";
  std::cout << "tcp streams " << c.stream_bytes << " bytes reassembled, " << c.stream_out_of_order << " out-of-order segments, "
            << c.stream_gaps << " gaps (" << c.stream_gap_bytes << " bytes)\n";
  if (detecting) {
    const auto& dc = t.detection;
    std::cout << "detection   " << dc.alerts << " alerts; inspected " << dc.packet_inputs << " packets, " << dc.stream_inputs
              << " stream chunks (" << dc.stream_bytes_inspected << " bytes), " << dc.transaction_inputs << " transactions\n";
    const auto& ac = t.app;
    std::cout << "app layer   http " << ac.http_requests << " requests / " << ac.http_responses << " responses, dns "
              << ac.dns_queries << " queries / " << ac.dns_responses << " responses, tls " << ac.tls_client_hellos
              << " client hellos, smtp " << ac.smtp_transactions << " messages; " << ac.parse_errors << " malformed\n";
    // Pools: created is what allocated; high water is what a pool held out at once. Pools the
    // traffic never drew from (most, on one protocol's traffic) are counted, not listed.
    std::cout << "pools      ";
    std::size_t unused = 0;
    const char* separator = " ";
    for (const auto& [name, p] : t.pools.entries()) {
      if (p.created == 0 && p.reused == 0) {
        ++unused;
        continue;
      }
      std::cout << separator << name << " " << p.in_use << " in use (high " << p.high_water << "), " << p.created << " created, "
                << p.reused << " reused";
      separator = "; ";
    }
    if (unused != 0) std::cout << separator << unused << " unused";
    std::cout << "\n";
  } else {
    std::cout << "detection   off (no --rules and no rules.rule_files in the config)\n";
  }
  if (capture.errors > 0) std::cout << "capture     " << capture.errors << " error(s): " << input.source().lastError() << "\n";
  if (output.writesEve()) std::cout << "eve         " << output.eveRecords() << " records to " << output.evePath() << "\n";
  if (output.writesEventFile()) {
    std::cout << "events      " << output.eventFileRecords() << " gsoc.v1.Event records to " << output.eventsPath() << "\n";
  }
  if (transport) std::cout << transport->summary();
}

}  // namespace

int main(int argc, char** argv) {
  gsoc::common::keepOpenSslUntilExit();  // before gRPC: its threads may still use OpenSSL as we exit
  const gsoc::grpc::GrpcLifetime grpc_lifetime;  // destroyed last: gRPC's threads finish first
  SensorOptions args = parseSensorOptions(argc, argv);
  gsoc::v1::SensorConfig config;
  if (!args.config.empty()) {
    try {
      gsoc::config::loadYamlFile(args.config, config);
    } catch (const gsoc::config::ConfigError& e) {
      std::cerr << "gsoc-sensor: " << e.what() << "\n";
      return 2;
    }
    // A bad value is refused even when the command line's --tls-encryption-handling wins.
    if (const std::string& handling = config.detection().tls_encryption_handling(); !handling.empty()) {
      if (handling != "full" && handling != "track-only" && handling != "default") {
        std::cerr << "gsoc-sensor: "
                  << gsoc::config::keyError(args.config, "detection.tls_encryption_handling",
                                            "must be track-only or full, got '" + handling + "'").what()
                  << "\n";
        return 2;
      }
      if (!args.tls_encryption_handling_given) args.detection.inspect_encrypted = handling == "full";
    }
  }
  const std::string config_dir = [&] {
    const std::string dir = args.config.empty() ? "." : std::filesystem::path(args.config).parent_path().string();
    return dir.empty() ? std::string(".") : dir;
  }();
  const auto process_start = std::chrono::steady_clock::now();
  LiveCounters live;  // read by the heartbeat, the control socket and the metrics
  RulesetSwap rulesets(args.ruleset, config, config_dir, g_reload);
  std::unique_ptr<SensorTransport> transport;
  Capture input;
  std::unique_ptr<EventOutput> output;
  try {
    transport = SensorTransport::create(
        config, args.transport, config_dir, [&] { return heartbeatStatus(config, process_start, rulesets, live); },
        [&](gsoc::v1::SignatureBundle bundle) { rulesets.offerBundle(std::move(bundle)); });
    if (args.ship_only) return shipOnly(transport.get(), args);
    rulesets.loadInitial();
    input = openCapture(args, config);
    // Outputs: the command line wins, else the config's output: section.
    if (!args.stats_interval_given && config.output().stats_interval_s() > 0) args.stats_interval = config.output().stats_interval_s();
    if (args.eve.empty()) args.eve = config.output().eve_file();
    if (config.output().force_file_hashes()) args.detection.force_file_hashes = true;
    if (args.events.empty()) args.events = config.output().protobuf_file();
    output = std::make_unique<EventOutput>(args.eve, input.live ? EveFile::OpenMode::append : EveFile::OpenMode::truncate, args.events,
                                           args.eve_settings, live.alerts);
  } catch (const TransportKeyError& e) {
    // A value from the config file (the flags' errors are plain): point at its line and column.
    if (args.config.empty()) std::cerr << "gsoc-sensor: " << e.what() << "\n";
    else std::cerr << "gsoc-sensor: " << gsoc::config::keyError(args.config, e.key(), e.reason()).what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "gsoc-sensor: " << e.what() << "\n";
    return 2;
  }

  const auto epoch = static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
  output->startEvents(config.sensor_id().empty() ? "sensor-1" : config.sensor_id(), config.agency_id(), epoch, transport.get(),
                      rulesets.active());
  if (transport) transport->start();

  // The operator's socket: the same reload as SIGHUP, and what the stats lines say, on demand.
  std::unique_ptr<ControlSocket> control;
  if (!config.control_socket().empty()) {
    try {
      control = std::make_unique<ControlSocket>(config.control_socket(), [&](std::string_view command) {
        return controlReply(command, rulesets, live, transport.get());
      });
    } catch (const std::exception& e) {
      std::cerr << "gsoc-sensor: key 'control_socket': " << e.what() << "\n";
      return 2;
    }
    std::cerr << "gsoc-sensor: control socket " << control->path() << " (version, stats, reload, help)\n";
  }
  // The same counters for Prometheus (packaging/prometheus has the scrape job and alert rules).
  std::unique_ptr<gsoc::common::MetricsServer> metrics;
  if (args.metrics.empty()) args.metrics = config.metrics_address();
  if (!args.metrics.empty()) {
    try {
      metrics = std::make_unique<gsoc::common::MetricsServer>(args.metrics,
                                                              [&] { return metricsPage(config, rulesets, live, transport.get()); });
    } catch (const std::exception& e) {
      std::cerr << "gsoc-sensor: key 'metrics_address': " << e.what() << "\n";
      return 2;
    }
    std::cerr << "gsoc-sensor: Prometheus metrics at http://" << args.metrics << "/metrics\n";
  }

  EngineConfig engine_config;
  engine_config.workers = input.workers;
  engine_config.flow = flowConfig(config.flow(), args);
  engine_config.detection = args.detection;
  engine_config.replay_speed = args.replay_speed > 0 ? args.replay_speed : config.capture().replay_speed();
  engine_config.stats_interval = args.stats_interval;
  SensorEngine engine(std::move(engine_config), input.source(), input.dpdk.get(), rulesets.active(), *output,
                      transport || control ? &live : nullptr, g_stop);
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigaction(SIGHUP, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  engine.run({.due = [&] { return g_reopen.load(std::memory_order_relaxed) || rulesets.due(); },
              .service =
                  [&] {
                    if (g_reopen.exchange(false)) output->reopenEve();
                    rulesets.service([&](const sig::CompiledRulesetPtr& fresh) { engine.installRuleset(fresh); }, transport.get());
                  }});

  const CaptureCounters capture = engine.captureCounters();
  SensorTotals totals = engine.totals();
  totals.setRuleset(rulesets.active().get());
  output->finish(engine.lastTimestamp(), totals, capture);
  if (transport) {
    live.packets = capture.packets;
    live.bytes = capture.bytes;
    std::cerr << "gsoc-sensor: waiting up to " << args.drain_timeout << " s for the collector to acknowledge "
              << transport->spool().depth() << " spooled events\n";
    transport->drain(std::chrono::milliseconds(static_cast<std::int64_t>(args.drain_timeout * 1000)), [] { return !g_stop.load(); });
    transport->stop();
  }
  printSummary(engine, input, capture, totals, rulesets.active() != nullptr, *output, transport.get());
  // Datasets with a save or state file are written when the sensor ends, as Suricata does.
  rulesets.saveDatasets();
  return 0;
}

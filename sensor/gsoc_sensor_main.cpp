// gsoc-sensor: the agency-uplink sensor. This build reads pcap files and runs capture, decode,
// fragment and TCP reassembly and flow tracking, writing EVE flow and stats records; app-layer
// parsing and detection attach to the same worker in the sensor issue's next steps.

#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gsoc/config/ConfigLoader.hpp"
#include "gsoc/v1/config.pb.h"
#include "sensor/capture/PcapFileSource.hpp"
#include "sensor/export/EveWriter.hpp"
#include "sensor/worker/SensorWorker.hpp"

using namespace gsoc::sensor;

namespace {

constexpr const char* kUsage = R"(Usage:
  gsoc-sensor --pcap FILE [--eve OUT.json] [-c sensor.yaml] [--stats-interval S] [--max-flows N]

Reads a capture file as fast as possible through the sensor pipeline: L2-L4 decoding (Ethernet,
VLAN/QinQ, Linux SLL, loopback, Cisco HDLC, raw IP; IPv4 and IPv6 with extension headers),
IPv4/IPv6 fragment reassembly, bidirectional flow tracking with state-dependent timeouts, and
TCP stream reassembly. Malformed packets are counted by reason and skipped; a truncated or
corrupt capture ends the run cleanly with the error counted.

Options:
  --pcap FILE            capture to read (pcap or pcapng)
  --eve FILE             write EVE JSON lines: one "flow" record per flow, a final "stats" record
  -c, --config FILE      sensor configuration (YAML, gsoc.v1.SensorConfig); its flow: section
                         sets timeouts and limits
  --stats-interval S     print a progress line every S seconds of wall time (default 10; 0 off)
  --max-flows N          flow table size (default 1000000)
  -h, --help             this text

Exit status: 0 when the input was processed (including a truncated capture, which is reported),
2 on usage or configuration errors or an unreadable capture.
)";

[[noreturn]] void usageError(const std::string& message) {
  std::cerr << "gsoc-sensor: " << message << "\n(see gsoc-sensor --help)\n";
  std::exit(2);
}

struct Args {
  std::string pcap;
  std::string eve;
  std::string config;
  double stats_interval = 10;
  std::optional<std::size_t> max_flows;
};

Args parseArgs(int argc, char** argv) {
  Args args;
  std::vector<std::string> list(argv + 1, argv + argc);
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string& a = list[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= list.size()) usageError(a + " needs a value");
      return list[++i];
    };
    try {
      if (a == "-h" || a == "--help") {
        std::cout << kUsage;
        std::exit(0);
      } else if (a == "--pcap") {
        args.pcap = value();
      } else if (a == "--eve") {
        args.eve = value();
      } else if (a == "-c" || a == "--config") {
        args.config = value();
      } else if (a == "--stats-interval") {
        args.stats_interval = std::stod(value());
      } else if (a == "--max-flows") {
        args.max_flows = std::stoull(value());
      } else {
        usageError("unknown option " + a);
      }
    } catch (const std::logic_error&) {
      usageError(a + ": not a number");
    }
  }
  if (args.pcap.empty()) usageError("--pcap FILE is required (live capture and DPDK come with the sensor issue)");
  return args;
}

FlowTableConfig flowConfig(const gsoc::v1::FlowConfig& c, const Args& args) {
  FlowTableConfig f;
  constexpr std::int64_t s = 1'000'000'000;
  if (c.tcp_established_timeout_s()) f.tcp_established_timeout_ns = c.tcp_established_timeout_s() * s;
  if (c.tcp_closed_timeout_s()) f.tcp_closed_timeout_ns = c.tcp_closed_timeout_s() * s;
  if (c.udp_timeout_s()) f.udp_timeout_ns = c.udp_timeout_s() * s;
  if (c.stream_memcap_bytes()) f.stream_held_cap = c.stream_memcap_bytes();
  if (args.max_flows) f.max_flows = *args.max_flows;
  return f;
}

std::string statsJson(const SensorWorker& w, const CaptureCounters& capture) {
  std::ostringstream j;
  const DecodeCounters& d = w.decodeCounters();
  j << "{\"capture\":{\"packets\":" << capture.packets << ",\"bytes\":" << capture.bytes << ",\"errors\":" << capture.errors
    << "},\"decoder\":{\"decoded\":" << d.decoded << ",\"ipv4\":" << d.ipv4 << ",\"ipv6\":" << d.ipv6 << ",\"tcp\":" << d.tcp
    << ",\"udp\":" << d.udp << ",\"icmp\":" << d.icmp << ",\"other\":" << d.other_transport << ",\"vlan\":" << d.vlan
    << ",\"malformed\":{";
  bool first = true;
  for (std::size_t i = 0; i < kDecodeErrorCount; ++i) {
    if (d.errors[i] == 0) continue;
    j << (first ? "" : ",") << "\"" << decodeErrorName(static_cast<DecodeError>(i)) << "\":" << d.errors[i];
    first = false;
  }
  const FragmentCounters& f = w.fragmentCounters();
  const FlowTableCounters& fl = w.flowCounters();
  const WorkerCounters& c = w.counters();
  j << "}},\"defrag\":{\"fragments\":" << f.fragments << ",\"reassembled\":" << f.reassembled << ",\"overlaps\":" << f.overlaps
    << ",\"timed_out\":" << f.timed_out << ",\"memcap_dropped\":" << f.memcap_dropped << ",\"too_large\":" << f.too_large
    << "},\"flow\":{\"created\":" << fl.created << ",\"timed_out\":" << fl.timed_out << ",\"closed\":" << fl.closed
    << ",\"evicted\":" << fl.evicted << ",\"active\":" << w.activeFlows() << "},\"tcp\":{\"reassembled_bytes\":" << c.stream_bytes
    << ",\"gaps\":" << c.stream_gaps << ",\"gap_bytes\":" << c.stream_gap_bytes << ",\"out_of_order_segments\":"
    << c.stream_out_of_order << "}}";
  return j.str();
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parseArgs(argc, argv);
  gsoc::v1::SensorConfig config;
  if (!args.config.empty()) {
    try {
      gsoc::config::loadYamlFile(args.config, config);
    } catch (const gsoc::config::ConfigError& e) {
      std::cerr << "gsoc-sensor: " << e.what() << "\n";
      return 2;
    }
  }
  std::unique_ptr<PcapFileSource> source;
  std::unique_ptr<EveWriter> eve;
  try {
    source = std::make_unique<PcapFileSource>(args.pcap);
    if (!args.eve.empty()) eve = std::make_unique<EveWriter>(args.eve);
  } catch (const std::exception& e) {
    std::cerr << "gsoc-sensor: " << e.what() << "\n";
    return 2;
  }

  WorkerHooks hooks;
  if (eve) hooks.on_flow_end = [&](Flow& flow, FlowEndReason reason) { eve->flowRecord(flow, reason); };
  SensorWorker worker(flowConfig(config.flow(), args), std::move(hooks));

  const auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  std::int64_t last_ts = 0;
  RawPacket raw;
  while (source->next(raw)) {
    worker.process(raw);
    last_ts = raw.timestamp_ns;
    if (args.stats_interval > 0 && (worker.counters().packets & 0xffff) == 0) {
      const auto now = std::chrono::steady_clock::now();
      if (std::chrono::duration<double>(now - last_report).count() >= args.stats_interval) {
        last_report = now;
        std::cerr << "gsoc-sensor: " << worker.counters().packets << " packets, " << worker.activeFlows() << " active flows, "
                  << worker.decodeCounters().malformed() << " malformed\n";
      }
    }
  }
  worker.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const CaptureCounters capture = source->counters();
  if (eve) {
    eve->statsRecord(last_ts, statsJson(worker, capture));
    eve->flush();
  }

  const WorkerCounters& c = worker.counters();
  const DecodeCounters& d = worker.decodeCounters();
  const FlowTableCounters& fl = worker.flowCounters();
  const FragmentCounters& f = worker.fragmentCounters();
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "source      " << source->describe() << "\n";
  std::cout << "packets     " << c.packets << " (" << c.bytes << " bytes) in " << seconds << " s: "
            << (seconds > 0 ? static_cast<double>(c.packets) / seconds / 1e6 : 0) << " Mpps, "
            << (seconds > 0 ? static_cast<double>(c.bytes) * 8 / seconds / 1e9 : 0) << " Gbit/s\n";
  std::cout << "decoded     " << d.decoded << " (ipv4 " << d.ipv4 << ", ipv6 " << d.ipv6 << ", tcp " << d.tcp << ", udp " << d.udp
            << ", icmp " << d.icmp << ", other " << d.other_transport << "; vlan-tagged " << d.vlan << ")\n";
  std::cout << "skipped     " << d.malformed() << " malformed, " << d.errors[static_cast<std::size_t>(DecodeError::NotIp)]
            << " not IP";
  for (std::size_t i = 0; i < kDecodeErrorCount; ++i) {
    if (d.errors[i] != 0 && i != static_cast<std::size_t>(DecodeError::NotIp)) {
      std::cout << "; " << decodeErrorName(static_cast<DecodeError>(i)) << " " << d.errors[i];
    }
  }
  std::cout << "\n";
  std::cout << "fragments   " << f.fragments << " (" << f.reassembled << " datagrams reassembled, " << f.overlaps << " overlaps, "
            << f.timed_out << " timed out, " << f.memcap_dropped << " over memcap)\n";
  std::cout << "flows       " << fl.created << " created; ended: " << fl.timed_out << " timeout, " << fl.closed << " closed, "
            << fl.evicted << " evicted, " << (c.flows_ended - fl.timed_out - fl.closed - fl.evicted) << " at shutdown\n";
  std::cout << "tcp streams " << c.stream_bytes << " bytes reassembled, " << c.stream_out_of_order << " out-of-order segments, "
            << c.stream_gaps << " gaps (" << c.stream_gap_bytes << " bytes)\n";
  if (capture.errors > 0) std::cout << "capture     " << capture.errors << " error(s): " << source->lastError() << "\n";
  if (eve) std::cout << "eve         " << eve->records() << " records to " << args.eve << "\n";
  return 0;
}

// gsoc-sensor: the agency-uplink sensor. This build reads pcap files through capture, decode,
// fragment and TCP reassembly, flow tracking and signature detection (packets and reassembled
// streams), writing EVE alert, flow and stats records. App-layer parsers attach next.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <thread>
#include <filesystem>
#include <cstdlib>
#include <iomanip>
#include <mutex>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "gsoc/config/ConfigLoader.hpp"
#include "gsoc/v1/config.pb.h"
#include "gsoc/signatures/Bundle.hpp"
#include "gsoc/signatures/RuleCompiler.hpp"
#include "gsoc/signatures/RulesetSource.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/app/FtpParser.hpp"
#include "sensor/app/HttpParser.hpp"
#include "sensor/capture/DpdkPort.hpp"
#include "sensor/capture/LivePcapSource.hpp"
#include "sensor/capture/PcapFileSource.hpp"
#include "sensor/control/ControlSocket.hpp"
#include "sensor/control/SensorMetrics.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "gsoc/v1/event.pb.h"
#include "sensor/export/EventEncoder.hpp"
#include "sensor/export/EventFile.hpp"
#include "sensor/export/EventSink.hpp"
#include "sensor/export/EveFile.hpp"
#include "sensor/export/EveWriter.hpp"
#include "sensor/export/ZeroCounterFilter.hpp"
#include "sensor/worker/EngineDrops.hpp"
#include "sensor/worker/FlowDispatcher.hpp"
#include "sensor/worker/PacketRing.hpp"
#include "sensor/worker/SensorWorker.hpp"
#include "sensor/transport/SensorTransport.hpp"
#include "gsoc/v1/status.pb.h"
#include "common/MetricsServer.hpp"
#include "common/TlsMaterial.hpp"
#include "gsoc/grpc/GrpcLifetime.hpp"

using namespace gsoc::sensor;

namespace {

constexpr const char* kUsage = R"(Usage:
  gsoc-sensor --pcap FILE [--rules FILE]... [--eve OUT.json] [-c sensor.yaml] [OPTIONS]
  gsoc-sensor --dpdk "EAL ARGS" [--rules FILE]... [--eve OUT.json] [OPTIONS]
  gsoc-sensor --interface IF [--bpf FILTER] [--duration S] [--rules FILE]... [OPTIONS]
  gsoc-sensor -c sensor.yaml --ship-only      (send what an earlier run left in the spool)

Reads a capture file as fast as possible through the sensor pipeline: L2-L4 decoding (Ethernet,
VLAN/QinQ, Linux SLL, loopback, Cisco HDLC, raw IP; IPv4 and IPv6 with extension headers),
IPv4/IPv6 fragment reassembly, bidirectional flow tracking with state-dependent timeouts, and
TCP stream reassembly, and signature detection on packets and reassembled streams (so a pattern
split across segments matches). Malformed packets are counted by reason and skipped; a truncated
or corrupt capture ends the run cleanly with the error counted.

Options:
  --pcap FILE            capture to read (pcap or pcapng)
  --replay-speed X       with --pcap: pace packets at X times their recorded speed (1 = as
                         recorded); default: as fast as possible
  --interface IF         capture live from IF through libpcap (root or CAP_NET_RAW)
  --bpf FILTER           capture filter for --interface (tcpdump syntax)
  --duration S           stop a live capture after S seconds (default: until SIGINT/SIGTERM)
  --dpdk "EAL ARGS"      capture from DPDK port 0 with these EAL arguments (or set capture.source:
                         dpdk and capture.dpdk_eal_args in the config). Example, no NIC needed:
                         --dpdk "--no-huge -m 512 --no-pci --no-shconf --vdev=net_pcap0,rx_pcap=X.pcap"
                         PMDs are loaded with -d (default: mempool_ring and net_pcap from
                         /usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0)
  --rules FILE|DIR       Suricata rules (repeatable); added to the config's rules.rule_files
  --rules-config FILE    a rules configuration (YAML, gsoc.v1.RulesConfig, as gsoc-rules -c):
                         rule files, variables, indicator lists, datasets; replaces the config's rules:
  --classification FILE  classification.config (default: beside the first rule file, else built in)
  --var NAME=VALUE       rule variable, e.g. 'HOME_NET=[192.0.2.0/24]' (_PORTS names: port groups)
  --data-dir DIR         where dataset save/state files are kept (default: the working folder);
                         datasets' load files are read relative to their rule file
  --datasets-allow-absolute
                         let rules name absolute or '..' save/state paths (Suricata's
                         datasets.rules.allow-absolute-filenames)
  --datasets-no-write    refuse rules with dataset save/state files (datasets.rules.allow-write: no)
  --cache-dir DIR        compiled-database cache (default: the config's rules.cache_dir; none)
  --events FILE          write gsoc.v1.Event protobufs (length-delimited): alerts, app-layer
                         records and flows, with sensor_id/agency_id from the config
  --eve FILE             write EVE JSON lines: "alert" records as they happen; "http", "dns",
                         "tls", "smtp" and "fileinfo" metadata records (with --rules, which turns
                         the app-layer parsers on); one "flow" record per flow; a final "stats"
                         record
  --eve-dns-version 2|3  the shape of EVE dns records: 3, Suricata 8's (default: one record per
                         message, type request/response, queries, answers, grouped...), or 2
                         (type query/answer, the first query's rrname and rrtype)
  --eve-dns-requests yes|no, --eve-dns-responses yes|no
                         log dns requests / responses (Suricata's eve-log dns requests and
                         responses; default yes)
  --eve-dns-types LIST   log only dns messages asking for one of these types (comma-separated:
                         a,aaaa,mx...; Suricata's eve-log dns types); default all
  --eve-smb-types LIST   log only these smb transactions (comma-separated: negotiate,
                         session_setup, tree_connect, create, file, rename, set_file_path_info,
                         ioctl, dcerpc, generic; Suricata's eve-log smb types); default all
  --eve-http-dump-all-headers request|response|both
                         http records list the request's and/or the response's header
                         fields (request_headers, response_headers: [{name, value}]; Suricata's
                         eve-log http dump-all-headers); default none
  --eve-pgsql-passwords  pgsql records carry the client's password messages (Suricata's
                         eve-log pgsql passwords); default off (password_redacted)
  --eve-xff MODE,DEPLOYMENT[,HEADER]
                         alerts on HTTP carry the X-Forwarded-For client (Suricata's eve-log
                         xff): MODE extra-data (alert.xff) or overwrite (in place of the
                         client's address), DEPLOYMENT forward (the list's first address) or
                         reverse (its last); HEADER default X-Forwarded-For
  --eve-ethernet         add the ether object (MAC addresses) to records (Suricata's eve-log
                         ethernet)
  --eve-dhcp-extended    dhcp records with the extended fields (eve-log dhcp extended)
  --eve-netflow          write netflow records, one per flow direction (eve-log netflow)
  --eve-alert-packet     add the frame (base64) and its link type to alerts (alert packet)
  --eve-alert-payload    add the packet's payload (base64) to alerts (alert payload)
  --eve-alert-payload-printable
                         payload_printable shows the packet's payload, its unprintable bytes
                         as '.' (alert payload-printable), not the matched buffer
  --eve-anomaly-packet   add the frame (base64) and its link type to anomaly records
                         (anomaly packethdr)
  --eve-arp              write an arp record for each ARP message (IPv4 over Ethernet, also
                         inside GRE; Suricata's eve-log arp type)
  --eve-tagged-packets   write a packet record for each packet a rule's tag keyword covers
                         (alert tagged-packets); without it, tags are not tracked
  --eve-stats-zero-counters yes|no
                         whether the final stats record lists counters that are zero (default
                         yes; Suricata's stats null-values)
  --eve-alert-references list the rule's references in alerts as URLs (alert.references;
                         alert metadata rule reference)
  --eve-frames           write frame records: each protocol data unit (and part) the parsers
                         delimit, with its payload (Suricata's eve-log frame type)
  --eve-suricata-version add suricata_version, the Suricata version gsoc's EVE follows
  --eve-community-id-seed N
                         seed of the community_id hashes (eve-log community-id-seed; default 0)
  --force-file-hashes    give every HTTP file its MD5 and SHA-256 in EVE fileinfo records
                         (Suricata's eve-log files force-hash) [output.force_file_hashes];
                         by default HTTP files are hashed only when a rule (filemd5,
                         filesha256, filestore) or an indicator list needs the hashes. Mail
                         attachments are always hashed
  --file-store DIR       Suricata's file-store (v2): extracted files are written under DIR, each
                         named by its SHA-256 in a folder of the hash's first two hex digits
                         (DIR/ab/ab12...); one file store only (given twice: refused, as
                         Suricata refuses a second file-store output)
  --force-filestore      store every HTTP (and HTTP/2) and FTP file (file-store force-filestore;
                         needs --file-store); their fileinfo records say stored: true. The
                         files filestore rules select are not yet stored on their own
  --file-store-stream-depth N
                         file-store stream-depth: of a stored FTP data connection only the
                         segments within its first N bytes are taken, the file then TRUNCATED
                         (0, the default: no limit; needs --file-store)
  --stream-inline        Suricata's stream.inline: a server reply completes its transaction
                         (an SMTP mail's record) as it arrives, and stream rules scan bytes as
                         they arrive; by default, as Suricata in IDS mode, once the other side
                         acknowledges them (or at the flow's end)
  --mqtt-max-msg-length SIZE
                         MQTT packets longer than this (bytes, or with kb/mb) are skipped and
                         logged as truncated (Suricata's mqtt max-msg-length; default 1mb)
  --eve-mqtt-string-log-limit SIZE
                         mqtt records cut a PUBLISH topic and message, and a (UN)SUBSCRIBE's
                         topics together, to this many bytes and say how many were left out
                         (Suricata's eve-log mqtt string-log-limit; default: no limit)
  --ftp-max-line-length SIZE
                         FTP command and reply lines longer than this (bytes, or with kb/mb) are
                         cut and logged as truncated (Suricata's ftp max-line-length; default 4kb)
  --ftp-max-tx N         FTP commands awaiting their reply per flow at most; one more raises
                         too_many_transactions and ends the flow's FTP parsing (Suricata's ftp
                         max-tx; default 256, 0 no limit)
  --mqtt-max-tx N        MQTT transactions awaiting their reply kept per flow at most (Suricata's
                         mqtt max-tx; default 1024)
  --ldap-max-tx N        LDAP transactions awaiting their responses kept per flow at most
                         (Suricata's ldap max-tx; default 256)
  --dnp3-max-tx N        DNP3 requests unanswered before the flow is flooded (Suricata's dnp3
                         max-tx; default 32)
  --dnp3-max-points N    DNP3 points per message at most (Suricata's dnp3 max-points; default 16384)
  --dnp3-max-objects N   DNP3 object headers per message at most (Suricata's dnp3 max-objects;
                         default 2048)
  --app-layer-disable PROTO
                         do not identify PROTO (snmp, tftp, dhcp, enip, modbus, ntp, rdp,
                         bittorrent-dht, nfs; nfs/tcp or nfs/udp over one transport) at all
                         (Suricata's app-layer protocols <proto> enabled: no, tcp.enabled /
                         udp.enabled: no); repeatable
  --app-layer-detection-only PROTO
                         identify PROTO (snmp, tftp, dhcp, enip, modbus, ntp, rdp,
                         bittorrent-dht) but do not parse it (Suricata's detection-only);
                         repeatable
  -c, --config FILE      sensor configuration (YAML, gsoc.v1.SensorConfig); its flow: section
                         sets timeouts and limits
  --workers N            worker threads (default: capture.workers, else one per core on a live
                         interface or DPDK port, less one for libpcap's reader, and 1 for files);
                         packets are spread by a symmetric hash of the addresses, so both
                         directions of a flow and all fragments of a datagram reach the same
                         worker. On DPDK each worker polls its own RX queue, spread by the NIC's
                         RSS with a symmetric key (capture.rx_queues; net_pcap: one queue per
                         rx_pcap= file); a port with fewer queues gets one, spread in software
  --stats-interval S     print a progress line every S seconds of wall time (default 10; 0 off)
  --metrics ADDR         serve Prometheus metrics at http://ADDR/metrics (host:port)
                         [metrics_address]
  --max-flows N          flow table size (default 1000000)

Shipping to the collector (the config's transport: section; each flag overrides its key):
  --collector HOST:PORT  ship every event to gsoc-collector over gRPC with mutual TLS
                         [transport.collector_address]; needs sensor_id and agency_id in the
                         config, matching the sensor certificate (scripts/gsoc-pki). Repeated:
                         front-ends of one collector store, failed over in turn (replaces
                         transport.collector_address and collector_addresses)
  --spool DIR            durable spool: events wait here until the collector acknowledges them,
                         and a restart replays them [transport.spool_dir]
  --ca FILE, --cert FILE, --key FILE
                         CA, sensor certificate and key [transport.ca_file, cert_file, key_file]
  --drain-timeout S      at the end of the input, wait up to S seconds (default 30) for the
                         collector to acknowledge the spool; what is left ships on the next run
  --ship-only            no capture: ship what the spool holds, then exit
  -h, --help             this text

Signature bundles: with transport.bundle_public_key_file set, a bundle the collector publishes is
fetched, its Ed25519 signature verified, compiled in the background and swapped in like a SIGHUP
reload; a bundle that does not verify or compile is refused, logged and reported in heartbeats.

Signals: SIGHUP recompiles the rules in the background and swaps them in between packets; the
old ruleset stays when the new one fails. SIGUSR1 closes and reopens the EVE file (after
logrotate has moved it). SIGINT/SIGTERM end a live capture cleanly. A replayed capture's EVE file
is written afresh; a live capture's is appended to, so a restart keeps what was there.

Control socket: with control_socket: PATH in the config, the commands version, stats, reload
(as SIGHUP) and help, one per line, on a Unix socket.

Exit status: 0 when the input was processed (including a truncated capture, which is reported),
2 on usage or configuration errors or an unreadable capture.
)";

[[noreturn]] void usageError(const std::string& message) {
  std::cerr << "gsoc-sensor: " << message << "\n(see gsoc-sensor --help)\n";
  std::exit(2);
}

// A size option's value: bytes, or with a kb/mb unit (Suricata's size strings), at most 4 GiB.
std::uint32_t sizeValue(const std::string& option, const std::string& v) {
  std::size_t end = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(v, &end);
  } catch (const std::exception&) {
    usageError(option + ": invalid size argument: " + v);
  }
  std::string unit = v.substr(end);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (unit == "kb" || unit == "kib") n *= 1024;
  else if (unit == "mb" || unit == "mib") n *= 1024 * 1024;
  else if (!unit.empty()) usageError(option + ": invalid size argument (unknown unit): " + v);
  if (n > UINT32_MAX) usageError(option + ": at most 4 GiB");
  return static_cast<std::uint32_t>(n);
}

struct Args {
  std::size_t workers = 0;
  double replay_speed = 0;
  std::string interface;
  std::string bpf;
  double duration = 0;
  std::string events;
  std::string pcap;
  std::string dpdk;
  std::string rules_config;
  std::vector<std::string> rules;
  std::string classification;
  gsoc::signatures::DatasetOptions datasets;
  std::vector<std::pair<std::string, std::string>> vars;
  std::string cache_dir;
  std::string eve;
  int eve_dns_version = 3;
  bool stream_inline = false;
  bool force_file_hashes = false;
  std::string file_store;         // --file-store
  bool force_filestore = false;   // --force-filestore
  std::uint64_t file_store_depth = 0;  // --file-store-stream-depth
  bool eve_frames = false;  // --eve-frames
  bool eve_tagged_packets = false;  // --eve-tagged-packets
  bool eve_stats_zero_counters = true;  // --eve-stats-zero-counters
  bool eve_arp = false;             // --eve-arp
  bool eve_http_request_headers = false, eve_http_response_headers = false;
  gsoc::sensor::EveWriter::Xff eve_xff;
  gsoc::sensor::MqttLimits mqtt_limits;
  std::size_t ftp_max_line = gsoc::sensor::FtpState::kMaxLineBytes;
  std::size_t ftp_max_tx = gsoc::sensor::FtpState::kDefaultMaxTx;
  std::size_t ldap_max_tx = gsoc::sensor::LdapState::kDefaultMaxTx;
  gsoc::sensor::Dnp3Limits dnp3_limits;
  // --app-layer-disable / --app-layer-detection-only (small UDP/ICS protocols; NFS, per transport)
  std::vector<std::tuple<gsoc::signatures::AppProto, gsoc::sensor::AppLayer::ProtocolMode, gsoc::signatures::Transport>> protocol_modes;
  bool eve_dns_requests = true;
  bool eve_dns_responses = true;
  std::vector<std::uint16_t> eve_dns_types;
  std::vector<std::string> eve_smb_types;  // empty: all
  gsoc::sensor::EveOptions eve_options;
  bool eve_pgsql_passwords = false;  // PostgreSQL
  std::string config;
  std::string metrics;
  double stats_interval = 10;
  bool stats_interval_given = false;
  std::optional<std::size_t> max_flows;
  TransportOverrides transport;
  double drain_timeout = 30;
  bool ship_only = false;
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
      } else if (a == "--dpdk") {
        args.dpdk = value();
      } else if (a == "--rules-config") {
        args.rules_config = value();
      } else if (a == "--rules") {
        args.rules.push_back(value());
      } else if (a == "--classification") {
        args.classification = value();
      } else if (a == "--var") {
        const std::string v = value();
        const auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0) usageError("--var expects NAME=VALUE, got '" + v + "'");
        args.vars.emplace_back(v.substr(0, eq), v.substr(eq + 1));
      } else if (a == "--data-dir") {
        args.datasets.data_dir = value();
      } else if (a == "--datasets-allow-absolute") {
        args.datasets.allow_absolute = true;
      } else if (a == "--datasets-no-write") {
        args.datasets.allow_write = false;
      } else if (a == "--cache-dir") {
        args.cache_dir = value();
      } else if (a == "--workers") {
        args.workers = std::stoul(value());
        if (args.workers == 0 || args.workers > 64) usageError("--workers must be 1 to 64");
      } else if (a == "--replay-speed") {
        args.replay_speed = std::stod(value());
        if (args.replay_speed <= 0) usageError("--replay-speed must be positive");
      } else if (a == "--interface") {
        args.interface = value();
      } else if (a == "--bpf") {
        args.bpf = value();
      } else if (a == "--duration") {
        args.duration = std::stod(value());
      } else if (a == "--events") {
        args.events = value();
      } else if (a == "--eve") {
        args.eve = value();
      } else if (a == "--eve-dns-version") {
        const std::string v = value();
        if (v != "2" && v != "3") usageError("--eve-dns-version must be 2 or 3, got '" + v + "'");
        args.eve_dns_version = std::stoi(v);
      } else if (a == "--eve-dns-requests" || a == "--eve-dns-responses") {
        const std::string v = value();
        if (v != "yes" && v != "no") usageError(a + " must be yes or no, got '" + v + "'");
        (a == "--eve-dns-requests" ? args.eve_dns_requests : args.eve_dns_responses) = v == "yes";
      } else if (a == "--eve-dns-types") {
        const std::string v = value();
        args.eve_dns_types.clear();
        for (std::size_t pos = 0; pos <= v.size();) {
          const std::size_t comma = std::min(v.find(',', pos), v.size());
          const std::string_view name = std::string_view(v).substr(pos, comma - pos);
          const std::optional<std::uint16_t> type = gsoc::sensor::dnsTypeNumber(name);
          if (!type) usageError("--eve-dns-types: unknown dns type '" + std::string(name) + "'");
          args.eve_dns_types.push_back(*type);
          pos = comma + 1;
        }
      } else if (a == "--eve-smb-types") {
        const std::string v = value();
        args.eve_smb_types.clear();
        for (std::size_t pos = 0; pos <= v.size();) {
          const std::size_t comma = std::min(v.find(',', pos), v.size());
          const std::string name(std::string_view(v).substr(pos, comma - pos));
          if (!gsoc::sensor::EveWriter::isSmbType(name)) usageError("--eve-smb-types: unknown smb type '" + name + "'");
          args.eve_smb_types.push_back(name);
          pos = comma + 1;
        }
      } else if (a == "--stream-inline") {
        args.stream_inline = true;
      } else if (a == "--eve-pgsql-passwords") {
        args.eve_pgsql_passwords = true;
      } else if (a == "--eve-http-dump-all-headers") {
        const std::string v = value();
        if (v != "request" && v != "response" && v != "both") usageError("--eve-http-dump-all-headers: request, response or both");
        args.eve_http_request_headers = v != "response";
        args.eve_http_response_headers = v != "request";
      } else if (a == "--eve-xff") {
        const std::string v = value();
        const std::size_t c1 = v.find(',');
        const std::size_t c2 = c1 == std::string::npos ? std::string::npos : v.find(',', c1 + 1);
        const std::string mode = v.substr(0, c1);
        const std::string deployment = c1 == std::string::npos ? "reverse" : v.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
        if ((mode != "extra-data" && mode != "overwrite") || (deployment != "forward" && deployment != "reverse")) {
          usageError("--eve-xff: MODE extra-data|overwrite, DEPLOYMENT forward|reverse");
        }
        args.eve_xff.enabled = true;
        args.eve_xff.overwrite = mode == "overwrite";
        args.eve_xff.reverse = deployment == "reverse";
        if (c2 != std::string::npos && c2 + 1 < v.size()) args.eve_xff.header = v.substr(c2 + 1);
      } else if (a == "--eve-ethernet") {
        args.eve_options.ethernet = true;
      } else if (a == "--eve-dhcp-extended") {
        args.eve_options.dhcp_extended = true;
      } else if (a == "--eve-netflow") {
        args.eve_options.netflow = true;
      } else if (a == "--eve-frames") {
        args.eve_frames = true;
      } else if (a == "--eve-alert-packet") {
        args.eve_options.alert_packet = true;
      } else if (a == "--eve-alert-payload") {
        args.eve_options.alert_payload = true;
      } else if (a == "--eve-alert-payload-printable") {
        args.eve_options.alert_payload_printable = true;
      } else if (a == "--eve-anomaly-packet") {
        args.eve_options.anomaly_packet = true;
      } else if (a == "--eve-arp") {
        args.eve_arp = true;
      } else if (a == "--eve-tagged-packets") {
        args.eve_tagged_packets = true;
      } else if (a == "--eve-stats-zero-counters") {
        const std::string v = value();
        if (v != "yes" && v != "no") usageError("--eve-stats-zero-counters must be yes or no, got '" + v + "'");
        args.eve_stats_zero_counters = v == "yes";
      } else if (a == "--eve-alert-references") {
        args.eve_options.alert_references = true;
      } else if (a == "--eve-suricata-version") {
        args.eve_options.suricata_version = true;
      } else if (a == "--eve-community-id-seed") {
        const std::string v = value();
        char* end = nullptr;
        const unsigned long seed = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || seed > 65535) usageError("--eve-community-id-seed must be 0 to 65535, got '" + v + "'");
        args.eve_options.community_id_seed = static_cast<std::uint16_t>(seed);
      } else if (a == "--force-file-hashes") {
        args.force_file_hashes = true;
      } else if (a == "--file-store") {
        if (!args.file_store.empty()) usageError("--file-store given twice: one file store only (as Suricata's one file-store output)");
        args.file_store = value();
        if (args.file_store.empty()) usageError("--file-store needs a folder");
      } else if (a == "--force-filestore") {
        args.force_filestore = true;
      } else if (a == "--file-store-stream-depth") {
        args.file_store_depth = sizeValue(a, value());
      } else if (a == "--mqtt-max-msg-length") {
        args.mqtt_limits.max_msg_length = sizeValue(a, value());
      } else if (a == "--eve-mqtt-string-log-limit") {
        args.eve_options.mqtt_string_log_limit = sizeValue(a, value());
      } else if (a == "--ftp-max-line-length") {
        args.ftp_max_line = sizeValue(a, value());
        if (args.ftp_max_line == 0) usageError("--ftp-max-line-length: 1 byte to 4 GiB");
      } else if (a == "--ftp-max-tx") {
        args.ftp_max_tx = std::stoul(value());
      } else if (a == "--mqtt-max-tx") {
        args.mqtt_limits.max_tx = std::stoul(value());
      } else if (a == "--ldap-max-tx") {
        args.ldap_max_tx = std::stoul(value());
      } else if (a == "--dnp3-max-tx") {
        args.dnp3_limits.max_tx = std::stoul(value());
      } else if (a == "--dnp3-max-points") {
        args.dnp3_limits.objects.max_points = static_cast<std::uint32_t>(std::stoul(value()));
      } else if (a == "--dnp3-max-objects") {
        args.dnp3_limits.objects.max_objects = static_cast<std::uint32_t>(std::stoul(value()));
      } else if (a == "--app-layer-disable" || a == "--app-layer-detection-only") {
        // Small UDP/ICS protocols: Suricata's app-layer.protocols.<proto>.enabled no / detection-only.
        std::string name = value();
        // NFS runs over TCP and UDP: "nfs/tcp" or "nfs/udp" turns it off over one of them.
        auto transport = gsoc::signatures::Transport::Any;
        if (name.ends_with("/tcp") || name.ends_with("/udp")) {
          transport = name.ends_with("/tcp") ? gsoc::signatures::Transport::Tcp : gsoc::signatures::Transport::Udp;
          name.resize(name.size() - 4);
        }
        auto proto = gsoc::signatures::AppProto::None;
        for (std::size_t p = 1; p < gsoc::signatures::kAppProtoCount; ++p) {
          if (gsoc::signatures::appProtoName(static_cast<gsoc::signatures::AppProto>(p)) == name) {
            proto = static_cast<gsoc::signatures::AppProto>(p);
          }
        }
        const bool nfs_off = proto == gsoc::signatures::AppProto::Nfs && a == "--app-layer-disable";
        if (!nfs_off && (transport != gsoc::signatures::Transport::Any ||
                         (proto != gsoc::signatures::AppProto::Snmp && proto != gsoc::signatures::AppProto::Tftp &&
                          proto != gsoc::signatures::AppProto::Dhcp && proto != gsoc::signatures::AppProto::Enip &&
                          proto != gsoc::signatures::AppProto::Modbus && proto != gsoc::signatures::AppProto::Ntp &&
                          proto != gsoc::signatures::AppProto::Rdp && proto != gsoc::signatures::AppProto::BittorrentDht))) {
          usageError(a + ": not a protocol this applies to: " + value());
        }
        args.protocol_modes.emplace_back(proto,
                                         a == "--app-layer-disable" ? gsoc::sensor::AppLayer::ProtocolMode::Off
                                                                    : gsoc::sensor::AppLayer::ProtocolMode::DetectionOnly,
                                         transport);
      } else if (a == "-c" || a == "--config") {
        args.config = value();
      } else if (a == "--metrics") {
        args.metrics = value();
      } else if (a == "--stats-interval") {
        args.stats_interval = std::stod(value());
        args.stats_interval_given = true;
      } else if (a == "--collector") {
        args.transport.collector_addresses.push_back(value());
      } else if (a == "--spool") {
        args.transport.spool_dir = value();
      } else if (a == "--ca") {
        args.transport.ca_file = value();
      } else if (a == "--cert") {
        args.transport.cert_file = value();
      } else if (a == "--key") {
        args.transport.key_file = value();
      } else if (a == "--drain-timeout") {
        args.drain_timeout = std::stod(value());
        if (args.drain_timeout < 0) usageError("--drain-timeout must not be negative");
      } else if (a == "--ship-only") {
        args.ship_only = true;
      } else if (a == "--max-flows") {
        args.max_flows = std::stoull(value());
      } else {
        usageError("unknown option " + a);
      }
    } catch (const std::logic_error&) {
      usageError(a + ": not a number");
    }
  }
  if ((!args.pcap.empty()) + (!args.dpdk.empty()) + (!args.interface.empty()) > 1) {
    usageError("--pcap, --dpdk and --interface are exclusive");
  }
  if (args.force_filestore && args.file_store.empty()) usageError("--force-filestore needs --file-store");
  if (args.file_store_depth != 0 && args.file_store.empty()) usageError("--file-store-stream-depth needs --file-store");
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

// Everything counted across the workers, merged when read.
struct Totals {
  WorkerCounters worker;
  DecodeCounters decode;
  FragmentCounters fragments;
  FlowTableCounters flows;
  std::size_t active_flows = 0;
  DetectionCounters detection;
  AppLayerCounters app;
  gsoc::PoolTable pools;  // the workers' free lists (parser states, messages, stream windows)
  std::uint64_t ring_drops = 0;
  std::uint64_t ring_truncated = 0;
  // The active ruleset's load outcome, as Suricata's stats.detect.engines[] reports it.
  std::uint64_t rules_loaded = 0;
  std::uint64_t rules_failed = 0;
  std::uint64_t rules_skipped = 0;
};

// Bytes held by a pool's objects in use (stats ftp.memuse, http.memuse: the parser states of live
// flows; what their buffers hold is not counted, and there is no cap, so memcap is 0).
std::uint64_t poolBytes(const gsoc::PoolTable& pools, std::string_view name, std::size_t object_size) {
  for (const auto& [pool, counters] : pools.entries()) {
    if (pool == name) return counters.in_use * object_size;
  }
  return 0;
}

std::string statsJson(const Totals& t, const CaptureCounters& capture) {
  std::ostringstream j;
  const DecodeCounters& d = t.decode;
  j << "{\"capture\":{\"packets\":" << capture.packets << ",\"bytes\":" << capture.bytes << ",\"errors\":" << capture.errors
    << ",\"dropped_interface\":" << capture.dropped_by_interface << ",\"dropped_capture\":" << capture.dropped_by_capture
    << ",\"dropped_ring\":" << t.ring_drops << "},\"decoder\":{\"decoded\":" << d.decoded << ",\"ipv4\":" << d.ipv4
    << ",\"ipv6\":" << d.ipv6 << ",\"tcp\":" << d.tcp << ",\"udp\":" << d.udp << ",\"icmp\":" << d.icmp << ",\"other\":"
    << d.other_transport << ",\"vlan\":" << d.vlan << ",\"tunnel\":" << d.tunnels << ",\"avg_pkt_size\":"
    << (t.worker.packets != 0 ? t.worker.bytes / t.worker.packets : 0) << ",\"max_pkt_size\":" << t.worker.max_packet
    << ",\"malformed\":{";
  bool first = true;
  for (std::size_t i = 0; i < kDecodeErrorCount; ++i) {
    if (d.errors[i] == 0) continue;
    j << (first ? "" : ",") << "\"" << decodeErrorName(static_cast<DecodeError>(i)) << "\":" << d.errors[i];
    first = false;
  }
  const FragmentCounters& f = t.fragments;
  const FlowTableCounters& fl = t.flows;
  const WorkerCounters& c = t.worker;
  j << "}},\"defrag\":{\"fragments\":" << f.fragments << ",\"reassembled\":" << f.reassembled << ",\"overlaps\":" << f.overlaps
    << ",\"timed_out\":" << f.timed_out << ",\"memcap_dropped\":" << f.memcap_dropped << ",\"too_large\":" << f.too_large
    << "},\"flow\":{\"created\":" << fl.created << ",\"timed_out\":" << fl.timed_out << ",\"closed\":" << fl.closed
    << ",\"evicted\":" << fl.evicted << ",\"active\":" << t.active_flows << "},\"flow_bypassed\":{\"local_pkts\":"
    << c.bypassed_packets << ",\"local_bytes\":" << c.bypassed_bytes << "},\"ftp\":{\"memuse\":"
    << poolBytes(t.pools, "ftp_states", sizeof(gsoc::sensor::FtpState)) << ",\"memcap\":0},\"http\":{\"memuse\":"
    << poolBytes(t.pools, "http_states", sizeof(gsoc::sensor::HttpState)) +
           poolBytes(t.pools, "http_messages", sizeof(gsoc::sensor::HttpMessage))
    << ",\"memcap\":0},\"tcp\":{\"reassembled_bytes\":" << c.stream_bytes
    << ",\"gaps\":" << c.stream_gaps << ",\"gap_bytes\":" << c.stream_gap_bytes << ",\"out_of_order_segments\":"
    << c.stream_out_of_order << ",\"reassembly_gap\":" << c.stream_reassembly_gaps << "},\"detect\":{\"alerts\":" << t.detection.alerts << ",\"host_tags_dropped\":"
    << t.detection.host_tags_dropped
    << ",\"engines\":[{\"id\":0,\"rules_loaded\":" << t.rules_loaded << ",\"rules_failed\":" << t.rules_failed
    << ",\"rules_skipped\":" << t.rules_skipped << "}]},\"app_layer\":{\"malformed\":" << t.app.parse_errors
    << ",\"flow\":{\"sip_tcp\":" << t.app.sip_tcp_flows << ",\"sip_udp\":" << t.app.sip_udp_flows
    << ",\"enip_tcp\":" << t.app.enip_tcp_flows << ",\"enip_udp\":" << t.app.enip_udp_flows
    << "},\"tx\":{\"sip_tcp\":" << t.app.sip_tcp_transactions << ",\"sip_udp\":" << t.app.sip_udp_transactions
    << "},\"error\":{";
  // Input each parser counted as malformed and skipped, named as Suricata's
  // app_layer.error.<proto>.parser: with _tcp/_udp where the protocol runs on both.
  first = true;
  for (std::size_t i = 1; i < gsoc::signatures::kAppProtoCount; ++i) {
    const auto proto = static_cast<gsoc::signatures::AppProto>(i);
    const std::string name(gsoc::signatures::appProtoName(proto));
    auto entry = [&](const std::string& key, std::uint64_t n) {
      j << (first ? "" : ",") << "\"" << key << "\":{\"parser\":" << n << "}";
      first = false;
    };
    if (proto == gsoc::signatures::AppProto::Dns || proto == gsoc::signatures::AppProto::Sip ||
        proto == gsoc::signatures::AppProto::Enip) {
      entry(name + "_tcp", t.app.parse_errors_tcp[i]);
      entry(name + "_udp", t.app.parse_errors_udp[i]);
    } else {
      entry(name, t.app.parse_errors_tcp[i] + t.app.parse_errors_udp[i]);
    }
  }
  j << "}},\"pools\":{";
  // Per pool: objects in use and the most at once (summed over workers), fresh allocations
  // (created), reuses, objects let go past the cap, and free ones kept.
  first = true;
  for (const auto& [name, p] : t.pools.entries()) {
    j << (first ? "" : ",") << "\"" << name << "\":{\"in_use\":" << p.in_use << ",\"high_water\":" << p.high_water
      << ",\"created\":" << p.created << ",\"reused\":" << p.reused << ",\"released\":" << p.released << ",\"kept\":" << p.kept
      << "}";
    first = false;
  }
  j << "}}";
  return j.str();
}

namespace sig = gsoc::signatures;

// Loads and compiles the ruleset from the config's rules section and the command line. Rejected
// rules are listed on stderr (file:line:column) and counted; they never stop the sensor unless
// rules.strict is set.
// `previous`: the ruleset a reload replaces, whose datasets carry over.
sig::CompiledRulesetPtr loadRuleset(const Args& args, gsoc::v1::SensorConfig config, std::string config_dir,
                                    const sig::CompiledRulesetPtr& previous = nullptr) {
  if (!args.rules_config.empty()) {
    gsoc::config::loadYamlFile(args.rules_config, *config.mutable_rules());
    config_dir = std::filesystem::path(args.rules_config).parent_path().string();
    if (config_dir.empty()) config_dir = ".";
  }
  sig::RulesetSource source;
  try {
    source = sig::RulesetSource::fromConfig(config.rules(), config_dir);
  } catch (const sig::ConfigKeyError& e) {
    // Point at the line: the rules config's own key, or the sensor config's rules.<key>.
    if (!args.rules_config.empty()) throw gsoc::config::keyError(args.rules_config, e.key(), e.reason());
    if (!args.config.empty()) throw gsoc::config::keyError(args.config, "rules." + e.key(), e.reason());
    throw;
  }
  for (const auto& r : args.rules) source.rule_paths.emplace_back(r);
  if (source.rule_paths.empty()) return nullptr;
  if (!args.classification.empty()) source.classification_file = args.classification;
  source.findClassificationBesideRules();
  for (const auto& [name, value] : args.vars) source.setVariable(name, value);
  source.applyDatasetFlags(args.datasets);
  if (previous) source.datasets.previous = previous->source().datasets;
  sig::LoadedSources loaded = sig::loadSources(source);
  for (const auto& e : loaded.errors) std::cerr << "gsoc-sensor: " << e << "\n";
  const sig::LoadReport& report = loaded.ruleset.report;
  for (const auto& d : report.errors) std::cerr << "gsoc-sensor: rule rejected: " << d.format() << "\n";
  for (const auto& d : report.skipped) std::cerr << "gsoc-sensor: rule skipped: " << d.format() << "\n";
  for (const auto& n : loaded.ruleset.datasets->notices()) std::cerr << "gsoc-sensor: notice: " << n << "\n";
  if (config.rules().strict() && (report.rules_rejected() > 0 || !loaded.errors.empty())) {
    throw std::runtime_error("rules.strict is set and " + std::to_string(report.rules_rejected()) + " rule(s) were rejected");
  }
  sig::CompileOptions options;
  options.cache_dir = !args.cache_dir.empty() ? std::filesystem::path(args.cache_dir)
                      : config.rules().cache_dir().empty() ? std::filesystem::path()
                                                            : std::filesystem::path(config_dir) / config.rules().cache_dir();
  auto compiled = sig::RuleCompiler(options).compile(std::move(loaded.ruleset), std::move(loaded.indicators));
  const sig::LoadReport& load = compiled->source().report;
  std::cerr << "gsoc-sensor: ruleset " << compiled->version() << ": " << load.rules_loaded << " of " << load.rules_total
            << " rules loaded (" << load.rules_rejected() << " rejected, " << load.rules_skipped
            << " skipped for their requires), compiled in " << compiled->stats().compile_seconds
            << " s" << (compiled->stats().cache_hit ? " (cache)" : "") << "\n";
  return compiled;
}

// The agency's addresses for Event.locality: the ruleset's HOME_NET (the defaults, then the
// config's and the command line's variables); Suricata's default without a ruleset.
sig::AddressSet homeNetOf(const sig::CompiledRulesetPtr& ruleset) {
  return (ruleset ? ruleset->source().variables : sig::RuleVariables::withDefaults()).parseAddresses("$HOME_NET");
}

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};
std::atomic<bool> g_reopen{false};

extern "C" void onSignal(int signal) {
  if (signal == SIGHUP) g_reload = true;
  else if (signal == SIGUSR1) g_reopen = true;
  else g_stop = true;
}

}  // namespace

int main(int argc, char** argv) {
  gsoc::common::keepOpenSslUntilExit();  // before gRPC: its threads may still use OpenSSL as we exit
  const gsoc::grpc::GrpcLifetime grpc_lifetime;  // destroyed last: gRPC's threads finish first
  Args args = parseArgs(argc, argv);
  gsoc::v1::SensorConfig config;
  if (!args.config.empty()) {
    try {
      gsoc::config::loadYamlFile(args.config, config);
    } catch (const gsoc::config::ConfigError& e) {
      std::cerr << "gsoc-sensor: " << e.what() << "\n";
      return 2;
    }
  }
  std::unique_ptr<PacketSource> file_or_live_source;
  std::unique_ptr<DpdkPort> dpdk_port;
  PacketSource* source = nullptr;  // one of the above, or the DPDK port's first queue
  std::unique_ptr<EveFile> eve_file;  // shared by the workers' writers
  std::unique_ptr<EveWriter> eve;     // this thread's: the stats records
  std::unique_ptr<EventFileWriter> events;
  std::unique_ptr<SensorTransport> transport;
  sig::CompiledRulesetPtr ruleset;
  // Read by the heartbeat thread: published by the capture loop and the output path.
  std::atomic<std::uint64_t> status_packets{0}, status_bytes{0}, status_alerts{0}, status_drop_interface{0},
      status_drop_capture{0}, status_drop_ring{0};
  PublishedEngineDrops status_engine_drops;
  std::mutex ruleset_mutex;  // `ruleset`, as the heartbeat, metrics and control socket read it (outputs have their own locks)
  // A verified bundle from the collector, handed over by the shipper's heartbeat thread.
  std::mutex bundle_mutex;
  std::optional<gsoc::v1::SignatureBundle> fetched_bundle;
  std::atomic<bool> bundle_ready{false};
  const auto process_start = std::chrono::steady_clock::now();
  std::size_t lanes_wanted = 1;
  try {
    const std::string config_dir = args.config.empty() ? "." : std::filesystem::path(args.config).parent_path().string();
    transport = SensorTransport::create(config, args.transport, config_dir.empty() ? "." : config_dir, [&] {
      gsoc::v1::SensorStatus status;
      status.set_agency_id(config.agency_id());
      status.set_software_version(GSOC_VERSION);
      status.set_uptime_s(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - process_start).count());
      {
        std::lock_guard lock(ruleset_mutex);
        if (ruleset) status.set_ruleset_version(ruleset->version());
      }
      status.set_packets(status_packets.load());
      status.set_bytes(status_bytes.load());
      status.set_alerts(status_alerts.load());
      (*status.mutable_drops())["interface"] = status_drop_interface.load();
      (*status.mutable_drops())["capture"] = status_drop_capture.load();
      (*status.mutable_drops())["ring"] = status_drop_ring.load();
      const EngineDrops engine = status_engine_drops.read();
      (*status.mutable_drops())["malformed"] = engine.malformed;
      (*status.mutable_drops())["fragments"] = engine.fragments;
      (*status.mutable_drops())["flows_evicted"] = engine.flows_evicted;
      (*status.mutable_drops())["stream_gap_bytes"] = engine.stream_gap_bytes;
      return status;
    }, [&](gsoc::v1::SignatureBundle bundle) {
      std::lock_guard lock(bundle_mutex);
      fetched_bundle = std::move(bundle);
      bundle_ready = true;
    });
    if (args.ship_only) {
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
    ruleset = loadRuleset(args, config, config_dir.empty() ? "." : config_dir);
    std::vector<std::string> eal(config.capture().dpdk_eal_args().begin(), config.capture().dpdk_eal_args().end());
    if (!args.dpdk.empty()) {
      std::istringstream split(args.dpdk);
      for (std::string word; split >> word;) eal.push_back(word);
    }
    const bool dpdk = !args.dpdk.empty() || config.capture().source() == "dpdk";
    const std::string pcap = !args.pcap.empty() ? args.pcap : config.capture().pcap_file();
    const auto capture_start = std::chrono::steady_clock::now();
    auto keep_running = [&args, capture_start] {
      return !g_stop && (args.duration <= 0 ||
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - capture_start).count() < args.duration);
    };
    const std::string interface = !args.interface.empty() ? args.interface
                                  : config.capture().source() == "libpcap" ? config.capture().interface() : std::string();
    // Workers: as asked, else one per core on live traffic (less one for the reader thread that
    // libpcap needs), else one, so that replaying a file gives its records in a stable order.
    const bool live_input = !interface.empty() || (dpdk && !DpdkPort::readsFiles(eal));
    const std::size_t cores = std::clamp(std::thread::hardware_concurrency(), 1u, 64u);
    lanes_wanted = args.workers > 0               ? args.workers
                   : config.capture().workers() > 0 ? config.capture().workers()
                   : !live_input                  ? 1
                   : dpdk                         ? cores
                                                  : std::max<std::size_t>(1, cores - 1);
    if (!interface.empty()) {
      file_or_live_source = std::make_unique<LivePcapSource>(interface, !args.bpf.empty() ? args.bpf : config.capture().bpf(), keep_running);
    } else if (dpdk) {
      // One RX queue per worker, each polled by its worker, unless the device has fewer: then one
      // queue, spread over the workers like pcap input. capture.rx_queues, when set, is exact.
      const std::uint32_t rx_queues = config.capture().rx_queues();
      if (rx_queues > 64) throw std::runtime_error("key 'capture.rx_queues': must be 1 to 64, not " + std::to_string(rx_queues));
      if (rx_queues > 1 && rx_queues != lanes_wanted) {
        throw std::runtime_error("key 'capture.rx_queues': " + std::to_string(rx_queues) + " queues for " + std::to_string(lanes_wanted) +
                                 " worker(s); it must be 1 or the number of workers, since each worker polls its own queue");
      }
      DpdkPort::Options options;
      options.eal_args = eal;
      options.rx_queues = static_cast<std::uint16_t>(rx_queues > 0 ? rx_queues : lanes_wanted);
      options.exact = rx_queues > 0;
      options.keep_running = keep_running;
      dpdk_port = std::make_unique<DpdkPort>(std::move(options));
      if (dpdk_port->queueCount() < lanes_wanted && lanes_wanted > 1) {
        std::cerr << "gsoc-sensor: " << dpdk_port->describe() << " has fewer RX queues than workers: one queue, spread over "
                  << lanes_wanted << " workers by flow hash\n";
      }
    } else if (!pcap.empty()) {
      file_or_live_source = std::make_unique<PcapFileSource>(pcap);
    } else {
      usageError("no input: give --pcap FILE, --interface IF or --dpdk \"EAL ARGS\" (or capture: in the config)");
    }
    // Outputs: the command line wins, else the config's output: section.
    if (!args.stats_interval_given && config.output().stats_interval_s() > 0) args.stats_interval = config.output().stats_interval_s();
    if (args.eve.empty()) args.eve = config.output().eve_file();
    if (config.output().force_file_hashes()) args.force_file_hashes = true;
    if (args.events.empty()) args.events = config.output().protobuf_file();
    if (!args.eve.empty()) {
      eve_file = std::make_unique<EveFile>(args.eve, live_input ? EveFile::OpenMode::append : EveFile::OpenMode::truncate);
      eve = std::make_unique<EveWriter>(*eve_file);
    }
    if (!args.events.empty()) events = std::make_unique<EventFileWriter>(args.events);
    source = dpdk_port ? &dpdk_port->queue(0) : file_or_live_source.get();
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
  const std::string sensor_id = config.sensor_id().empty() ? "sensor-1" : config.sensor_id();
  // Each worker serializes its own events (EventEncoder, from this prototype); the sink numbers
  // them and writes the file and the spool under its own short lock.
  EventBuilder event_prototype(sensor_id, config.agency_id(), ruleset ? ruleset->version() : std::string());
  event_prototype.setHomeNet(homeNetOf(ruleset));
  std::unique_ptr<EventSink> event_sink;
  if (events || transport) event_sink = std::make_unique<EventSink>(sensor_id, epoch, 0, events.get(), transport.get());
  if (transport) transport->start();

  // One lane per worker: its flows, its detector, its ring when there are several.
  struct Lane {
    std::unique_ptr<DetectionStage> detection;
    std::unique_ptr<EventEncoder> encoder;  // with an event file or a collector
    std::unique_ptr<EveWriter> eve;         // with an EVE file
    std::unique_ptr<SensorWorker> worker;
    std::unique_ptr<PacketRing> ring;
    std::thread thread;
    std::mutex reload_mutex;
    sig::CompiledRulesetPtr pending;
    std::atomic<bool> has_pending{false};
    std::atomic<bool> done{false};   // its queue has ended (per-queue DPDK)
    PublishedEngineDrops drops;      // what its worker could not inspect, for the progress line
    std::int64_t last_ts = 0;        // read after the thread is joined
    void applyPending() {
      if (!has_pending.load(std::memory_order_acquire)) return;
      std::lock_guard lock(reload_mutex);
      if (encoder) {
        encoder->setHomeNet(homeNetOf(pending));
        encoder->setRulesetVersion(pending->version());
      }
      detection->setRuleset(std::move(pending));
      has_pending = false;
    }
  };
  std::vector<std::unique_ptr<Lane>> lanes;
  for (std::size_t i = 0; i < lanes_wanted; ++i) {
    auto lane = std::make_unique<Lane>();
    Lane* l = lane.get();
    if (event_sink) l->encoder = std::make_unique<EventEncoder>(event_prototype);
    if (eve_file) {
      l->eve = std::make_unique<EveWriter>(*eve_file);
      l->eve->setDnsVersion(args.eve_dns_version);
      l->eve->setDnsFilter(args.eve_dns_requests, args.eve_dns_responses, args.eve_dns_types);
      l->eve->setSmbTypes(args.eve_smb_types);
      l->eve->setHttpHeaderDumps(args.eve_http_request_headers, args.eve_http_response_headers);
      l->eve->setXff(args.eve_xff);
      l->eve->setOptions(args.eve_options);
      l->eve->setPgsqlPasswords(args.eve_pgsql_passwords);
    }
    // The outputs, called on the lane's thread: records formatted and serialized here, then
    // appended to the shared EVE file and numbered by the event sink, each under its own lock.
    auto onAlert = [&, l](const AlertHit& hit) {
      // The lane's own ruleset raised it (a reload reaches each lane between packets).
      const sig::CompiledRuleset& rules = l->detection->ruleset();
      const auto* c = hit.rule != nullptr ? rules.source().classifications.find(hit.rule->classtype) : nullptr;
      const std::string_view category = c != nullptr ? std::string_view(c->description)
                                        : hit.rule != nullptr ? std::string_view(hit.rule->classtype) : std::string_view();
      ++status_alerts;
      if (l->eve) l->eve->alertRecord(hit, category);
      if (event_sink) event_sink->write(l->encoder->alert(hit, category));
    };
    auto onMetadata = [&, l](const AppMetadata& record) {
      if (l->eve) l->eve->metadataRecord(record);
      if (event_sink) {
        const std::string_view body = l->encoder->metadata(record);
        if (!body.empty()) event_sink->write(body);
      }
    };
    if (ruleset) {
      l->detection = std::make_unique<DetectionStage>(ruleset, onAlert);
      l->detection->setStreamInline(args.stream_inline);
      l->detection->setForceFileHashes(args.force_file_hashes);
      if (args.force_filestore) l->detection->setFileStore(args.file_store, args.file_store_depth);
      l->detection->setLogFrames(args.eve_frames && l->eve != nullptr);
      l->detection->setKeepRequestHeaders(args.eve_http_request_headers);
      l->detection->setMqttLimits(args.mqtt_limits);
      l->detection->setFtpMaxLineBytes(args.ftp_max_line);
      l->detection->setFtpMaxTx(args.ftp_max_tx);
      l->detection->setLdapMaxTx(args.ldap_max_tx);
      l->detection->setDnp3Limits(args.dnp3_limits);
      for (const auto& [proto, mode, over] : args.protocol_modes) l->detection->setProtocolMode(proto, mode, over);
      if (eve || event_sink) l->detection->setMetadataSink(onMetadata);
      if (l->eve) l->detection->setAnomalySink([l](const AnomalyHit& hit) { l->eve->anomalyRecord(hit); });
      if (l->eve && args.eve_tagged_packets) {
        l->detection->setTaggedPacketSink([l](const DecodedPacket& p, const Flow* flow) { l->eve->packetRecord(p, flow); });
      }
    }
    WorkerHooks hooks;
    if (l->detection) {
      hooks.on_packet = [l](const DecodedPacket& p, Flow& flow, sig::FlowDirection dir) { l->detection->onPacket(p, flow, dir); };
      hooks.on_stream_data = [l](Flow& flow, sig::FlowDirection dir, std::span<const std::uint8_t> data) {
        l->detection->onStreamData(flow, dir, data);
      };
      hooks.on_flow_packet_start = [l](const DecodedPacket& p) { l->detection->beginPacket(p); };
    }
    if (l->detection || (l->eve && args.eve_arp)) {
      hooks.on_flowless_packet = [l, arp = l->eve && args.eve_arp](const DecodedPacket& p) {
        if (l->detection && p.events.any()) l->detection->onFlowlessPacket(p);
        if (arp && p.arp) l->eve->arpRecord(p);
      };
    }
    hooks.on_flow_end = [&, l](Flow& flow, FlowEndReason reason) {
      if (l->detection) l->detection->onFlowEnd(flow);
      if (l->eve) l->eve->flowRecord(flow, reason);
      if (event_sink) event_sink->write(l->encoder->flow(flow, reason));
    };
    FlowTableConfig flow_config = flowConfig(config.flow(), args);
    flow_config.first_id = i + 1;
    flow_config.id_step = lanes_wanted;
    l->worker = std::make_unique<SensorWorker>(flow_config, std::move(hooks));
    lanes.push_back(std::move(lane));
  }
  std::atomic<bool> input_done{false};
  // DPDK with a queue per worker: each worker polls its own queue, and this thread only reloads
  // rulesets and reports. Otherwise this thread reads and hands packets to the workers.
  const bool per_queue = dpdk_port && dpdk_port->queueCount() > 1;
  if (per_queue) {
    for (std::size_t i = 0; i < lanes.size(); ++i) {
      Lane* l = lanes[i].get();
      l->thread = std::thread([l, &queue = dpdk_port->queue(static_cast<std::uint16_t>(i))] {
        RawPacket packet;
        std::uint64_t n = 0;
        while (queue.next(packet)) {
          if (l->detection) l->applyPending();
          l->worker->process(packet);
          l->last_ts = packet.timestamp_ns;
          if ((++n & 0x3ff) == 0) {
            l->drops.publish(engineDropsOf(*l->worker));
            if (g_stop.load(std::memory_order_relaxed)) break;
          }
        }
        l->worker->finish();
        l->drops.publish(engineDropsOf(*l->worker));
        l->done = true;
      });
    }
  } else if (lanes.size() > 1) {
    for (auto& lane : lanes) {
      Lane* l = lane.get();
      l->ring = std::make_unique<PacketRing>(8192);
      l->thread = std::thread([l, &input_done] {
        RawPacket packet;
        std::uint64_t n = 0;
        for (;;) {
          if (l->detection) l->applyPending();
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
  FlowDispatcher dispatcher(lanes.size());
  const bool live = dynamic_cast<LivePcapSource*>(source) != nullptr;
  std::uint64_t ring_drops = 0;
  auto totals = [&] {
    Totals t;
    for (const auto& lane : lanes) {
      t.worker.merge(lane->worker->counters());
      t.decode.merge(lane->worker->decodeCounters());
      t.fragments.merge(lane->worker->fragmentCounters());
      t.flows.merge(lane->worker->flowCounters());
      t.active_flows += lane->worker->activeFlows();
      if (lane->detection) {
        t.detection.merge(lane->detection->counters());
        t.app.merge(lane->detection->appCounters());
        lane->detection->addPools(t.pools);
      }
      if (lane->ring) t.ring_truncated += lane->ring->truncated();
    }
    t.ring_drops = ring_drops;
    std::lock_guard lock(ruleset_mutex);
    if (ruleset) {
      const sig::LoadReport& load = ruleset->source().report;
      t.rules_loaded = load.rules_loaded;
      t.rules_failed = load.rules_rejected();
      t.rules_skipped = load.rules_skipped;
    }
    return t;
  };

  const auto started = std::chrono::steady_clock::now();
  auto last_report = started;
  std::int64_t last_ts = 0;
  std::uint64_t read = 0;
  // The operator's socket: the same reload as SIGHUP, and what the stats lines say, on demand.
  std::unique_ptr<ControlSocket> control;
  if (!config.control_socket().empty()) {
    try {
      control = std::make_unique<ControlSocket>(config.control_socket(), [&](std::string_view command) -> std::string {
        const sig::CompiledRulesetPtr active = [&] {
          std::lock_guard lock(ruleset_mutex);
          return ruleset;
        }();
        const std::string version = active ? active->version() : std::string("none (no rules loaded)");
        if (command == "version") return "ruleset " + version;
        if (command == "stats") {
          const EngineDrops e = status_engine_drops.read();
          return "packets " + std::to_string(status_packets.load()) + " bytes " + std::to_string(status_bytes.load()) + " alerts " +
                 std::to_string(status_alerts.load()) + " drops interface " + std::to_string(status_drop_interface.load()) +
                 " capture " + std::to_string(status_drop_capture.load()) + " ring " + std::to_string(status_drop_ring.load()) +
                 " malformed " + std::to_string(e.malformed) + " fragments " + std::to_string(e.fragments) + " flows_evicted " +
                 std::to_string(e.flows_evicted) + " stream_gap_bytes " + std::to_string(e.stream_gap_bytes) +
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
      metrics = std::make_unique<gsoc::common::MetricsServer>(args.metrics, [&] {
        const std::string version = [&] {
          std::lock_guard lock(ruleset_mutex);
          return ruleset ? ruleset->version() : std::string();
        }();
        SensorMetrics m;
        m.packets = status_packets.load();
        m.bytes = status_bytes.load();
        m.alerts = status_alerts.load();
        m.drop_interface = status_drop_interface.load();
        m.drop_capture = status_drop_capture.load();
        m.drop_ring = status_drop_ring.load();
        m.engine = status_engine_drops.read();
        if (transport) {
          m.spool_events = transport->spool().depth();
          m.spool_bytes = transport->spool().bytes();
          m.spool = transport->spool().counters();
          m.shipper = transport->shipper().counters();
        }
        return renderSensorMetrics(m, config.sensor_id(), config.agency_id(), version, transport != nullptr);
      });
    } catch (const std::exception& e) {
      std::cerr << "gsoc-sensor: key 'metrics_address': " << e.what() << "\n";
      return 2;
    }
    std::cerr << "gsoc-sensor: Prometheus metrics at http://" << args.metrics << "/metrics\n";
  }
  RawPacket raw;
  struct sigaction action {};
  action.sa_handler = onSignal;
  sigaction(SIGHUP, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  std::future<sig::CompiledRulesetPtr> reloading;
  std::string reloading_bundle;  // the bundle version being compiled; "" for a SIGHUP reload
  auto serviceReload = [&] {
    if (g_reopen.exchange(false) && eve_file) {
      try {
        eve_file->reopen();
        std::cerr << "gsoc-sensor: EVE output " << args.eve << " reopened (SIGUSR1)\n";
      } catch (const std::exception& e) {
        std::cerr << "gsoc-sensor: " << e.what() << "\n";
      }
    }
    if (bundle_ready && ruleset && !reloading.valid()) {
      gsoc::v1::SignatureBundle bundle;
      {
        std::lock_guard lock(bundle_mutex);
        bundle = std::move(*fetched_bundle);
        fetched_bundle.reset();
        bundle_ready = false;
      }
      reloading_bundle = bundle.version();
      std::cerr << "gsoc-sensor: loading bundle " << reloading_bundle << " from the collector in the background\n";
      sig::DatasetOptions datasets = args.datasets;
      datasets.previous = ruleset->source().datasets;
      reloading = std::async(std::launch::async, [bundle = std::move(bundle), datasets = std::move(datasets)] {
        sig::LoadedBundle loaded = sig::compileBundle(bundle, datasets);
        if (!loaded.note.empty()) std::cerr << "gsoc-sensor: bundle " << bundle.version() << ": " << loaded.note << "\n";
        if (!loaded.ruleset) {
          throw std::runtime_error(loaded.errors.empty() ? std::string("it does not compile") : loaded.errors.front());
        }
        return loaded.ruleset;
      });
    }
    if (g_reload.exchange(false) && ruleset && !reloading.valid()) {
      std::cerr << "gsoc-sensor: reload (SIGHUP or control socket): recompiling the ruleset in the background\n";
      reloading = std::async(std::launch::async, [&args, config, previous = ruleset, config_dir = args.config.empty() ? std::string(".")
                                                                  : std::filesystem::path(args.config).parent_path().string()] {
        return loadRuleset(args, config, config_dir.empty() ? "." : config_dir, previous);
      });
    }
    if (reloading.valid() && reloading.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      try {
        sig::CompiledRulesetPtr fresh = reloading.get();
        // Sets the new rules no longer name (or define differently) keep their values on disk.
        for (const auto& e : ruleset->source().datasets->save()) std::cerr << "gsoc-sensor: " << e << "\n";
        {
          std::lock_guard lock(ruleset_mutex);  // the heartbeat, metrics and control socket read it
          ruleset = fresh;
        }
        for (auto& lane : lanes) {
          std::lock_guard lock(lane->reload_mutex);
          lane->pending = fresh;
          lane->has_pending = true;
        }
        if (lanes.size() == 1) lanes.front()->applyPending();
        std::cerr << "gsoc-sensor: ruleset reloaded" << (reloading_bundle.empty() ? "" : " from the collector's bundle")
                  << ", active version " << fresh->version() << "\n";
        if (transport && !reloading_bundle.empty()) transport->shipper().setActiveBundleVersion(reloading_bundle);
      } catch (const std::exception& e) {
        std::cerr << "gsoc-sensor: reload failed, keeping version " << ruleset->version() << ": " << e.what() << "\n";
        if (transport && !reloading_bundle.empty()) transport->shipper().reportBundleError(reloading_bundle, e.what());
      }
      reloading_bundle.clear();
    }
  };
  auto captureCounters = [&] { return dpdk_port ? dpdk_port->counters() : source->counters(); };
  CaptureCounters reported;  // at the last progress line
  std::uint64_t reported_ring_drops = 0;
  // Every 1024 packets, while a live source waits, or every 10 ms when the workers poll their own
  // queues: what the next heartbeat and `stats` report, and the progress line when it is due.
  EngineDrops reported_engine;
  auto progress = [&](std::uint64_t packets) {
    if (lanes.size() == 1) lanes.front()->drops.publish(engineDropsOf(*lanes.front()->worker));  // this thread is its worker
    EngineDrops engine;
    for (const auto& lane : lanes) engine += lane->drops.read();
    if (transport || control) {
      const CaptureCounters cap = captureCounters();
      status_packets = cap.packets;
      status_bytes = cap.bytes;
      status_drop_interface = cap.dropped_by_interface;
      status_drop_capture = cap.dropped_by_capture;
      status_drop_ring = ring_drops;
      status_engine_drops.publish(engine);
    }
    if (args.stats_interval <= 0) return;
    const auto now = std::chrono::steady_clock::now();
    if (std::chrono::duration<double>(now - last_report).count() < args.stats_interval) return;
    last_report = now;
    // Drops per interval, by layer: what an operator watches to size the appliance.
    const CaptureCounters cap = captureCounters();
    const EngineDrops e = engine.since(reported_engine);
    std::cerr << "gsoc-sensor: " << packets << " packets (+" << packets - reported.packets << "), drops this interval: interface "
              << cap.dropped_by_interface - reported.dropped_by_interface << ", capture "
              << cap.dropped_by_capture - reported.dropped_by_capture << ", ring " << ring_drops - reported_ring_drops << "; engine: "
              << e.malformed << " malformed, " << e.fragments << " fragments, " << e.flows_evicted << " flows evicted, "
              << e.stream_gap_bytes << " stream gap bytes\n";
    reported = cap;
    reported.packets = packets;
    reported_ring_drops = ring_drops;
    reported_engine = engine;
  };
  const double replay_speed = args.replay_speed > 0 ? args.replay_speed : config.capture().replay_speed();
  std::int64_t first_ts = -1;
  auto reloadDue = [&] {
    return g_reload.load(std::memory_order_relaxed) || g_reopen.load(std::memory_order_relaxed) ||
           bundle_ready.load(std::memory_order_relaxed) || reloading.valid();
  };
  if (per_queue) {
    auto running = [&] {
      return std::any_of(lanes.begin(), lanes.end(), [](const auto& lane) { return !lane->done.load(std::memory_order_acquire); });
    };
    while (running()) {
      if (reloadDue()) serviceReload();
      progress(captureCounters().packets);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (!per_queue) {  // a quiet link: reloads and counters are served while the source waits
    source->setIdleHook([&] {
      if (reloadDue()) serviceReload();
      progress(read);
    });
  }
  while (!per_queue && source->next(raw)) {
    ++read;
    if (reloadDue()) serviceReload();
    if (replay_speed > 0) {  // pace by the recorded timestamps
      if (first_ts < 0) first_ts = raw.timestamp_ns;
      const auto due = started + std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(raw.timestamp_ns - first_ts) / replay_speed));
      std::this_thread::sleep_until(due);
      if (g_stop) break;
    }
    last_ts = raw.timestamp_ns;
    if (lanes.size() == 1) {
      lanes.front()->worker->process(raw);
    } else {
      PacketRing& ring = *lanes[dispatcher.laneOf(raw)]->ring;
      while (!ring.push(raw)) {
        if (live) {  // never stall a live capture: count the drop
          ++ring_drops;
          break;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
    }
    if ((read & 0x3ff) == 0) {
      progress(read);
      if (g_stop.load(std::memory_order_relaxed)) break;  // a busy DPDK port never runs dry
    }
  }
  input_done = true;
  if (lanes.size() == 1) {
    lanes.front()->worker->finish();
  } else {
    for (auto& lane : lanes) {
      lane->thread.join();
      last_ts = std::max(last_ts, lane->last_ts);
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const CaptureCounters capture = captureCounters();
  const Totals t = totals();
  if (eve) {
    const std::string stats = statsJson(t, capture);
    eve->statsRecord(last_ts, args.eve_stats_zero_counters ? stats : gsoc::sensor::withoutZeroCounters(stats));
    eve->flush();
  }
  if (events) events->flush();
  if (transport) {
    status_packets = capture.packets;
    status_bytes = capture.bytes;
    std::cerr << "gsoc-sensor: waiting up to " << args.drain_timeout << " s for the collector to acknowledge "
              << transport->spool().depth() << " spooled events\n";
    transport->drain(std::chrono::milliseconds(static_cast<std::int64_t>(args.drain_timeout * 1000)), [] { return !g_stop.load(); });
    transport->stop();
  }

  const WorkerCounters& c = t.worker;
  const DecodeCounters& d = t.decode;
  const FlowTableCounters& fl = t.flows;
  const FragmentCounters& f = t.fragments;
  std::cout << std::fixed << std::setprecision(3);
  std::cout << "source      " << (dpdk_port ? dpdk_port->describe() : source->describe()) << "; " << lanes.size() << " worker(s)\n";
  if (per_queue) {  // how evenly RSS spread the traffic: one busy queue is one busy core
    std::cout << "rx queues  ";
    for (std::uint16_t q = 0; q < dpdk_port->queueCount(); ++q) std::cout << (q ? ", " : " ") << q << ": " << dpdk_port->queue(q).packets();
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
  if (ruleset) {
    const auto& dc = t.detection;
    std::cout << "detection   " << dc.alerts << " alerts; inspected " << dc.packet_inputs << " packets, " << dc.stream_inputs
              << " stream chunks (" << dc.stream_bytes_inspected << " bytes), " << dc.transaction_inputs << " transactions\n";
    const auto& ac = t.app;
    std::cout << "app layer   http " << ac.http_requests << " requests / " << ac.http_responses << " responses, dns "
              << ac.dns_queries << " queries / " << ac.dns_responses << " responses, tls " << ac.tls_client_hellos
              << " client hellos, smtp " << ac.smtp_transactions << " messages; " << ac.parse_errors << " malformed\n";
    // Pools: created is what allocated; high water is what a pool held out at once.
    std::cout << "pools      ";
    for (const auto& [name, p] : t.pools.entries()) {
      std::cout << " " << name << " " << p.in_use << " in use (high " << p.high_water << "), " << p.created << " created, "
                << p.reused << " reused" << (&p == &t.pools.entries().back().second ? "\n" : ";");
    }
  } else {
    std::cout << "detection   off (no --rules and no rules.rule_files in the config)\n";
  }
  if (capture.errors > 0) std::cout << "capture     " << capture.errors << " error(s): " << source->lastError() << "\n";
  if (eve) {
    std::uint64_t records = eve->records();
    for (const auto& lane : lanes) records += lane->eve ? lane->eve->records() : 0;
    std::cout << "eve         " << records << " records to " << args.eve << "\n";
  }
  if (events) std::cout << "events      " << events->events() << " gsoc.v1.Event records to " << args.events << "\n";
  if (transport) std::cout << transport->summary();
  // Datasets with a save or state file are written when the sensor ends, as Suricata does.
  if (ruleset) {
    for (const auto& e : ruleset->source().datasets->save()) std::cerr << "gsoc-sensor: " << e << "\n";
  }
  return 0;
}

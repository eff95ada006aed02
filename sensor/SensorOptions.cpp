#include "sensor/SensorOptions.hpp"

#include <cctype>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "sensor/app/DnsParser.hpp"

namespace gsoc::sensor {

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
  --tls-encryption-handling track-only|full
                         what detection does with a TLS flow once it carries application data
                         (Suricata's app-layer.protocols.tls.encryption-handling): track-only,
                         the default (also spelled default), stops inspecting its packet
                         payloads and stream bytes, which are ciphertext, while its header,
                         flow and tls.* rules still run and its records are still written;
                         full inspects them like any other flow's
                         [detection.tls_encryption_handling]
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

}  // namespace

[[noreturn]] void usageError(const std::string& message) {
  std::cerr << "gsoc-sensor: " << message << "\n(see gsoc-sensor --help)\n";
  std::exit(2);
}

namespace {

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

}  // namespace

SensorOptions parseSensorOptions(int argc, char** argv) {
  SensorOptions args;
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
        args.ruleset.rules_config = value();
      } else if (a == "--rules") {
        args.ruleset.rules.push_back(value());
      } else if (a == "--classification") {
        args.ruleset.classification = value();
      } else if (a == "--var") {
        const std::string v = value();
        const auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0) usageError("--var expects NAME=VALUE, got '" + v + "'");
        args.ruleset.vars.emplace_back(v.substr(0, eq), v.substr(eq + 1));
      } else if (a == "--data-dir") {
        args.ruleset.datasets.data_dir = value();
      } else if (a == "--datasets-allow-absolute") {
        args.ruleset.datasets.allow_absolute = true;
      } else if (a == "--datasets-no-write") {
        args.ruleset.datasets.allow_write = false;
      } else if (a == "--cache-dir") {
        args.ruleset.cache_dir = value();
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
        args.eve_settings.dns_version = std::stoi(v);
      } else if (a == "--eve-dns-requests" || a == "--eve-dns-responses") {
        const std::string v = value();
        if (v != "yes" && v != "no") usageError(a + " must be yes or no, got '" + v + "'");
        (a == "--eve-dns-requests" ? args.eve_settings.dns_requests : args.eve_settings.dns_responses) = v == "yes";
      } else if (a == "--eve-dns-types") {
        const std::string v = value();
        args.eve_settings.dns_types.clear();
        for (std::size_t pos = 0; pos <= v.size();) {
          const std::size_t comma = std::min(v.find(',', pos), v.size());
          const std::string_view name = std::string_view(v).substr(pos, comma - pos);
          const std::optional<std::uint16_t> type = gsoc::sensor::dnsTypeNumber(name);
          if (!type) usageError("--eve-dns-types: unknown dns type '" + std::string(name) + "'");
          args.eve_settings.dns_types.push_back(*type);
          pos = comma + 1;
        }
      } else if (a == "--eve-smb-types") {
        const std::string v = value();
        args.eve_settings.smb_types.clear();
        for (std::size_t pos = 0; pos <= v.size();) {
          const std::size_t comma = std::min(v.find(',', pos), v.size());
          const std::string name(std::string_view(v).substr(pos, comma - pos));
          if (!gsoc::sensor::EveWriter::isSmbType(name)) usageError("--eve-smb-types: unknown smb type '" + name + "'");
          args.eve_settings.smb_types.push_back(name);
          pos = comma + 1;
        }
      } else if (a == "--stream-inline") {
        args.detection.stream_inline = true;
      } else if (a == "--tls-encryption-handling") {
        args.tls_encryption_handling_given = true;
        const std::string v = value();
        if (v == "full") args.detection.inspect_encrypted = true;
        else if (v == "track-only" || v == "default") args.detection.inspect_encrypted = false;
        else usageError("--tls-encryption-handling must be track-only or full, got '" + v + "'");
      } else if (a == "--eve-pgsql-passwords") {
        args.eve_settings.pgsql_passwords = true;
      } else if (a == "--eve-http-dump-all-headers") {
        const std::string v = value();
        if (v != "request" && v != "response" && v != "both") usageError("--eve-http-dump-all-headers: request, response or both");
        args.eve_settings.http_request_headers = v != "response";
        args.eve_settings.http_response_headers = v != "request";
      } else if (a == "--eve-xff") {
        const std::string v = value();
        const std::size_t c1 = v.find(',');
        const std::size_t c2 = c1 == std::string::npos ? std::string::npos : v.find(',', c1 + 1);
        const std::string mode = v.substr(0, c1);
        const std::string deployment = c1 == std::string::npos ? "reverse" : v.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
        if ((mode != "extra-data" && mode != "overwrite") || (deployment != "forward" && deployment != "reverse")) {
          usageError("--eve-xff: MODE extra-data|overwrite, DEPLOYMENT forward|reverse");
        }
        args.eve_settings.xff.enabled = true;
        args.eve_settings.xff.overwrite = mode == "overwrite";
        args.eve_settings.xff.reverse = deployment == "reverse";
        if (c2 != std::string::npos && c2 + 1 < v.size()) args.eve_settings.xff.header = v.substr(c2 + 1);
      } else if (a == "--eve-ethernet") {
        args.eve_settings.options.ethernet = true;
      } else if (a == "--eve-dhcp-extended") {
        args.eve_settings.options.dhcp_extended = true;
      } else if (a == "--eve-netflow") {
        args.eve_settings.options.netflow = true;
      } else if (a == "--eve-frames") {
        args.eve_settings.frames = true;
      } else if (a == "--eve-alert-packet") {
        args.eve_settings.options.alert_packet = true;
      } else if (a == "--eve-alert-payload") {
        args.eve_settings.options.alert_payload = true;
      } else if (a == "--eve-alert-payload-printable") {
        args.eve_settings.options.alert_payload_printable = true;
      } else if (a == "--eve-anomaly-packet") {
        args.eve_settings.options.anomaly_packet = true;
      } else if (a == "--eve-arp") {
        args.eve_settings.arp = true;
      } else if (a == "--eve-tagged-packets") {
        args.eve_settings.tagged_packets = true;
      } else if (a == "--eve-stats-zero-counters") {
        const std::string v = value();
        if (v != "yes" && v != "no") usageError("--eve-stats-zero-counters must be yes or no, got '" + v + "'");
        args.eve_settings.stats_zero_counters = v == "yes";
      } else if (a == "--eve-alert-references") {
        args.eve_settings.options.alert_references = true;
      } else if (a == "--eve-suricata-version") {
        args.eve_settings.options.suricata_version = true;
      } else if (a == "--eve-community-id-seed") {
        const std::string v = value();
        char* end = nullptr;
        const unsigned long seed = std::strtoul(v.c_str(), &end, 10);
        if (v.empty() || *end != '\0' || seed > 65535) usageError("--eve-community-id-seed must be 0 to 65535, got '" + v + "'");
        args.eve_settings.options.community_id_seed = static_cast<std::uint16_t>(seed);
      } else if (a == "--force-file-hashes") {
        args.detection.force_file_hashes = true;
      } else if (a == "--file-store") {
        if (!args.detection.file_store.empty()) usageError("--file-store given twice: one file store only (as Suricata's one file-store output)");
        args.detection.file_store = value();
        if (args.detection.file_store.empty()) usageError("--file-store needs a folder");
      } else if (a == "--force-filestore") {
        args.detection.force_filestore = true;
      } else if (a == "--file-store-stream-depth") {
        args.detection.file_store_depth = sizeValue(a, value());
      } else if (a == "--mqtt-max-msg-length") {
        args.detection.mqtt_limits.max_msg_length = sizeValue(a, value());
      } else if (a == "--eve-mqtt-string-log-limit") {
        args.eve_settings.options.mqtt_string_log_limit = sizeValue(a, value());
      } else if (a == "--ftp-max-line-length") {
        args.detection.ftp_max_line = sizeValue(a, value());
        if (args.detection.ftp_max_line == 0) usageError("--ftp-max-line-length: 1 byte to 4 GiB");
      } else if (a == "--ftp-max-tx") {
        args.detection.ftp_max_tx = std::stoul(value());
      } else if (a == "--mqtt-max-tx") {
        args.detection.mqtt_limits.max_tx = std::stoul(value());
      } else if (a == "--ldap-max-tx") {
        args.detection.ldap_max_tx = std::stoul(value());
      } else if (a == "--dnp3-max-tx") {
        args.detection.dnp3_limits.max_tx = std::stoul(value());
      } else if (a == "--dnp3-max-points") {
        args.detection.dnp3_limits.objects.max_points = static_cast<std::uint32_t>(std::stoul(value()));
      } else if (a == "--dnp3-max-objects") {
        args.detection.dnp3_limits.objects.max_objects = static_cast<std::uint32_t>(std::stoul(value()));
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
        args.detection.protocol_modes.emplace_back(proto,
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
  if (args.detection.force_filestore && args.detection.file_store.empty()) usageError("--force-filestore needs --file-store");
  if (args.detection.file_store_depth != 0 && args.detection.file_store.empty()) usageError("--file-store-stream-depth needs --file-store");
  args.ruleset.config_file = args.config;  // its rules.<key> errors point into it
  return args;
}

}  // namespace gsoc::sensor

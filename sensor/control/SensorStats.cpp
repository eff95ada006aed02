#include "sensor/control/SensorStats.hpp"

#include <sstream>

#include "common/CounterTable.hpp"
#include "sensor/app/FtpParser.hpp"
#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {

void SensorTotals::setRuleset(const signatures::CompiledRuleset* ruleset) {
  if (ruleset == nullptr) return;
  const signatures::LoadReport& load = ruleset->source().report;
  rules_loaded = load.rules_loaded;
  rules_failed = load.rules_rejected();
  rules_skipped = load.rules_skipped;
}

std::uint64_t poolBytes(const gsoc::PoolTable& pools, std::string_view name, std::size_t object_size) {
  for (const auto& [pool, counters] : pools.entries()) {
    if (pool == name) return counters.in_use * object_size;
  }
  return 0;
}

std::string statsJson(const SensorTotals& t, const CaptureCounters& capture) {
  std::ostringstream j;
  const DecodeCounters& d = t.decode;
  j << "{\"capture\":{";
  gsoc::writeCountersJson(j, capture);
  j << ",\"dropped_ring\":" << t.ring_drops << "},\"decoder\":{\"decoded\":" << d.decoded << ",\"ipv4\":" << d.ipv4
    << ",\"ipv6\":" << d.ipv6 << ",\"tcp\":" << d.tcp << ",\"udp\":" << d.udp << ",\"icmp\":" << d.icmp << ",\"other\":"
    << d.other_transport << ",\"vlan\":" << d.vlan << ",\"tunnel\":" << d.tunnels << ",\"avg_pkt_size\":"
    << (t.worker.packets != 0 ? t.worker.bytes / t.worker.packets : 0) << ",\"max_pkt_size\":" << t.worker.max_packet
    << ",\"malformed\":{";
  bool first = true;
  gsoc::visitCounterArrays(d, [&](const auto&, std::string_view error, std::uint64_t n) {  // decode errors seen
    if (n == 0) return;
    j << (first ? "" : ",") << "\"" << error << "\":" << n;
    first = false;
  });
  const WorkerCounters& c = t.worker;
  j << "}},\"defrag\":{";
  gsoc::writeCountersJson(j, t.fragments);
  j << "},\"flow\":{";
  gsoc::writeCountersJson(j, t.flows);
  j << ",\"active\":" << t.active_flows << "},\"flow_bypassed\":{\"local_pkts\":"
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

}  // namespace gsoc::sensor

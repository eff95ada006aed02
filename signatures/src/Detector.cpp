#include "gsoc/signatures/Detector.hpp"

#include <algorithm>

namespace gsoc::signatures {
namespace {

// Whether the input holds a transaction's buffers: a transaction input, or a datagram whose
// message the app layer parsed into the packet's own buffers (DNS, SIP... over UDP).
bool carriesTransaction(const MatchInput& input) {
  if (input.meta.is_transaction) return true;
  const auto present = input.buffers.present();
  return std::any_of(present.begin(), present.end(), [](BufferId b) { return b != BufferId::Payload && !isPacketHeaderBuffer(b); });
}

// vlan.id: Suricata's DetectVlanIdMatch (a packet without tags never matches).
bool vlanIdMatches(const VlanIdCheck& c, const PacketMeta& m) {
  const std::size_t n = std::min<std::size_t>(m.vlan_count, m.vlan.size());
  if (n == 0) return false;
  if (c.layer == VlanIdCheck::kAny || c.layer == VlanIdCheck::kAll) {
    const bool all = c.layer == VlanIdCheck::kAll;
    for (std::size_t i = 0; i < n; ++i) {
      if (c.id.matches(m.vlan[i]) != all) return !all;
    }
    return all;
  }
  const int index = c.layer >= 0 ? c.layer : static_cast<int>(n) + c.layer;
  if (index < 0 || index >= static_cast<int>(n)) return false;
  return c.id.matches(m.vlan[static_cast<std::size_t>(index)]);
}

// The checksum keywords: each must be of the packet's kind and hold as it asks.
bool checksumsHold(const std::vector<ChecksumCondition>& checks, const MatchInput& input) {
  const auto first = [&](BufferId id) {
    const auto values = input.buffers.get(id);
    return values.empty() ? std::string_view() : values.front();
  };
  const std::string_view v4 = first(BufferId::Ipv4Hdr);
  const std::string_view ip = v4.empty() ? first(BufferId::Ipv6Hdr) : v4;
  std::string_view transport;
  for (const BufferId id : {BufferId::TcpHdr, BufferId::UdpHdr, BufferId::Icmpv4Hdr, BufferId::Icmpv6Hdr}) {
    if (transport.empty()) transport = first(id);
  }
  const std::string_view payload = first(BufferId::Payload);
  for (const ChecksumCondition& c : checks) {
    if (!checksumApplies(c.kind, ip, input.meta.ip_proto)) return false;
    if (checksumValid(c.kind, ip, transport, payload, input.meta.ip_proto) != c.valid) return false;
  }
  return true;
}

// The MSS option of a TCP header (with options), if it has a well-formed one.
// The 32-bit big-endian field at `at` (the caller checked the length).
std::uint32_t bigEndian32(std::string_view bytes, std::size_t at) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data()) + at;
  return std::uint32_t{b[0]} << 24 | std::uint32_t{b[1]} << 16 | std::uint32_t{b[2]} << 8 | b[3];
}

std::optional<std::uint16_t> tcpMss(std::string_view header) {
  if (header.size() < 20) return std::nullopt;
  const auto* h = reinterpret_cast<const unsigned char*>(header.data());
  const std::size_t end = std::min<std::size_t>(header.size(), (std::size_t{h[12]} >> 4) * 4);
  for (std::size_t i = 20; i < end;) {
    const unsigned char kind = h[i];
    if (kind == 0) break;  // end of options
    if (kind == 1) {       // no-op
      ++i;
      continue;
    }
    if (i + 1 >= end || h[i + 1] < 2 || i + h[i + 1] > end) break;
    if (kind == 2 && h[i + 1] == 4) return static_cast<std::uint16_t>(h[i + 2] << 8 | h[i + 3]);
    i += h[i + 1];
  }
  return std::nullopt;
}

}  // namespace

struct DetectorScan {
  Detector* detector;
  bool regex;
  static int onMatch(unsigned id, unsigned long long /*from*/, unsigned long long /*to*/, unsigned /*flags*/, void* ctx) {
    auto* scan = static_cast<DetectorScan*>(ctx);
    scan->detector->addCandidate(id, scan->regex);
    return 0;
  }
};

Detector::Detector(CompiledRulesetPtr ruleset) { setRuleset(std::move(ruleset)); }

void Detector::setRuleset(CompiledRulesetPtr ruleset) {
  const bool same = ruleset_ && ruleset && ruleset_->hash() == ruleset->hash();
  ruleset_ = std::move(ruleset);
  hs::ScratchPtr scratch;
  for (const auto& [name, db] : ruleset_->databases()) hs::ensureScratch(scratch, *db);
  if (const IndicatorMatcher* iocs = ruleset_->indicators()) {
    if (iocs->domainDatabase()) hs::ensureScratch(scratch, *iocs->domainDatabase());
    if (iocs->urlDatabase()) hs::ensureScratch(scratch, *iocs->urlDatabase());
  }
  scratch_ = std::move(scratch);
  const std::size_t n = ruleset_->rules().size();
  seen_.assign(n, 0);
  regex_hit_.assign(n, 0);
  generation_ = 0;
  candidates_.clear();
  candidates_.reserve(n);
  matches_.clear();
  matches_.reserve(n);
  indicator_hits_.reserve(64);
  if (!same) thresholds_ = ThresholdTracker();
}

void Detector::addCandidate(std::uint32_t rule, bool from_regex) {
  if (from_regex) regex_hit_[rule] = generation_;
  if (seen_[rule] == generation_) return;
  seen_[rule] = generation_;
  candidates_.push_back(rule);
}

std::span<const RuleMatch> Detector::match(const MatchInput& input, FlowBits* flowbits) {
  const CompiledRuleset& rs = *ruleset_;
  matches_.clear();
  contexts_used_ = 0;
  candidates_.clear();
  indicator_hits_.clear();
  bypass_matched_ = false;
  ++counters_.inputs;
  if (++generation_ == 0) {  // wrapped: stamps from long ago would look current
    std::fill(seen_.begin(), seen_.end(), 0);
    std::fill(regex_hit_.begin(), regex_hit_.end(), 0);
    generation_ = 1;
  }

  // Which groups apply: ip, the transport, the app protocol; direction-agnostic and this one.
  std::size_t classes[6];
  std::size_t class_count = 0;
  classes[class_count++] = protoClassOf(Transport::Any);
  classes[class_count++] = protoClassOf(input.meta.transport);
  if (input.meta.app != AppProto::None) {
    classes[class_count++] = protoClassOf(input.meta.app);
    const AlsoMatchingApps& also = alsoMatchingApps(input.meta.app);  // appProtoMatches
    for (std::size_t i = 0; i < also.count; ++i) classes[class_count++] = protoClassOf(also.apps[i]);
  }
  const FlowDirection dirs[2] = {FlowDirection::Any, input.meta.direction};


  DetectorScan literal_scan{this, false};
  DetectorScan regex_scan{this, true};
  auto scan = [&](const GroupDatabases& g, BufferId buffer) {
    if (!g.literals && !g.regexes) return;
    for (const std::string_view value : input.buffers.get(buffer)) {
      if (scan_observer_ != nullptr) scan_observer_->scanned(g, value, input.meta);
      if (g.literals && hs_scan(g.literals.get(), value.data(), static_cast<unsigned>(value.size()), 0, scratch_.get(),
                                DetectorScan::onMatch, &literal_scan) != HS_SUCCESS) {
        ++counters_.scan_errors;
      }
      if (g.regexes && hs_scan(g.regexes.get(), value.data(), static_cast<unsigned>(value.size()), 0, scratch_.get(),
                               DetectorScan::onMatch, &regex_scan) != HS_SUCCESS) {
        ++counters_.scan_errors;
      }
    }
  };
  // One scan per buffer, against the merged group of this input's kind.
  const Transport transport = input.meta.transport;
  const AppProto app = input.meta.app;
  const FlowDirection direction = input.meta.direction;
  for (const BufferId buffer : input.buffers.present()) {
    if (buffer == BufferId::Payload) {
      if (input.meta.is_transaction) continue;
      // Stream data: the stream rules. A packet whose payload the stream pass covers: only the
      // packet-only rules. Any other packet (UDP, ICMP...): both.
      if (!input.meta.is_stream) scan(rs.scanGroup(transport, app, direction, CompiledRuleset::kPacketPayloadSlot), BufferId::Payload);
      if (input.meta.is_stream || !input.meta.payload_in_stream) scan(rs.scanGroup(transport, app, direction, index(BufferId::Payload)), BufferId::Payload);
      continue;
    }
    scan(rs.scanGroup(transport, app, direction, index(buffer)), buffer);
  }
  for (std::size_t c = 0; c < class_count; ++c) {
    for (const FlowDirection dir : dirs) {
      for (const std::uint32_t rule : rs.unprefiltered(classes[c], dir)) addCandidate(rule, false);
      if (input.meta.has_packet) {  // address-indexed rules inspect no buffer: packets only
        for (const std::uint32_t rule : rs.sourceIndex(classes[c], dir).lookup(input.meta.src)) addCandidate(rule, false);
        for (const std::uint32_t rule : rs.destinationIndex(classes[c], dir).lookup(input.meta.dst)) addCandidate(rule, false);
      }
      if (dir == input.meta.direction) break;  // Any == direction: do not look twice
    }
  }
  input.meta.events.forEach([&](AnomalyEvent e) {
    for (const std::uint32_t rule : rs.eventRules(e)) addCandidate(rule, false);
  });
  counters_.candidates += candidates_.size();

  std::sort(candidates_.begin(), candidates_.end(), [&](std::uint32_t a, std::uint32_t b) { return rs.order(a) < rs.order(b); });
  for (const std::uint32_t index : candidates_) {
    const Rule& rule = rs.rules()[index];
    ++counters_.verified;
    inspector_.clearContexts();
    if (!verify(rule, index, input, flowbits)) continue;
    if (rule.tx_half == Rule::TxHalf::Request) {  // the response half alerts, if it holds too
      if (flowbits != nullptr) flowbits->markTransaction(index, input.meta.facts.tx_id);
      continue;
    }
    if (flowbits != nullptr) {
      for (const FlowbitOp& op : rule.flowbits) {
        for (const std::uint32_t id : op.ids) {
          switch (op.kind) {
            case FlowbitOp::Kind::Set: flowbits->set(id); break;
            case FlowbitOp::Kind::Unset: flowbits->unset(id); break;
            case FlowbitOp::Kind::Toggle: flowbits->toggle(id); break;
            default: break;
          }
        }
      }
    }
    for (const HostbitOp& op : rule.hostbits) {
      if (!op.checks()) hostbit(op, input.meta);
    }
    bypass_matched_ = bypass_matched_ || rule.bypass;
    if (rule.noalert) continue;
    bool allowed = true;
    if (rule.detection_filter) allowed = thresholds_.allow(index, *rule.detection_filter, input.meta);
    if (allowed && rule.threshold) allowed = thresholds_.allow(index, *rule.threshold, input.meta);
    if (!allowed) {
      ++counters_.suppressed;
      continue;
    }
    RuleMatch hit{index, rule.inspections.empty() ? BufferId::Payload : rule.inspections.front().buffer};
    const std::span<const AlertContext> found = inspector_.contexts();
    hit.context_begin = static_cast<std::uint32_t>(contexts_used_);
    hit.context_count = static_cast<std::uint32_t>(found.size());
    for (const AlertContext& c : found) {
      if (contexts_used_ == contexts_.size()) contexts_.emplace_back();
      contexts_[contexts_used_].key = c.key;
      contexts_[contexts_used_++].json = c.json;
    }
    matches_.push_back(hit);
  }
  counters_.matches += matches_.size();

  if (const IndicatorMatcher* iocs = rs.indicators()) {
    iocs->match(input, scratch_.get(), indicator_hits_);
    counters_.indicator_hits += indicator_hits_.size();
  }
  return matches_;
}

bool Detector::verify(const Rule& rule, std::uint32_t index, const MatchInput& input, FlowBits* flowbits) {
  const PacketMeta& m = input.meta;
  if (rule.transport != Transport::Any && rule.transport != m.transport) return false;
  if (rule.ip_version != 0 && m.src.isV4() != (rule.ip_version == 4)) return false;
  if (rule.app != AppProto::None && !appProtoMatches(rule.app, m.app)) return false;
  if ((rule.packet_only || rule.flow.no_stream) && m.is_stream) return false;
  if ((rule.stream_only || rule.flow.only_stream) && !m.is_stream) return false;
  if (rule.flow.direction != FlowDirection::Any && rule.flow.direction != m.direction) return false;
  if (rule.flow.established && !m.established) return false;
  // Transactional rules see transactions only; the response half holds only where its request
  // half did (the rule just before it), on this transaction.
  if (rule.tx_half != Rule::TxHalf::None) {
    if (!m.is_transaction || flowbits == nullptr) return false;
    if (rule.tx_half == Rule::TxHalf::Response && !flowbits->transactionMarked(index - 1, m.facts.tx_id)) return false;
  }
  if (rule.ip_only && !m.first_in_direction) return false;
  // Rules with no buffer to inspect are packet rules: stream chunks and transactions skip them.
  if (!m.has_packet && rule.inspections.empty() && !rule.hasTransactionFacts()) return false;
  if (m.is_transaction && !rule.inspects_app_buffer) return false;
  if (rule.inspects_payload && m.payload_in_stream && !m.is_stream && !rule.packet_only && !rule.flow.no_stream) return false;
  if (rule.flow.not_established && m.established) return false;
  // filestore makes a rule one on files (Suricata's file match list): only a transaction that
  // carries a file matches it.
  if (rule.filestore && !input.buffers.has(BufferId::FileData) && !input.buffers.has(BufferId::FileName)) return false;
  for (const AnomalyEvent e : rule.events) {
    if (!m.events.test(e)) return false;
  }
  for (const AppProtocolCondition& c : rule.app_protocols) {
    if (m.app == AppProto::None) return false;  // not known yet
    AppProto have = m.app;  // the flow's, or one direction's own (to_server, to_client)
    if (c.side == FlowDirection::ToServer && m.app_to_server != AppProto::None) have = m.app_to_server;
    if (c.side == FlowDirection::ToClient && m.app_to_client != AppProto::None) have = m.app_to_client;
    // As Suricata's AppProtoEquals: http also names HTTP/2, http1 only HTTP/1.x.
    const bool listed = std::any_of(c.protocols.begin(), c.protocols.end(), [&](AppProto p) { return appProtoMatches(p, have); });
    if (listed == c.negated) return false;
  }

  const bool forward = rule.src.contains(m.src.value()) && rule.dst.contains(m.dst.value()) &&
                       rule.src_ports.contains(m.src_port) && rule.dst_ports.contains(m.dst_port);
  if (!forward) {
    const bool reverse = rule.bidirectional && rule.src.contains(m.dst.value()) && rule.dst.contains(m.src.value()) &&
                         rule.src_ports.contains(m.dst_port) && rule.dst_ports.contains(m.src_port);
    if (!reverse) return false;
  }

  const HeaderCondition& h = rule.header;
  if (!h.empty()) {
    if (!m.has_packet) return false;
    if (h.dsize && !h.dsize->matches(m.payload_size)) return false;
    if (h.ttl && !h.ttl->matches(m.ttl)) return false;
    if (h.vlan_layers && !h.vlan_layers->matches(m.vlan_count)) return false;
    if (h.vlan_id && !vlanIdMatches(*h.vlan_id, m)) return false;
    if (h.tcp_mss) {
      const auto header = input.buffers.get(BufferId::TcpHdr);
      const auto mss = header.empty() ? std::nullopt : tcpMss(header[0]);
      if (!mss || !h.tcp_mss->matches(*mss)) return false;
    }
    if (h.tcp_seq || h.tcp_ack) {
      const auto header = input.buffers.get(BufferId::TcpHdr);
      if (header.empty() || header[0].size() < 20) return false;
      if (h.tcp_seq && !h.tcp_seq->matches(bigEndian32(header[0], 4))) return false;
      if (h.tcp_ack && !h.tcp_ack->matches(bigEndian32(header[0], 8))) return false;
    }
    if (h.ip_proto && ((*h.ip_proto == m.ip_proto) == h.ip_proto_negated)) return false;
    if ((h.itype || h.icode) && m.transport != Transport::Icmp) return false;
    if (h.itype && !h.itype->matches(m.icmp_type)) return false;
    if (h.icmp_id || h.icmp_seq) {
      const auto v4 = input.buffers.get(BufferId::Icmpv4Hdr);
      const auto v6 = input.buffers.get(BufferId::Icmpv6Hdr);
      const std::string_view hdr = !v4.empty() ? v4[0] : !v6.empty() ? v6[0] : std::string_view();
      // Types that carry an identifier and sequence number after the checksum.
      const bool carries = !v4.empty() ? (m.icmp_type == 0 || m.icmp_type == 8 || (m.icmp_type >= 13 && m.icmp_type <= 18))
                                       : (m.icmp_type == 128 || m.icmp_type == 129);
      if (!carries || hdr.size() < 8) return false;
      auto field = [&](std::size_t at) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(hdr[at]) << 8 | static_cast<unsigned char>(hdr[at + 1]));
      };
      if (h.icmp_id && !h.icmp_id->matches(field(4))) return false;
      if (h.icmp_seq && !h.icmp_seq->matches(field(6))) return false;
    }
    if (h.icode && !h.icode->matches(m.icmp_code)) return false;
    if (h.icmpv6_mtu) {  // a Packet Too Big message's MTU, after type, code and checksum
      const auto v6 = input.buffers.get(BufferId::Icmpv6Hdr);
      if (v6.empty() || v6[0].size() < 8 || m.icmp_type != 2) return false;
      const auto* b = reinterpret_cast<const unsigned char*>(v6[0].data());
      if (!h.icmpv6_mtu->matches(std::uint32_t{b[4]} << 24 | std::uint32_t{b[5]} << 16 | std::uint32_t{b[6]} << 8 | b[7])) return false;
    }
    if (!h.checksums.empty() && !checksumsHold(h.checksums, input)) return false;
    if (h.flags_set) {
      if (m.transport != Transport::Tcp) return false;
      const std::uint8_t flags = m.tcp_flags & static_cast<std::uint8_t>(~h.flags_ignored);
      if (h.flags_forbidden & flags) return false;
      if (h.flags_any) {
        if (h.flags_required && !(flags & h.flags_required)) return false;
      } else if (h.flags_exact) {
        if (flags != h.flags_required) return false;
      } else if ((flags & h.flags_required) != h.flags_required) {
        return false;
      }
    }
  }

  if (!rule.flow.counters.empty() || rule.flow.age) {
    if (!m.has_packet) return false;
    for (const FlowCounterCondition& c : rule.flow.counters) {
      const auto& values = c.counter == FlowCounterCondition::Counter::Packets ? m.flow_packets : m.flow_bytes;
      const bool to_server = c.check.matches(values[0]);
      const bool to_client = c.check.matches(values[1]);
      switch (c.side) {
        case FlowCounterCondition::Side::ToServer: if (!to_server) return false; break;
        case FlowCounterCondition::Side::ToClient: if (!to_client) return false; break;
        case FlowCounterCondition::Side::Either: if (!to_server && !to_client) return false; break;
      }
    }
    constexpr std::int64_t kNs = 1'000'000'000;
    if (rule.flow.age && !rule.flow.age->matches(static_cast<std::uint64_t>(std::max<std::int64_t>(0, m.timestamp_ns / kNs - m.flow_start_ns / kNs)))) {
      return false;
    }
  }

  if (const auto& ss = rule.flow.stream_size) {
    if (m.transport != Transport::Tcp) return false;
    const bool server = ss->check.matches(m.stream_bytes_to_client);
    const bool client = ss->check.matches(m.stream_bytes_to_server);
    switch (ss->side) {
      case StreamSizeCondition::Side::Server: if (!server) return false; break;
      case StreamSizeCondition::Side::Client: if (!client) return false; break;
      case StreamSizeCondition::Side::Both: if (!server || !client) return false; break;
      case StreamSizeCondition::Side::Either: if (!server && !client) return false; break;
    }
  }
  if (rule.tls_version && *rule.tls_version != m.tls_version) return false;
  if (rule.hasTransactionFacts() && !transactionFacts(rule, m.facts)) return false;

  for (const BufferInspection& insp : rule.inspections) {
    auto values = input.buffers.get(insp.buffer);
    if (insp.absent != BufferInspection::Absent::No) {
      // An app-layer buffer is absent from a transaction that lacks it, not from the packets and
      // stream chunks around it, which carry no transaction buffers at all.
      if (values.empty() && insp.buffer != BufferId::Payload && !isPacketHeaderBuffer(insp.buffer) && !carriesTransaction(input)) {
        return false;
      }
      if (values.empty()) continue;  // absent, as asked
      if (insp.absent == BufferInspection::Absent::Only) return false;
    }
    std::string_view address;
    if (values.empty() && (insp.buffer == BufferId::IpSrc || insp.buffer == BufferId::IpDst)) {
      address = addressBytes(insp.buffer == BufferId::IpSrc ? m.src : m.dst, insp.buffer == BufferId::IpSrc ? 0 : 1);
      values = {&address, 1};
    }
    const bool prefilter_hit = regex_hit_[index] == generation_;
    bool any = false;
    for (std::string_view value : values) {
      if (!insp.transforms.empty()) value = transforms_.apply(insp.transforms, value);
      const std::size_t min_end = insp.buffer == BufferId::Payload && m.is_stream ? m.stream_new_data_offset : 0;
      if (inspector_.inspect(insp, value, prefilter_hit, min_end)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }

  for (const FlowbitOp& op : rule.flowbits) {
    if (op.kind != FlowbitOp::Kind::IsSet && op.kind != FlowbitOp::Kind::IsNotSet) continue;
    const bool want = op.kind == FlowbitOp::Kind::IsSet;
    auto holds = [&](std::uint32_t id) { return (flowbits != nullptr && flowbits->test(id)) == want; };
    const bool ok = op.any_of ? std::any_of(op.ids.begin(), op.ids.end(), holds) : std::all_of(op.ids.begin(), op.ids.end(), holds);
    if (!ok) return false;
  }
  for (const HostbitOp& op : rule.hostbits) {
    if (op.checks() && !hostbit(op, m)) return false;
  }
  for (const FlowintOp& op : rule.flowints) {
    if (!flowint(op, flowbits)) return false;
  }
  return true;
}

bool Detector::transactionFacts(const Rule& rule, const TransactionFacts& facts) {
  if (rule.smb_version && *rule.smb_version != facts.smb_version) return false;
  if (rule.dce_ifaces.empty() && rule.dce_opnums.empty()) return true;
  const DceFacts* dce = facts.dce;
  if (dce == nullptr || !dce->request) return false;
  for (const DceOpnumCondition& c : rule.dce_opnums) {
    const bool in = c.compare ? c.compare->matches(dce->opnum)
                              : std::any_of(c.ranges.begin(), c.ranges.end(), [&](const auto& r) {
                                  return dce->opnum >= r.first && dce->opnum <= r.second;
                                });
    if (!in) return false;
  }
  // An interface the server accepted on the request's context, from a BIND whose first fragment
  // flag was set (unless any_frag), of the rule's UUID and version.
  for (const DceIfaceCondition& c : rule.dce_ifaces) {
    const bool bound = std::any_of(dce->interfaces.begin(), dce->interfaces.end(), [&](const DceInterface& i) {
      return (c.any_frag || i.first_frag) && i.acked && i.ack_result == 0 && i.uuid == c.uuid &&
             i.context_id == dce->context_id && (!c.version || c.version->matches(i.version));
    });
    if (!bound) return false;
  }
  return true;
}

std::string_view Detector::addressBytes(IpAddress ip, std::size_t slot) {
  auto& out = address_bytes_[slot];
  const u128 v = ip.value();
  if (ip.isV4()) {
    for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
    return {out.data(), 4};
  }
  for (int i = 0; i < 16; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((v >> (120 - 8 * i)) & 0xff);
  return {out.data(), 16};
}

bool Detector::hostbit(const HostbitOp& op, const PacketMeta& m) {
  using Track = HostbitOp::Track;
  using Kind = HostbitOp::Kind;
  const std::int64_t now = m.timestamp_ns;
  const bool pair = op.track == Track::Pair;
  auto on = [&](IpAddress host, IpAddress peer) {
    switch (op.kind) {
      case Kind::IsSet: return hostbits_.test(op.id, host, peer, pair, now);
      case Kind::IsNotSet: return !hostbits_.test(op.id, host, peer, pair, now);
      case Kind::Set: hostbits_.set(op.id, host, peer, pair, now + std::int64_t{op.expire_s} * 1'000'000'000, now); return true;
      case Kind::Unset: hostbits_.unset(op.id, host, peer, pair); return true;
      case Kind::Toggle:
        if (hostbits_.test(op.id, host, peer, pair, now)) hostbits_.unset(op.id, host, peer, pair);
        else hostbits_.set(op.id, host, peer, pair, now + std::int64_t{op.expire_s} * 1'000'000'000, now);
        return true;
    }
    return false;
  };
  switch (op.track) {
    case Track::Src:
    case Track::Pair: return on(m.src, m.dst);
    case Track::Dst: return on(m.dst, m.src);
    case Track::Both:
      // isset: on either end; isnotset: on neither; changes: both ends.
      if (op.kind == Kind::IsSet) return on(m.src, m.dst) || on(m.dst, m.src);
      if (op.kind == Kind::IsNotSet) return on(m.src, m.dst) && on(m.dst, m.src);
      on(m.src, m.dst);
      on(m.dst, m.src);
      return true;
  }
  return false;
}

bool Detector::flowint(const FlowintOp& op, FlowBits* vars) {
  using Kind = FlowintOp::Kind;
  const std::optional<std::uint32_t> current = vars != nullptr ? vars->integer(op.id) : std::nullopt;
  if (op.kind == Kind::IsSet) return current.has_value();
  if (op.kind == Kind::NotSet) return !current.has_value();
  std::optional<std::uint32_t> operand = op.value;
  if (!op.value_name.empty()) operand = vars != nullptr ? vars->integer(op.value_id) : std::nullopt;
  if (!operand) return false;
  if (op.modifies()) {
    if (vars == nullptr) return true;  // flowless input: nothing to change
    const std::uint32_t base = current.value_or(0);
    vars->setInteger(op.id, op.kind == Kind::Assign ? *operand : op.kind == Kind::Add ? base + *operand : base - *operand);
    return true;
  }
  if (!current) return false;
  switch (op.kind) {
    case Kind::Equal: return *current == *operand;
    case Kind::NotEqual: return *current != *operand;
    case Kind::Less: return *current < *operand;
    case Kind::Greater: return *current > *operand;
    case Kind::LessEqual: return *current <= *operand;
    case Kind::GreaterEqual: return *current >= *operand;
    default: return false;
  }
}

}  // namespace gsoc::signatures

#pragma once
// A ruleset ready for matching: the parsed rules plus Hyperscan block-mode prefilter databases. A group is (protocol class, flow direction, buffer), as
// Suricata's signature groups; each rule is in exactly one group, through its fast pattern (a
// literal database), or its pcre (a regex database) when it has no content, or in the group's
// unprefiltered list when it has neither (IP-only, flowbits-only, dsize...). What is scanned is a
// merged scan group per (transport, app protocol, direction, buffer): the union of the groups
// that apply to such an input (ip, the transport and the app protocol, each for either and for
// this direction), so a buffer is scanned once, not once per group. Identical unions share one
// database. Immutable once
// built, so workers share it and a reload swaps the whole object.

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gsoc/signatures/AddressIndex.hpp"
#include "gsoc/signatures/Hyperscan.hpp"
#include "gsoc/signatures/Indicators.hpp"
#include "gsoc/signatures/Ruleset.hpp"

namespace gsoc::v1 {
class SignatureBundle;
}

namespace gsoc::signatures {

// Protocol classes: 0 ip (any transport), 1 tcp, 2 udp, 3 icmp, 4 sctp, then one per AppProto.
inline constexpr std::size_t kTransportClassCount = 5;
inline constexpr std::size_t kProtoClassCount = kTransportClassCount + kAppProtoCount;
inline constexpr std::size_t kDirectionCount = 3;  // FlowDirection

std::size_t protoClassOf(Transport transport);
std::size_t protoClassOf(AppProto app);
std::string protoClassName(std::size_t proto_class);

struct GroupDatabases {
  hs::SharedDatabase literals;
  hs::SharedDatabase regexes;
};

struct CompileStats {
  std::uint64_t databases = 0;
  std::uint64_t database_bytes = 0;
  std::uint64_t literal_patterns = 0;
  std::uint64_t regex_patterns = 0;         // compiled exactly
  std::uint64_t prefilter_patterns = 0;     // HS_FLAG_PREFILTER, confirmed by PCRE2
  std::uint64_t address_indexed_rules = 0;  // IP-only and similar, found by address lookup
  std::uint64_t unprefiltered_rules = 0;    // candidates for every input of their group
  std::uint64_t event_rules = 0;            // candidates only for inputs with their anomaly event
  std::uint64_t groups_from_cache = 0;
  double compile_seconds = 0;
  bool cache_hit = false;
  std::string cache_note;                   // why the cache was not used, if it was not
};

class CompiledRuleset {
 public:
  CompiledRuleset() = default;
  CompiledRuleset(const CompiledRuleset&) = delete;
  CompiledRuleset& operator=(const CompiledRuleset&) = delete;

  [[nodiscard]] const std::vector<Rule>& rules() const { return source_.rules; }
  [[nodiscard]] const Ruleset& source() const { return source_; }
  // Slot kPacketPayloadSlot holds the payload prefilters of rules that inspect packets only
  // (tcp-pkt, flow:no_stream): scanned for TCP packets whose payload the stream pass covers, so
  // the other payload rules are not scanned twice.
  static constexpr std::size_t kPacketPayloadSlot = kBufferCount;
  static constexpr std::size_t kGroupSlots = kBufferCount + 1;
  // The databases to scan for an input of this transport, app protocol and direction (ToServer
  // or ToClient) and a buffer slot. An app protocol not seen on that transport scans as None.
  [[nodiscard]] const GroupDatabases& scanGroup(Transport transport, AppProto app, FlowDirection dir, std::size_t slot) const {
    const auto t = static_cast<std::size_t>(transport);
    if (!appValidOn(transport, app)) app = AppProto::None;
    return scan_groups_[t][static_cast<std::size_t>(app)][dir == FlowDirection::ToClient ? 1 : 0][slot];
  }
  static bool appValidOn(Transport transport, AppProto app) {
    if (app == AppProto::None) return true;
    if (transport == Transport::Tcp) return true;
    // The protocols gsoc parses over UDP (LDAP as CLDAP; Kerberos 5 and IKE).
    return transport == Transport::Udp && (app == AppProto::Dns || app == AppProto::Sip || app == AppProto::Quic ||
                                           app == AppProto::Mdns || app == AppProto::Ldap ||
                                           // Kerberos 5, connectionless DCERPC, small UDP/ICS protocols
                                           app == AppProto::Krb5 || app == AppProto::Dcerpc || app == AppProto::Snmp ||
                                           app == AppProto::Tftp || app == AppProto::Dhcp || app == AppProto::Ike ||
                                           app == AppProto::Nfs ||
                                           app == AppProto::Ntp || app == AppProto::BittorrentDht);
  }
  // Rules with no buffer prefilter: the address-indexed ones (by source / destination side)
  // and the rest, which are candidates for every input of their group.
  [[nodiscard]] const std::vector<std::uint32_t>& unprefiltered(std::size_t proto_class, FlowDirection dir) const {
    return unprefiltered_[proto_class][static_cast<std::size_t>(dir)];
  }
  [[nodiscard]] const AddressIndex& sourceIndex(std::size_t proto_class, FlowDirection dir) const {
    return source_index_[proto_class][static_cast<std::size_t>(dir)];
  }
  [[nodiscard]] const AddressIndex& destinationIndex(std::size_t proto_class, FlowDirection dir) const {
    return destination_index_[proto_class][static_cast<std::size_t>(dir)];
  }
  // Rules with decode-event / stream-event / app-layer-event, by their first event: candidates
  // only for inputs that carry it, never scanned for or verified otherwise.
  [[nodiscard]] const std::vector<std::uint32_t>& eventRules(AnomalyEvent event) const {
    return event_rules_[static_cast<std::size_t>(event)];
  }
  // Verification order: flowbit setters before readers (as Suricata sorts), then rule order.
  [[nodiscard]] std::uint32_t order(std::uint32_t rule) const { return order_[rule]; }
  [[nodiscard]] std::size_t flowbitCount() const { return flowbit_names_.size(); }
  [[nodiscard]] const std::vector<std::string>& flowbitNames() const { return flowbit_names_; }
  [[nodiscard]] const IndicatorMatcher* indicators() const { return indicators_.get(); }
  // Whether anything here looks at a file's hashes (filemd5, filesha256, file hash datasets or
  // indicator lists, filestore as Suricata hashes stored files): otherwise the sensor need not
  // hash HTTP bodies at all.
  [[nodiscard]] bool needsFileHashes() const { return needs_file_hashes_; }
  [[nodiscard]] const CompileStats& stats() const { return stats_; }
  [[nodiscard]] const std::string& hash() const { return hash_; }
  [[nodiscard]] const std::string& databaseKey() const { return database_key_; }
  [[nodiscard]] const std::string& version() const { return version_; }
  // Every database, for scratch sizing and serialization.
  [[nodiscard]] std::vector<std::pair<std::string, const hs_database_t*>> databases() const;
  // Adds every database, the Hyperscan version and this CPU's platform (cache files, bundles).
  void serializeDatabases(gsoc::v1::SignatureBundle& out) const;

 private:
  friend class RuleCompiler;
  Ruleset source_;
  std::array<std::array<std::array<std::array<GroupDatabases, kGroupSlots>, 2>, kAppProtoCount>, kTransportClassCount> scan_groups_;
  std::vector<std::pair<std::string, hs::SharedDatabase>> databases_;  // distinct, named
  std::array<std::array<std::vector<std::uint32_t>, kDirectionCount>, kProtoClassCount> unprefiltered_;
  std::array<std::vector<std::uint32_t>, kAnomalyEventCount> event_rules_;
  std::array<std::array<AddressIndex, kDirectionCount>, kProtoClassCount> source_index_;
  std::array<std::array<AddressIndex, kDirectionCount>, kProtoClassCount> destination_index_;
  std::vector<std::uint32_t> order_;
  std::vector<std::string> flowbit_names_;
  std::unique_ptr<IndicatorMatcher> indicators_;
  bool needs_file_hashes_ = false;
  CompileStats stats_;
  std::string hash_;
  std::string database_key_;
  std::string version_;
};

using CompiledRulesetPtr = std::shared_ptr<const CompiledRuleset>;

}  // namespace gsoc::signatures

#pragma once
// The in-memory form of one signature after parsing: header (action, protocol, addresses, ports),
// per-buffer inspection lists (content, pcre, byte_test...), flow/flowbits/threshold state
// conditions and metadata. Everything is resolved at parse time (variables expanded, hex decoded,
// pcre compiled) so matching never re-interprets rule text.

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "gsoc/signatures/AnomalyEvent.hpp"
#include "gsoc/signatures/AppProto.hpp"
#include "gsoc/signatures/Buffer.hpp"
#include "gsoc/signatures/Checksum.hpp"
#include "gsoc/signatures/Dataset.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "gsoc/signatures/RuleVariables.hpp"

namespace gsoc::signatures {

enum class Action : std::uint8_t { Alert, Drop, Reject, Pass };

// Comparison used by bsize, dsize, urilen and friends: "N", "<N", ">N", "<=N", ">=N", "!N", "N<>M".
struct SizeCheck {
  enum class Op : std::uint8_t { Eq, NotEq, Lt, Gt, Le, Ge, Range };
  Op op = Op::Eq;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  [[nodiscard]] bool matches(std::uint64_t value) const {
    switch (op) {
      case Op::Eq: return value == a;
      case Op::NotEq: return value != a;
      case Op::Lt: return value < a;
      case Op::Gt: return value > a;
      case Op::Le: return value <= a;
      case Op::Ge: return value >= a;
      case Op::Range: return value > a && value < b;  // exclusive, as Suricata
    }
    return false;
  }
};

// byte_extract / byte_math results are rule variables: a keyword that takes a number may name
// one instead (`depth:len;`, `byte_test:2,=,val,0;`). kNoVariable, or the slot the value is in.
inline constexpr std::int8_t kNoVariable = -1;
inline constexpr std::size_t kMaxVariables = 16;

struct ContentMatch {
  std::string pattern;  // decoded bytes
  bool negated = false;
  bool nocase = false;
  bool startswith = false;
  bool endswith = false;
  bool fast_pattern = false;       // explicitly chosen
  bool fast_pattern_only = false;
  std::optional<std::pair<std::uint16_t, std::uint16_t>> fast_pattern_chop;  // offset, length
  std::optional<std::int32_t> offset;
  std::optional<std::int32_t> depth;
  std::optional<std::int32_t> distance;
  std::optional<std::int32_t> within;
  // Set when the modifier names a variable; the optional above then holds a placeholder 0.
  std::int8_t offset_var = kNoVariable;
  std::int8_t depth_var = kNoVariable;
  std::int8_t distance_var = kNoVariable;
  std::int8_t within_var = kNoVariable;
  [[nodiscard]] bool relative() const { return distance.has_value() || within.has_value(); }
};

// A compiled PCRE2 pattern, shared between copies of a rule.
struct CompiledRegex;
using CompiledRegexPtr = std::shared_ptr<const CompiledRegex>;

// A variable a pcre capture group names after the flags ("/(x)/,flow:name"). Parsed and
// checked against the pattern's groups; the sensor does not store or log the values yet.
struct PcreCapture {
  enum class Scope : std::uint8_t { Packet, Flow, Alert };
  Scope scope = Scope::Packet;
  std::string name;
};

struct PcreMatch {
  std::string source;          // the pattern between the slashes
  std::string flags;           // the flag letters as written
  bool negated = false;
  bool relative = false;       // R
  bool caseless = false;       // i
  bool dotall = false;         // s
  bool multiline = false;      // m
  bool extended = false;       // x
  bool anchored = false;       // A
  bool dollar_endonly = false; // E
  bool ungreedy = false;       // G
  CompiledRegexPtr regex;
  std::vector<PcreCapture> captures;  // one per capture group, in order; usually none
  // Set by the compiler when Hyperscan compiled this pattern exactly and the prefilter hit is
  // proof enough (the pattern is the only condition on its buffer).
  bool confirmed_by_prefilter = false;
};

enum class Endian : std::uint8_t { Big, Little };
enum class NumberBase : std::uint8_t { Binary, Hex, Dec, Oct };  // Binary: raw bytes

struct ByteTest {
  std::uint8_t bytes = 1;
  enum class Op : std::uint8_t { Lt, Gt, Le, Ge, Eq, And, Or } op = Op::Eq;
  bool negated = false;
  std::uint64_t value = 0;
  std::int32_t offset = 0;
  bool relative = false;
  Endian endian = Endian::Big;
  NumberBase base = NumberBase::Binary;
  std::optional<std::uint64_t> bitmask;
  std::int8_t value_var = kNoVariable;
  std::int8_t offset_var = kNoVariable;
};

struct ByteJump {
  std::uint8_t bytes = 1;
  std::int32_t offset = 0;
  bool relative = false;
  std::uint32_t multiplier = 1;
  Endian endian = Endian::Big;
  NumberBase base = NumberBase::Binary;
  bool align = false;
  bool from_beginning = false;
  bool from_end = false;
  std::int32_t post_offset = 0;
  std::optional<std::uint64_t> bitmask;
  std::int8_t offset_var = kNoVariable;
  std::int8_t bytes_var = kNoVariable;  // Suricata 8: the byte count from a byte_extract variable
};

struct IsDataAt {
  std::uint32_t position = 0;
  bool relative = false;
  bool negated = false;
  std::int8_t position_var = kNoVariable;
};

// byte_extract: reads a number into variable `var`; the cursor moves past the bytes read.
struct ByteExtract {
  std::uint8_t bytes = 1;
  std::int32_t offset = 0;
  bool relative = false;
  std::uint32_t multiplier = 1;
  std::uint8_t align = 0;  // 0, 2 or 4: the value rounded up to a multiple
  Endian endian = Endian::Big;
  NumberBase base = NumberBase::Binary;
  std::optional<std::uint64_t> bitmask;
  std::int8_t var = 0;
};

// byte_math: reads a number, combines it with `rvalue` and stores the result in `var`; the
// cursor moves past the bytes read (Suricata). Division by zero does not match.
struct ByteMath {
  enum class Op : std::uint8_t { Add, Sub, Mul, Div, Shl, Shr };
  std::uint8_t bytes = 1;
  std::int8_t bytes_var = kNoVariable;
  std::int32_t offset = 0;
  bool relative = false;
  Op op = Op::Add;
  std::uint64_t rvalue = 0;
  std::int8_t rvalue_var = kNoVariable;
  Endian endian = Endian::Big;
  NumberBase base = NumberBase::Binary;
  std::optional<std::uint64_t> bitmask;
  std::int8_t var = 0;
};

struct BufferInspection;

// base64_decode: decodes base64 at the cursor (`relative`) or the buffer start, plus `offset`,
// at most `bytes` input bytes (0: to the end); the keywords after `base64_data` inspect the
// decoded bytes. As in Suricata the decoded inspection ends the list it is in.
struct Base64Decode {
  std::uint32_t bytes = 0;
  std::uint32_t offset = 0;
  bool relative = false;
  std::shared_ptr<const BufferInspection> data;  // the base64_data keywords; null when none
};

// What a `dataset` or `datarep` keyword asks of its dataset, as written in the rule: the
// loader (RulesetLoader, through a DatasetRegistry) resolves it to the shared set.
struct DatasetDefinition {
  std::optional<DatasetType> type;
  std::string load;   // file to read at start-up: relative to the rule file's folder
  std::string save;   // file to write at exit: relative to the data directory
  bool state = false; // `state FILE`: load and save are the same file, in the data directory
  std::uint64_t memcap = 0;
  std::uint32_t hashsize = 0;
  DatasetFormat format = DatasetFormat::Csv;
  std::string value_key;  // JSON formats: where the value is
  std::string array_key;  // format json: where the array of objects is (default: the document)
  // datajson: each value keeps its JSON object, added to alerts under this key (without the
  // value's own key when remove_key).
  std::string context_key;
  bool remove_key = false;
};

// dataset:<set|unset|isset|isnotset>,<name>[, options] and datarep:<name>,<op>,<value>[, options]
// on the whole (transformed) buffer. `set`/`unset` match when they changed the set, as Suricata's.
struct DatasetMatch {
  enum class Op : std::uint8_t { Set, Unset, IsSet, IsNotSet, Reputation };
  enum class Compare : std::uint8_t { Greater, Less, GreaterEqual, LessEqual, Equal };
  Op op = Op::IsSet;
  Compare compare = Compare::Equal;  // datarep
  std::uint16_t reputation = 0;      // datarep
  bool match_subdomain = false;      // `match subdomain`: any '.'-suffix of the buffer may be in the set
  std::uint32_t offset = 0;          // of the keyword's value in the rule text, for load errors
  std::string name;
  std::shared_ptr<const DatasetDefinition> definition;
  std::shared_ptr<Dataset> set;      // resolved by the loader; null until then (never matches)
};

using InspectItem = std::variant<ContentMatch, PcreMatch, ByteTest, ByteJump, IsDataAt, ByteExtract, ByteMath, Base64Decode,
                                 DatasetMatch>;

// A Suricata transform: rewrites a sticky buffer before the keywords after it inspect it
// (`dns.query; dotprefix; content:".example.com"; endswith;`). Transforms chain in rule order,
// each one's output the next one's input (Transform.hpp applies them).
struct Transform {
  enum class Kind : std::uint8_t {
    DotPrefix,           // "." + buffer
    ToLowercase,         // ASCII
    ToUppercase,
    StripWhitespace,     // drops every isspace() byte
    CompressWhitespace,  // each run of whitespace becomes its first byte
    UrlDecode,           // %XX and '+'
    ToMd5,               // raw digests, not hex
    ToSha1,
    ToSha256,
    Xor,                 // byte i ^ key[i % key size]
    PcreXform,           // the pattern's one capture group, buffer unchanged without a match
    HeaderLowercase,     // header names (before ':' on each line) lowercased
    StripPseudoHeaders,  // drops lines starting with ':' (HTTP/2 pseudo-headers)
    FromBase64,          // decodes `size` bytes (0: all) from `offset` in `mode`; unchanged when nothing decodes
    Gunzip,              // gzip member, at most `size` bytes out; empty when it does not inflate
    ZlibDeflate,         // zlib stream, likewise
    Domain,              // the registrable domain (public suffix plus one label), lowercased
    Tld,                 // the public suffix ("co.uk"), lowercased
  };
  enum class Base64Mode : std::uint8_t { Rfc4648, Rfc2045, Strict };
  Kind kind = Kind::DotPrefix;
  std::string argument;       // xor: the key bytes; pcrexform: the pattern
  CompiledRegexPtr regex;     // pcrexform
  std::uint32_t size = 0;     // from_base64: input bytes; gunzip/zlib_deflate: max output bytes
  std::uint32_t offset = 0;   // from_base64
  Base64Mode mode = Base64Mode::Rfc4648;
  [[nodiscard]] bool operator==(const Transform& o) const {
    return kind == o.kind && argument == o.argument && size == o.size && offset == o.offset && mode == o.mode;
  }
};
using TransformChain = std::vector<Transform>;

// Everything a rule asks of one buffer, in rule order (order matters for relative modifiers).
// An inspection is keyed by buffer and transform chain: `http.uri; content:"a"; http.uri;
// to_lowercase; content:"b";` inspects the raw URI for "a" and its lowercase form for "b".
struct BufferInspection {
  BufferId buffer = BufferId::Payload;
  TransformChain transforms;
  std::vector<InspectItem> items;
  std::optional<SizeCheck> size;  // bsize (and urilen on http.uri), of the transformed buffer
  // A header multi-buffer (http.request_header, http.response_header) named again starts a new
  // inspection, which any instance may satisfy on its own (Suricata 7's multi-buffer matching).
  std::uint8_t occurrence = 0;
  // `absent`: the inspection holds only when the transaction has no such buffer (Only), or
  // either when it has none or when the keywords after `absent: or_else` match (OrElse).
  enum class Absent : std::uint8_t { No, Only, OrElse };
  Absent absent = Absent::No;
  // Transactional (`=>`) rules: the direction of the transaction this inspection is on, from
  // the buffer (http.uri: to_server) or the keyword's own `to_client`/`to_server`
  // (`http.connection: to_client`). Any in other rules.
  FlowDirection side = FlowDirection::Any;
};

// stream_size: bytes seen so far on the TCP stream of one or both sides.
struct StreamSizeCondition {
  enum class Side : std::uint8_t { Server, Client, Both, Either };
  Side side = Side::Either;
  SizeCheck check;
};

// flow.pkts / flow.bytes: the flow's packets or bytes (frames' lengths) so far, this packet
// included, in one direction or either.
struct FlowCounterCondition {
  enum class Counter : std::uint8_t { Packets, Bytes };
  enum class Side : std::uint8_t { ToServer, ToClient, Either };
  Counter counter = Counter::Packets;
  Side side = Side::Either;
  SizeCheck check;
};

struct FlowCondition {
  FlowDirection direction = FlowDirection::Any;
  std::optional<StreamSizeCondition> stream_size;
  std::vector<FlowCounterCondition> counters;  // packet inputs only
  std::optional<SizeCheck> age;                // flow.age: whole seconds since the flow's first packet
  bool established = false;
  bool not_established = false;
  bool stateless = false;
  bool only_stream = false;
  bool no_stream = false;
};

struct FlowbitOp {
  enum class Kind : std::uint8_t { Set, Unset, Toggle, IsSet, IsNotSet };
  Kind kind = Kind::Set;
  std::vector<std::string> names;  // several with `|` (any) or `&` (all)
  bool any_of = false;             // `|` form
  std::vector<std::uint32_t> ids;  // assigned by the compiler
};

// flowint: a per-flow unsigned 32-bit integer, as Suricata's. Modifiers (+, -, =) change it when
// the rule gets to them (even if a later condition fails, as in Suricata); the others are
// conditions. A missing integer counts as 0 for + and -, and fails every comparison.
struct FlowintOp {
  enum class Kind : std::uint8_t { Add, Subtract, Assign, Equal, NotEqual, Less, Greater, LessEqual, GreaterEqual, IsSet, NotSet };
  Kind kind = Kind::Add;
  std::string name;
  std::uint32_t value = 0;
  std::string value_name;  // the operand is another flowint (then `value` is unused)
  std::uint32_t id = 0;        // assigned by the compiler
  std::uint32_t value_id = 0;  // of value_name
  [[nodiscard]] bool modifies() const { return kind == Kind::Add || kind == Kind::Subtract || kind == Kind::Assign; }
};

// xbits / hostbits: a bit on the packet's source or destination host, or on the pair, that
// outlives the flow and expires `expire_s` seconds of packet time after it was set.
struct HostbitOp {
  enum class Kind : std::uint8_t { Set, Unset, Toggle, IsSet, IsNotSet };
  enum class Track : std::uint8_t { Src, Dst, Pair, Both };  // Both: hostbits' either end
  Kind kind = Kind::Set;
  Track track = Track::Src;
  std::string name;
  std::uint32_t expire_s = 30;
  std::uint32_t id = 0;  // assigned by the compiler (one namespace for xbits and hostbits)
  [[nodiscard]] bool checks() const { return kind == Kind::IsSet || kind == Kind::IsNotSet; }
};

// dcerpc.iface (dce_iface): the DCERPC transaction is a request on a context the connection bound
// to this interface and the server accepted, from a BIND whose first fragment flag was set
// unless `any_frag`; `version`, when given, compares the interface's major version.
struct DceIfaceCondition {
  std::array<std::uint8_t, 16> uuid{};  // in the order of its text form
  std::optional<SizeCheck> version;
  bool any_frag = false;
};

// dcerpc.opnum (dce_opnum): the request's operation number is in one of the ranges (a single
// number is a range of one), or, written as a comparison (">3"), passes it.
struct DceOpnumCondition {
  std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges;
  std::optional<SizeCheck> compare;
};

// app-layer-protocol: the flow's detected protocol is (or, negated, is known and is not) one of these.
struct AppProtocolCondition {
  std::vector<AppProto> protocols;
  bool negated = false;
  // `app-layer-protocol:http1,to_server`: the protocol one direction's data was detected as
  // (PacketMeta::app_to_server / app_to_client); Any: the flow's protocol.
  FlowDirection side = FlowDirection::Any;
};

struct Threshold {
  // Backoff (by_flow only): reports the count-th match, then each time the matches reach the
  // previous mark times `multiplier` (count 3, multiplier 2: the 3rd, 6th, 12th...).
  enum class Type : std::uint8_t { Limit, Threshold, Both, DetectionFilter, Backoff };
  // ByFlow: the connection's addresses, ports and protocol, either direction.
  enum class Track : std::uint8_t { BySrc, ByDst, ByRule, ByBoth, ByFlow };
  Type type = Type::Limit;
  Track track = Track::BySrc;
  std::uint32_t count = 1;
  std::uint32_t seconds = 60;
  std::uint32_t multiplier = 0;  // backoff
};

// `tag`: after the rule alerts, the following packets of its session, or of one of its hosts
// (either direction), are tagged for logging until `count` packets, bytes or seconds pass.
struct Tag {
  enum class Scope : std::uint8_t { Session, Host };
  enum class Metric : std::uint8_t { Packets, Bytes, Seconds };
  static constexpr std::uint32_t kDefaultPackets = 256;  // Suricata's, when no count is given
  Scope scope = Scope::Session;
  Metric metric = Metric::Packets;
  std::uint32_t count = kDefaultPackets;
  bool host_is_src = false;  // host scope: the alerting packet's source, else its destination
};

// vlan.id (helper-decode): a VLAN id condition on one layer (0 outermost, -1 innermost), on any
// layer, or on all of them. A packet without VLAN tags never matches.
struct VlanIdCheck {
  static constexpr int kAny = -100;
  static constexpr int kAll = -101;
  SizeCheck id;
  int layer = kAny;
};

// Packet-header conditions (checked only when the input carries a packet, not a transaction).
struct HeaderCondition {
  std::optional<SizeCheck> dsize;
  std::optional<SizeCheck> itype;
  std::optional<SizeCheck> icode;
  std::optional<SizeCheck> ttl;
  std::optional<SizeCheck> tcp_mss;  // the MSS option of the TCP header; absent: no match
  // icmp_id / icmp_seq: identifier and sequence of ICMP messages that carry them (echo and
  // echo reply, timestamp, information and address-mask requests and replies; ICMPv6 echo).
  std::optional<SizeCheck> icmp_id;
  std::optional<SizeCheck> icmp_seq;
  std::optional<std::uint8_t> ip_proto;
  bool ip_proto_negated = false;
  // TCP flags: all of `required` set, none of `forbidden`, ignoring `ignored`. `any_of` for '*',
  // `exact` for plain lists (Snort semantics: exactly these, modulo ignored).
  std::uint8_t flags_required = 0;
  std::uint8_t flags_ignored = 0;
  std::uint8_t flags_forbidden = 0;
  bool flags_set = false;
  bool flags_any = false;
  bool flags_exact = false;
  // helper-decode: vlan.id and vlan.layers
  std::optional<VlanIdCheck> vlan_id;
  std::optional<SizeCheck> vlan_layers;
  std::vector<ChecksumCondition> checksums;  // ipv4-csum, tcpv4-csum...: each must hold
  std::optional<SizeCheck> icmpv6_mtu;  // of an ICMPv6 Packet Too Big message; other packets never match
  // seq / ack: the TCP header's sequence and acknowledgment numbers; other packets never match
  std::optional<SizeCheck> tcp_seq;
  std::optional<SizeCheck> tcp_ack;
  [[nodiscard]] bool empty() const {
    return !dsize && !itype && !icode && !ttl && !tcp_mss && !icmp_id && !icmp_seq && !ip_proto && !flags_set && !vlan_id &&
           !vlan_layers && checksums.empty() && !icmpv6_mtu && !tcp_seq && !tcp_ack;
  }
};

struct Rule {
  // header
  Action action = Action::Alert;
  Transport transport = Transport::Any;
  AppProto app = AppProto::None;
  bool packet_only = false;   // tcp-pkt
  bool stream_only = false;   // tcp-stream
  std::uint8_t ip_version = 0;  // ipv4/ipv6 (ip4/ip6): only packets of that family; 0 any
  AddressSet src;
  AddressSet dst;
  PortSet src_ports;
  PortSet dst_ports;
  bool bidirectional = false;  // <>
  // `=>` (Suricata 8's transactional rules): one transaction's request and response together.
  // The loader splits such a rule in two (Ruleset.cpp): a Request half, which never alerts and
  // marks the transaction in the flow when its to_server inspections hold, and right after it a
  // Response half with the to_client inspections, which alerts only on a marked transaction.
  bool transactional = false;
  enum class TxHalf : std::uint8_t { None, Request, Response };
  TxHalf tx_half = TxHalf::None;

  // meta
  std::uint32_t gid = 1;
  std::uint32_t sid = 0;
  std::uint32_t rev = 0;
  std::string msg;
  std::string classtype;
  std::uint8_t priority = 3;
  bool priority_explicit = false;
  std::vector<std::string> references;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::string target;  // "src_ip" / "dest_ip"

  // conditions
  FlowCondition flow;
  std::vector<FlowbitOp> flowbits;
  std::vector<FlowintOp> flowints;  // in rule order
  std::vector<AppProtocolCondition> app_protocols;  // every one must hold
  std::vector<HostbitOp> hostbits;
  bool noalert = false;
  // `bypass`: once the rule matches, the rest of the flow is counted but not inspected (Suricata's
  // local bypass; EVE flow state "bypassed").
  bool bypass = false;
  std::optional<Threshold> threshold;
  std::optional<Threshold> detection_filter;
  std::vector<Tag> tags;
  HeaderCondition header;
  std::optional<std::uint16_t> tls_version;  // tls.version: record version, 0x0301 = TLS 1.0
  // Transaction facts (MatchInput.hpp TransactionFacts): every one must hold.
  std::vector<DceIfaceCondition> dce_ifaces;
  std::vector<DceOpnumCondition> dce_opnums;
  std::optional<std::uint8_t> smb_version;  // smb.version: 1 or 2, of the SMB transaction
  std::vector<BufferInspection> inspections;
  // decode-event / stream-event / app-layer-event: every one must be on the input. A rule that
  // names an event gsoc never raises loads (as in Suricata) but can never match.
  std::vector<AnomalyEvent> events;
  bool names_unraised_event = false;

  // derived at parse time
  bool inspects_payload = false;  // has a packet/stream payload inspection
  // has an inspection of any other buffer (http.uri, dns.query...) or tests a transaction's
  // facts (hasTransactionFacts): it is evaluated on transactions only
  bool inspects_app_buffer = false;
  bool filestore = false;  // `filestore`: Suricata then hashes (SHA-256) every file the rule matches on
  // No payload, app-layer, packet-field, flow or flowbits conditions: Suricata evaluates such
  // "IP-only" rules once per flow direction, not on every packet.
  bool ip_only = false;

  // where it came from
  std::string file;
  std::uint32_t line = 0;
  std::string text;

  [[nodiscard]] bool hasTransactionFacts() const { return !dce_ifaces.empty() || !dce_opnums.empty() || smb_version.has_value(); }
  [[nodiscard]] BufferInspection* findInspection(BufferId id, const TransformChain& transforms = {}, std::uint8_t occurrence = 0,
                                                 FlowDirection side = FlowDirection::Any) {
    for (auto& insp : inspections) {
      if (insp.buffer == id && insp.transforms == transforms && insp.occurrence == occurrence && insp.side == side) return &insp;
    }
    return nullptr;
  }
  // Flow variables read (flowbits isset/isnotset, flowint conditions) and written.
  [[nodiscard]] bool checksFlowbits() const {
    for (const auto& op : flowbits) {
      if (op.kind == FlowbitOp::Kind::IsSet || op.kind == FlowbitOp::Kind::IsNotSet) return true;
    }
    for (const auto& op : flowints) {
      if (!op.modifies() || !op.value_name.empty()) return true;
    }
    return std::any_of(hostbits.begin(), hostbits.end(), [](const HostbitOp& op) { return op.checks(); });
  }
  [[nodiscard]] bool changesFlowbits() const {
    for (const auto& op : flowbits) {
      if (op.kind == FlowbitOp::Kind::Set || op.kind == FlowbitOp::Kind::Unset || op.kind == FlowbitOp::Kind::Toggle)
        return true;
    }
    for (const auto& op : flowints) {
      if (op.modifies()) return true;
    }
    return std::any_of(hostbits.begin(), hostbits.end(), [](const HostbitOp& op) { return !op.checks(); });
  }
};

}  // namespace gsoc::signatures

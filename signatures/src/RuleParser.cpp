#include "gsoc/signatures/RuleParser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <functional>
#include <limits>

#include "gsoc/signatures/Frame.hpp"
#include "gsoc/signatures/LdapNames.hpp"
#include "gsoc/signatures/Dnp3Names.hpp"
#include "gsoc/signatures/Krb5Names.hpp"
#include "gsoc/signatures/PublicSuffixList.hpp"
#include "gsoc/signatures/Regex.hpp"
#include "gsoc/signatures/RuleRequirements.hpp"
#include "gsoc/signatures/Transform.hpp"

namespace gsoc::signatures {

std::string_view appProtoName(AppProto proto) {
  switch (proto) {
    case AppProto::None: return "";
    case AppProto::Http: return "http";
    case AppProto::Dns: return "dns";
    case AppProto::Tls: return "tls";
    case AppProto::Smtp: return "smtp";
    case AppProto::Ftp: return "ftp";
    case AppProto::FtpData: return "ftp-data";
    case AppProto::Smb: return "smb";
    case AppProto::Ssh: return "ssh";
    case AppProto::Dcerpc: return "dcerpc";
    case AppProto::Mqtt: return "mqtt";
    case AppProto::Sip: return "sip";
    case AppProto::Ldap: return "ldap";
    case AppProto::Quic: return "quic";
    case AppProto::Mdns: return "mdns";
    case AppProto::Websocket: return "websocket";
    // PostgreSQL, RFB, POP3 and IMAP
    case AppProto::Pgsql: return "pgsql";
    case AppProto::Rfb: return "rfb";
    case AppProto::Pop3: return "pop3";
    case AppProto::Imap: return "imap";
    case AppProto::Dnp3: return "dnp3";
    case AppProto::Krb5: return "krb5";
    // HTTP/2
    case AppProto::Http2: return "http2";
    case AppProto::Doh2: return "doh2";
    case AppProto::Http1: return "http1";
    // Small UDP/ICS protocols
    case AppProto::Snmp: return "snmp";
    case AppProto::Tftp: return "tftp";
    case AppProto::Dhcp: return "dhcp";
    case AppProto::Ike: return "ike";
    case AppProto::Nfs: return "nfs";
    case AppProto::Enip: return "enip";
    case AppProto::Modbus: return "modbus";
    case AppProto::Ntp: return "ntp";
    case AppProto::Rdp: return "rdp";
    case AppProto::BittorrentDht: return "bittorrent-dht";
    case AppProto::Count_: break;
  }
  return "";
}

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Splits "a, b ,c" on commas, trimming each part.
// The protocols a rule header may name, and what each binds the rule to.
struct ProtocolName {
  const char* name;
  Transport transport;
  AppProto app;
};
constexpr ProtocolName kProtocols[] = {
    {"ip", Transport::Any, AppProto::None},       {"pkthdr", Transport::Any, AppProto::None},
    {"tcp", Transport::Tcp, AppProto::None},      {"tcp-pkt", Transport::Tcp, AppProto::None},
    {"tcp-stream", Transport::Tcp, AppProto::None}, {"udp", Transport::Udp, AppProto::None},
    {"icmp", Transport::Icmp, AppProto::None},    {"icmpv4", Transport::Icmp, AppProto::None},
    {"icmpv6", Transport::Icmp, AppProto::None},  {"sctp", Transport::Sctp, AppProto::None},
    {"http", Transport::Tcp, AppProto::Http},
    {"dns", Transport::Any, AppProto::Dns},
    {"tls", Transport::Tcp, AppProto::Tls},       {"ssl", Transport::Tcp, AppProto::Tls},
    {"smtp", Transport::Tcp, AppProto::Smtp},     {"ftp", Transport::Tcp, AppProto::Ftp},
    {"ftp-data", Transport::Tcp, AppProto::FtpData}, {"smb", Transport::Tcp, AppProto::Smb},
    {"ssh", Transport::Tcp, AppProto::Ssh},       {"dcerpc", Transport::Tcp, AppProto::Dcerpc},
    {"websocket", Transport::Tcp, AppProto::Websocket},
    {"mqtt", Transport::Tcp, AppProto::Mqtt},     {"sip", Transport::Any, AppProto::Sip},
    {"ldap", Transport::Any, AppProto::Ldap},
    {"quic", Transport::Udp, AppProto::Quic},
    {"mdns", Transport::Udp, AppProto::Mdns},
    // PostgreSQL, RFB, POP3 and IMAP
    {"pgsql", Transport::Tcp, AppProto::Pgsql},
    {"rfb", Transport::Tcp, AppProto::Rfb},
    {"pop3", Transport::Tcp, AppProto::Pop3},
    {"imap", Transport::Tcp, AppProto::Imap},
    // DNP3
    {"dnp3", Transport::Tcp, AppProto::Dnp3},
    // Kerberos 5
    {"krb5", Transport::Any, AppProto::Krb5},
    // HTTP/2
    {"http1", Transport::Tcp, AppProto::Http1},
    {"http2", Transport::Tcp, AppProto::Http2},   {"doh2", Transport::Tcp, AppProto::Doh2},
    // Small UDP/ICS protocols
    {"snmp", Transport::Udp, AppProto::Snmp},
    {"tftp", Transport::Udp, AppProto::Tftp},
    {"dhcp", Transport::Udp, AppProto::Dhcp},
    // IKE
    {"ike", Transport::Udp, AppProto::Ike},
    {"ikev2", Transport::Udp, AppProto::Ike},
    // NFS
    {"nfs", Transport::Any, AppProto::Nfs},
    // EtherNet/IP (TCP and UDP) and Modbus/TCP
    {"enip", Transport::Any, AppProto::Enip},
    {"modbus", Transport::Tcp, AppProto::Modbus},
    // NTP, RDP, BitTorrent DHT
    {"ntp", Transport::Udp, AppProto::Ntp},
    {"rdp", Transport::Tcp, AppProto::Rdp},
    {"bittorrent-dht", Transport::Udp, AppProto::BittorrentDht},
};

// One "key value" part of an option list (`bytes 4`, `track ip_src`): the key and its trimmed
// value, which is empty for a bare word (`relative`).
std::pair<std::string_view, std::string_view> keyAndValue(std::string_view part) {
  const std::size_t space = part.find_first_of(" \t");
  if (space == std::string_view::npos) return {part, {}};
  return {part.substr(0, space), trim(part.substr(space))};
}

std::vector<std::string_view> splitList(std::string_view s, char sep = ',') {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = s.find(sep, start);
    parts.push_back(trim(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start)));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return parts;
}

struct Option {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
  std::size_t offset = 0;        // of the option name in the rule text
  std::size_t value_offset = 0;  // of the value
};

// One parse of one rule: holds the cursor state that keywords depend on (current sticky buffer,
// the last content for modifiers).
class RuleBuilder {
 public:
  RuleBuilder(const RuleVariables& vars, std::string_view text, std::vector<std::string>* warnings)
      : vars_(vars), text_(text), warnings_(warnings) {}

  Rule build() {
    rule_.text = std::string(trim(text_));
    checkRequirements();
    const std::size_t open = parseHeader();
    const std::vector<Option> options = splitOptions(open);
    for (const Option& option : options) apply(option);
    finish();
    return std::move(rule_);
  }

 private:
  [[noreturn]] void fail(std::size_t offset, const std::string& reason, const std::string& message) const {
    throw RuleParseError(offset, reason, message);
  }
  [[noreturn]] void failValue(const Option& o, const std::string& message) const {
    fail(o.value_offset, "invalid value for '" + std::string(o.name) + "'", std::string(o.name) + ": " + message);
  }

  // ---- header -------------------------------------------------------------------------------

  std::size_t parseHeader() {
    std::size_t pos = 0;
    struct Token {
      std::string_view text;
      std::size_t offset;
    };
    std::vector<Token> tokens;
    while (tokens.size() < 7) {
      while (pos < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos]))) ++pos;
      if (pos >= text_.size() || text_[pos] == '(') break;
      const std::size_t start = pos;
      int depth = 0;
      while (pos < text_.size()) {
        const char c = text_[pos];
        if (c == '[') ++depth;
        if (c == ']') --depth;
        if (depth == 0 && (std::isspace(static_cast<unsigned char>(c)) || c == '(')) break;
        ++pos;
      }
      tokens.push_back({text_.substr(start, pos - start), start});
    }
    while (pos < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos]))) ++pos;
    if (tokens.size() != 7 || pos >= text_.size() || text_[pos] != '(') {
      fail(pos, "syntax", "expected header 'action proto src sport -> dst dport (' before the options");
    }

    const std::string action = lower(tokens[0].text);
    if (action == "alert") rule_.action = Action::Alert;
    else if (action == "drop") rule_.action = Action::Drop;
    else if (action == "pass") rule_.action = Action::Pass;
    else if (action == "reject" || action == "rejectsrc" || action == "rejectdst" || action == "rejectboth")
      rule_.action = Action::Reject;
    else fail(tokens[0].offset, "unknown action", "unknown action '" + std::string(tokens[0].text) + "'");

    parseProtocol(lower(tokens[1].text), tokens[1].offset);

    const std::string_view dir = tokens[4].text;
    if (dir == "<>") rule_.bidirectional = true;
    else if (dir == "=>") rule_.transactional = true;
    else if (dir != "->") fail(tokens[4].offset, "syntax", "expected '->', '<>' or '=>', got '" + std::string(dir) + "'");

    rule_.src = addresses(tokens[2].text, tokens[2].offset);
    rule_.src_ports = ports(tokens[3].text, tokens[3].offset);
    rule_.dst = addresses(tokens[5].text, tokens[5].offset);
    rule_.dst_ports = ports(tokens[6].text, tokens[6].offset);
    return pos;
  }

  void parseProtocol(const std::string& proto, std::size_t offset) {
    for (const ProtocolName& e : kProtocols) {
      if (proto == e.name) {
        rule_.transport = e.transport;
        rule_.app = e.app;
        rule_.packet_only = proto == "tcp-pkt";
        rule_.stream_only = proto == "tcp-stream";
        return;
      }
    }
    if (proto == "ipv4" || proto == "ip4" || proto == "ipv6" || proto == "ip6") {
      rule_.ip_version = proto.find('4') != std::string::npos ? 4 : 6;  // as "ip", of one family
      return;
    }
    // A protocol Suricata knows but gsoc does not parse is unsupported; any other name is a
    // mistake in the rule (Suricata refuses it too), which operators want told apart.
    static constexpr std::string_view kSuricataProtocols[] = {
        "http2", "doh2", "imap", "pop3", "modbus", "enip", "dnp3", "nfs", "ntp", "tftp", "ike", "ikev2",
        "krb5", "quic", "dhcp", "snmp", "rfb", "pgsql", "telnet", "rdp", "bittorrent-dht",
        "mdns", "template", "irc", "jabber", "pkthdr", "ether", "arp", "http-any"};
    const std::string_view base = std::string_view(proto).substr(0, proto.find(':'));  // rule hooks: "tls:client_hello_done"
    const bool known = base != proto || std::find(std::begin(kSuricataProtocols), std::end(kSuricataProtocols), base) !=
                                            std::end(kSuricataProtocols);
    if (!known) fail(offset, "unknown protocol", "unknown protocol '" + proto + "'");
    fail(offset, "unsupported protocol '" + proto + "'", "unsupported protocol '" + proto + "'");
  }

  AddressSet addresses(std::string_view text, std::size_t offset) const {
    try {
      return vars_.parseAddresses(text);
    } catch (const ExpressionError& e) {
      fail(offset + std::min(e.offset(), text.size()), "bad address", e.what());
    }
  }

  PortSet ports(std::string_view text, std::size_t offset) const {
    try {
      return vars_.parsePorts(text);
    } catch (const ExpressionError& e) {
      fail(offset + std::min(e.offset(), text.size()), "bad port", e.what());
    }
  }

  // ---- requires -----------------------------------------------------------------------------

  // As Suricata: `requires` is evaluated before anything else in the rule is parsed, so a rule
  // for a newer engine may use a header or keywords this one does not know.
  void checkRequirements() {
    const std::size_t open = text_.find('(');
    if (open == std::string_view::npos || text_.find("requires") == std::string_view::npos) return;
    std::vector<Option> options;
    try {
      options = splitOptions(open);
    } catch (const RuleParseError&) {
      return;  // the full parse reports it
    }
    for (const Option& o : options) {
      if (o.name != "requires") continue;
      requireValue(o);
      RequirementContext context;
      context.has_keyword = [this](std::string_view keyword) { return knownKeyword(keyword); };
      try {
        if (const auto unmet = unmetRequirement(o.value, context)) throw RuleSkipped(*unmet);
      } catch (const RequirementSyntaxError& e) {
        fail(o.value_offset + e.offset(), "invalid value for 'requires'", e.what());
      }
    }
  }

  // Whether the rule language has `keyword`: a probe rule fails for any other reason than an
  // unsupported keyword when it does (a keyword may need a value or a buffer before it).
  [[nodiscard]] bool knownKeyword(std::string_view keyword) const {
    if (keyword.empty() || keyword.find_first_of(";()\"") != std::string_view::npos) return false;
    const std::string probe = "alert ip any any -> any any (" + std::string(keyword) + "; sid:1;)";
    try {
      (void)RuleBuilder(vars_, probe, nullptr).build();
    } catch (const RuleParseError& e) {
      return e.reason() != "unsupported keyword '" + std::string(keyword) + "'";
    }
    return true;
  }

  // ---- option splitting ---------------------------------------------------------------------

  std::vector<Option> splitOptions(std::size_t open) {
    std::size_t close = text_.size();
    while (close > open && std::isspace(static_cast<unsigned char>(text_[close - 1]))) --close;
    if (close == open || text_[close - 1] != ')') fail(close, "syntax", "rule options must end with ')'");
    --close;
    std::vector<Option> options;
    std::size_t pos = open + 1;
    while (pos < close) {
      while (pos < close && std::isspace(static_cast<unsigned char>(text_[pos]))) ++pos;
      if (pos >= close) break;
      const std::size_t start = pos;
      // As Suricata: an option ends at the first ';' not escaped by a backslash, quotes or not
      // (a pcre like "/^["']?x/" holds a bare quote).
      while (pos < close) {
        const char c = text_[pos];
        if (c == '\\' && pos + 1 < close) {
          pos += 2;
          continue;
        }
        if (c == ';') break;
        ++pos;
      }
      if (pos >= close) {
        fail(start, "syntax", "option '" + std::string(trim(text_.substr(start, pos - start))) + "' is not terminated by ';'");
      }
      const std::string_view raw = text_.substr(start, pos - start);
      Option option;
      option.offset = start;
      const std::size_t colon = raw.find(':');
      if (colon == std::string_view::npos) {
        option.name = trim(raw);
      } else {
        option.name = trim(raw.substr(0, colon));
        option.has_value = true;
        std::size_t v = colon + 1;
        while (v < raw.size() && std::isspace(static_cast<unsigned char>(raw[v]))) ++v;
        option.value = trim(raw.substr(colon + 1));
        option.value_offset = start + v;
      }
      options.push_back(option);
      ++pos;  // ';'
    }
    return options;
  }

  // ---- option handling ----------------------------------------------------------------------

  std::string unquote(const Option& o) const {
    std::string_view v = o.value;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '\\' && i + 1 < v.size()) ++i;
      out.push_back(v[i]);
    }
    return out;
  }

  std::int64_t integer(const Option& o, std::string_view text, std::int64_t min, std::int64_t max) const {
    text = trim(text);
    std::int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      // hex (0x..) is accepted by byte_test values
      if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        const auto [p2, e2] = std::from_chars(text.data() + 2, text.data() + text.size(), value, 16);
        if (e2 == std::errc() && p2 == text.data() + text.size() && value >= min && value <= max) return value;
      }
      failValue(o, "expected a number, got '" + std::string(text) + "'");
    }
    if (value < min || value > max) {
      failValue(o, std::to_string(value) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    return value;
  }

  void requireValue(const Option& o) const {
    if (!o.has_value || o.value.empty()) failValue(o, "a value is required");
  }

  // An inspection is identified by its buffer and transform chain; `base64` is the base64_data
  // inspection nested in the rule's base64_decode.
  struct Target {
    BufferId buffer = BufferId::Payload;
    TransformChain transforms;
    bool base64 = false;
    std::uint8_t occurrence = 0;
    FlowDirection side = FlowDirection::Any;  // transactional rules: see BufferInspection::side
  };
  struct ItemRef {
    Target target;
    std::size_t index = 0;
  };

  BufferInspection& inspection(const Target& t) {
    if (t.base64) return *base64_;
    if (BufferInspection* existing = rule_.findInspection(t.buffer, t.transforms, t.occurrence, t.side)) return *existing;
    rule_.inspections.push_back(BufferInspection{t.buffer, t.transforms, {}, std::nullopt, t.occurrence});
    rule_.inspections.back().side = t.side;
    return rule_.inspections.back();
  }

  // Where a new payload keyword goes: the sticky buffer if one is active; else, for a relative
  // keyword, the buffer of the previous content/pcre; else the packet/stream payload.
  Target targetBuffer(bool relative) const {
    if (in_base64_data_) return {BufferId::Payload, {}, true};
    if (sticky_) return {*sticky_, sticky_transforms_, false, sticky_occurrence_, sticky_side_};
    if (relative && last_item_) return last_item_->target;
    return {};
  }

  void addItem(Target target, InspectItem item) {
    BufferInspection& insp = inspection(target);
    insp.items.push_back(std::move(item));
    last_item_ = ItemRef{target, insp.items.size() - 1};
  }

  ContentMatch& lastContent(const Option& o) {
    if (!last_content_) {
      fail(o.offset, "syntax", "'" + std::string(o.name) + "' must follow a content");
    }
    return std::get<ContentMatch>(inspection(last_content_->target).items[last_content_->index]);
  }

  std::string decodeContent(const Option& o, std::string_view v) const {
    std::string out;
    bool hex = false;
    int nibble = -1;
    for (std::size_t i = 0; i < v.size(); ++i) {
      const char c = v[i];
      if (c == '|') {
        if (hex && nibble >= 0) failValue(o, "odd number of hex digits");
        hex = !hex;
        continue;
      }
      if (hex) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
          fail(o.value_offset + i, "bad content", "content: invalid hex digit '" + std::string(1, c) + "'");
        }
        const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
        if (nibble < 0) {
          nibble = d;
        } else {
          out.push_back(static_cast<char>(nibble * 16 + d));
          nibble = -1;
        }
        continue;
      }
      if (c == '\\' && i + 1 < v.size()) {
        out.push_back(v[++i]);
        continue;
      }
      out.push_back(c);
    }
    if (hex) failValue(o, "unterminated hex section '|'");
    return out;
  }

  void onContent(const Option& o) {
    requireValue(o);
    std::string_view v = o.value;
    ContentMatch content;
    if (!v.empty() && v.front() == '!') {
      content.negated = true;
      v = trim(v.substr(1));
    }
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') failValue(o, "content must be a quoted string");
    content.pattern = decodeContent(o, v.substr(1, v.size() - 2));
    if (content.pattern.empty()) failValue(o, "empty content");
    Target target = targetBuffer(false);
    if (std::string why; !content.negated && !contentFitsTransforms(target.transforms, content.pattern, why)) {
      fail(o.value_offset, "content incompatible with transform", "content: " + why);
    }
    addItem(std::move(target), std::move(content));
    last_content_ = last_item_;
  }

  void onContentModifier(const Option& o) {
    ContentMatch& c = lastContent(o);
    const std::string_view n = o.name;
    if (n == "nocase") {
      c.nocase = true;
    } else if (n == "rawbytes") {
      // Snort 2 keyword; our buffers are already raw. Accepted as Suricata does.
    } else if (n == "startswith") {
      c.startswith = true;
    } else if (n == "endswith") {
      c.endswith = true;
    } else if (n == "fast_pattern") {
      c.fast_pattern = true;
      if (o.has_value) {
        if (o.value == "only") {
          c.fast_pattern_only = true;
        } else {
          const auto parts = splitList(o.value);
          if (parts.size() != 2) failValue(o, "expected 'only' or 'offset,length'");
          c.fast_pattern_chop = std::make_pair(static_cast<std::uint16_t>(integer(o, parts[0], 0, 65535)),
                                               static_cast<std::uint16_t>(integer(o, parts[1], 1, 65535)));
          if (c.fast_pattern_chop->first + c.fast_pattern_chop->second > c.pattern.size()) {
            failValue(o, "offset,length exceed the content");
          }
        }
      }
    } else {
      requireValue(o);
      // A byte_extract / byte_math variable in place of the number.
      if (const std::int8_t var = variableOf(o, o.value); var != kNoVariable) {
        if (n == "depth") { c.depth = 0; c.depth_var = var; }
        else if (n == "offset") { c.offset = 0; c.offset_var = var; }
        else if (n == "distance") { c.distance = 0; c.distance_var = var; }
        else { c.within = 0; c.within_var = var; }
        if ((c.depth || c.offset) && c.relative()) {
          fail(o.offset, "syntax", "cannot mix absolute (offset/depth) and relative (distance/within) modifiers on one content");
        }
        return;
      }
      const std::int32_t value = static_cast<std::int32_t>(integer(o, o.value, -65535, 65535));
      if (n == "depth") {
        if (value <= 0) failValue(o, "depth must be positive");
        c.depth = value;
      } else if (n == "offset") {
        if (value < 0) failValue(o, "offset must not be negative");
        c.offset = value;
      } else if (n == "distance") {
        c.distance = value;
      } else if (n == "within") {
        if (value <= 0) failValue(o, "within must be positive");
        c.within = value;
      }
      if ((c.depth || c.offset) && c.relative()) {
        fail(o.offset, "syntax", "cannot mix absolute (offset/depth) and relative (distance/within) modifiers on one content");
      }
    }
  }

  void onBufferKeyword(const Option& o, const BufferKeyword& kw) {
    if (kw.kind == BufferKeywordKind::Sticky) {
      sticky_occurrence_ = 0;
      if (kw.buffer == BufferId::HttpRequestHeader || kw.buffer == BufferId::HttpResponseHeader) {
        for (const BufferInspection& i : rule_.inspections) {
          if (i.buffer == kw.buffer) sticky_occurrence_ = std::max<std::uint8_t>(sticky_occurrence_, static_cast<std::uint8_t>(i.occurrence + 1));
        }
      }
      sticky_ = kw.buffer;
      sticky_transforms_.clear();
      in_base64_data_ = false;
      // Suricata 8's `http.connection: to_client`: which side of a transactional (=>) rule's
      // transaction a buffer of both directions is taken from. Other rules ignore it, as values
      // on sticky buffers always were.
      sticky_side_ = FlowDirection::Any;
      if (rule_.transactional && o.has_value) {
        const std::string_view side = trim(o.value);
        if (side == "to_client") sticky_side_ = FlowDirection::ToClient;
        else if (side == "to_server") sticky_side_ = FlowDirection::ToServer;
        else failValue(o, "expected to_client or to_server, got '" + std::string(side) + "'");
      }
      if (rule_.transactional && sticky_side_ == FlowDirection::Any) sticky_side_ = bodySideOf(o.name);
      return;
    }
    // Legacy modifier: move the preceding content into that buffer's list.
    ContentMatch moved = lastContent(o);
    const Target from_target = last_content_->target;
    BufferInspection& from = inspection(from_target);
    from.items.erase(from.items.begin() + static_cast<std::ptrdiff_t>(last_content_->index));
    if (from.items.empty() && !from.size) {
      std::erase_if(rule_.inspections, [&](const BufferInspection& i) {
        return i.buffer == from_target.buffer && i.transforms == from_target.transforms && i.occurrence == from_target.occurrence;
      });
    }
    addItem({kw.buffer, {}}, std::move(moved));
    last_content_ = last_item_;
  }

  void onPcre(const Option& o) {
    requireValue(o);
    std::string_view v = o.value;
    PcreMatch pcre;
    if (!v.empty() && v.front() == '!') {
      pcre.negated = true;
      v = trim(v.substr(1));
    }
    // Suricata also takes the pattern unquoted: pcre:/x/U;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
      v = v.substr(1, v.size() - 2);
    } else if (v.empty() || (v.front() != '/' && v.front() != '!')) {
      failValue(o, "pcre must be a quoted \"/pattern/flags\"");
    }
    if (!v.empty() && v.front() == '!') {
      pcre.negated = true;
      v = v.substr(1);
    }
    const std::size_t last_slash = v.rfind('/');
    if (v.empty() || v.front() != '/' || last_slash == 0) failValue(o, "pcre must look like \"/pattern/flags\"");
    pcre.source = std::string(v.substr(1, last_slash - 1));
    std::string_view flags = v.substr(last_slash + 1);
    // Suricata's capture list after the flags: "/(a)(b)/i,pkt:one,flow:two", a variable per group.
    if (const std::size_t comma = flags.find(','); comma != std::string_view::npos) {
      for (const std::string_view item : splitList(flags.substr(comma + 1))) {
        const std::size_t colon = item.find(':');
        const std::string_view scope = colon == std::string_view::npos ? std::string_view() : trim(item.substr(0, colon));
        PcreCapture capture;
        if (scope == "pkt") capture.scope = PcreCapture::Scope::Packet;
        else if (scope == "flow") capture.scope = PcreCapture::Scope::Flow;
        else if (scope == "alert") capture.scope = PcreCapture::Scope::Alert;
        else fail(o.value_offset, "bad pcre", "pcre: capture '" + std::string(item) + "' is not pkt:, flow: or alert:<name>");
        capture.name = std::string(trim(item.substr(colon + 1)));
        if (capture.name.empty()) fail(o.value_offset, "bad pcre", "pcre: capture without a name");
        pcre.captures.push_back(std::move(capture));
      }
      flags = trim(flags.substr(0, comma));
    }
    pcre.flags = std::string(flags);
    std::optional<BufferId> buffer;
    for (const char f : pcre.flags) {
      switch (f) {
        case 'i': pcre.caseless = true; break;
        case 's': pcre.dotall = true; break;
        case 'm': pcre.multiline = true; break;
        case 'x': pcre.extended = true; break;
        case 'A': pcre.anchored = true; break;
        case 'E': pcre.dollar_endonly = true; break;
        case 'G': pcre.ungreedy = true; break;
        case 'R': pcre.relative = true; break;
        case 'O': case 'B': break;  // match-limit override; Snort rawbytes
        case 'U': buffer = BufferId::HttpUri; break;
        case 'I': buffer = BufferId::HttpRawUri; break;
        case 'P': buffer = BufferId::FileData; noteBodyDirection("http_client_body"); break;  // request body: see Buffer.cpp
        case 'Q': buffer = BufferId::FileData; noteBodyDirection("http_server_body"); break;
        case 'H': buffer = BufferId::HttpHeader; break;
        case 'D': buffer = BufferId::HttpRawHeader; break;
        case 'M': buffer = BufferId::HttpMethod; break;
        case 'C': buffer = BufferId::HttpCookie; break;
        case 'S': buffer = BufferId::HttpStatCode; break;
        case 'Y': buffer = BufferId::HttpStatMsg; break;
        case 'V': buffer = BufferId::HttpUserAgent; break;
        case 'W': buffer = BufferId::HttpHost; break;
        case 'Z': buffer = BufferId::HttpRawHost; break;
        default:
          fail(o.value_offset, "bad pcre", "pcre: unknown flag '" + std::string(1, f) + "'");
      }
    }
    if (buffer && sticky_ && *buffer != *sticky_) {
      // As Suricata: a buffer flag cannot override the sticky buffer the pcre would inspect.
      fail(o.value_offset, "bad pcre", "pcre: Expression seen with a sticky buffer still set; either (1) reset sticky buffer with pkt_data or (2) use a sticky buffer providing \"" +
                                           std::string(bufferName(*buffer)) + "\"");
    }
    std::string error;
    std::size_t error_offset = 0;
    pcre.regex = CompiledRegex::compile(pcre, error, error_offset);
    if (!pcre.regex) {
      fail(o.value_offset, "bad pcre", "pcre: " + error + " at pattern offset " + std::to_string(error_offset));
    }
    if (pcre.captures.size() > pcre.regex->captureCount()) {
      fail(o.value_offset, "bad pcre", "pcre: more capture variables than the pattern has groups");
    }
    addItem(buffer ? Target{*buffer, {}} : targetBuffer(pcre.relative), std::move(pcre));
  }

  static std::optional<NumberBase> numberBase(std::string_view s) {
    if (s == "hex") return NumberBase::Hex;
    if (s == "dec") return NumberBase::Dec;
    if (s == "oct") return NumberBase::Oct;
    return std::nullopt;
  }

  void onByteTest(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.size() < 4) failValue(o, "expected 'bytes, operator, value, offset[, options]'");
    ByteTest t;
    // 0 with `string` reads the digits up to the end of the buffer (ET uses it); else 1..23.
    t.bytes = static_cast<std::uint8_t>(integer(o, parts[0], 0, 23));
    std::string_view op = parts[1];
    if (!op.empty() && op.front() == '!') {
      t.negated = true;
      op.remove_prefix(1);
    }
    if (op == "<") t.op = ByteTest::Op::Lt;
    else if (op == ">") t.op = ByteTest::Op::Gt;
    else if (op == "<=") t.op = ByteTest::Op::Le;
    else if (op == ">=") t.op = ByteTest::Op::Ge;
    else if (op == "=" || op.empty()) t.op = ByteTest::Op::Eq;
    else if (op == "&") t.op = ByteTest::Op::And;
    else if (op == "^") t.op = ByteTest::Op::Or;
    else failValue(o, "unknown operator '" + std::string(parts[1]) + "'");
    t.value_var = variableOf(o, parts[2]);
    if (t.value_var == kNoVariable) t.value = static_cast<std::uint64_t>(integer(o, parts[2], 0, INT64_MAX));
    t.offset_var = variableOf(o, parts[3]);
    if (t.offset_var == kNoVariable) t.offset = static_cast<std::int32_t>(integer(o, parts[3], -65535, 65535));
    for (std::size_t i = 4; i < parts.size(); ++i) {
      const std::string_view p = parts[i];
      if (p == "relative") t.relative = true;
      else if (p == "big") t.endian = Endian::Big;
      else if (p == "little") t.endian = Endian::Little;
      else if (p == "string") { if (t.base == NumberBase::Binary) t.base = NumberBase::Dec; }
      else if (auto b = numberBase(p)) t.base = *b;
      else if (p == "dce") t.endian = Endian::Little;
      else if (p.starts_with("bitmask")) t.bitmask = static_cast<std::uint64_t>(integer(o, trim(p.substr(7)), 0, INT64_MAX));
      else failValue(o, "unknown option '" + std::string(p) + "'");
    }
    if (t.base == NumberBase::Binary && (t.bytes == 0 || t.bytes > 8)) failValue(o, "binary byte_test reads 1 to 8 bytes");
    addItem(targetBuffer(t.relative), t);
  }

  void onByteJump(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.size() < 2) failValue(o, "expected 'bytes, offset[, options]'");
    ByteJump j;
    j.bytes_var = variableOf(o, parts[0]);
    if (j.bytes_var == kNoVariable) j.bytes = static_cast<std::uint8_t>(integer(o, parts[0], 0, 23));
    j.offset_var = variableOf(o, parts[1]);
    if (j.offset_var == kNoVariable) j.offset = static_cast<std::int32_t>(integer(o, parts[1], -65535, 65535));
    for (std::size_t i = 2; i < parts.size(); ++i) {
      const std::string_view p = parts[i];
      if (p == "relative") j.relative = true;
      else if (p == "big") j.endian = Endian::Big;
      else if (p == "little" || p == "dce") j.endian = Endian::Little;
      else if (p == "string") { if (j.base == NumberBase::Binary) j.base = NumberBase::Dec; }
      else if (auto b = numberBase(p)) j.base = *b;
      else if (p == "align") j.align = true;
      else if (p == "from_beginning") j.from_beginning = true;
      else if (p == "from_end") j.from_end = true;
      else if (p.starts_with("multiplier")) j.multiplier = static_cast<std::uint32_t>(integer(o, trim(p.substr(10)), 1, 65535));
      else if (p.starts_with("post_offset")) j.post_offset = static_cast<std::int32_t>(integer(o, trim(p.substr(11)), -65535, 65535));
      else if (p.starts_with("bitmask")) j.bitmask = static_cast<std::uint64_t>(integer(o, trim(p.substr(7)), 0, INT64_MAX));
      else failValue(o, "unknown option '" + std::string(p) + "'");
    }
    if (j.bytes_var == kNoVariable && j.base == NumberBase::Binary && (j.bytes == 0 || j.bytes > 8)) {
      failValue(o, "binary byte_jump reads 1 to 8 bytes");
    }
    addItem(targetBuffer(j.relative), j);
  }

  void onIsDataAt(const Option& o) {
    requireValue(o);
    IsDataAt d;
    std::string_view v = o.value;
    if (!v.empty() && v.front() == '!') {
      d.negated = true;
      v = trim(v.substr(1));
    }
    const auto parts = splitList(v);
    d.position_var = variableOf(o, parts[0]);
    if (d.position_var == kNoVariable) d.position = static_cast<std::uint32_t>(integer(o, parts[0], 0, 65535));
    for (std::size_t i = 1; i < parts.size(); ++i) {
      if (parts[i] == "relative") d.relative = true;
      else if (parts[i] != "rawbytes") failValue(o, "unknown option '" + std::string(parts[i]) + "'");
    }
    addItem(targetBuffer(d.relative), d);
  }

  // ---- byte_extract, byte_math and their variables ----------------------------------------

  static bool isVariableName(std::string_view s) {
    if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  }

  // The slot of the variable `text` names, kNoVariable when `text` is not a name. A name that
  // no earlier byte_extract / byte_math defined is an error (Suricata: "unknown byte_ keyword
  // var"), and so is a use in a buffer inspected before the one that defines it.
  std::int8_t variableOf(const Option& o, std::string_view text) {
    text = trim(text);
    if (!isVariableName(text)) return kNoVariable;
    for (std::size_t i = 0; i < variables_.size(); ++i) {
      if (variables_[i].name != text) continue;
      const Target here = targetBuffer(true);
      const auto use = inspectionIndex(here);
      if (use && *use < variables_[i].inspection) {
        failValue(o, "variable '" + std::string(text) + "' is used in a buffer inspected before the one that extracts it");
      }
      return static_cast<std::int8_t>(i);
    }
    failValue(o, "unknown byte_ keyword var '" + std::string(text) + "'");
  }

  std::optional<std::size_t> inspectionIndex(const Target& t) const {
    for (std::size_t i = 0; i < rule_.inspections.size(); ++i) {
      if (rule_.inspections[i].buffer == t.buffer && rule_.inspections[i].transforms == t.transforms &&
          rule_.inspections[i].occurrence == t.occurrence && !t.base64) {
        return i;
      }
    }
    return std::nullopt;
  }

  std::int8_t defineVariable(const Option& o, std::string_view name, const Target& target) {
    name = trim(name);
    if (!isVariableName(name)) failValue(o, "'" + std::string(name) + "' is not a variable name");
    for (const auto& v : variables_) {
      if (v.name == name) failValue(o, "variable '" + std::string(name) + "' is defined twice");
    }
    if (variables_.size() >= kMaxVariables) failValue(o, "more than " + std::to_string(kMaxVariables) + " variables");
    inspection(target);  // so the defining inspection has its index
    variables_.push_back({std::string(name), inspectionIndex(target).value_or(0)});
    return static_cast<std::int8_t>(variables_.size() - 1);
  }

  // byte_extract:<bytes>, <offset>, <name>[, relative][, multiplier N][, big|little|dce]
  //              [, string[, hex|dec|oct]][, align 2|4][, bitmask M]
  void onByteExtract(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.size() < 3) failValue(o, "expected 'bytes, offset, name[, options]'");
    ByteExtract e;
    e.bytes = static_cast<std::uint8_t>(integer(o, parts[0], 1, 20));
    e.offset = static_cast<std::int32_t>(integer(o, parts[1], -65535, 65535));
    bool string = false;
    for (std::size_t i = 3; i < parts.size(); ++i) {
      const std::string_view p = parts[i];
      if (p == "relative") e.relative = true;
      else if (p == "big") e.endian = Endian::Big;
      else if (p == "little" || p == "dce") e.endian = Endian::Little;
      else if (p == "string") { string = true; if (e.base == NumberBase::Binary) e.base = NumberBase::Dec; }
      else if (auto b = numberBase(p)) { string = true; e.base = *b; }
      else if (p.starts_with("multiplier")) e.multiplier = static_cast<std::uint32_t>(integer(o, trim(p.substr(10)), 1, 65535));
      else if (p.starts_with("align")) {
        e.align = static_cast<std::uint8_t>(integer(o, trim(p.substr(5)), 2, 4));
        if (e.align == 3) failValue(o, "align must be 2 or 4");
      }
      else if (p.starts_with("bitmask")) e.bitmask = static_cast<std::uint64_t>(integer(o, trim(p.substr(7)), 0, INT64_MAX));
      else failValue(o, "unknown option '" + std::string(p) + "'");
    }
    if (!string && e.bytes > 8) failValue(o, "binary byte_extract reads 1 to 8 bytes");
    if (string && e.bytes > 20) failValue(o, "string byte_extract reads 1 to 20 bytes");
    const Target target = targetBuffer(e.relative);
    e.var = defineVariable(o, parts[2], target);
    addItem(target, e);
  }

  // byte_math:bytes N|var, offset N, oper +|-|*|/|<<|>>, rvalue N|var, result name
  //           [, relative][, endian big|little][, string hex|dec|oct][, dce][, bitmask M]
  void onByteMath(const Option& o) {
    requireValue(o);
    ByteMath m;
    bool have_bytes = false, have_offset = false, have_oper = false, have_rvalue = false;
    std::string_view result;
    for (const std::string_view part : splitList(o.value)) {
      const auto [key, arg] = keyAndValue(part);
      if (key == "bytes") {
        have_bytes = true;
        m.bytes_var = variableOf(o, arg);
        if (m.bytes_var == kNoVariable) m.bytes = static_cast<std::uint8_t>(integer(o, arg, 1, 10));
      } else if (key == "offset") {
        have_offset = true;
        m.offset = static_cast<std::int32_t>(integer(o, arg, -65535, 65535));
      } else if (key == "oper") {
        have_oper = true;
        if (arg == "+") m.op = ByteMath::Op::Add;
        else if (arg == "-") m.op = ByteMath::Op::Sub;
        else if (arg == "*") m.op = ByteMath::Op::Mul;
        else if (arg == "/") m.op = ByteMath::Op::Div;
        else if (arg == "<<") m.op = ByteMath::Op::Shl;
        else if (arg == ">>") m.op = ByteMath::Op::Shr;
        else failValue(o, "unknown oper '" + std::string(arg) + "'");
      } else if (key == "rvalue") {
        have_rvalue = true;
        m.rvalue_var = variableOf(o, arg);
        if (m.rvalue_var == kNoVariable) m.rvalue = static_cast<std::uint64_t>(integer(o, arg, 0, UINT32_MAX));
      } else if (key == "result") {
        result = arg;
      } else if (key == "relative") {
        m.relative = true;
      } else if (key == "endian") {
        if (arg == "big") m.endian = Endian::Big;
        else if (arg == "little") m.endian = Endian::Little;
        else failValue(o, "endian must be big or little");
      } else if (key == "dce") {
        m.endian = Endian::Little;
      } else if (key == "string") {
        const auto b = numberBase(arg);
        if (!b) failValue(o, "string must be hex, dec or oct");
        m.base = *b;
      } else if (key == "bitmask") {
        m.bitmask = static_cast<std::uint64_t>(integer(o, arg, 0, UINT32_MAX));
      } else {
        failValue(o, "unknown option '" + std::string(key) + "'");
      }
    }
    if (!have_bytes || !have_offset || !have_oper || !have_rvalue || result.empty()) {
      failValue(o, "bytes, offset, oper, rvalue and result are all required");
    }
    if (m.base == NumberBase::Binary && m.bytes_var == kNoVariable && m.bytes > 8) failValue(o, "binary byte_math reads 1 to 8 bytes");
    // Suricata: relative needs something before it to be relative to.
    if (m.relative && !last_item_) fail(o.offset, "syntax", "byte_math: relative specified without a previous match");
    const Target target = targetBuffer(m.relative);
    m.var = defineVariable(o, result, target);
    addItem(target, m);
  }

  // base64_decode[:[bytes N][, offset N][, relative]]; base64_data makes the decoded bytes the
  // buffer of the keywords after it.
  void onBase64Decode(const Option& o) {
    if (base64_target_) fail(o.offset, "syntax", "only one base64_decode per rule");
    Base64Decode b;
    if (o.has_value) {
      for (const std::string_view part : splitList(o.value)) {
        const auto [key, arg] = keyAndValue(part);
        if (key == "bytes") b.bytes = static_cast<std::uint32_t>(integer(o, arg, 1, UINT32_MAX));
        else if (key == "offset") b.offset = static_cast<std::uint32_t>(integer(o, arg, 0, UINT32_MAX));
        else if (key == "relative") b.relative = true;
        else if (!key.empty()) failValue(o, "unknown option '" + std::string(key) + "'");
      }
    }
    addItem(targetBuffer(b.relative), std::move(b));  // data is set by base64_data, if any
    base64_target_ = last_item_;
  }

  void onBase64Data(const Option& o) {
    if (!base64_target_) fail(o.offset, "syntax", "base64_data needs a base64_decode before it");
    auto& decode = std::get<Base64Decode>(inspection(base64_target_->target).items[base64_target_->index]);
    base64_ = std::make_shared<BufferInspection>();
    decode.data = base64_;
    in_base64_data_ = true;
    sticky_.reset();
    sticky_transforms_.clear();
  }

  // A byte test on a number a parser put in a buffer of its own (Buffer.hpp's Mqtt*Number and
  // Ftp*Number buffers, one instance per MQTT packet): the rule matches when one instance
  // passes all its tests there.
  void fieldByteTest(BufferId buffer, ByteTest::Op op, std::uint64_t value, bool negated = false,
                    std::optional<std::uint64_t> mask = std::nullopt, std::uint8_t bytes = 1,
                    FlowDirection side = FlowDirection::Any) {
    ByteTest t;
    t.bytes = bytes;
    t.op = op;
    t.value = value;
    t.negated = negated;
    t.bitmask = mask;
    inspection({buffer, {}, false, 0, side}).items.emplace_back(t);
  }
  // Suricata's unsigned integer syntax: "N", "<N", ">N", "<=N", ">=N", "!N", "N-M" (exclusive).
  // `bytes` wide (1, 2, 4 or 8, big-endian): at most 255, 65535, 2^32-1 or 2^64-1. `side`: the
  // transaction side of a transactional rule's test (filesize).
  void fieldInteger(const Option& o, BufferId buffer, std::string_view v, std::uint8_t bytes = 1,
                    FlowDirection side = FlowDirection::Any) {
    std::string value(trim(v));
    if (const std::size_t dash = value.find('-'); dash != std::string::npos && dash > 0) value.replace(dash, 1, "<>");
    const SizeCheck check = sizeCheck(o, value);
    const std::uint64_t max = bytes == 1 ? 255 : bytes == 2 ? 65535 : bytes == 4 ? 0xffffffffULL : UINT64_MAX;
    if (check.a > max || (check.op == SizeCheck::Op::Range && max != UINT64_MAX && check.b > max + 1)) {
      failValue(o, "out of range 0-" + std::to_string(max));
    }
    const auto test = [&](ByteTest::Op op, std::uint64_t n, bool negated = false) {
      fieldByteTest(buffer, op, n, negated, std::nullopt, bytes, side);
    };
    switch (check.op) {
      case SizeCheck::Op::Eq: test(ByteTest::Op::Eq, check.a); break;
      case SizeCheck::Op::NotEq: test(ByteTest::Op::Eq, check.a, true); break;
      case SizeCheck::Op::Lt: test(ByteTest::Op::Lt, check.a); break;
      case SizeCheck::Op::Gt: test(ByteTest::Op::Gt, check.a); break;
      case SizeCheck::Op::Le: test(ByteTest::Op::Le, check.a); break;
      case SizeCheck::Op::Ge: test(ByteTest::Op::Ge, check.a); break;
      case SizeCheck::Op::Range:
        test(ByteTest::Op::Gt, check.a);
        test(ByteTest::Op::Lt, check.b);
        break;
    }
  }
  // filesize: Suricata's unsigned 64-bit test on the size of a whole file, eight bytes in
  // FileSizeNumber; transactional (=>) rules name the file's side first (`filesize: to_client, <100`).
  void onFileSize(const Option& o) {
    requireValue(o);
    std::string_view value = trim(o.value);
    FlowDirection side = FlowDirection::Any;
    if (const std::size_t comma = value.find(','); comma != std::string_view::npos) {
      const std::string_view direction = trim(value.substr(0, comma));
      if (direction == "to_client") side = FlowDirection::ToClient;
      else if (direction == "to_server") side = FlowDirection::ToServer;
      else failValue(o, "expected [to_client|to_server,] and a size test");
      if (!rule_.transactional) failValue(o, "a direction before the size is for transactional (=>) rules only");
      value = trim(value.substr(comma + 1));
    }
    fieldInteger(o, BufferId::FileSizeNumber, value, 8, side);
  }
  // ftp.mode, ftp.reply_received and ftp.dynamic_port; false for any other keyword.
  bool onFtpInteger(const Option& o) {
    const std::string_view n = o.name;
    if (n == "ftp.mode") {
      requireValue(o);
      const std::string v = lower(trim(o.value));
      if (v != "active" && v != "passive") failValue(o, "expected active or passive");
      fieldByteTest(BufferId::FtpModeNumber, ByteTest::Op::Eq, v == "active" ? 1 : 2);
      return true;
    }
    if (n == "ftp.reply_received") {
      requireValue(o);
      const std::string v = lower(trim(o.value));
      const bool yes = v == "yes" || v == "on" || v == "true" || v == "1";
      if (!yes && v != "no" && v != "off" && v != "false" && v != "0") failValue(o, "expected yes or no");
      fieldByteTest(BufferId::FtpReplyReceivedNumber, ByteTest::Op::Eq, yes ? 1 : 0);
      return true;
    }
    if (n == "ftpbounce") {
      // A PORT command naming another host than the client (the FTP bounce of RFC 2577).
      fieldByteTest(BufferId::FtpBounceNumber, ByteTest::Op::Eq, 1);
      return true;
    }
    if (n == "ftp.dynamic_port") {
      requireValue(o);
      fieldInteger(o, BufferId::FtpDynamicPortNumber, o.value, 2);
      return true;
    }
    if (n == "ssl_version") {
      // ssl_version:[!]v1,v2...: the side's version among (or, with "!" before the list, not
      // among) sslv2, sslv3, tls1.0 ... tls1.3 (Suricata 7.0.14 on); an unknown version never matches.
      requireValue(o);
      std::string_view v = trim(o.value);
      const bool negated = v.starts_with("!");
      std::uint64_t set = 0;
      std::size_t at = 0;
      while (at <= v.size()) {
        const std::size_t comma = std::min(v.find(',', at), v.size());
        std::string_view item = trim(v.substr(at, comma - at));
        if (item.starts_with("!")) item = trim(item.substr(1));
        static constexpr std::string_view kVersions[] = {"sslv2", "sslv3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};
        const std::string name = lower(item);
        const auto* found = std::find(std::begin(kVersions), std::end(kVersions), name);
        if (found == std::end(kVersions)) failValue(o, "expected sslv2, sslv3, tls1.0, tls1.1, tls1.2 or tls1.3");
        const std::uint64_t bit = std::uint64_t{1} << (found - std::begin(kVersions));
        if ((set & bit) != 0) failValue(o, "a version listed twice");
        set |= bit;
        at = comma + 1;
      }
      fieldByteTest(BufferId::SslVersionNumber, ByteTest::Op::And, set, negated);
      return true;
    }
    if (n == "ftpdata_command") {
      // The command whose transfer an ftp-data connection carries: retr or stor.
      requireValue(o);
      const std::string v = lower(trim(o.value));
      if (v != "retr" && v != "stor") failValue(o, "expected retr or stor");
      fieldByteTest(BufferId::FtpDataCommandNumber, ByteTest::Op::Eq, v == "retr" ? 1 : 2);
      return true;
    }
    return false;
  }
  // The values of 0-255 a Suricata unsigned integer test ("N", "<N", "!N", "N-M"...) accepts,
  // where `names` may stand for the number ("search_request", "success").
  std::array<bool, 256> byteValues(const Option& o, std::string_view v,
                                    const std::function<std::optional<std::uint32_t>(std::string_view)>& names) {
    v = trim(v);
    std::string_view op;
    for (const std::string_view prefix : {"<=", ">=", "<", ">", "!", "="}) {
      if (v.starts_with(prefix)) {
        op = prefix;
        v = trim(v.substr(prefix.size()));
        break;
      }
    }
    std::string value(v);
    if (const auto named = names(v)) value = std::to_string(std::min<std::uint32_t>(*named, 254));
    value.insert(0, op);
    if (const std::size_t dash = value.find('-'); dash != std::string::npos && dash > 0) value.replace(dash, 1, "<>");
    const SizeCheck check = sizeCheck(o, value);
    std::array<bool, 256> accepted{};
    for (std::uint64_t i = 0; i < 256; ++i) accepted[i] = check.matches(i);
    return accepted;
  }
  // A test on one byte per element of a list (Buffer.hpp's LdapResponses*Number: one byte per
  // response), as Suricata's "VALUE[,INDEX]" form: any element (no index, "any"), every one
  // ("all"), or the one at INDEX (negative: from the end). Written as a pcre on the bytes.
  // `absent`: a byte that stands for an element without the value (a response without a
  // result code), which no test accepts.
  void listByteTest(const Option& o, BufferId buffer,
                    const std::function<std::optional<std::uint32_t>(std::string_view)>& names,
                    std::optional<std::uint8_t> absent = std::nullopt) {
    requireValue(o);
    const std::string_view raw = o.value;
    const std::size_t comma = raw.find(',');
    std::array<bool, 256> accepted = byteValues(o, raw.substr(0, comma), names);
    if (absent) accepted[*absent] = false;
    std::string cls = "[";
    bool any_value = false;
    for (int i = 0; i < 256;) {
      if (!accepted[static_cast<std::size_t>(i)]) {
        ++i;
        continue;
      }
      int j = i;
      while (j + 1 < 256 && accepted[static_cast<std::size_t>(j + 1)]) ++j;
      char hex[16];
      std::snprintf(hex, sizeof hex, "\\x%02x", i);
      cls += hex;
      if (j > i) {
        std::snprintf(hex, sizeof hex, "-\\x%02x", j);
        cls += hex;
      }
      any_value = true;
      i = j + 1;
    }
    cls += "]";
    if (!any_value) cls = "(?!)";
    std::string pattern;
    const std::string_view index = comma == std::string_view::npos ? "any" : trim(raw.substr(comma + 1));
    if (index == "any") {
      pattern = cls;
    } else if (index == "all") {
      pattern = "^" + cls + "+\\z";
    } else {
      const std::int64_t at = integer(o, index, -65535, 65535);
      if (at >= 0) pattern = "^[\\x00-\\xff]{" + std::to_string(at) + "}" + cls;
      else pattern = cls + "[\\x00-\\xff]{" + std::to_string(-at - 1) + "}\\z";
    }
    PcreMatch pcre;
    pcre.source = pattern;
    std::string error;
    std::size_t error_offset = 0;
    pcre.regex = CompiledRegex::compile(pcre, error, error_offset);
    if (!pcre.regex) failValue(o, "cannot be compiled: " + error);
    inspection({buffer, {}}).items.emplace_back(std::move(pcre));
  }
  // The DNP3 keywords that test a fragment's numbers (Suricata 8's forms): dnp3_func (a
  // function code, by number or name), dnp3_ind (any of the named internal indications set in a
  // response), dnp3_obj (an object of group,variation); false for any other keyword.
  bool onDnp3Keyword(const Option& o) {
    const std::string_view n = o.name;
    if (n == "dnp3_func" || n == "dnp3.func") {
      requireValue(o);
      const std::string v = lower(trim(o.value));
      std::uint64_t code = 0;
      if (const auto named = dnp3FunctionCode(v)) {
        code = *named;
      } else {
        code = static_cast<std::uint64_t>(integer(o, v, 0, 255));
      }
      fieldByteTest(BufferId::Dnp3FuncNumber, ByteTest::Op::Eq, code);
    } else if (n == "dnp3_ind" || n == "dnp3.ind") {
      requireValue(o);
      std::uint64_t flags = 0;
      for (std::string_view part : splitList(o.value)) {
        const auto bit = dnp3IndicatorBit(lower(trim(part)));
        if (!bit) failValue(o, "unknown indicator '" + std::string(part) + "'");
        flags |= *bit;
      }
      if (flags == 0) failValue(o, "no indicator");
      fieldByteTest(BufferId::Dnp3IndNumber, ByteTest::Op::Gt, 0, false, flags, 2);
    } else if (n == "dnp3_obj" || n == "dnp3.obj") {
      requireValue(o);
      const auto parts = splitList(o.value);
      if (parts.size() != 2) failValue(o, "expected group,variation");
      const std::int64_t group = integer(o, trim(parts[0]), 0, 255);
      const std::int64_t variation = integer(o, trim(parts[1]), 0, 255);
      fieldByteTest(BufferId::Dnp3ObjNumber, ByteTest::Op::Eq, static_cast<std::uint64_t>(group << 8 | variation), false,
                    std::nullopt, 2);
    } else {
      return false;
    }
    bindApp(o, AppProto::Dnp3);
    return true;
  }
  // The Kerberos 5 keywords that test a message's numbers: krb5_msg_type, krb5_err_code
  // (Suricata's unsigned integer syntax) and krb5.ticket_encryption ("weak", or a comma list of
  // encryption types by name or number, any of which the ticket's may be).
  bool onKrb5Keyword(const Option& o) {
    const std::string_view n = o.name;
    if (n == "krb5_msg_type" || n == "krb5.msg_type") {
      requireValue(o);
      fieldInteger(o, BufferId::Krb5MsgTypeNumber, o.value, 1);
    } else if (n == "krb5_err_code" || n == "krb5.err_code") {
      requireValue(o);
      fieldInteger(o, BufferId::Krb5ErrCodeNumber, o.value, 4);
    } else if (n == "krb5.ticket_encryption") {
      requireValue(o);
      std::vector<std::uint32_t> types;
      bool weak = false;
      for (std::string_view part : splitList(o.value)) {
        const std::string v = lower(trim(part));
        if (v == "weak") {
          weak = true;
        } else if (const auto named = krb5EncryptionType(v)) {
          types.push_back(static_cast<std::uint32_t>(*named));
        } else {
          types.push_back(static_cast<std::uint32_t>(static_cast<std::int32_t>(integer(o, v, -2147483648LL, 2147483647LL))));
        }
      }
      if (weak && !types.empty()) failValue(o, "'weak' takes no other type");
      if (weak) {
        fieldByteTest(BufferId::Krb5TicketWeakNumber, ByteTest::Op::Eq, 1);
      } else if (types.size() == 1) {
        fieldByteTest(BufferId::Krb5TicketEtypeNumber, ByteTest::Op::Eq, types[0], false, std::nullopt, 4);
      } else {
        std::string pattern = "^(?:";
        for (std::size_t i = 0; i < types.size(); ++i) {
          if (i) pattern += "|";
          for (int shift = 24; shift >= 0; shift -= 8) {
            char hex[8];
            std::snprintf(hex, sizeof hex, "\\x%02x", (types[i] >> shift) & 0xff);
            pattern += hex;
          }
        }
        pattern += ")\\z";
        PcreMatch pcre;
        pcre.source = pattern;
        std::string error;
        std::size_t error_offset = 0;
        pcre.regex = CompiledRegex::compile(pcre, error, error_offset);
        if (!pcre.regex) failValue(o, "cannot be compiled: " + error);
        inspection({BufferId::Krb5TicketEtypeNumber, {}}).items.emplace_back(std::move(pcre));
      }
    } else {
      return false;
    }
    bindApp(o, AppProto::Krb5);
    return true;
  }
  // SNMP: snmp.version and snmp.pdu_type (Suricata's unsigned integers; a PDU type also by its
  // name, "get_request"...), and the sticky buffers snmp.community, snmp.usm, snmp.trap_oid and
  // snmp.trap_address; false for any other keyword.
  bool onSnmpKeyword(const Option& o) {
    const std::string_view n = o.name;
    if (n == "snmp.version") {
      requireValue(o);
      fieldInteger(o, BufferId::SnmpVersionNumber, o.value, 4);
    } else if (n == "snmp.pdu_type") {
      requireValue(o);
      static constexpr std::string_view kPduNames[] = {"get_request",  "get_next_request", "response",
                                                       "set_request",  "trap_v1",          "get_bulk_request",
                                                       "inform_request", "trap_v2",        "report"};
      const std::string v = lower(trim(o.value));
      const auto* named = std::find(std::begin(kPduNames), std::end(kPduNames), v);
      if (named != std::end(kPduNames)) {
        fieldByteTest(BufferId::SnmpPduTypeNumber, ByteTest::Op::Eq, static_cast<std::uint64_t>(named - std::begin(kPduNames)),
                      false, std::nullopt, 4);
      } else {
        fieldInteger(o, BufferId::SnmpPduTypeNumber, o.value, 4);
      }
    } else if (n == "snmp.community" || n == "snmp.usm" || n == "snmp.trap_oid" || n == "snmp.trap_address") {
      onBufferKeyword(o, *findBufferKeyword(n));
    } else {
      return false;
    }
    bindApp(o, AppProto::Snmp);
    return true;
  }
  // A byte test at `offset` of a parser's record buffer (the modbus record, cip_service's).
  void recordTest(BufferId buffer, std::int32_t offset, std::uint8_t bytes, ByteTest::Op op, std::uint64_t value,
                  std::optional<std::uint64_t> mask = std::nullopt) {
    ByteTest t;
    t.bytes = bytes;
    t.offset = offset;
    t.op = op;
    t.value = value;
    t.bitmask = mask;
    inspection({buffer, {}}).items.emplace_back(t);
  }
  // EtherNet/IP: enip_command (alias enip.command) and enip.status, by number or Suricata's name;
  // the enip.* unsigned integers; cip_service:<service>[,<class>[,[!]<attribute>]]; the sticky
  // buffers enip.product_name and enip.service_name. False for any other keyword.
  bool onEnipKeyword(const Option& o) {
    static constexpr std::pair<std::string_view, std::uint16_t> kCommands[] = {
        {"nop", 0x00},          {"list_services", 0x04},      {"list_identity", 0x63}, {"list_interfaces", 0x64},
        {"register_session", 0x65}, {"unregister_session", 0x66}, {"send_rr_data", 0x6f}, {"send_unit_data", 0x70},
        {"indicate_status", 0x72},  {"cancel", 0x73}};
    static constexpr std::pair<std::string_view, std::uint16_t> kStatuses[] = {
        {"success", 0x00},         {"invalid_cmd", 0x01},    {"no_resources", 0x02},         {"incorrect_data", 0x03},
        {"invalid_session", 0x64}, {"invalid_length", 0x65}, {"unsupported_prot_rev", 0x69}, {"encap_header_error", 0x6a}};
    static constexpr std::pair<std::string_view, std::pair<BufferId, std::uint8_t>> kIntegers[] = {
        {"enip.protocol_version", {BufferId::EnipProtocolVersionNumber, 2}},
        {"enip.cip_class", {BufferId::EnipCipClassNumber, 4}},
        {"enip.cip_instance", {BufferId::EnipCipInstanceNumber, 4}},
        {"enip.cip_attribute", {BufferId::EnipCipAttributeNumber, 4}},
        {"enip.cip_status", {BufferId::EnipCipStatusNumber, 1}},
        {"enip.cip_extendedstatus", {BufferId::EnipCipExtendedStatusNumber, 2}},
        {"enip.revision", {BufferId::EnipRevisionNumber, 2}},
        {"enip.identity_status", {BufferId::EnipIdentityStatusNumber, 2}},
        {"enip.state", {BufferId::EnipStateNumber, 1}},
        {"enip.serial", {BufferId::EnipSerialNumber, 4}},
        {"enip.product_code", {BufferId::EnipProductCodeNumber, 2}},
        {"enip.device_type", {BufferId::EnipDeviceTypeNumber, 2}},
        {"enip.vendor_id", {BufferId::EnipVendorIdNumber, 2}},
        {"enip.capabilities", {BufferId::EnipCapabilitiesNumber, 2}}};
    const std::string_view n = o.name;
    const auto named = [&](const auto& table, BufferId buffer, std::uint8_t bytes) {
      requireValue(o);
      const std::string v = lower(trim(o.value));
      for (const auto& [name, code] : table) {
        if (name == v) {
          fieldByteTest(buffer, ByteTest::Op::Eq, code, false, std::nullopt, bytes);
          return;
        }
      }
      fieldInteger(o, buffer, o.value, bytes);
    };
    if (n == "enip_command" || n == "enip.command") {
      named(kCommands, BufferId::EnipCommandNumber, 2);
    } else if (n == "enip.status") {
      named(kStatuses, BufferId::EnipStatusNumber, 4);
    } else if (n == "cip_service") {
      requireValue(o);
      const auto parts = splitList(o.value);
      if (parts.empty() || parts.size() > 3) failValue(o, "expected <service>[,<class>[,<attribute>]]");
      const std::int64_t service = integer(o, trim(parts[0]), 0, 127);
      recordTest(BufferId::EnipCipServiceNumber, 0, 1, ByteTest::Op::Eq, static_cast<std::uint64_t>(service));
      if (parts.size() > 1) {
        recordTest(BufferId::EnipCipServiceNumber, 1, 4, ByteTest::Op::Eq,
                   static_cast<std::uint64_t>(integer(o, trim(parts[1]), 0, 0xfffffffeLL)));
      }
      if (parts.size() > 2 && !trim(parts[2]).starts_with("!")) {  // a negated attribute is no condition, as Suricata's
        recordTest(BufferId::EnipCipServiceNumber, 5, 4, ByteTest::Op::Eq,
                   static_cast<std::uint64_t>(integer(o, trim(parts[2]), 0, 0xfffffffeLL)));
      }
    } else if (n == "enip.product_name" || n == "enip.service_name") {
      onBufferKeyword(o, *findBufferKeyword(n));
    } else {
      const auto* found = std::find_if(std::begin(kIntegers), std::end(kIntegers), [&](const auto& k) { return k.first == n; });
      if (found == std::end(kIntegers)) return false;
      requireValue(o);
      fieldInteger(o, found->second.first, o.value, found->second.second);
    }
    bindApp(o, AppProto::Enip);
    return true;
  }
  // modbus: Suricata's three forms, tested on the request's record (Buffer.hpp's
  // ModbusRequestNumber): "function <code>[, subfunction <n>]" or "function [!]<category>",
  // "access read|write [<kind>][, address <range>]", each optionally after "unit <range>, ".
  // A value (written at an address) is not supported yet.
  bool onModbusKeyword(const Option& o) {
    if (o.name != "modbus") return false;
    requireValue(o);
    std::string v(trim(o.value));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = std::string(trim(std::string_view(v).substr(1, v.size() - 2)));
    constexpr BufferId kRecord = BufferId::ModbusRequestNumber;
    // Suricata's u16 range forms: "N", "<N", ">N", "A<>B" (its check_match).
    struct Range {
      std::uint64_t start = 0, end = 0;
    };
    const auto range = [&](std::string_view text) {
      text = trim(text);
      Range r;
      if (const std::size_t sep = text.find("<>"); sep != std::string_view::npos) {
        r.start = static_cast<std::uint64_t>(integer(o, text.substr(0, sep), 0, 65535));
        r.end = static_cast<std::uint64_t>(integer(o, text.substr(sep + 2), 0, 65535));
      } else if (text.starts_with("<")) {
        r.end = static_cast<std::uint64_t>(integer(o, text.substr(1), 0, 65535));
      } else if (text.starts_with(">")) {
        r.start = static_cast<std::uint64_t>(integer(o, text.substr(1), 0, 65535));
        r.end = 65535;
      } else {
        r.start = r.end = static_cast<std::uint64_t>(integer(o, text, 0, 65535));
      }
      return r;
    };
    const auto valueTests = [&](std::int32_t offset, std::uint8_t bytes, const Range& r) {
      if (r.start == r.end) {
        recordTest(kRecord, offset, bytes, ByteTest::Op::Eq, r.start);
      } else if (r.start == 0) {
        recordTest(kRecord, offset, bytes, ByteTest::Op::Lt, r.end);
      } else if (r.end == 65535) {
        recordTest(kRecord, offset, bytes, ByteTest::Op::Gt, r.start);
      } else {
        recordTest(kRecord, offset, bytes, ByteTest::Op::Gt, r.start);
        recordTest(kRecord, offset, bytes, ByteTest::Op::Lt, r.end);
      }
    };
    const auto words = [](std::string_view text) {
      std::vector<std::string> out;
      std::string word;
      for (const char c : text) {
        if (c == ',' || c == ' ' || c == '\t') {
          if (!word.empty()) out.push_back(std::move(word));
          word.clear();
          if (c == ',') out.emplace_back(",");
        } else {
          word += c;
        }
      }
      if (!word.empty()) out.push_back(std::move(word));
      return out;
    };
    const std::vector<std::string> w = words(v);
    std::size_t at = 0;
    const auto next = [&]() -> std::string {
      if (at >= w.size()) failValue(o, "incomplete modbus option");
      return w[at++];
    };
    const auto comma = [&]() {
      if (at < w.size() && w[at] == ",") {
        ++at;
        return true;
      }
      return false;
    };
    std::string word = lower(next());
    if (word == "unit") {
      valueTests(0, 1, range(next()));
      if (!comma()) {
        if (at != w.size()) failValue(o, "unexpected '" + w[at] + "'");
        bindApp(o, AppProto::Modbus);
        return true;
      }
      word = lower(next());
    }
    if (word == "access") {
      const std::string mode = lower(next());
      if (mode != "read" && mode != "write") failValue(o, "access is read or write");
      std::uint64_t rw = mode == "read" ? 1 : 2;
      std::uint64_t kind = 0;
      if (at < w.size() && w[at] != ",") {
        const std::string k = lower(next());
        if (k == "coils") kind = 8;
        else if (k == "holding") kind = 32;
        else if (k == "discretes" || k == "input") {
          if (mode == "write") failValue(o, k + " access is read only");
          kind = k == "discretes" ? 4 : 16;
        } else {
          failValue(o, "unknown access kind '" + k + "'");
        }
      }
      recordTest(kRecord, 2, 1, ByteTest::Op::Gt, 0, rw);
      if (kind != 0) recordTest(kRecord, 2, 1, ByteTest::Op::Gt, 0, kind);
      if (comma()) {
        if (lower(next()) != "address") failValue(o, "expected address");
        const Range r = range(next());
        recordTest(kRecord, 7, 1, ByteTest::Op::Eq, 1);  // the request names addresses
        if (r.start == r.end) {
          recordTest(kRecord, 8, 2, ByteTest::Op::Le, r.start);
          recordTest(kRecord, 10, 2, ByteTest::Op::Ge, r.start);
        } else if (r.start == 0) {
          recordTest(kRecord, 8, 2, ByteTest::Op::Lt, r.end);
        } else if (r.end == 65535) {
          recordTest(kRecord, 10, 2, ByteTest::Op::Gt, r.start);
        } else {
          recordTest(kRecord, 10, 2, ByteTest::Op::Gt, r.start);
          recordTest(kRecord, 8, 2, ByteTest::Op::Lt, r.end);
        }
        if (comma()) {
          if (lower(next()) == "value") failValue(o, "value is not supported yet");
          failValue(o, "unexpected option after address");
        }
      }
    } else if (word == "function") {
      const std::string f = lower(next());
      if (!f.empty() && std::isdigit(static_cast<unsigned char>(f[0]))) {
        const std::int64_t code = integer(o, f, 1, 255);
        const bool known = (code >= 1 && code <= 24) || code == 43;
        recordTest(kRecord, 1, 1, ByteTest::Op::Eq, known ? static_cast<std::uint64_t>(code) : 44);
        if (comma()) {
          if (lower(next()) != "subfunction") failValue(o, "expected subfunction");
          const std::int64_t sub = integer(o, next(), 0, 65535);
          recordTest(kRecord, 4, 1, ByteTest::Op::Eq, 1);
          recordTest(kRecord, 5, 2, ByteTest::Op::Eq, static_cast<std::uint64_t>(sub));
        }
      } else {
        const bool negated = f.starts_with("!");
        const std::string name = negated ? f.substr(1) : f;
        std::uint64_t category = 0;
        if (name == "assigned") category = 1;
        else if (name == "unassigned") category = 2;
        else if (name == "public") category = 3;
        else if (name == "user") category = 4;
        else if (name == "reserved") category = 8;
        else if (name == "all") category = 15;
        else failValue(o, "unknown function category '" + name + "'");
        if (negated) category = ~category & 0xff;
        recordTest(kRecord, 3, 1, ByteTest::Op::Gt, 0, category);
      }
    } else {
      failValue(o, "expected function, access or unit");
    }
    if (at != w.size()) failValue(o, "unexpected '" + w[at] + "'");
    bindApp(o, AppProto::Modbus);
    return true;
  }
  // DHCP: dhcp.leasetime, dhcp.rebinding_time and dhcp.renewal_time (Suricata's unsigned
  // integers); false for any other keyword.
  bool onDhcpKeyword(const Option& o) {
    const std::string_view n = o.name;
    BufferId buffer = BufferId::DhcpLeaseTimeNumber;
    if (n == "dhcp.rebinding_time") buffer = BufferId::DhcpRebindingTimeNumber;
    else if (n == "dhcp.renewal_time") buffer = BufferId::DhcpRenewalTimeNumber;
    else if (n != "dhcp.leasetime") return false;
    requireValue(o);
    fieldInteger(o, buffer, o.value, 4);
    bindApp(o, AppProto::Dhcp);
    return true;
  }
  // NTP (Suricata 8): ntp.version, ntp.stratum and ntp.mode (unsigned integers; a mode also by
  // name, "client", "!server"), and the sticky buffer ntp.reference_id; false for any other keyword.
  bool onNtpKeyword(const Option& o) {
    const std::string_view n = o.name;
    if (n == "ntp.version") {
      requireValue(o);
      fieldInteger(o, BufferId::NtpVersionNumber, o.value, 1);
    } else if (n == "ntp.stratum") {
      requireValue(o);
      fieldInteger(o, BufferId::NtpStratumNumber, o.value, 1);
    } else if (n == "ntp.mode") {
      requireValue(o);
      static constexpr std::string_view kModes[] = {"reserved", "symmetric_active", "symmetric_passive", "client",
                                                    "server",   "broadcast",        "control",           "private"};
      std::string v = lower(trim(o.value));
      const bool negated = !v.empty() && v.front() == '!';
      const std::string name = negated ? std::string(trim(std::string_view(v).substr(1))) : v;
      const auto* named = std::find(std::begin(kModes), std::end(kModes), name);
      if (named != std::end(kModes) || name == "ntp_control_message") {
        const std::uint64_t mode = named != std::end(kModes) ? static_cast<std::uint64_t>(named - std::begin(kModes)) : 6;
        fieldByteTest(BufferId::NtpModeNumber, ByteTest::Op::Eq, mode, negated, std::nullopt, 1);
      } else {
        fieldInteger(o, BufferId::NtpModeNumber, o.value, 1);
      }
    } else if (n == "ntp.reference_id") {
      onBufferKeyword(o, *findBufferKeyword(n));
    } else {
      return false;
    }
    bindApp(o, AppProto::Ntp);
    return true;
  }
  // TFTP: the sticky buffer tftp.file_name; false for any other keyword.
  bool onTftpKeyword(const Option& o) {
    if (o.name != "tftp.file_name") return false;
    onBufferKeyword(o, *findBufferKeyword(o.name));
    bindApp(o, AppProto::Tftp);
    return true;
  }
  // The IKE keywords that test numbers: ike.exchtype, ike.nonce_payload_length,
  // ike.key_exchange_payload_length (Suricata's unsigned integer syntax) and
  // ike.chosen_sa_attribute:<attribute>=<value> (the responder's chosen transform has the
  // attribute, with that value).
  bool onIkeKeyword(const Option& o) {
    const std::string_view n = o.name;
    if (n == "ike.exchtype") {
      requireValue(o);
      fieldInteger(o, BufferId::IkeExchTypeNumber, o.value, 1);
    } else if (n == "ike.nonce_payload_length") {
      requireValue(o);
      fieldInteger(o, BufferId::IkeNonceLengthNumber, o.value, 4);
    } else if (n == "ike.key_exchange_payload_length") {
      requireValue(o);
      fieldInteger(o, BufferId::IkeKeyExchangeLengthNumber, o.value, 4);
    } else if (n == "ike.chosen_sa_attribute") {
      requireValue(o);
      const std::string_view v = trim(o.value);
      const std::size_t eq = v.find('=');
      if (eq == std::string_view::npos) failValue(o, "expected <attribute>=<value>");
      const std::string key(trim(v.substr(0, eq)));
      const std::uint16_t type = ikeAttributeSlot(key);
      if (type == 0) failValue(o, "unknown attribute '" + key + "'");
      const std::uint64_t value = integer(o, trim(v.substr(eq + 1)), 0, 0xffffffffLL);
      ByteTest present;
      present.offset = (type - 1) * 5;
      present.value = 1;
      inspection({BufferId::IkeChosenSaNumber, {}}).items.emplace_back(present);
      ByteTest equals;
      equals.bytes = 4;
      equals.offset = (type - 1) * 5 + 1;
      equals.value = value;
      inspection({BufferId::IkeChosenSaNumber, {}}).items.emplace_back(equals);
    } else {
      return false;
    }
    bindApp(o, AppProto::Ike);
    return true;
  }
  // The NFS keywords: nfs_procedure (the transaction's procedure, or one of a file transfer's
  // further procedures) and nfs_version (alias nfs.version), Suricata's unsigned integer syntax.
  bool onNfsKeyword(const Option& o) {
    const std::string_view n = o.name;
    if (n == "nfs_procedure" || n == "nfs.procedure") {
      requireValue(o);
      std::string value(trim(o.value));
      if (const std::size_t dash = value.find('-'); dash != std::string::npos && dash > 0) value.replace(dash, 1, "<>");
      if (const SizeCheck check = sizeCheck(o, value); check.op == SizeCheck::Op::Range) {
        // Suricata's nfs_procedure range takes both its ends (2<>4 is 2, 3 and 4).
        if (check.b > 0xffffffffULL) failValue(o, "out of range 0-4294967295");
        fieldByteTest(BufferId::NfsProcedureNumber, ByteTest::Op::Ge, check.a, false, std::nullopt, 4);
        fieldByteTest(BufferId::NfsProcedureNumber, ByteTest::Op::Le, check.b, false, std::nullopt, 4);
      } else {
        fieldInteger(o, BufferId::NfsProcedureNumber, o.value, 4);
      }
    } else if (n == "nfs_version" || n == "nfs.version") {
      requireValue(o);
      fieldInteger(o, BufferId::NfsVersionNumber, o.value, 4);
    } else {
      return false;
    }
    bindApp(o, AppProto::Nfs);
    return true;
  }
  // The slot of an IKEv1 attribute's name in ike.chosen_sa_attribute's buffer (1 to 16), 0 for none.
  static std::uint16_t ikeAttributeSlot(std::string_view key) {
    static constexpr std::string_view kKeys[] = {"alg_enc", "alg_hash", "alg_auth", "alg_dh", "sa_group_type",
                                                 "sa_group_prime", "sa_group_generator_one", "sa_group_generator_two",
                                                 "sa_group_curve_a", "sa_group_curve_b", "sa_life_type",
                                                 "sa_life_duration", "alg_prf", "sa_key_length", "sa_field_size",
                                                 "sa_group_order"};
    for (std::size_t i = 0; i < std::size(kKeys); ++i) {
      if (kKeys[i] == key) return static_cast<std::uint16_t>(i + 1);
    }
    return 0;
  }
  // The LDAP integer keywords; false for any other keyword.
  bool onLdapInteger(const Option& o) {
    const std::string_view n = o.name;
    if (!n.starts_with("ldap.")) return false;
    const auto operation = [](std::string_view name) { return ldapOperationByName(name); };
    const auto result_code = [](std::string_view name) { return ldapResultCodeByName(name); };
    if (n == "ldap.request.operation") {
      requireValue(o);
      if (o.value.find(',') != std::string_view::npos) failValue(o, "takes no index");
      listByteTest(o, BufferId::LdapRequestOperationNumber, operation);
    } else if (n == "ldap.responses.operation") {
      listByteTest(o, BufferId::LdapResponsesOperationNumber, operation);
    } else if (n == "ldap.responses.result_code") {
      listByteTest(o, BufferId::LdapResponsesResultCodeNumber, result_code, 0xff);
    } else if (n == "ldap.responses.count") {
      requireValue(o);
      fieldInteger(o, BufferId::LdapResponsesCountNumber, o.value, 4);
    } else {
      return false;
    }
    bindApp(o, AppProto::Ldap);
    return true;
  }
  // "[!]name,[!]name...": each named bit set (or, with '!', clear) in the same packet's byte.
  void fieldBits(const Option& o, BufferId buffer, std::initializer_list<std::pair<std::string_view, std::uint8_t>> names) {
    std::uint8_t set = 0, clear = 0;
    for (std::string_view part : splitList(o.value)) {
      const bool negated = part.starts_with('!');
      if (negated) part = trim(part.substr(1));
      const auto it = std::find_if(names.begin(), names.end(), [&](const auto& n) { return n.first == part; });
      if (it == names.end()) failValue(o, "unknown flag '" + std::string(part) + "'");
      (negated ? clear : set) |= it->second;
    }
    if (set != 0) fieldByteTest(buffer, ByteTest::Op::Eq, set >> __builtin_ctz(set), false, set);
    if (clear != 0) fieldByteTest(buffer, ByteTest::Op::Eq, 0, false, clear);
  }
  // dns.rcode, dns.opcode (the message header's) and dns.rrtype (a request's question types, a
  // response's answer types: one that passes matches); false for any other keyword. An rcode
  // may be named ("NXDOMAIN").
  bool onDnsInteger(const Option& o) {
    const std::string_view n = o.name;
    if (n == "dns.rcode") {
      requireValue(o);
      static constexpr std::string_view kRcodes[] = {"noerror", "formerr", "servfail", "nxdomain", "notimp", "refused",
                                                     "yxdomain", "yxrrset", "nxrrset", "notauth", "notzone"};
      std::string_view v = trim(o.value);
      const bool negated = v.starts_with('!');
      if (negated) v = trim(v.substr(1));
      const std::string name = lower(v);
      const auto* it = std::find(std::begin(kRcodes), std::end(kRcodes), name);
      if (it != std::end(kRcodes)) {
        fieldByteTest(BufferId::DnsRcodeNumber, ByteTest::Op::Eq, static_cast<std::uint64_t>(it - std::begin(kRcodes)), negated);
      } else {
        fieldInteger(o, BufferId::DnsRcodeNumber, o.value);
      }
    } else if (n == "dns.opcode") {
      requireValue(o);
      fieldInteger(o, BufferId::DnsOpcodeNumber, o.value);
    } else if (n == "dns.rrtype") {
      requireValue(o);
      fieldInteger(o, BufferId::DnsRrtypeNumber, o.value, 2);
    } else {
      return false;
    }
    bindApp(o, AppProto::Dns);
    return true;
  }
  // The WebSocket keywords websocket.opcode (a number or its name), websocket.flags (fin, comp,
  // rsv2, rsv3; `!` for a clear bit) and websocket.mask (an integer comparison); false for any
  // other keyword.
  bool onWebsocketInteger(const Option& o) {
    const std::string_view n = o.name;
    if (n == "websocket.opcode") {
      requireValue(o);
      static constexpr std::pair<std::string_view, int> kNames[] = {
          {"continuation", 0}, {"text", 1}, {"binary", 2}, {"close", 8}, {"ping", 9}, {"pong", 10}};
      std::string_view v = trim(o.value);
      const bool negated = v.starts_with('!');
      if (negated) v = trim(v.substr(1));
      const std::string name = lower(v);
      const auto* it = std::find_if(std::begin(kNames), std::end(kNames), [&](const auto& e) { return e.first == name; });
      if (it != std::end(kNames)) {
        fieldByteTest(BufferId::WebsocketOpcodeNumber, ByteTest::Op::Eq, static_cast<std::uint64_t>(it->second), negated);
      } else {
        fieldInteger(o, BufferId::WebsocketOpcodeNumber, o.value);
      }
    } else if (n == "websocket.flags") {
      requireValue(o);
      fieldBits(o, BufferId::WebsocketFlagsNumber, {{"fin", 0x80}, {"comp", 0x40}, {"rsv1", 0x40}, {"rsv2", 0x20}, {"rsv3", 0x10}});
    } else if (n == "websocket.mask") {
      requireValue(o);
      fieldInteger(o, BufferId::WebsocketMaskNumber, o.value, 4);
    } else {
      return false;
    }
    bindApp(o, AppProto::Websocket);
    return true;
  }
  // rfb.sectype (the chosen security type) and rfb.secresult (ok, fail, toomany, unknown, or a
  // number); false for any other keyword.
  bool onRfbInteger(const Option& o) {
    const std::string_view n = o.name;
    if (n != "rfb.sectype" && n != "rfb.secresult") return false;
    requireValue(o);
    bindApp(o, AppProto::Rfb);
    if (n == "rfb.sectype") {
      fieldInteger(o, BufferId::RfbSecTypeNumber, o.value, 4);
      return true;
    }
    const std::string v = lower(trim(o.value));
    static constexpr std::pair<std::string_view, std::uint64_t> kResults[] = {{"ok", 0}, {"fail", 1}, {"toomany", 2}};
    for (const auto& [name, value] : kResults) {
      if (v == name) {
        fieldByteTest(BufferId::RfbSecResultNumber, ByteTest::Op::Eq, value, false, std::nullopt, 4);
        return true;
      }
    }
    if (v == "unknown") {  // any result RFB does not define
      fieldByteTest(BufferId::RfbSecResultNumber, ByteTest::Op::Gt, 2, false, std::nullopt, 4);
      return true;
    }
    fieldInteger(o, BufferId::RfbSecResultNumber, o.value, 4);
    return true;
  }
  // A name from `names` (any case), or a number up to `max`: the value http2.frametype,
  // http2.errorcode and http2.settings take. `names[i]` is value i; empty names are skipped.
  std::uint64_t namedValue(const Option& o, std::string_view v, std::span<const std::string_view> names, std::uint64_t max,
                           std::uint64_t first = 0) {
    std::string upper(trim(v));
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!names[i].empty() && upper == names[i]) return first + i;
    }
    return static_cast<std::uint64_t>(integer(o, upper, 0, static_cast<std::int64_t>(max)));
  }
  // The HTTP/2 frame keywords (http2.frametype, errorcode, priority, window, size_update,
  // settings); false for any other keyword. Each binds the rule to http2.
  bool onHttp2Keyword(const Option& o) {
    const std::string_view n = o.name;
    if (!n.starts_with("http2.")) return false;
    static constexpr std::string_view kFrameTypes[] = {"DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS",
                                                       "PUSH_PROMISE", "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"};
    static constexpr std::string_view kErrorCodes[] = {
        "NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT", "STREAM_CLOSED",
        "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR", "CONNECT_ERROR", "ENHANCE_YOUR_CALM",
        "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"};
    static constexpr std::string_view kSettings[] = {"SETTINGS_HEADER_TABLE_SIZE", "SETTINGS_ENABLE_PUSH",
                                                     "SETTINGS_MAX_CONCURRENT_STREAMS", "SETTINGS_INITIAL_WINDOW_SIZE",
                                                     "SETTINGS_MAX_FRAME_SIZE", "SETTINGS_MAX_HEADER_LIST_SIZE"};
    auto negatedValue = [&](std::string_view& v) {
      v = trim(v);
      const bool negated = v.starts_with('!');
      if (negated) v = trim(v.substr(1));
      return negated;
    };
    if (n == "http2.frametype" || n == "http2.errorcode") {
      requireValue(o);
      std::string_view v = o.value;
      const bool negated = negatedValue(v);
      const bool type = n == "http2.frametype";
      const std::uint64_t value = type ? namedValue(o, v, kFrameTypes, 255) : namedValue(o, v, kErrorCodes, 0xffffffffULL);
      fieldByteTest(type ? BufferId::Http2FrameTypeNumber : BufferId::Http2ErrorCodeNumber, ByteTest::Op::Eq, value, negated,
                    std::nullopt, type ? 1 : 4);
    } else if (n == "http2.priority") {
      requireValue(o);
      fieldInteger(o, BufferId::Http2PriorityNumber, o.value);
    } else if (n == "http2.window") {
      requireValue(o);
      fieldInteger(o, BufferId::Http2WindowNumber, o.value, 4);
    } else if (n == "http2.size_update") {
      requireValue(o);
      fieldInteger(o, BufferId::Http2SizeUpdateNumber, o.value, 4);
    } else if (n == "http2.settings") {
      // SETTINGS_NAME (or its number), then optionally a comparison of its value: ">1000", "=0"...
      requireValue(o);
      const std::string_view v = trim(o.value);
      const std::size_t op = v.find_first_of("<>=!");
      const std::uint64_t id = namedValue(o, v.substr(0, op), kSettings, 65535, 1);
      fieldByteTest(BufferId::Http2SettingNumber, ByteTest::Op::Eq, id, false, std::nullopt, 2);
      if (op != std::string_view::npos) {
        std::string_view cmp = v.substr(op);
        if (cmp.starts_with("=") && !cmp.starts_with("==")) cmp.remove_prefix(1);  // "=N" is equality
        const SizeCheck check = sizeCheck(o, std::string(trim(cmp)));
        if (check.a > 0xffffffffULL || check.b > 0x100000000ULL) failValue(o, "out of range 0-4294967295");
        auto test = [&](ByteTest::Op bop, std::uint64_t value, bool negated = false) {
          fieldByteTest(BufferId::Http2SettingNumber, bop, value, negated, std::nullopt, 4);
          std::get<ByteTest>(inspection({BufferId::Http2SettingNumber, {}}).items.back()).offset = 2;
        };
        switch (check.op) {
          case SizeCheck::Op::Eq: test(ByteTest::Op::Eq, check.a); break;
          case SizeCheck::Op::NotEq: test(ByteTest::Op::Eq, check.a, true); break;
          case SizeCheck::Op::Lt: test(ByteTest::Op::Lt, check.a); break;
          case SizeCheck::Op::Gt: test(ByteTest::Op::Gt, check.a); break;
          case SizeCheck::Op::Le: test(ByteTest::Op::Le, check.a); break;
          case SizeCheck::Op::Ge: test(ByteTest::Op::Ge, check.a); break;
          case SizeCheck::Op::Range:
            test(ByteTest::Op::Gt, check.a);
            test(ByteTest::Op::Lt, check.b);
            break;
        }
      }
    } else {
      return false;  // http2.header, http2.header_name: sticky buffers
    }
    bindApp(o, AppProto::Http2);
    return true;
  }
  // The MQTT integer keywords; false for any other keyword.
  bool onMqttInteger(const Option& o) {
    const std::string_view n = o.name;
    if (!n.starts_with("mqtt.")) return false;
    if (n == "mqtt.type") {
      requireValue(o);
      static constexpr std::string_view kTypes[] = {"", "CONNECT", "CONNACK", "PUBLISH", "PUBACK", "PUBREC", "PUBREL",
                                                    "PUBCOMP", "SUBSCRIBE", "SUBACK", "UNSUBSCRIBE", "UNSUBACK",
                                                    "PINGREQ", "PINGRESP", "DISCONNECT", "AUTH"};
      std::string_view v = trim(o.value);
      const bool negated = v.starts_with('!');
      if (negated) v = trim(v.substr(1));
      if (v.find(',') != std::string_view::npos) failValue(o, "the per-packet index form (TYPE,N) is not supported");
      const std::string upper = [&] {
        std::string u(v);
        std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        return u;
      }();
      for (std::size_t i = 1; i < std::size(kTypes); ++i) {
        if (upper == kTypes[i]) {
          fieldByteTest(BufferId::MqttTypeNumber, ByteTest::Op::Eq, i, negated);
          return true;
        }
      }
      fieldInteger(o, BufferId::MqttTypeNumber, o.value);
      return true;
    }
    if (n == "mqtt.flags") {
      requireValue(o);
      fieldBits(o, BufferId::MqttFlagsNumber, {{"dup", 0x08}, {"retain", 0x01}});
      return true;
    }
    if (n == "mqtt.connect.flags") {
      requireValue(o);
      fieldBits(o, BufferId::MqttConnectFlagsNumber,
               {{"username", 0x80}, {"password", 0x40}, {"will_retain", 0x20}, {"will", 0x04}, {"clean_session", 0x02}});
      return true;
    }
    if (n == "mqtt.qos") { requireValue(o); fieldInteger(o, BufferId::MqttQosNumber, o.value); return true; }
    if (n == "mqtt.reason_code" || n == "mqtt.connack.return_code") {
      requireValue(o);
      fieldInteger(o, BufferId::MqttReasonCodeNumber, o.value);
      return true;
    }
    if (n == "mqtt.protocol_version") {
      requireValue(o);
      fieldInteger(o, BufferId::MqttProtocolVersionNumber, o.value);
      return true;
    }
    if (n == "mqtt.connack.session_present") {
      requireValue(o);
      const std::string v = lower(trim(o.value));
      if (v != "true" && v != "false" && v != "yes" && v != "no") failValue(o, "expected true or false");
      fieldByteTest(BufferId::MqttSessionPresentNumber, ByteTest::Op::Eq, v == "true" || v == "yes" ? 1 : 0);
      return true;
    }
    return false;
  }

  // Suricata's unsigned integer syntax, which also writes the exclusive range as "N-M".
  SizeCheck uintCheck(const Option& o, std::string_view v) const {
    std::string value(trim(v));
    if (const std::size_t dash = value.find('-'); dash != std::string::npos && dash > 0) value.replace(dash, 1, "<>");
    return sizeCheck(o, value);
  }

  // vlan.id:<uint>[,<layer>]: layer 0..2 from the outermost, negative from the innermost, `any`
  // (the default) or `all`.
  void onVlanId(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.empty() || parts.size() > 2) failValue(o, "expected vlan.id:<id>[,<layer>]");
    VlanIdCheck check;
    check.id = uintCheck(o, parts[0]);
    if (parts.size() == 2) {
      const std::string_view layer = trim(parts[1]);
      if (layer == "all") check.layer = VlanIdCheck::kAll;
      else if (layer == "any") check.layer = VlanIdCheck::kAny;
      else check.layer = static_cast<int>(integer(o, layer, -3, 2));
    }
    rule_.header.vlan_id = check;
  }

  SizeCheck sizeCheck(const Option& o, std::string_view v) const {
    v = trim(v);
    SizeCheck s;
    const std::size_t range = v.find("<>");
    if (range != std::string_view::npos) {
      s.op = SizeCheck::Op::Range;
      s.a = static_cast<std::uint64_t>(integer(o, v.substr(0, range), 0, INT64_MAX));
      s.b = static_cast<std::uint64_t>(integer(o, v.substr(range + 2), 0, INT64_MAX));
      if (s.a >= s.b) failValue(o, "range minimum must be below maximum");
      return s;
    }
    if (v.starts_with("<=")) { s.op = SizeCheck::Op::Le; v.remove_prefix(2); }
    else if (v.starts_with(">=")) { s.op = SizeCheck::Op::Ge; v.remove_prefix(2); }
    else if (v.starts_with("<")) { s.op = SizeCheck::Op::Lt; v.remove_prefix(1); }
    else if (v.starts_with(">")) { s.op = SizeCheck::Op::Gt; v.remove_prefix(1); }
    else if (v.starts_with("!=")) { s.op = SizeCheck::Op::NotEq; v.remove_prefix(2); }
    else if (v.starts_with("!")) { s.op = SizeCheck::Op::NotEq; v.remove_prefix(1); }
    else if (v.starts_with("=")) { v.remove_prefix(1); }
    s.a = static_cast<std::uint64_t>(integer(o, v, 0, INT64_MAX));
    return s;
  }

  // ipv4-csum, tcpv4-csum...: `valid` or `invalid`.
  bool onChecksum(const Option& o) {
    static constexpr std::pair<std::string_view, ChecksumKind> kKinds[] = {
        {"ipv4-csum", ChecksumKind::Ipv4},    {"tcpv4-csum", ChecksumKind::TcpV4},   {"tcpv6-csum", ChecksumKind::TcpV6},
        {"udpv4-csum", ChecksumKind::UdpV4},  {"udpv6-csum", ChecksumKind::UdpV6},   {"icmpv4-csum", ChecksumKind::IcmpV4},
        {"icmpv6-csum", ChecksumKind::IcmpV6}};
    const auto it = std::find_if(std::begin(kKinds), std::end(kKinds), [&](const auto& k) { return k.first == o.name; });
    if (it == std::end(kKinds)) return false;
    requireValue(o);
    const std::string_view v = trim(o.value);
    if (v != "valid" && v != "invalid") failValue(o, "expected valid or invalid");
    rule_.header.checksums.push_back(ChecksumCondition{it->second, v == "valid"});
    return true;
  }

  // flow.pkts / flow.bytes: `<toserver|toclient|either>, <check>`; the older one-direction
  // spellings (flow.pkts_toserver...) pass the side in `side` and only the check in the value.
  void onFlowCounter(const Option& o, FlowCounterCondition::Counter counter, std::optional<FlowCounterCondition::Side> side) {
    requireValue(o);
    FlowCounterCondition c;
    c.counter = counter;
    std::string_view check = o.value;
    if (!side) {
      const std::size_t comma = o.value.find(',');
      if (comma == std::string_view::npos) failValue(o, "expected '<toserver|toclient|either>, <number or comparison>'");
      const std::string_view dir = trim(o.value.substr(0, comma));
      if (dir == "toserver") side = FlowCounterCondition::Side::ToServer;
      else if (dir == "toclient") side = FlowCounterCondition::Side::ToClient;
      else if (dir == "either") side = FlowCounterCondition::Side::Either;
      else failValue(o, "unknown direction '" + std::string(dir) + "' (toserver, toclient or either)");
      check = o.value.substr(comma + 1);
    }
    c.side = *side;
    c.check = sizeCheck(o, check);
    rule_.flow.counters.push_back(c);
  }

  void onFlow(const Option& o) {
    requireValue(o);
    for (const std::string_view p : splitList(o.value)) {
      if (p == "to_server" || p == "from_client") rule_.flow.direction = FlowDirection::ToServer;
      else if (p == "to_client" || p == "from_server") rule_.flow.direction = FlowDirection::ToClient;
      else if (p == "established") rule_.flow.established = true;
      else if (p == "not_established") rule_.flow.not_established = true;
      else if (p == "stateless") rule_.flow.stateless = true;
      else if (p == "only_stream") rule_.flow.only_stream = true;
      else if (p == "no_stream") rule_.flow.no_stream = true;
      else if (p == "no_frag" || p == "only_frag") note("flow:" + std::string(p) + " is not checked");
      else failValue(o, "unknown flow option '" + std::string(p) + "'");
    }
  }

  void onFlowbits(const Option& o) {
    requireValue(o);
    const std::size_t comma = o.value.find(',');
    const std::string_view cmd = trim(o.value.substr(0, comma));
    if (cmd == "noalert") {
      rule_.noalert = true;
      return;
    }
    FlowbitOp op;
    if (cmd == "set") op.kind = FlowbitOp::Kind::Set;
    else if (cmd == "unset") op.kind = FlowbitOp::Kind::Unset;
    else if (cmd == "toggle") op.kind = FlowbitOp::Kind::Toggle;
    else if (cmd == "isset") op.kind = FlowbitOp::Kind::IsSet;
    else if (cmd == "isnotset") op.kind = FlowbitOp::Kind::IsNotSet;
    else failValue(o, "unknown flowbits command '" + std::string(cmd) + "'");
    if (comma == std::string_view::npos) failValue(o, "flowbits " + std::string(cmd) + " needs a name");
    const std::string_view names = trim(o.value.substr(comma + 1));
    const char sep = names.find('|') != std::string_view::npos ? '|' : '&';
    op.any_of = sep == '|';
    for (const std::string_view name : splitList(names, sep)) {
      if (name.empty()) failValue(o, "empty flowbit name");
      op.names.emplace_back(name);
    }
    rule_.flowbits.push_back(std::move(op));
  }

  // flowint:name,op[,value]: op is +, -, = (modifiers), ==, !=, <, >, <=, >= (conditions) or
  // isset, notset/isnotset; value is an unsigned 32-bit number or another flowint's name.
  void onFlowint(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.size() < 2 || parts.size() > 3) failValue(o, "expected name, operator[, value]");
    FlowintOp op;
    op.name = std::string(parts[0]);
    if (op.name.empty()) failValue(o, "empty flowint name");
    using Kind = FlowintOp::Kind;
    static constexpr std::pair<std::string_view, Kind> kOps[] = {
        {"+", Kind::Add},        {"-", Kind::Subtract},  {"=", Kind::Assign},   {"==", Kind::Equal},
        {"!=", Kind::NotEqual},  {"<", Kind::Less},      {">", Kind::Greater},  {"<=", Kind::LessEqual},
        {">=", Kind::GreaterEqual}, {"isset", Kind::IsSet}, {"notset", Kind::NotSet}, {"isnotset", Kind::NotSet}};
    const auto found = std::find_if(std::begin(kOps), std::end(kOps), [&](const auto& e) { return e.first == parts[1]; });
    if (found == std::end(kOps)) failValue(o, "unknown flowint operator '" + std::string(parts[1]) + "'");
    op.kind = found->second;
    const bool unary = op.kind == Kind::IsSet || op.kind == Kind::NotSet;
    if (unary != (parts.size() == 2)) failValue(o, unary ? "isset/notset take no value" : "the operator needs a value");
    if (!unary) {
      const std::string_view v = parts[2];
      if (!v.empty() && v.find_first_not_of("0123456789") == std::string_view::npos) {
        op.value = static_cast<std::uint32_t>(integer(o, v, 0, UINT32_MAX));
      } else {
        op.value_name = std::string(v);
      }
    }
    rule_.flowints.push_back(std::move(op));
  }

  // dataset:<set|unset|isset|isnotset>,<name>[,type T][,load F][,save F][,state F][,memcap N]...
  // datarep:<name>,<op>,<value>[, the same options]
  // On the current sticky buffer (after its transforms). The files are opened by the loader.
  void onDataset(const Option& o, bool datarep) {
    requireValue(o);
    const auto parts = splitList(o.value);
    DatasetMatch d;
    d.offset = static_cast<std::uint32_t>(o.value_offset);
    std::size_t first_option = 2;
    if (!datarep) {
      if (parts.size() < 2) failValue(o, "expected <set|unset|isset|isnotset>,<name>[,options]");
      using Op = DatasetMatch::Op;
      if (parts[0] == "set") d.op = Op::Set;
      else if (parts[0] == "unset") d.op = Op::Unset;
      else if (parts[0] == "isset") d.op = Op::IsSet;
      else if (parts[0] == "isnotset") d.op = Op::IsNotSet;
      else failValue(o, "unknown command '" + std::string(parts[0]) + "' (set, unset, isset, isnotset)");
      d.name = std::string(parts[1]);
    } else {
      if (parts.size() < 3) failValue(o, "expected <name>,<op>,<value>[,options]");
      d.op = DatasetMatch::Op::Reputation;
      d.name = std::string(parts[0]);
      using C = DatasetMatch::Compare;
      if (parts[1] == ">") d.compare = C::Greater;
      else if (parts[1] == "<") d.compare = C::Less;
      else if (parts[1] == ">=") d.compare = C::GreaterEqual;
      else if (parts[1] == "<=") d.compare = C::LessEqual;
      else if (parts[1] == "==") d.compare = C::Equal;
      else failValue(o, "unknown operator '" + std::string(parts[1]) + "' (>, <, >=, <=, ==)");
      d.reputation = static_cast<std::uint16_t>(integer(o, parts[2], 0, 65535));
      first_option = 3;
    }
    if (d.name.empty()) failValue(o, "empty dataset name");
    auto def = std::make_shared<DatasetDefinition>();
    std::string json_only;  // a key that only a JSON load file has
    for (std::size_t i = first_option; i < parts.size(); ++i) {
      const auto [key, value] = keyAndValue(parts[i]);
      if (key == "remove_key") {
        def->remove_key = true;  // the context leaves out the value's own key
        json_only = "remove_key";
        continue;
      }
      if (value.empty()) failValue(o, "'" + std::string(key) + "' needs a value");
      if (key == "type") {
        def->type = parseDatasetType(value);
        if (!def->type) failValue(o, "unknown type '" + std::string(value) + "' (string, md5, sha256, ipv4, ip)");
      } else if (key == "load" || key == "state") {
        if (!def->load.empty()) failValue(o, "load and state given twice");
        def->load = std::string(value);
        def->state = key == "state";
      } else if (key == "save") {
        def->save = std::string(value);
      } else if (key == "memcap") {
        def->memcap = byteSize(o, value);
      } else if (key == "hashsize") {
        def->hashsize = static_cast<std::uint32_t>(integer(o, value, 1, UINT32_MAX));
      } else if (key == "format") {
        if (value == "csv") def->format = DatasetFormat::Csv;
        else if (value == "json") def->format = DatasetFormat::Json;
        else if (value == "ndjson" || value == "jsonline") def->format = DatasetFormat::JsonLines;
        else failValue(o, "unknown format '" + std::string(value) + "' (csv, json, ndjson)");
      } else if (key == "value_key") {
        def->value_key = std::string(value);
        json_only = "value_key";
      } else if (key == "array_key") {
        def->array_key = std::string(value);
        json_only = "array_key";
      } else if (key == "context_key") {
        // The matched value's JSON object goes into the alert, alert.context.<key> (datajson).
        def->context_key = std::string(value);
        json_only = std::string(key);
      } else if (!datarep && key == "match") {
        if (value != "subdomain") failValue(o, "match must be 'subdomain'");
        d.match_subdomain = true;
      } else {
        failValue(o, "unexpected '" + std::string(parts[i]) + "'");
      }
    }
    if (def->state && !def->save.empty()) failValue(o, "state and save given together");
    if (def->format != DatasetFormat::Csv && def->value_key.empty()) failValue(o, "a JSON format needs value_key");
    if (def->format == DatasetFormat::Csv && !json_only.empty()) failValue(o, json_only + " needs format json or ndjson");
    d.definition = std::move(def);
    if (!sticky_ && !in_base64_data_) fail(o.offset, "syntax", std::string(o.name) + " needs a sticky buffer before it");
    addItem(targetBuffer(false), std::move(d));
  }

  // "100mb", "64kb", "1gb" or bytes.
  std::uint64_t byteSize(const Option& o, std::string_view v) const {
    std::uint64_t unit = 1;
    const std::string l = lower(v);
    std::string_view digits = l;
    for (const auto& [suffix, factor] : {std::pair<std::string_view, std::uint64_t>{"kb", 1ULL << 10}, {"mb", 1ULL << 20}, {"gb", 1ULL << 30}}) {
      if (digits.ends_with(suffix)) {
        digits.remove_suffix(2);
        unit = factor;
        break;
      }
    }
    return static_cast<std::uint64_t>(integer(o, trim(digits), 0, 1LL << 40)) * unit;
  }

  // xbits:<cmd>,<name>,track ip_src|ip_dst|ip_pair[,expire N]
  // hostbits:<cmd>,<name>[,src|dst|both][,expire N]      cmd: set unset toggle isset isnotset
  void onHostbits(const Option& o, bool xbits) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.size() == 1 && parts[0] == "noalert") {
      rule_.noalert = true;
      return;
    }
    if (parts.size() < 2) failValue(o, "expected command, name" + std::string(xbits ? ", track ip_src|ip_dst|ip_pair" : ""));
    HostbitOp op;
    using Kind = HostbitOp::Kind;
    using Track = HostbitOp::Track;
    if (parts[0] == "set") op.kind = Kind::Set;
    else if (parts[0] == "unset") op.kind = Kind::Unset;
    else if (parts[0] == "toggle") op.kind = Kind::Toggle;
    else if (parts[0] == "isset") op.kind = Kind::IsSet;
    else if (parts[0] == "isnotset") op.kind = Kind::IsNotSet;
    else failValue(o, "unknown command '" + std::string(parts[0]) + "'");
    if (parts[1].empty()) failValue(o, "empty name");
    op.name = std::string(parts[1]);
    bool tracked = false;
    for (std::size_t i = 2; i < parts.size(); ++i) {
      const std::string_view p = parts[i];
      const auto [key, value] = keyAndValue(p);
      if (key == "expire") {
        op.expire_s = static_cast<std::uint32_t>(integer(o, value, 1, UINT32_MAX));
      } else if (xbits && key == "track" && !tracked) {
        if (value == "ip_src") op.track = Track::Src;
        else if (value == "ip_dst") op.track = Track::Dst;
        else if (value == "ip_pair") op.track = Track::Pair;
        else failValue(o, "track must be ip_src, ip_dst or ip_pair");
        tracked = true;
      } else if (!xbits && (p == "src" || p == "dst" || p == "both") && !tracked) {
        op.track = p == "src" ? Track::Src : p == "dst" ? Track::Dst : Track::Both;
        tracked = true;
      } else {
        failValue(o, "unexpected '" + std::string(p) + "'");
      }
    }
    if (xbits && !tracked) failValue(o, "xbits needs track ip_src, ip_dst or ip_pair");
    rule_.hostbits.push_back(std::move(op));
  }

  // app-layer-protocol:[!]proto[|proto...][,mode]: the flow's detected application protocol.
  // gsoc keeps one protocol per flow, decided by whichever side spoke first, so the per-direction
  // modes (to_server, to_client, either, final, direction) are accepted and read as that one
  // protocol. Before the protocol is known nothing matches, negated or not (as in Suricata,
  // which waits for detection); `unknown` and `failed` are not tracked and are refused.
  void onAppLayerProtocol(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.empty() || parts.size() > 2) failValue(o, "expected [!]protocol[,mode]");
    if (parts.size() == 2) {
      static constexpr std::string_view kModes[] = {"to_server", "to_client", "either", "final", "direction"};
      if (std::find(std::begin(kModes), std::end(kModes), parts[1]) == std::end(kModes)) {
        failValue(o, "unknown mode '" + std::string(parts[1]) + "'");
      }
    }
    AppProtocolCondition c;
    if (parts.size() == 2) {
      // to_server / to_client: the protocol that direction's own data was detected as.
      if (parts[1] == "to_server") c.side = FlowDirection::ToServer;
      else if (parts[1] == "to_client") c.side = FlowDirection::ToClient;
      else note("app-layer-protocol mode '" + std::string(parts[1]) + "' read as the flow's one protocol");
    }
    std::string_view names = parts[0];
    if (names.starts_with('!')) {
      c.negated = true;
      names = trim(names.substr(1));
    }
    for (const std::string_view name : splitList(names, '|')) {
      const auto* e = std::find_if(std::begin(kProtocols), std::end(kProtocols), [&](const ProtocolName& p) { return name == p.name; });
      if (e == std::end(kProtocols) || e->app == AppProto::None) {
        failValue(o, "'" + std::string(name) + "' is not an application protocol gsoc detects");
      }
      c.protocols.push_back(e->app);
    }
    rule_.app_protocols.push_back(std::move(c));
  }

  Threshold threshold(const Option& o, bool detection_filter) const {
    requireValue(o);
    Threshold t;
    t.type = detection_filter ? Threshold::Type::DetectionFilter : Threshold::Type::Limit;
    bool have_type = detection_filter, have_track = false, have_count = false, have_seconds = false;
    for (const std::string_view part : splitList(o.value)) {
      const std::size_t space = part.find_first_of(" \t");
      if (space == std::string_view::npos) failValue(o, "expected 'key value', got '" + std::string(part) + "'");
      const std::string_view key = part.substr(0, space);
      const std::string_view value = trim(part.substr(space));
      if (key == "type" && !detection_filter) {
        have_type = true;
        if (value == "limit") t.type = Threshold::Type::Limit;
        else if (value == "threshold") t.type = Threshold::Type::Threshold;
        else if (value == "both") t.type = Threshold::Type::Both;
        else if (value == "backoff") t.type = Threshold::Type::Backoff;
        else failValue(o, "unknown type '" + std::string(value) + "'");
      } else if (key == "track") {
        have_track = true;
        if (value == "by_src") t.track = Threshold::Track::BySrc;
        else if (value == "by_dst") t.track = Threshold::Track::ByDst;
        else if (value == "by_rule") t.track = Threshold::Track::ByRule;
        else if (value == "by_both") t.track = Threshold::Track::ByBoth;
        else if (value == "by_flow") t.track = Threshold::Track::ByFlow;
        else failValue(o, "unknown track '" + std::string(value) + "'");
      } else if (key == "count") {
        have_count = true;
        t.count = static_cast<std::uint32_t>(integer(o, value, 1, UINT32_MAX));
      } else if (key == "seconds") {
        have_seconds = true;
        t.seconds = static_cast<std::uint32_t>(integer(o, value, 1, UINT32_MAX));
      } else if (key == "multiplier" && !detection_filter) {
        t.multiplier = static_cast<std::uint32_t>(integer(o, value, 1, UINT32_MAX));
      } else {
        failValue(o, "unknown key '" + std::string(key) + "'");
      }
    }
    if (t.type == Threshold::Type::Backoff) {
      // As Suricata: a backoff counts one flow's matches, with no time window.
      if (!have_track || !have_count || t.multiplier == 0) failValue(o, "backoff needs track, count and multiplier");
      if (t.track != Threshold::Track::ByFlow) failValue(o, "backoff supports only track by_flow");
      if (have_seconds) failValue(o, "backoff takes no seconds");
      return t;
    }
    if (t.multiplier != 0) failValue(o, "multiplier is for type backoff only");
    if (!have_type || !have_track || !have_count || !have_seconds) {
      failValue(o, std::string(detection_filter ? "" : "type, ") + "track, count and seconds are all required");
    }
    return t;
  }

  void onFlags(const Option& o) {
    requireValue(o);
    HeaderCondition& h = rule_.header;
    h.flags_set = true;
    const auto parts = splitList(o.value);
    auto bit = [&](char c) -> std::uint8_t {
      switch (std::toupper(static_cast<unsigned char>(c))) {
        case 'F': return 0x01;
        case 'S': return 0x02;
        case 'R': return 0x04;
        case 'P': return 0x08;
        case 'A': return 0x10;
        case 'U': return 0x20;
        case 'E': case '2': return 0x40;
        case 'C': case '1': return 0x80;
        default: failValue(o, "unknown TCP flag '" + std::string(1, c) + "'");
      }
    };
    std::string_view flags = parts[0];
    bool exact = true;
    if (!flags.empty() && (flags.front() == '+' || flags.front() == '*' || flags.front() == '!')) {
      if (flags.front() == '*') h.flags_any = true;
      exact = false;
      const char mod = flags.front();
      flags.remove_prefix(1);
      for (const char c : flags) (mod == '!' ? h.flags_forbidden : h.flags_required) |= bit(c);
    } else {
      for (const char c : flags) {
        if (c == '0') continue;
        if (c == '+' || c == '*' || c == '!') {
          exact = false;
          if (c == '*') h.flags_any = true;
          continue;
        }
        h.flags_required |= bit(c);
      }
    }
    h.flags_exact = exact && !h.flags_any;
    if (parts.size() > 1) {
      for (const char c : parts[1]) h.flags_ignored |= bit(c);
    }
  }

  void onStreamSize(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.size() != 3) failValue(o, "expected 'server|client|both|either, operator, bytes'");
    StreamSizeCondition c;
    if (parts[0] == "server") c.side = StreamSizeCondition::Side::Server;
    else if (parts[0] == "client") c.side = StreamSizeCondition::Side::Client;
    else if (parts[0] == "both") c.side = StreamSizeCondition::Side::Both;
    else if (parts[0] == "either") c.side = StreamSizeCondition::Side::Either;
    else failValue(o, "unknown side '" + std::string(parts[0]) + "'");
    const std::string_view op = parts[1];
    if (op == "=" || op == "==") c.check.op = SizeCheck::Op::Eq;
    else if (op == "!=") c.check.op = SizeCheck::Op::NotEq;
    else if (op == "<") c.check.op = SizeCheck::Op::Lt;
    else if (op == ">") c.check.op = SizeCheck::Op::Gt;
    else if (op == "<=") c.check.op = SizeCheck::Op::Le;
    else if (op == ">=") c.check.op = SizeCheck::Op::Ge;
    else failValue(o, "unknown operator '" + std::string(op) + "'");
    c.check.a = static_cast<std::uint64_t>(integer(o, parts[2], 0, INT64_MAX));
    rule_.flow.stream_size = c;
  }

  // dcerpc.*, dce_* and smb.* keywords bind the rule to their protocol, as Suricata's: an `alert
  // tcp` rule becomes a dcerpc (or smb) rule; a dcerpc keyword is also at home in an smb rule
  // (DCERPC over SMB named pipes); any other protocol is a conflict.
  // frame:<type>: a sticky buffer of the frames of that type (Frame.hpp), which binds the rule to
  // their protocol. `<proto>.stream` is the protocol's whole stream: its stream payload.
  void onFrame(const Option& o) {
    requireValue(o);
    const std::string_view v = trim(o.value);
    if (v.ends_with(".stream")) {
      std::string_view proto = v.substr(0, v.size() - 7);
      if (proto == "http1") proto = "http";
      const auto it = std::find_if(std::begin(kProtocols), std::end(kProtocols), [&](const ProtocolName& p) { return p.name == proto; });
      if (it == std::end(kProtocols) || it->app == AppProto::None) failValue(o, "unknown frame type '" + std::string(v) + "'");
      bindApp(o, it->app);
      rule_.stream_only = true;
      onBufferKeyword(o, {BufferId::Payload, BufferKeywordKind::Sticky});
      return;
    }
    const FrameType* type = findFrameType(v, rule_.app);
    if (type == nullptr) failValue(o, "unknown frame type '" + std::string(v) + "'");
    bindApp(o, type->app);
    onBufferKeyword(o, {type->buffer, BufferKeywordKind::Sticky});
  }

  void bindApp(const Option& o, AppProto app) {
    if (rule_.app == AppProto::None) {
      rule_.app = app;
      return;
    }
    if (appProtoMatches(app, rule_.app) || (rule_.app == AppProto::Doh2 && app == AppProto::Dns)) return;  // doh2: dns keywords
    if (rule_.app == AppProto::Http1 && app == AppProto::Http) return;  // http1: HTTP/1's own keywords
    fail(o.offset, "protocol conflict",
         "'" + std::string(o.name) + "' is a " + std::string(appProtoName(app)) + " keyword; the rule is for " +
             std::string(appProtoName(rule_.app)));
  }

  // dcerpc.iface:<uuid>[,<op><version>][,any_frag]
  void onDceIface(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    if (parts.size() > 3) failValue(o, "expected uuid[,version][,any_frag]");
    DceIfaceCondition c;
    const std::string_view uuid = parts[0];
    if (uuid.size() != 36) failValue(o, "'" + std::string(uuid) + "' is not a UUID");
    std::size_t n = 0;
    for (std::size_t i = 0; i < uuid.size(); ++i) {
      const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash != (uuid[i] == '-')) failValue(o, "'" + std::string(uuid) + "' is not a UUID");
      if (dash) continue;
      const int digit = std::isdigit(static_cast<unsigned char>(uuid[i])) ? uuid[i] - '0'
                        : std::isxdigit(static_cast<unsigned char>(uuid[i])) ? std::tolower(uuid[i]) - 'a' + 10
                                                                               : -1;
      if (digit < 0) failValue(o, "'" + std::string(uuid) + "' is not a UUID");
      c.uuid[n / 2] = static_cast<std::uint8_t>(c.uuid[n / 2] << 4 | digit);
      ++n;
    }
    for (std::size_t i = 1; i < parts.size(); ++i) {
      if (parts[i] == "any_frag") {
        if (i + 1 != parts.size()) failValue(o, "any_frag comes last");
        c.any_frag = true;
      } else if (i == 1) {
        c.version = sizeCheck(o, parts[i]);
        if (c.version->op != SizeCheck::Op::Range && c.version->a > 0xffff) failValue(o, "version is out of range");
      } else {
        failValue(o, "expected any_frag, got '" + std::string(parts[i]) + "'");
      }
    }
    bindApp(o, AppProto::Dcerpc);
    rule_.dce_ifaces.push_back(c);
  }

  // dcerpc.opnum:<n>[-<m>][,...] or a comparison (">3", "<=10", "1<>5").
  void onDceOpnum(const Option& o) {
    requireValue(o);
    DceOpnumCondition c;
    const std::string_view v = trim(o.value);
    if (!v.empty() && (v.front() == '<' || v.front() == '>' || v.front() == '!' || v.front() == '=' ||
                       v.find("<>") != std::string_view::npos)) {
      c.compare = sizeCheck(o, v);
    } else {
      for (const std::string_view item : splitList(v)) {
        const std::size_t dash = item.find('-');
        const auto low = static_cast<std::uint16_t>(integer(o, item.substr(0, dash), 0, 0xffff));
        const auto high = dash == std::string_view::npos ? low : static_cast<std::uint16_t>(integer(o, item.substr(dash + 1), 0, 0xffff));
        if (high < low) failValue(o, "range " + std::string(item) + " ends before it starts");
        c.ranges.emplace_back(low, high);
      }
    }
    bindApp(o, AppProto::Dcerpc);
    rule_.dce_opnums.push_back(std::move(c));
  }

  // smb.version:1|2, once per rule.
  void onSmbVersion(const Option& o) {
    requireValue(o);
    if (rule_.smb_version) fail(o.offset, "syntax", "Can't use 2 or more smb.version declarations in the same sig");
    rule_.smb_version = static_cast<std::uint8_t>(integer(o, o.value, 1, 2));
    bindApp(o, AppProto::Smb);
  }

  void onTlsVersion(const Option& o) {
    requireValue(o);
    static constexpr std::pair<std::string_view, std::uint16_t> kVersions[] = {
        {"1.0", 0x0301}, {"1.1", 0x0302}, {"1.2", 0x0303}, {"1.3", 0x0304}, {"3.0", 0x0300}, {"ssl3", 0x0300}};
    for (const auto& [name, value] : kVersions) {
      if (o.value == name) {
        rule_.tls_version = value;
        return;
      }
    }
    rule_.tls_version = static_cast<std::uint16_t>(integer(o, o.value, 0, 0xffff));
  }

  // Suricata's legacy certificate keywords, `tls.subject:[!]"text"` (also tls.issuerdn and
  // tls.fingerprint): the field contains the text, case-sensitively, or with '!' does not; a
  // session without the field matches neither way. That is a content (negated with '!') on the
  // field's buffer, which does not change the sticky buffer or the last content. The fingerprint
  // buffer is lower case, and Suricata lower-cases the value, so "90:86:A4:..." matches too.
  void onTlsCertField(const Option& o, BufferId buffer, bool lowercase) {
    requireValue(o);
    std::string_view v = o.value;
    ContentMatch content;
    if (v.front() == '!') {
      content.negated = true;
      v = trim(v.substr(1));
    }
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') failValue(o, "the value must be a quoted string");
    content.pattern = unquote(Option{o.name, v, true, o.offset, o.value_offset});
    if (content.pattern.empty()) failValue(o, "empty value");
    if (lowercase) {
      for (char& c : content.pattern) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    inspection({buffer, {}}).items.push_back(std::move(content));
  }

  // filename:[!]"name" and fileext:[!]"ext": Suricata turns them into a content on file.name,
  // without case ("." + ext at the end for fileext); `!` matches a file not so named.
  void onFileName(const Option& o, bool extension) {
    onTlsCertField(o, BufferId::FileName, false);
    ContentMatch& content = std::get<ContentMatch>(inspection({BufferId::FileName, {}}).items.back());
    content.nocase = true;
    if (extension) {
      content.pattern.insert(0, 1, '.');
      content.endswith = true;
    }
  }

  // filemd5:[!]<file> and filesha256:[!]<file>: the file's hash is (not) in the list, one hex
  // hash a line, read from beside the rule file. A set of its own per list file (a dataset).
  void onFileHashList(const Option& o, BufferId buffer, DatasetType type) {
    requireValue(o);
    std::string_view v = o.value;
    DatasetMatch d;
    d.offset = static_cast<std::uint32_t>(o.value_offset);
    d.op = DatasetMatch::Op::IsSet;
    if (v.front() == '!') {
      d.op = DatasetMatch::Op::IsNotSet;
      v = trim(v.substr(1));
    }
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    if (v.empty()) failValue(o, "expected a file of hashes");
    auto def = std::make_shared<DatasetDefinition>();
    def->type = type;
    def->load = std::string(v);
    d.name = std::string(o.name) + ":" + def->load;
    d.definition = std::move(def);
    inspection({buffer, {}}).items.push_back(std::move(d));
  }

  // tag:<session|host>[, <count>, <packets|bytes|seconds>[, <src|dst>]]: without a count,
  // 256 packets; a host tag without a direction follows the destination (Suricata's defaults).
  void onTag(const Option& o) {
    requireValue(o);
    const auto parts = splitList(o.value);
    Tag tag;
    if (parts[0] == "session") tag.scope = Tag::Scope::Session;
    else if (parts[0] == "host") tag.scope = Tag::Scope::Host;
    else failValue(o, "expected session or host, got '" + std::string(parts[0]) + "'");
    if (parts.size() == 2 || parts.size() > 4) failValue(o, "expected <session|host>[, <count>, <packets|bytes|seconds>[, <src|dst>]]");
    if (parts.size() >= 3) {
      tag.count = static_cast<std::uint32_t>(integer(o, parts[1], 0, std::numeric_limits<std::uint32_t>::max()));
      if (parts[2] == "packets") tag.metric = Tag::Metric::Packets;
      else if (parts[2] == "bytes") tag.metric = Tag::Metric::Bytes;
      else if (parts[2] == "seconds") tag.metric = Tag::Metric::Seconds;
      else failValue(o, "expected packets, bytes or seconds, got '" + std::string(parts[2]) + "'");
    }
    if (parts.size() == 4) {
      if (tag.scope != Tag::Scope::Host) failValue(o, "a direction (src/dst) applies to host tags only");
      if (parts[3] == "src") tag.host_is_src = true;
      else if (parts[3] != "dst") failValue(o, "expected src or dst, got '" + std::string(parts[3]) + "'");
    }
    rule_.tags.push_back(tag);
  }

  // filestore[:<request|to_server|response|to_client|both>[,<file|tx|ssn|flow>]]: checked; the
  // rule then matches only a transaction with a file (as Suricata's file keywords), and gsoc logs
  // files (fileinfo, `stored` false) but stores none.
  void onFilestore(const Option& o) {
    if (o.has_value) {
      const auto parts = splitList(o.value);
      static constexpr std::string_view kDirections[] = {"request", "to_server", "response", "to_client", "both"};
      static constexpr std::string_view kScopes[] = {"file", "tx", "ssn", "flow"};
      const auto in = [](std::string_view v, const auto& list) { return std::find(std::begin(list), std::end(list), v) != std::end(list); };
      if (parts.empty() || parts.size() > 2 || !in(parts[0], kDirections) || (parts.size() == 2 && !in(parts[1], kScopes))) {
        failValue(o, "expected <request|to_server|response|to_client|both>[,<file|tx|ssn|flow>]");
      }
    }
    note("'filestore' accepted; the rule matches only where a file is; gsoc-sensor stores files with --file-store and --force-filestore");
    rule_.filestore = true;
  }

  static std::optional<Transform::Kind> transformKind(std::string_view n) {
    using K = Transform::Kind;
    static constexpr std::pair<std::string_view, K> kKinds[] = {
        {"dotprefix", K::DotPrefix},
        {"to_lowercase", K::ToLowercase},
        {"to_uppercase", K::ToUppercase},
        {"strip_whitespace", K::StripWhitespace},
        {"compress_whitespace", K::CompressWhitespace},
        {"url_decode", K::UrlDecode},
        {"to_md5", K::ToMd5},
        {"to_sha1", K::ToSha1},
        {"to_sha256", K::ToSha256},
        {"xor", K::Xor},
        {"pcrexform", K::PcreXform},
        {"header_lowercase", K::HeaderLowercase},
        {"strip_pseudo_headers", K::StripPseudoHeaders},
        {"from_base64", K::FromBase64},
        {"gunzip", K::Gunzip},
        {"zlib_deflate", K::ZlibDeflate},
        {"domain", K::Domain},
        {"tld", K::Tld},
    };
    for (const auto& [name, kind] : kKinds) {
      if (n == name) return kind;
    }
    return std::nullopt;
  }

  // A transform rewrites the current sticky buffer for the keywords after it; keywords before it
  // keep inspecting the buffer as it was (Suricata starts a new buffer instance keyed by the
  // transforms: ET writes `dns.query; content:"rs-"; startswith; dotprefix; content:...`).
  void onTransform(const Option& o, Transform::Kind kind) {
    const std::string name(o.name);
    if (!sticky_ || *sticky_ == BufferId::Payload) fail(o.offset, "syntax", "transform '" + name + "' must follow a sticky buffer");
    Transform t;
    t.kind = kind;
    if (kind == Transform::Kind::Xor) {
      // xor:"0d0ac8ff"; the key in hex, quotes required.
      requireValue(o);
      std::string_view v = o.value;
      if (v.size() < 2 || v.front() != '"' || v.back() != '"') failValue(o, "the key must be quoted hex, e.g. \"0d0ac8ff\"");
      v = v.substr(1, v.size() - 2);
      if (v.empty() || v.size() % 2 != 0 || v.size() > 510) failValue(o, "the key must be 1 to 255 bytes of hex");
      for (std::size_t i = 0; i < v.size(); i += 2) {
        const auto hi = static_cast<unsigned char>(v[i]), lo = static_cast<unsigned char>(v[i + 1]);
        if (!std::isxdigit(hi) || !std::isxdigit(lo)) failValue(o, "the key must be hex digits");
        auto digit = [](unsigned char c) { return std::isdigit(c) ? c - '0' : std::tolower(c) - 'a' + 10; };
        t.argument.push_back(static_cast<char>(digit(hi) << 4 | digit(lo)));
      }
    } else if (kind == Transform::Kind::PcreXform) {
      // pcrexform:"<pattern>"; no slashes or flags, exactly one capture group (Suricata).
      if (!o.has_value || o.value.empty()) fail(o.offset, "invalid value for 'pcrexform'", "invalid formatting or malformed option to pcrexform keyword: a quoted pattern is required");
      if (o.value.size() < 2 || o.value.front() != '"' || o.value.back() != '"') {
        fail(o.value_offset, "invalid value for 'pcrexform'", "invalid formatting to pcrexform keyword: the pattern must be quoted");
      }
      PcreMatch spec;
      spec.source = std::string(o.value.substr(1, o.value.size() - 2));
      std::string error;
      std::size_t error_offset = 0;
      t.regex = CompiledRegex::compile(spec, error, error_offset);
      if (!t.regex) fail(o.value_offset, "bad pcre", "pcrexform: " + error + " at pattern offset " + std::to_string(error_offset));
      if (t.regex->captureCount() != 1) {
        failValue(o, "needs exactly one capture group, found " + std::to_string(t.regex->captureCount()));
      }
      t.argument = std::move(spec.source);
    } else if (kind == Transform::Kind::FromBase64) {
      // from_base64[: bytes N][, offset N][, mode rfc4648|rfc2045|strict]
      if (o.has_value) {
        for (const std::string_view part : splitList(o.value)) {
          const auto [key, value] = keyAndValue(part);
          if (key == "bytes") t.size = static_cast<std::uint32_t>(integer(o, value, 1, UINT16_MAX));
          else if (key == "offset") t.offset = static_cast<std::uint32_t>(integer(o, value, 0, UINT16_MAX));
          else if (key == "mode" && value == "rfc4648") t.mode = Transform::Base64Mode::Rfc4648;
          else if (key == "mode" && value == "rfc2045") t.mode = Transform::Base64Mode::Rfc2045;
          else if (key == "mode" && value == "strict") t.mode = Transform::Base64Mode::Strict;
          else failValue(o, "expected bytes N, offset N or mode rfc4648|rfc2045|strict, got '" + std::string(part) + "'");
        }
      }
    } else if (kind == Transform::Kind::Gunzip || kind == Transform::Kind::ZlibDeflate) {
      // gunzip[: max-size N] (also max-size=N): output bytes kept, default 1024 as Suricata's.
      t.size = 1024;
      if (o.has_value) {
        const std::string_view v = trim(o.value);
        const std::size_t sep = v.find_first_of(" =");
        if (sep == std::string_view::npos || v.substr(0, sep) != "max-size") failValue(o, "expected max-size N");
        t.size = static_cast<std::uint32_t>(integer(o, trim(v.substr(sep + 1)), 1, 16 << 20));
      }
    } else if (o.has_value) {
      failValue(o, "'" + name + "' takes no value");
    }
    if ((kind == Transform::Kind::Domain || kind == Transform::Kind::Tld) && PublicSuffixList::system() == nullptr) {
      fail(o.offset, "public suffix list missing",
           "'" + name + "' needs the public suffix list at " + std::string(PublicSuffixList::kDebianPath) + " (Debian package publicsuffix)");
    }
    sticky_transforms_.push_back(std::move(t));
  }

  // decode-event:ipv4.trunc_pkt; stream-event:reassembly_seq_gap; app-layer-event:http.missing_host_header.
  // Suricata's own prefixes ("decoder.", "stream.") are accepted too. A well-formed name of an
  // event gsoc never raises loads, as Suricata would load it, but the rule can never match: a
  // warning says so rather than the rule silently never firing.
  void onEvent(const Option& o, EventKind kind) {
    requireValue(o);
    std::string_view name = trim(o.value);
    if (kind == EventKind::Decode && name.starts_with("decoder.")) name.remove_prefix(8);
    if (kind == EventKind::Stream && name.starts_with("stream.")) name.remove_prefix(7);
    std::string alias;  // Suricata's ike parser answers to ikev2 too
    if (kind == EventKind::AppLayer && name.starts_with("ikev2.")) {
      alias = "ike." + std::string(name.substr(6));
      name = alias;
    }
    const bool well_formed = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
    if (!well_formed) failValue(o, "an event name is letters, digits, '_' and '.'");
    if (kind == EventKind::AppLayer && name.find('.') == std::string_view::npos && !name.starts_with("applayer_")) {
      failValue(o, "an app-layer event is named <protocol>.<event> (or applayer_<event>)");
    }
    if (const auto event = findAnomalyEvent(kind, name)) {
      rule_.events.push_back(*event);
      // app-layer-event binds the rule to the event's protocol, as Suricata does.
      const AppProto app = anomalyEventInfo(*event).app;
      if (app != AppProto::None && rule_.app == AppProto::None) rule_.app = app;
      return;
    }
    rule_.names_unraised_event = true;
    note(std::string(o.name) + " '" + std::string(name) + "' is never raised by gsoc: the rule loads but cannot match");
  }

  // Notes are kept until the end of the rule: the sid may come after the keyword.
  void note(const std::string& message) { notes_.push_back(message); }

  void apply(const Option& o) {
    const std::string_view n = o.name;
    if (n == "msg") { requireValue(o); rule_.msg = unquote(o); return; }
    if (n == "sid") { requireValue(o); rule_.sid = static_cast<std::uint32_t>(integer(o, o.value, 1, UINT32_MAX)); return; }
    if (n == "rev") { requireValue(o); rule_.rev = static_cast<std::uint32_t>(integer(o, o.value, 0, UINT32_MAX)); return; }
    if (n == "gid") { requireValue(o); rule_.gid = static_cast<std::uint32_t>(integer(o, o.value, 0, UINT32_MAX)); return; }
    if (n == "requires") return;  // checked before the header (checkRequirements)
    if (n == "classtype") { requireValue(o); rule_.classtype = std::string(o.value); return; }
    if (n == "priority") {
      requireValue(o);
      rule_.priority = static_cast<std::uint8_t>(integer(o, o.value, 1, 255));
      rule_.priority_explicit = true;
      return;
    }
    if (n == "reference") { requireValue(o); rule_.references.emplace_back(o.value); return; }
    if (n == "metadata") {
      requireValue(o);
      for (const std::string_view item : splitList(o.value)) {
        const std::size_t space = item.find(' ');
        rule_.metadata.emplace_back(std::string(item.substr(0, space)),
                                    space == std::string_view::npos ? std::string() : std::string(trim(item.substr(space))));
      }
      return;
    }
    if (n == "target") {
      requireValue(o);
      if (o.value != "src_ip" && o.value != "dest_ip") failValue(o, "expected src_ip or dest_ip");
      rule_.target = std::string(o.value);
      return;
    }
    if (n == "content") { onContent(o); return; }
    if (n == "nocase" || n == "depth" || n == "offset" || n == "distance" || n == "within" || n == "startswith" ||
        n == "endswith" || n == "fast_pattern" || n == "rawbytes") {
      onContentModifier(o);
      return;
    }
    if (n == "pcre") { onPcre(o); return; }
    if (n == "byte_test") { onByteTest(o); return; }
    if (n == "byte_jump") { onByteJump(o); return; }
    if (n == "isdataat") { onIsDataAt(o); return; }
    if (n == "byte_extract") { onByteExtract(o); return; }
    if (n == "byte_math") { onByteMath(o); return; }
    if (n == "base64_decode") { onBase64Decode(o); return; }
    if (n == "base64_data") { onBase64Data(o); return; }
    if (n == "uricontent") {
      // Snort 2: content in the normalized URI.
      onContent(o);
      onBufferKeyword(o, BufferKeyword{BufferId::HttpUri, BufferKeywordKind::ContentModifier});
      return;
    }
    if (n == "bsize") {
      requireValue(o);
      if (in_base64_data_) {
        base64_->size = sizeCheck(o, o.value);
        return;
      }
      if (!sticky_) fail(o.offset, "syntax", "bsize needs a sticky buffer before it");
      inspection({*sticky_, sticky_transforms_, false, sticky_occurrence_, sticky_side_}).size = sizeCheck(o, o.value);
      return;
    }
    if (n == "absent") {
      if (!sticky_) fail(o.offset, "syntax", "absent needs a sticky buffer before it");
      if (!o.value.empty() && o.value != "or_else") fail(o.offset, "bad value", "absent: expected nothing or 'or_else', got '" + std::string(o.value) + "'");
      BufferInspection& insp = inspection({*sticky_, sticky_transforms_, false, sticky_occurrence_, sticky_side_});
      if (!insp.items.empty() || insp.size) fail(o.offset, "syntax", "absent must come right after its sticky buffer");
      insp.absent = o.value.empty() ? BufferInspection::Absent::Only : BufferInspection::Absent::OrElse;
      return;
    }
    if (n == "urilen") {
      requireValue(o);
      const auto parts = splitList(o.value);
      const BufferId uri = parts.size() > 1 && parts[1] == "raw" ? BufferId::HttpRawUri : BufferId::HttpUri;
      inspection({uri, {}}).size = sizeCheck(o, parts[0]);
      return;
    }
    if (n == "dsize") { requireValue(o); rule_.header.dsize = sizeCheck(o, o.value); return; }
    if (n == "itype") { requireValue(o); rule_.header.itype = sizeCheck(o, o.value); return; }
    if (n == "icode") { requireValue(o); rule_.header.icode = sizeCheck(o, o.value); return; }
    if (n == "ttl") { requireValue(o); rule_.header.ttl = sizeCheck(o, o.value); return; }
    if (n == "vlan.id") { onVlanId(o); return; }
    if (n == "vlan.layers") { requireValue(o); rule_.header.vlan_layers = uintCheck(o, o.value); return; }
    if (n == "icmpv6.mtu") { requireValue(o); rule_.header.icmpv6_mtu = uintCheck(o, o.value); return; }
    if (n == "seq") { requireValue(o); rule_.header.tcp_seq = uintCheck(o, o.value); return; }
    if (n == "ack") { requireValue(o); rule_.header.tcp_ack = uintCheck(o, o.value); return; }
    if (n == "icmp_id") { requireValue(o); rule_.header.icmp_id = sizeCheck(o, o.value); return; }
    if (n == "icmp_seq") { requireValue(o); rule_.header.icmp_seq = sizeCheck(o, o.value); return; }
    if (n == "tcp.mss") {
      requireValue(o);
      // Suricata's integer syntax also writes the exclusive range as "N-M".
      std::string value(o.value);
      if (const std::size_t dash = value.find('-'); dash != std::string::npos && dash > 0) value.replace(dash, 1, "<>");
      rule_.header.tcp_mss = sizeCheck(o, value);
      return;
    }
    if (n == "ip_proto") {
      requireValue(o);
      std::string_view v = o.value;
      if (!v.empty() && v.front() == '!') {
        rule_.header.ip_proto_negated = true;
        v = trim(v.substr(1));
      }
      static constexpr std::pair<std::string_view, std::uint8_t> kNames[] = {
          {"icmp", 1}, {"igmp", 2}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"esp", 50}, {"ah", 51}, {"ipv6-icmp", 58}, {"sctp", 132}};
      for (const auto& [name, number] : kNames) {
        if (v == name) {
          rule_.header.ip_proto = number;
          return;
        }
      }
      rule_.header.ip_proto = static_cast<std::uint8_t>(integer(o, v, 0, 255));
      return;
    }
    if (n == "flags") { onFlags(o); return; }
    if (n == "flow") { onFlow(o); return; }
    if (n == "flowbits") { onFlowbits(o); return; }
    if (n == "flowint") { onFlowint(o); return; }
    if (n == "app-layer-protocol") { onAppLayerProtocol(o); return; }
    if (n == "xbits") { onHostbits(o, true); return; }
    if (n == "hostbits") { onHostbits(o, false); return; }
    if (n == "dataset") { onDataset(o, false); return; }
    if (n == "datarep") { onDataset(o, true); return; }
    if (n == "prefilter") return;  // a hint to Suricata's prefilter engine; gsoc chooses its own
    if (n == "tcp.flags") { onFlags(o); return; }  // Suricata 8's name for flags
    if (n == "noalert") { rule_.noalert = true; return; }
    if (n == "bypass") { rule_.bypass = true; return; }
    if (n == "threshold") { rule_.threshold = threshold(o, false); return; }
    if (n == "detection_filter") { rule_.detection_filter = threshold(o, true); return; }
    if (const auto kind = transformKind(n)) {
      onTransform(o, *kind);
      return;
    }
    if (n == "decode-event") { onEvent(o, EventKind::Decode); return; }
    if (n == "stream-event") { onEvent(o, EventKind::Stream); return; }
    if (n == "app-layer-event") { onEvent(o, EventKind::AppLayer); return; }
    if (n == "stream_size") { onStreamSize(o); return; }
    if (onChecksum(o)) return;
    {
      using C = FlowCounterCondition;
      if (n == "flow.pkts") { onFlowCounter(o, C::Counter::Packets, std::nullopt); return; }
      if (n == "flow.bytes") { onFlowCounter(o, C::Counter::Bytes, std::nullopt); return; }
      if (n == "flow.pkts_toserver") { onFlowCounter(o, C::Counter::Packets, C::Side::ToServer); return; }
      if (n == "flow.pkts_toclient") { onFlowCounter(o, C::Counter::Packets, C::Side::ToClient); return; }
      if (n == "flow.bytes_toserver") { onFlowCounter(o, C::Counter::Bytes, C::Side::ToServer); return; }
      if (n == "flow.bytes_toclient") { onFlowCounter(o, C::Counter::Bytes, C::Side::ToClient); return; }
      if (n == "flow.age") { requireValue(o); rule_.flow.age = sizeCheck(o, o.value); return; }
    }
    if (n == "tls.version") { onTlsVersion(o); return; }
    if (n == "tls.cert_chain_len") { requireValue(o); fieldInteger(o, BufferId::TlsCertChainLenNumber, o.value, 4); return; }
    if (n == "dcerpc.iface" || n == "dce_iface") { onDceIface(o); return; }
    if (n == "dcerpc.opnum" || n == "dce_opnum") { onDceOpnum(o); return; }
    if (n == "smb.version") { onSmbVersion(o); return; }
    if (n == "tls.subject") { onTlsCertField(o, BufferId::TlsCertSubject, false); return; }
    if (n == "tls.issuerdn") { onTlsCertField(o, BufferId::TlsCertIssuer, false); return; }
    if (n == "tls.fingerprint") { onTlsCertField(o, BufferId::TlsCertFingerprint, true); return; }
    if (n == "filename") { onFileName(o, false); return; }
    if (n == "fileext") { onFileName(o, true); return; }
    if (n == "filesize") { onFileSize(o); return; }
    if (n == "filemd5") { onFileHashList(o, BufferId::FileMd5, DatasetType::Md5); return; }
    if (n == "filesha256") { onFileHashList(o, BufferId::FileSha256, DatasetType::Sha256); return; }
    if (n == "tag") { onTag(o); return; }
    if (n == "filestore") {
      onFilestore(o);
      return;
    }
    if (n == "frame") { onFrame(o); return; }
    if (onWebsocketInteger(o)) return;
    if (onMqttInteger(o) || onFtpInteger(o) || onLdapInteger(o) || onDnsInteger(o) || onHttp2Keyword(o)) return;
    if (onRfbInteger(o)) return;
    if (onDnp3Keyword(o) || onKrb5Keyword(o) || onIkeKeyword(o)) return;
    if (onNfsKeyword(o)) return;
    if (onSnmpKeyword(o) || onTftpKeyword(o) || onDhcpKeyword(o)) return;
    if (onEnipKeyword(o) || onModbusKeyword(o)) return;
    if (onNtpKeyword(o)) return;
    if (const auto kw = findBufferKeyword(n)) {
      if (kw->buffer == BufferId::DceStubData) bindApp(o, AppProto::Dcerpc);
      if (kw->buffer >= BufferId::SmbNamedPipe && kw->buffer <= BufferId::SmbNtlmsspDomain) bindApp(o, AppProto::Smb);
      if (kw->buffer >= BufferId::LdapRequestDn && kw->buffer <= BufferId::LdapResponsesAttributeType) bindApp(o, AppProto::Ldap);
      if (kw->buffer >= BufferId::QuicVersion && kw->buffer <= BufferId::QuicCyuString) bindApp(o, AppProto::Quic);
      if (n.starts_with("mdns.")) bindApp(o, AppProto::Mdns);  // Suricata 8's mdns.*.rrname: DNS's buffers on mDNS
      if (kw->buffer == BufferId::WebsocketPayload) bindApp(o, AppProto::Websocket);
      if (kw->buffer == BufferId::PgsqlQuery) bindApp(o, AppProto::Pgsql);
      if (kw->buffer == BufferId::RfbName) bindApp(o, AppProto::Rfb);
      if (kw->buffer >= BufferId::Pop3Command && kw->buffer <= BufferId::Pop3Status) bindApp(o, AppProto::Pop3);
      if (kw->buffer == BufferId::Dnp3Data) bindApp(o, AppProto::Dnp3);
      if (kw->buffer == BufferId::Krb5Cname || kw->buffer == BufferId::Krb5Sname) bindApp(o, AppProto::Krb5);
      if (kw->buffer >= BufferId::IkeInitSpi && kw->buffer <= BufferId::IkeVendor) bindApp(o, AppProto::Ike);
      if (n.starts_with("http2.")) bindApp(o, AppProto::Http2);
      noteBodyDirection(n);
      onBufferKeyword(o, *kw);
      return;
    }
    fail(o.offset, "unsupported keyword '" + std::string(n) + "'", "unsupported keyword '" + std::string(n) + "'");
  }

  void finish() {
    if (rule_.sid == 0) fail(0, "missing sid", "rule has no sid");
    rule_.inspects_payload = rule_.findInspection(BufferId::Payload) != nullptr;
    rule_.inspects_app_buffer = rule_.hasTransactionFacts() ||
                                std::any_of(rule_.inspections.begin(), rule_.inspections.end(), [](const BufferInspection& i) {
                                  return i.buffer != BufferId::Payload && !isPacketHeaderBuffer(i.buffer);
                                });
    // Header buffers exist on packets only, so such a rule is a packet rule: its payload too is
    // the packet's (as tcp-pkt), not the reassembled stream's.
    // ip.src/ip.dst are the exception: every input has its addresses (the Detector reads them
    // from the input's metadata when the buffer is absent), so a rule may test them together
    // with a transaction's buffers (`http.host; dataset:...; ip.src; dataset:...`).
    auto address = [](BufferId b) { return b == BufferId::IpSrc || b == BufferId::IpDst; };
    const bool headers_only_addresses = std::all_of(rule_.inspections.begin(), rule_.inspections.end(), [&](const BufferInspection& i) {
      return !isPacketHeaderBuffer(i.buffer) || address(i.buffer);
    });
    if (std::any_of(rule_.inspections.begin(), rule_.inspections.end(),
                    [](const BufferInspection& i) { return isPacketHeaderBuffer(i.buffer); }) || rule_.header.tcp_mss) {
      if (rule_.inspects_app_buffer && !(headers_only_addresses && !rule_.header.tcp_mss)) {
        fail(0, "syntax", "a rule cannot inspect packet headers and application-layer buffers together");
      }
      if (!rule_.inspects_app_buffer) rule_.packet_only = true;
    }
    const FlowCondition& f = rule_.flow;
    rule_.ip_only = rule_.inspections.empty() && rule_.header.empty() && rule_.flowbits.empty() && rule_.flowints.empty() && rule_.app_protocols.empty() && rule_.hostbits.empty() && !rule_.tls_version && !rule_.hasTransactionFacts() &&
                    rule_.events.empty() && !rule_.names_unraised_event &&
                    rule_.app == AppProto::None && !rule_.packet_only && !rule_.stream_only &&
                    f.direction == FlowDirection::Any && !f.established && !f.not_established && !f.only_stream &&
                    !f.no_stream && !f.stream_size && f.counters.empty() && !f.age;
    if (warnings_) {
      for (const std::string& n : notes_) warnings_->push_back("sid " + std::to_string(rule_.sid) + ": " + n);
    }
    checkDsizeReachable();
    if (rule_.transactional) {
      resolveTransactionSides();
    } else {
      checkDirections();
      applyBodyDirection();
    }
    for (const BufferInspection& insp : rule_.inspections) {
      for (const InspectItem& item : insp.items) {
        if (const auto* c = std::get_if<ContentMatch>(&item)) {
          if (c->within && c->within_var == kNoVariable && *c->within < static_cast<std::int32_t>(c->pattern.size())) {
            fail(0, "invalid value for 'within'",
                 "within " + std::to_string(*c->within) + " is shorter than its content (" + std::to_string(c->pattern.size()) + " bytes)");
          }
          if (c->depth && c->depth_var == kNoVariable && *c->depth < static_cast<std::int32_t>(c->pattern.size())) {
            fail(0, "invalid value for 'depth'",
                 "depth " + std::to_string(*c->depth) + " is shorter than its content (" + std::to_string(c->pattern.size()) + " bytes)");
          }
        }
      }
    }
  }

  static FlowDirection sideOf(BufferId b) {
    switch (b) {
      case BufferId::HttpUri: case BufferId::HttpRawUri: case BufferId::HttpMethod: case BufferId::HttpRequestLine:
      case BufferId::HttpHost: case BufferId::HttpRawHost: case BufferId::HttpUserAgent: case BufferId::HttpRequestHeader:
      case BufferId::FtpCommand: case BufferId::FtpCommandData:
        return FlowDirection::ToServer;
      case BufferId::HttpStatCode: case BufferId::HttpStatMsg: case BufferId::HttpResponseLine: case BufferId::HttpResponseHeader:
        return FlowDirection::ToClient;
      default: return FlowDirection::Any;
    }
  }

  // HTTP bodies share one buffer (file.data, see Buffer.cpp), but Suricata's request-body
  // keywords (http_client_body, http.request_body) inspect only requests and its response-body
  // ones (http_server_body, http.server_body, http.response_body) only responses.
  void noteBodyDirection(std::string_view keyword) {
    if (const FlowDirection side = bodySideOf(keyword); side != FlowDirection::Any) body_direction_ = side;
  }
  static FlowDirection bodySideOf(std::string_view keyword) {
    if (keyword == "http_client_body" || keyword == "http.request_body") return FlowDirection::ToServer;
    if (keyword == "http_server_body" || keyword == "http.server_body" || keyword == "http.response_body") return FlowDirection::ToClient;
    return FlowDirection::Any;
  }

  // A transactional (=>) rule: each inspection takes its side of the transaction from its
  // buffer, unless the keyword named one; a buffer of both directions without one is refused
  // (Suricata 8 refuses such rules too), as are payload and packet conditions, which belong to
  // no transaction.
  void resolveTransactionSides() {
    if (rule_.flow.direction != FlowDirection::Any) {
      fail(0, "conflicting directions", "rule " + std::to_string(rule_.sid) + " is transactional (=>): it takes both directions, flow:to_server/to_client does not apply");
    }
    if (rule_.app == AppProto::None) {
      fail(0, "syntax", "rule " + std::to_string(rule_.sid) + " is transactional (=>): it needs an app-layer protocol");
    }
    for (BufferInspection& insp : rule_.inspections) {
      if (insp.buffer == BufferId::Payload || isPacketHeaderBuffer(insp.buffer)) {
        fail(0, "syntax", "rule " + std::to_string(rule_.sid) + " is transactional (=>): payload and packet keywords belong to no transaction");
      }
      if (insp.side == FlowDirection::Any) insp.side = transactionSideOf(insp.buffer);
      if (insp.side == FlowDirection::Any) {
        fail(0, "ambiguous direction", "rule " + std::to_string(rule_.sid) + " is transactional (=>) and '" + std::string(bufferName(insp.buffer)) +
                                           "' exists in both directions: name one (" + std::string(bufferName(insp.buffer)) + ": to_client;)");
      }
    }
  }
  static FlowDirection transactionSideOf(BufferId b) {
    switch (b) {
      case BufferId::HttpAccept: case BufferId::HttpAcceptEnc: case BufferId::HttpAcceptLang: case BufferId::HttpReferer:
      case BufferId::TlsSni: case BufferId::Ja3Hash: case BufferId::Ja3String: case BufferId::Ja4Hash:
        return FlowDirection::ToServer;
      case BufferId::HttpServer: case BufferId::HttpLocation:
      case BufferId::Ja3sHash: case BufferId::Ja3sString: case BufferId::TlsCertSubject: case BufferId::TlsCertIssuer:
      case BufferId::TlsCertSerial: case BufferId::TlsCertFingerprint: case BufferId::TlsCerts: case BufferId::TlsSubjectAltName:
        return FlowDirection::ToClient;
      default: return sideOf(b);
    }
  }
  // A rule without a flow direction of its own takes its body keyword's, unless a buffer of
  // the other direction (a transaction's request and response together) says otherwise.
  void applyBodyDirection() {
    if (body_direction_ == FlowDirection::Any || rule_.flow.direction != FlowDirection::Any) return;
    for (const BufferInspection& insp : rule_.inspections) {
      const FlowDirection side = sideOf(insp.buffer);
      if (side != FlowDirection::Any && side != body_direction_) return;
    }
    rule_.flow.direction = body_direction_;
  }

  // A buffer that exists in one direction only, in a rule bound to the other: Suricata 8
  // refuses the rule rather than let it never match.
  void checkDirections() const {
    if (rule_.flow.direction == FlowDirection::Any) return;
    for (const BufferInspection& insp : rule_.inspections) {
      const FlowDirection side = sideOf(insp.buffer);
      if (side != FlowDirection::Any && side != rule_.flow.direction) {
        fail(0, "conflicting directions", "rule " + std::to_string(rule_.sid) + " mixes keywords with conflicting directions (" +
                                              std::string(bufferName(insp.buffer)) + " exists only " +
                                              (side == FlowDirection::ToServer ? "to_server" : "to_client") + ")");
      }
    }
  }

  // As Suricata's SigParseRequiredContentSize: a dsize that caps the payload below what the
  // payload contents need (each content and its positive distance, the relative ones after the
  // first) makes a rule that can never match, which Suricata refuses.
  void checkDsizeReachable() {
    const auto& d = rule_.header.dsize;
    if (!d) return;
    std::int64_t max = 0;
    switch (d->op) {
      case SizeCheck::Op::Eq: case SizeCheck::Op::Lt: case SizeCheck::Op::Le: max = static_cast<std::int64_t>(d->a); break;
      case SizeCheck::Op::Range: max = static_cast<std::int64_t>(d->b); break;
      default: return;
    }
    const BufferInspection* payload = rule_.findInspection(BufferId::Payload);
    if (payload == nullptr || !payload->transforms.empty()) return;
    std::int64_t need = 0;
    std::int64_t max_offset = 0;
    bool first = true;
    for (const InspectItem& item : payload->items) {
      const auto* c = std::get_if<ContentMatch>(&item);
      if (c == nullptr) continue;
      if (c->distance_var != kNoVariable || c->within_var != kNoVariable || c->offset_var != kNoVariable) return;
      const std::int64_t distance = c->distance.value_or(0);
      if (!first) {
        if (!c->relative()) continue;
        if (c->negated) {
          const std::int64_t reach = need + distance + c->within.value_or(0);
          if (reach > max) {
            need = reach;  // as Suricata: the negated content's reach is what is reported
            break;
          }
          continue;
        }
      }
      need += static_cast<std::int64_t>(c->pattern.size()) + distance;
      max_offset = std::max<std::int64_t>(max_offset, c->offset.value_or(0));
      first = false;
    }
    if (need > max) {
      fail(0, "signature can't match", "signature can't match as required content length " + std::to_string(need) +
                                           " exceeds dsize value " + std::to_string(max));
    }
    if (need + max_offset > max) {
      fail(0, "signature can't match", "signature can't match as required content length " + std::to_string(need) + " with offset " +
                                           std::to_string(max_offset) + " exceeds dsize value " + std::to_string(max));
    }
  }

  const RuleVariables& vars_;
  std::string_view text_;
  std::vector<std::string>* warnings_;
  std::vector<std::string> notes_;
  Rule rule_;
  std::uint8_t sticky_occurrence_ = 0;  // see BufferInspection::occurrence
  FlowDirection sticky_side_ = FlowDirection::Any;  // see BufferInspection::side
  std::optional<BufferId> sticky_;
  FlowDirection body_direction_ = FlowDirection::Any;  // see noteBodyDirection
  TransformChain sticky_transforms_;
  struct Variable {
    std::string name;
    std::size_t inspection = 0;  // index of the inspection that defines it
  };
  std::vector<Variable> variables_;
  std::optional<ItemRef> base64_target_;       // the rule's base64_decode
  std::shared_ptr<BufferInspection> base64_;   // its base64_data inspection
  bool in_base64_data_ = false;
  std::optional<ItemRef> last_item_;
  std::optional<ItemRef> last_content_;
};

}  // namespace

Rule RuleParser::parse(std::string_view text, std::vector<std::string>* warnings) const {
  return RuleBuilder(variables_, text, warnings).build();
}

}  // namespace gsoc::signatures

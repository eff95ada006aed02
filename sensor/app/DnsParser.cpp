#include "sensor/app/DnsParser.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "sensor/app/AddressText.hpp"

namespace gsoc::sensor {
namespace {

std::uint16_t be16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }

// Reads a possibly compressed name at `pos`; advances `pos` past it in the message.
bool readName(std::span<const std::uint8_t> msg, std::size_t& pos, DnsName& out) {
  out.clear();
  std::size_t cursor = pos;
  bool jumped = false;
  for (int guard = 0; guard < 128; ++guard) {
    if (cursor >= msg.size()) return false;
    const std::uint8_t len = msg[cursor];
    if (len == 0) {
      if (!jumped) pos = cursor + 1;
      return true;
    }
    if ((len & 0xC0) == 0xC0) {
      if (cursor + 1 >= msg.size()) return false;
      if (!jumped) pos = cursor + 2;
      cursor = static_cast<std::size_t>((len & 0x3F) << 8 | msg[cursor + 1]);
      jumped = true;
      continue;
    }
    if ((len & 0xC0) != 0 || cursor + 1 + len > msg.size()) return false;
    if (!out.empty() && !out.push_back('.')) return false;
    if (!out.append(std::string_view(reinterpret_cast<const char*>(msg.data()) + cursor + 1, len))) return false;
    cursor += 1 + len;
  }
  return false;  // pointer loop
}

// An A or AAAA record's address as text (inet_ntop's form, as IpAddress::toString).
void addressText(std::span<const std::uint8_t> rdata, DnsName& out) { out.assign(AddressText(rdata).view()); }

// Reads up to `count` resource records (at most 64 are kept) at `pos`. Records are metadata
// only: one that does not decode ends its section (false), and the message is still read.
bool readRecords(std::span<const std::uint8_t> msg, std::size_t& pos, std::uint16_t count, std::vector<DnsMessage::Answer>& out) {
  for (std::uint16_t i = 0; i < count && i < 64; ++i) {
    DnsMessage::Answer& a = out.emplace_back();
    if (!readName(msg, pos, a.name) || pos + 10 > msg.size()) {
      out.pop_back();
      pos = msg.size();  // the rest of the message cannot be located
      return false;
    }
    a.type = be16(msg.data() + pos);
    a.ttl = std::uint32_t{be16(msg.data() + pos + 4)} << 16 | be16(msg.data() + pos + 6);
    const std::uint16_t rdlength = be16(msg.data() + pos + 8);
    pos += 10;
    if (pos + rdlength > msg.size()) {
      out.pop_back();
      pos = msg.size();
      return false;
    }
    const auto rdata = msg.subspan(pos, rdlength);
    a.rdata = rdata;
    // Where the record's data holds a name: CNAME, NS, PTR and SOA (mname) at its start, MX
    // after the preference, SRV after priority, weight and port.
    std::size_t name_at = rdlength;
    switch (a.type) {
      case 2: case 5: case 6: case 12: name_at = 0; break;
      case 15: name_at = 2; break;
      case 33: name_at = 6; break;
      default: break;
    }
    if ((a.type == 1 && rdlength == 4) || (a.type == 28 && rdlength == 16)) {
      addressText(rdata, a.data);
    } else if (a.type == 16 && rdlength > 0 && std::size_t{rdata[0]} < rdlength) {
      // TXT: the first character-string, as Suricata's parser keeps it (at most 255 bytes).
      a.data.assign(std::string_view(reinterpret_cast<const char*>(rdata.data()) + 1, rdata[0]));
    } else if (name_at < rdlength) {
      std::size_t p = pos + name_at;
      // A name that does not decode (overlong, a pointer loop, cut short) is no answer data:
      // readName leaves what it read so far.
      if (!readName(msg, p, a.data)) {
        a.data.clear();
      } else if (a.type == 6 && readName(msg, p, a.soa_rname) && p + 20 <= pos + rdlength) {
        auto u32 = [&](std::size_t at) { return std::uint32_t{be16(msg.data() + at)} << 16 | be16(msg.data() + at + 2); };
        a.soa_serial = u32(p);
        a.soa_refresh = u32(p + 4);
        a.soa_retry = u32(p + 8);
        a.soa_expire = u32(p + 12);
        a.soa_minimum = u32(p + 16);
        a.fields_read = true;
      } else if (a.type == 33) {
        a.srv_priority = be16(msg.data() + pos);
        a.srv_weight = be16(msg.data() + pos + 2);
        a.srv_port = be16(msg.data() + pos + 4);
        a.fields_read = true;
      }
    }
    pos += rdlength;
  }
  if (count > 64) pos = msg.size();  // records not read: the sections after them cannot be located
  return true;
}

std::array<char, 2> be16Chars(std::uint16_t v) { return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)}; }

// Adds `value` unless the buffer has it already: a buffer's instances match when any one does,
// so a repeat (the zone name of every NS record) adds nothing but would take one of its slots.
void addOnce(signatures::BufferSet& out, signatures::BufferId id, std::string_view value) {
  for (std::string_view have : out.get(id)) {
    if (have == value) return;
  }
  out.add(id, value);
}

}  // namespace

void DnsMessage::clear() {
  id = 0;
  flags = 0;
  response = false;
  rcode = 0;
  invalid_authorities = false;
  invalid_additionals = false;
  rcode_number = 0;
  opcode_number = 0;
  rrtype_numbers.clear();
  queries.clear();
  query_types.clear();
  answers.clear();
  authorities.clear();
  additionals.clear();
}

bool parseDnsMessage(std::span<const std::uint8_t> msg, DnsMessage& out) {
  out.clear();
  if (msg.size() < 12) return false;
  out.id = be16(msg.data());
  const std::uint16_t flags = be16(msg.data() + 2);
  out.flags = flags;
  out.response = (flags & 0x8000) != 0;
  out.rcode = flags & 0x0F;
  out.rcode_number = static_cast<char>(out.rcode);
  out.opcode_number = static_cast<char>(out.opcode());
  const std::uint16_t qd = be16(msg.data() + 4);
  const std::uint16_t an = be16(msg.data() + 6);
  // A response may ask nothing (mDNS announcements: records only); a message with neither is
  // not taken for DNS.
  if (qd > 32 || (qd == 0 && !(out.response && (an > 0 || be16(msg.data() + 8) > 0 || be16(msg.data() + 10) > 0)))) return false;
  std::size_t pos = 12;
  for (std::uint16_t i = 0; i < qd; ++i) {
    DnsName& name = out.queries.emplace_back();
    if (!readName(msg, pos, name) || pos + 4 > msg.size()) return false;
    out.query_types.push_back(be16(msg.data() + pos));
    pos += 4;
  }
  // A section that does not decode is flagged only where the one before it was read whole (after
  // a broken or capped one its records cannot be located at all).
  const std::uint16_t ns = be16(msg.data() + 8), ar = be16(msg.data() + 10);
  const bool answers_read = readRecords(msg, pos, an, out.answers) && an <= 64;
  const bool authorities_read = readRecords(msg, pos, ns, out.authorities);
  out.invalid_authorities = answers_read && !authorities_read;
  out.invalid_additionals = answers_read && authorities_read && ns <= 64 && !readRecords(msg, pos, ar, out.additionals);
  if (out.response) {
    for (const DnsMessage::Answer& a : out.answers) out.rrtype_numbers.push_back(be16Chars(a.type));
  } else {
    for (std::uint16_t t : out.query_types) out.rrtype_numbers.push_back(be16Chars(t));
  }
  return true;
}

std::string dnsTypeName(std::uint16_t type) {
  static constexpr std::pair<std::uint16_t, std::string_view> kNames[] = {
      {1, "A"},        {2, "NS"},       {3, "MD"},      {4, "MF"},       {5, "CNAME"},   {6, "SOA"},     {7, "MB"},
      {8, "MG"},       {9, "MR"},       {10, "NULL"},   {11, "WKS"},     {12, "PTR"},    {13, "HINFO"},  {14, "MINFO"},
      {15, "MX"},      {16, "TXT"},     {17, "RP"},     {18, "AFSDB"},   {19, "X25"},    {20, "ISDN"},   {21, "RT"},
      {22, "NSAP"},    {23, "NSAPPTR"}, {24, "SIG"},    {25, "KEY"},     {26, "PX"},     {27, "GPOS"},   {28, "AAAA"},
      {29, "LOC"},     {30, "NXT"},     {33, "SRV"},    {34, "ATMA"},    {35, "NAPTR"},  {36, "KX"},     {37, "CERT"},
      {38, "A6"},      {39, "DNAME"},   {41, "OPT"},    {42, "APL"},     {43, "DS"},     {44, "SSHFP"},  {45, "IPSECKEY"},
      {46, "RRSIG"},   {47, "NSEC"},    {48, "DNSKEY"}, {49, "DHCID"},   {50, "NSEC3"},  {51, "NSEC3PARAM"},
      {52, "TLSA"},    {55, "HIP"},     {59, "CDS"},    {60, "CDNSKEY"}, {64, "SVCB"},   {65, "HTTPS"},  {99, "SPF"},
      {249, "TKEY"},   {250, "TSIG"},   {251, "IXFR"},  {252, "AXFR"},   {255, "ANY"},   {256, "URI"},   {257, "CAA"},
      {32768, "TA"},   {32769, "DLV"}};
  for (const auto& [number, name] : kNames) {
    if (number == type) return std::string(name);
  }
  return std::to_string(type);
}

std::optional<std::uint16_t> dnsTypeNumber(std::string_view name) {
  // Startup only (option parsing): every number's name is compared.
  for (std::uint32_t type = 0; type <= 0xffff; ++type) {
    const std::string known = dnsTypeName(static_cast<std::uint16_t>(type));
    if (known.size() == name.size() && std::equal(known.begin(), known.end(), name.begin(), [](char a, char b) {
          return a == std::toupper(static_cast<unsigned char>(b));
        })) {
      return static_cast<std::uint16_t>(type);
    }
  }
  return std::nullopt;
}

std::string dnsRcodeName(std::uint8_t rcode) {
  static constexpr std::string_view kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
                                                "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",  "NOTZONE"};
  if (rcode < std::size(kNames)) return std::string(kNames[rcode]);
  return std::to_string(rcode);
}

void addDnsBuffers(const DnsMessage& m, signatures::BufferSet& out) {
  using signatures::BufferId;
  out.add(BufferId::DnsRcodeNumber, std::string_view(&m.rcode_number, 1));
  out.add(BufferId::DnsOpcodeNumber, std::string_view(&m.opcode_number, 1));
  for (const std::array<char, 2>& t : m.rrtype_numbers) out.add(BufferId::DnsRrtypeNumber, std::string_view(t.data(), 2));
  for (const DnsName& q : m.queries) {
    if (!m.response) out.add(BufferId::DnsQuery, q.view());
    addOnce(out, BufferId::DnsQueriesRrname, q.view());
  }
  const std::pair<const std::vector<DnsMessage::Answer>*, BufferId> sections[] = {
      {&m.answers, BufferId::DnsAnswersRrname},
      {&m.authorities, BufferId::DnsAuthoritiesRrname},
      {&m.additionals, BufferId::DnsAdditionalsRrname}};
  for (const auto& [records, id] : sections) {
    for (const DnsMessage::Answer& r : *records) addOnce(out, id, r.name.view());
  }
  if (!m.response) return;
  for (const DnsName& q : m.queries) addOnce(out, BufferId::DnsResponseRrname, q.view());
  for (const auto& [records, id] : sections) {
    for (const DnsMessage::Answer& r : *records) {
      addOnce(out, BufferId::DnsResponseRrname, r.name.view());
      if (r.dataIsName()) addOnce(out, BufferId::DnsResponseRrname, r.data.view());
    }
  }
}

std::size_t dnsTxtCount(std::span<const std::uint8_t> rdata) {
  std::size_t count = 0;
  for (std::size_t at = 0; at < rdata.size(); at += 1 + std::size_t{rdata[at]}) ++count;
  return count;
}

std::string_view dnsTxtString(std::span<const std::uint8_t> rdata, std::size_t index) {
  std::size_t at = 0;
  for (; at < rdata.size() && index > 0; --index) at += 1 + std::size_t{rdata[at]};
  if (at >= rdata.size()) return {};
  const std::size_t length = std::min<std::size_t>(rdata[at], rdata.size() - at - 1);
  return {reinterpret_cast<const char*>(rdata.data()) + at + 1, length};
}

void addDnsMessageEvents(const DnsMessage& m, signatures::EventSet& events) {
  using signatures::AnomalyEvent;
  if (m.flags & 0x0040) events.set(AnomalyEvent::DnsZFlagSet);
  if (m.opcodeInvalid()) events.set(AnomalyEvent::DnsInvalidOpcode);
  if (m.invalid_authorities) events.set(AnomalyEvent::DnsInvalidAuthorities);
  if (m.invalid_additionals) events.set(AnomalyEvent::DnsInvalidAdditionals);
}

bool DnsTcpState::feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, DnsMessage& message,
                       const MessageSink& sink) {
  if (broken_) return false;
  std::string& pending = pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1];
  pending.append(reinterpret_cast<const char*>(data.data()), data.size());
  while (pending.size() >= 2) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(pending.data());
    const std::size_t length = be16(p);
    if (length < 12) {
      broken_ = true;
      return false;
    }
    if (pending.size() < 2 + length) break;
    if (!parseDnsMessage(std::span(p + 2, length), message)) {
      broken_ = true;
      return false;
    }
    sink(dir, message);
    pending.erase(0, 2 + length);
  }
  return true;
}

}  // namespace gsoc::sensor

#pragma once
// DNS messages over UDP (one per datagram) and TCP (two-byte length prefix): header, questions
// (with compression pointers, bounded), and the answer, authority and additional records (for
// the metadata record and Suricata 8's dns.*.rrname buffers). Query names feed the `dns.query`
// buffer of requests. Names are DnsName (inline, at most 255 bytes), so parsing
// into a message that is reused (the app layer keeps one per worker) allocates nothing once its
// vectors have grown to the largest message seen.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/FunctionRef.hpp"
#include "gsoc/signatures/AnomalyEvent.hpp"
#include "gsoc/signatures/MatchInput.hpp"
#include "sensor/app/DnsName.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct DnsMessage {
  std::uint16_t id = 0;
  std::uint16_t flags = 0;  // the header's flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, rcode)
  bool response = false;
  std::uint8_t rcode = 0;
  [[nodiscard]] std::uint8_t opcode() const { return static_cast<std::uint8_t>((flags >> 11) & 0x0f); }
  // Opcodes 7 to 15 are unassigned: Suricata parses the message and raises dns.invalid_opcode.
  [[nodiscard]] bool opcodeInvalid() const { return opcode() >= 7; }
  // A record of the authority or additional section did not decode: the records before it are
  // kept (Suricata's dns.invalid_authorities and dns.invalid_additionals events).
  bool invalid_authorities = false;
  bool invalid_additionals = false;
  std::vector<DnsName> queries;
  std::vector<std::uint16_t> query_types;
  struct Answer {
    Answer() = default;
    Answer(DnsName name_, std::uint16_t type_, std::uint32_t ttl_, DnsName data_)
        : name(name_), type(type_), ttl(ttl_), data(data_) {}
    DnsName name;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    // A/AAAA as text; the name the record points to for CNAME/NS/PTR, MX (the exchange), SOA
    // (the primary server, mname) and SRV (the target); TXT its first character-string; else
    // empty.
    DnsName data;
    // The record's data as sent (TXT's character-strings, NULL's bytes, SSHFP's fields). It
    // views the message's bytes, so it is valid only while they are: during the parse's sink
    // (TCP) or the datagram's processing (UDP), which is when records and alerts are written.
    std::span<const std::uint8_t> rdata;
    // SOA (data is its mname): the mailbox and the five numbers. SRV (data is its target).
    DnsName soa_rname;
    std::uint32_t soa_serial = 0, soa_refresh = 0, soa_retry = 0, soa_expire = 0, soa_minimum = 0;
    std::uint16_t srv_priority = 0, srv_weight = 0, srv_port = 0;
    bool fields_read = false;  // the SOA numbers or SRV fields above were in the record
    [[nodiscard]] bool dataIsName() const { return !data.empty() && type != 1 && type != 28 && type != 16; }
  };
  std::vector<Answer> answers;
  std::vector<Answer> authorities;
  std::vector<Answer> additionals;
  // Big-endian numbers for the integer keywords' byte tests (views of these outlive the match
  // as the names do): the header's rcode and opcode, and dns.rrtype's types, the questions' in
  // a request and the answers' in a response.
  char rcode_number = 0;
  char opcode_number = 0;
  std::vector<std::array<char, 2>> rrtype_numbers;

  // Empties the message, keeping the vectors' capacity.
  void clear();
};

// False when the bytes are not a well-formed DNS message (nothing is read out of bounds). `out`
// is cleared first and may be reused from message to message.
bool parseDnsMessage(std::span<const std::uint8_t> bytes, DnsMessage& out);

// The message's buffers for detection: `dns.query` (requests' query names, as before Suricata
// 8), the numbers dns.rcode, dns.opcode and dns.rrtype test, and Suricata 8's multi-buffers: `dns.queries.rrname`, `dns.answers.rrname`,
// `dns.authorities.rrname`, `dns.additionals.rrname` (each section's record names, requests and
// responses alike) and, in responses only, `dns.response.rrname`: every name of the response,
// the queries', each record's and the names records point to (CNAME, NS, PTR, MX, SOA, SRV).
// Views into `m`, which must outlive the match; a name already in a buffer is not added again.
void addDnsBuffers(const DnsMessage& m, signatures::BufferSet& out);

// The message's own anomaly events (Suricata's DNS parser's): the reserved Z bit set, an
// unassigned opcode, an authority or additional record that does not decode. The direction
// checks (not_request, not_response) are the caller's, which knows the server.
void addDnsMessageEvents(const DnsMessage& m, signatures::EventSet& events);

// A TXT record's character-strings (its rdata): how many there are (a string that runs past
// the end counts, cut short), and the i-th.
std::size_t dnsTxtCount(std::span<const std::uint8_t> rdata);
std::string_view dnsTxtString(std::span<const std::uint8_t> rdata, std::size_t index);

// Suricata's names for EVE: a record type ("A", "CNAME", "HTTPS"...; the number as text when it
// has none) and a response code ("NOERROR", "NXDOMAIN"...).
std::string dnsTypeName(std::uint16_t type);
// The number of a type named as dnsTypeName() names it, in any case ("mx", "AAAA"); none for an
// unknown name.
std::optional<std::uint16_t> dnsTypeNumber(std::string_view name);
std::string dnsRcodeName(std::uint8_t rcode);

class DnsTcpState final : public AppState {
 public:
  using MessageSink = FunctionRef<void(signatures::FlowDirection, const DnsMessage&)>;
  // Returns false once the stream stopped looking like DNS. Each message is parsed into
  // `message` (the caller's, reused) before it reaches the sink.
  bool feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, DnsMessage& message, const MessageSink& sink);

 private:
  std::string pending_[2];  // a message's bytes until it is whole
  bool broken_ = false;
};

}  // namespace gsoc::sensor

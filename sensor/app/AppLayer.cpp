#include "sensor/app/AppLayer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "sensor/app/DnsOverHttp2.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/app/FtpParser.hpp"
#include "sensor/app/HttpParser.hpp"
#include "sensor/app/MqttParser.hpp"
#include "sensor/app/QuicParser.hpp"
#include "sensor/app/SipParser.hpp"
#include "sensor/app/SmtpParser.hpp"
#include "sensor/app/SshParser.hpp"
#include "sensor/app/TlsParser.hpp"
#include "sensor/app/TunnelProbe.hpp"

namespace gsoc::sensor {

using signatures::AppProto;
using signatures::BufferId;
using signatures::FlowDirection;

namespace {

constexpr std::size_t kGiveUpBytes = 4096;  // identification stops after this much unrecognised data

std::string_view text(std::span<const std::uint8_t> d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }

bool looksLikeHttpRequest(std::string_view s) {
  static constexpr std::array<std::string_view, 9> kMethods = {"GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ",
                                                               "CONNECT ", "TRACE ", "PATCH "};
  return std::any_of(kMethods.begin(), kMethods.end(), [&](std::string_view m) { return s.starts_with(m); });
}

// An integer keyword's buffer: `value` as four big-endian bytes in `out`, which outlives the input.
std::string_view bigEndian32(std::uint32_t value, std::array<char, 4>& out) {
  for (std::size_t i = 0; i < 4; ++i) out[i] = static_cast<char>(value >> (24 - 8 * i));
  return {out.data(), out.size()};
}

bool looksLikeTls(std::span<const std::uint8_t> d) { return d.size() >= 3 && d[0] == 0x16 && d[1] == 3 && d[2] <= 4; }

// An SSLv2 CLIENT-HELLO (two-byte header, high bit set) offering SSLv2, SSLv3 or TLS 1.0-1.2, as
// Suricata's SSLv2 patterns know it: the client of an SSLv2-to-TLS upgrade.
bool looksLikeSslv2ClientHello(std::span<const std::uint8_t> d) {
  return d.size() >= 5 && (d[0] & 0x80) != 0 && d[2] == 1 && ((d[3] == 0 && d[4] == 2) || (d[3] == 3 && d[4] <= 3));
}

// DNS over TCP, judged by content as Suricata's probing parser does, not by port 53 alone: a
// two-byte length of at least a header, then a header with a known opcode and sane counts (a
// query to the server asks at least one question). Raw TCP on port 53 (an implant's channel
// through a firewall that lets DNS out) is then a flow of no known protocol, which the centre
// can see beaconing. A client that sends the length alone in its first segment is taken on
// trust.
bool looksLikeDnsOverTcp(std::span<const std::uint8_t> d, bool to_server) {
  if (d.size() < 2) return false;
  const unsigned length = (d[0] << 8) | d[1];
  if (length < 12) return false;
  if (d.size() == 2) return true;
  if (d.size() < 14) return false;
  const auto count = [&](std::size_t at) { return static_cast<unsigned>((d[at] << 8) | d[at + 1]); };
  const bool response = (d[4] & 0x80) != 0;
  const unsigned opcode = (d[4] >> 3) & 0x0F;
  if (opcode > 6 || opcode == 3) return false;
  const unsigned questions = count(6), answers = count(8), authority = count(10), additional = count(12);
  if (questions > 16 || answers > 1024 || authority > 1024 || additional > 1024) return false;
  if (to_server) return !response && questions >= 1;
  return response;
}

// A DCERPC connection-oriented PDU header (version 5.0 or 5.1) of a type the side sends: a client
// binds or calls, a server answers.
bool looksLikeDcerpc(std::span<const std::uint8_t> d, bool to_server) {
  DcePduHeader h;
  if (!parseDcePduHeader(d, h) || (d[4] & 0xee) != 0 || d[5] > 3 || d[6] != 0 || d[7] != 0) return false;
  if (to_server) return h.type == dce::kBind || h.type == dce::kAlterContext || h.type == dce::kRequest;
  return h.type == dce::kBindAck || h.type == dce::kBindNak || h.type == dce::kAlterContextResp || h.type == dce::kResponse ||
         h.type == dce::kFault;
}

// An SMB message after its 4-byte length (direct hosting on 445, or an NBSS session message).
bool looksLikeSmb(std::span<const std::uint8_t> d) {
  return d.size() >= 8 && d[0] == 0 && (d[4] == 0xfe || d[4] == 0xff || d[4] == 0xfd || d[4] == 0xfc) && d[5] == 'S' &&
         d[6] == 'M' && d[7] == 'B';
}

std::size_t sideOf(FlowDirection dir) { return dir == FlowDirection::ToServer ? Flow::kToServer : Flow::kToClient; }

bool isPort(const Flow& flow, std::initializer_list<std::uint16_t> ports) {
  return std::find(ports.begin(), ports.end(), flow.server_port) != ports.end();
}

// MQTT by content, as Suricata's probe: a valid fixed header (an assigned type, QoS 0-2, a
// remaining length of at most four bytes). On any port a client's first packet must also be a
// CONNECT naming the protocol ("MQTT", or "MQIsdp" for 3.1); on 1883 a valid header is enough
// (a capture may start after the CONNECT).
bool looksLikeMqtt(std::span<const std::uint8_t> d, bool to_server, bool mqtt_port) {
  if (d.size() < 2) return false;
  const unsigned type = d[0] >> 4;
  if (type == 0 || ((d[0] >> 1) & 3) == 3) return false;
  std::size_t at = 1;
  while (at < d.size() && at < 5 && (d[at] & 0x80) != 0) ++at;
  if (at >= d.size() || at >= 5) return false;
  if (mqtt_port) return true;
  if (!to_server || type != 1) return false;
  const std::string_view rest = text(d.subspan(at + 1));
  return rest.starts_with(std::string_view("\0\4MQTT", 6)) || rest.starts_with(std::string_view("\0\6MQIsdp", 8));
}

// LDAP by content, as Suricata's probe: an LDAPMessage envelope holding a known operation. On
// its ports (389, 3268 for the global catalog) the beginning of one is enough; elsewhere the
// message must be whole and go the way its operation does (a request to the server).
bool looksLikeLdap(std::span<const std::uint8_t> d, bool to_server, bool ldap_port, LdapMessage& scratch) {
  if (d.size() < 2 || d[0] != 0x30) return false;
  std::size_t used = 0;
  switch (decodeLdapMessage(d, scratch, used)) {
    case LdapDecode::Ok: return ldap_port || ldapOpIsRequest(scratch.op) == to_server;
    case LdapDecode::Incomplete: return ldap_port;
    case LdapDecode::Invalid: return false;
  }
  return false;
}

// QUIC by its first datagram, as Suricata's probe: a header that parses, on its ports (443, 80);
// elsewhere a long header of a version QUIC has (a server on another port, or a client's
// Initial to one), since almost any datagram passes for a short header.
bool looksLikeQuic(const Flow& flow, std::span<const std::uint8_t> d) {
  QuicHeader h;
  if (!parseQuicHeader(d, h)) return false;
  const bool port = flow.server_port == 443 || flow.client_port == 443 || flow.server_port == 80 || flow.client_port == 80;
  return port || (h.is_long && quicKnownVersion(h.version));
}

// DNP3 by its link header, as Suricata's probe on its port (20000): the start octets and a
// length of at least the minimum (a first segment shorter than a header is taken on trust
// there). Elsewhere the header's CRC must hold as well.
bool looksLikeDnp3(const Flow& flow, std::span<const std::uint8_t> d) {
  if (d.size() < 2 || d[0] != 0x05 || d[1] != 0x64) return false;
  const bool port = flow.server_port == 20000 || flow.client_port == 20000;
  if (port) return d.size() < 3 || d[2] >= 5;
  return dnp3LinkHeaderValid(d);
}

// Kerberos on its port (88), either side: a capture may show the KDC's side only.
bool isKrb5Port(const Flow& flow) { return flow.server_port == 88 || flow.client_port == 88; }

// IKE on its ports (500, and 4500 for NAT traversal, where IKE follows a non-ESP marker), either side.
bool isIkeNatPort(const Flow& flow) { return flow.server_port == 4500 || flow.client_port == 4500; }
bool looksLikeIkeFlow(const Flow& flow, std::span<const std::uint8_t> payload) {
  if (flow.server_port == 500 || flow.client_port == 500) return looksLikeIke(payload);
  if (isIkeNatPort(flow)) return payload.size() > 4 && payload[0] == 0 && payload[1] == 0 && payload[2] == 0 && payload[3] == 0 &&
                                 looksLikeIke(payload.subspan(4));
  return false;
}

// Adds what the flow's parser counted as malformed while it is in scope (the state may be
// created meanwhile) to the app layer's total.
class ParseErrorCount {
 public:
  ParseErrorCount(const Flow& flow, AppLayerCounters& counters)
      : flow_(flow), counters_(counters), before_(flow.app_layer.state ? flow.app_layer.state->errors() : 0) {}
  ~ParseErrorCount() {
    // A flow handed over to another parser (LDAP's StartTLS) starts a new count.
    if (flow_.app_layer.state && flow_.app_layer.state->errors() >= before_) counters_.countParseErrors(flow_, flow_.app_layer.state->errors() - before_);
  }
  ParseErrorCount(const ParseErrorCount&) = delete;
  ParseErrorCount& operator=(const ParseErrorCount&) = delete;

 private:
  const Flow& flow_;
  AppLayerCounters& counters_;
  std::uint64_t before_;
};

template <typename State, typename... Args>
State& stateOf(Flow& flow, Args&&... args) {
  if (!flow.app_layer.state) flow.app_layer.state = std::make_unique<State>(std::forward<Args>(args)...);
  return static_cast<State&>(*flow.app_layer.state);
}

}  // namespace

namespace {

// A server's first HTTP/2 frame, which may come before the client's preface is seen: SETTINGS
// (type 4) on stream 0, not an ACK, its length a multiple of 6 (Suricata probes for it too).
bool looksLikeHttp2ServerSettings(std::span<const std::uint8_t> d) {
  if (d.size() < 9) return false;
  const std::uint32_t length = static_cast<std::uint32_t>(d[0]) << 16 | static_cast<std::uint32_t>(d[1]) << 8 | d[2];
  return d[3] == 4 && d[4] == 0 && d[5] == 0 && d[6] == 0 && d[7] == 0 && d[8] == 0 && length % 6 == 0 && length <= 6 * 16;
}

// A client's first SMTP command, as Suricata's SMTP patterns find it: EHLO, HELO or QUIT at the
// start of its data, in any case (a QUIT alone: a client that gives up at once, ticket 6591).
bool looksLikeSmtpCommand(std::string_view s) {
  if (s.size() < 4) return false;
  std::array<char, 4> word{};
  for (std::size_t i = 0; i < word.size(); ++i) word[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[i])));
  const std::string_view w(word.data(), word.size());
  return w == "EHLO" || w == "HELO" || w == "QUIT";
}

}  // namespace

void AppLayer::identify(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data) {
  const AppProto proto = probe(flow, dir, data);
  if (proto == AppProto::Sip) ++counters_.sip_tcp_flows;
  if (proto == AppProto::Enip) ++counters_.enip_tcp_flows;
  if (proto != AppProto::None) {
    flow.app = proto;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
    flow.app_layer.probed[sideOf(dir)] = proto;
    flow.app_layer.probe_done[sideOf(dir)] = true;
  } else if (flow.detect.inspected[0] + flow.detect.inspected[1] > kGiveUpBytes) {
    flow.app_layer.detection_done = true;
  }
}

// Suricata probes each direction's first data on its own. Where the other side's data is
// another protocol's (an HTTP client answered by an SSH server), the flow keeps the protocol
// it has and the disagreement is an event and the EVE flow's app_proto_tc.
void AppLayer::probeOtherSide(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data) {
  const std::size_t side = sideOf(dir);
  flow.app_layer.probe_done[side] = true;
  const AppProto proto = probe(flow, dir, data);
  auto family = [](AppProto p) { return p == AppProto::Http2 || p == AppProto::Doh2 ? AppProto::Http : p; };
  if (proto != AppProto::None && family(proto) != family(flow.app)) {
    flow.app_layer.probed[side] = proto;
    datagram_events_.set(signatures::AnomalyEvent::ApplayerMismatchProtocolBothDirections);
  }
}

AppProto AppLayer::probe(const Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data) {
  const std::string_view s = text(data);
  const bool to_server = dir == FlowDirection::ToServer;
  AppProto proto = AppProto::None;
  // SIP before HTTP: both have OPTIONS, and SIP's request line ends "SIP/2.0".
  if (to_server ? looksLikeSip(data) : s.starts_with("SIP/2.0 ")) proto = AppProto::Sip;
  else if (looksLikeHttpRequest(s) || (!to_server && s.starts_with("HTTP/1.")) || (to_server && s.starts_with("PRI * HTTP/2.0")) ||
           (!to_server && looksLikeHttp2ServerSettings(data))) {
    proto = AppProto::Http;  // HTTP/2 too: the parser takes the client's preface
  }
  else if (looksLikeTls(data) || (to_server && looksLikeSslv2ClientHello(data))) proto = AppProto::Tls;
  else if (s.starts_with("SSH-")) proto = AppProto::Ssh;
  else if (looksLikeDnp3(flow, data)) proto = AppProto::Dnp3;
  // EtherNet/IP and Modbus on their ports, as Suricata's probes (a known command and status; a
  // whole MBAP message without error).
  else if (flow.server_port == 44818 && tcp_modes_[static_cast<std::size_t>(AppProto::Enip)] != ProtocolMode::Off &&
           looksLikeEnip(data)) {
    proto = AppProto::Enip;
  }
  else if (flow.server_port == 502 && tcp_modes_[static_cast<std::size_t>(AppProto::Modbus)] != ProtocolMode::Off &&
           looksLikeModbus(data)) {
    proto = AppProto::Modbus;
  }
  else if (isKrb5Port(flow) && looksLikeKrb5(data, true)) proto = AppProto::Krb5;
  // NFS: a call to its program anywhere, or a reply (the server's side seen first) on its port.
  else if (tcp_modes_[static_cast<std::size_t>(AppProto::Nfs)] != ProtocolMode::Off &&
           (looksLikeNfsCall(data, true) || (isPort(flow, {2049}) && !to_server && looksLikeRpcReply(data, true)))) {
    proto = AppProto::Nfs;
  }
  else if (isPort(flow, {53}) && looksLikeDnsOverTcp(data, to_server)) proto = AppProto::Dns;
  else if (looksLikeDcerpc(data, to_server) || (data.size() < dce::kHeaderSize && data.size() >= 2 && data[0] == 5 && data[1] <= 1 &&
                                                  isPort(flow, {135}))) {
    proto = AppProto::Dcerpc;  // a PDU header, or a first segment too short for one on the endpoint mapper's port
  }
  else if (looksLikeSmb(data) || (!data.empty() && isPort(flow, {139}) && (to_server ? data[0] == 0x81 : data[0] == 0x82 || data[0] == 0x83)) ||
           (data.size() < 8 && !data.empty() && data[0] == 0 && isPort(flow, {139, 445}))) {
    // An SMB message, a NetBIOS session request and its answer, or a first segment too short to
    // show more than a message length on an SMB port.
    proto = AppProto::Smb;
  }
  else if ((to_server && looksLikeSmtpCommand(s)) ||
           (!to_server && s.starts_with("220") && isPort(flow, {25, 465, 587}))) proto = AppProto::Smtp;
  else if (!to_server && s.starts_with("220") && isPort(flow, {21})) proto = AppProto::Ftp;
  else if (looksLikeMqtt(data, to_server, isPort(flow, {1883}))) proto = AppProto::Mqtt;
  else if (looksLikeLdap(data, to_server, isPort(flow, {389, 3268}), ldap_probe_)) proto = AppProto::Ldap;
  // PostgreSQL, RFB and IMAP, as Suricata 8's probes (IMAP: detection only, no parser yet).
  else if (looksLikePgsql(data, to_server, isPort(flow, {5432}))) proto = AppProto::Pgsql;
  else if (!to_server && looksLikeRfb(data)) proto = AppProto::Rfb;
  // POP3: a server's +OK speaking first (its greeting), or a command or answer on port 110.
  else if (looksLikePop3(data, to_server, isPort(flow, {110})) &&
           (to_server || isPort(flow, {110}) || flow.detect.inspected[Flow::kToServer] == 0)) proto = AppProto::Pop3;
  else if (!to_server && (s.starts_with("* OK ") || s.starts_with("* PREAUTH ")) && isPort(flow, {143})) proto = AppProto::Imap;
  else if (isPort(flow, {3389}) && looksLikeRdp(data, to_server) && tcp_modes_[static_cast<std::size_t>(AppProto::Rdp)] != ProtocolMode::Off) {
    proto = AppProto::Rdp;
  }
  return proto;
}

void AppLayer::emit(Flow& flow, FlowDirection dir) { sink_(flow, dir, tx_); }

void AppLayer::onHttp2Control(Flow& flow, FlowDirection dir, const HttpMessage& m, std::int64_t ts) {
  auto& state = static_cast<HttpState&>(*flow.app_layer.state);
  ++state.next_tx_id;  // a transaction of its own, as Suricata counts them
  tx_.buffers.clear();
  if (m.frames != nullptr) addHttp2FrameBuffers(*m.frames, tx_.buffers);
  const AppMetadata record{AppMetadata::Kind::Http, &flow, dir, ts, m.request ? &m : nullptr, m.request ? nullptr : &m};
  tx_record_ = &record;
  emit(flow, dir);
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

void AppLayer::onHttp(Flow& flow, FlowDirection dir, const HttpMessage& m, std::int64_t ts) {
  if (m.http2 && m.stream_id == 0) return onHttp2Control(flow, dir, m, ts);
  ++(m.request ? counters_.http_requests : counters_.http_responses);
  auto& state = static_cast<HttpState&>(*flow.app_layer.state);
  auto& unanswered = state.unanswered();
  // HTTP/1.x answers in order; HTTP/2 answers the request of the same stream.
  const auto request = m.request ? unanswered.end()
                                 : std::find_if(unanswered.begin(), unanswered.end(),
                                                [&](const HttpMessage& q) { return q.stream_id == m.stream_id; });
  const HttpMessage* answered = request != unanswered.end() ? &*request : nullptr;
  const std::uint64_t tx_id = answered != nullptr ? answered->tx_id : state.next_tx_id++;
  const bool file = httpFileOf(m, answered, hashFiles() ? &file_hasher_ : nullptr, http_file_);
  if (file) {
    http_file_.tx_id = tx_id;
    http_file_.stored = storeFile(http_file_.contentIn(m.body), http_file_.sha256);
  }
  const DnsMessage* doh = m.http2 ? onDoh(flow, dir, m, ts) : nullptr;
  // Parsed from acknowledged bytes (HTTP/1): inspected at the next packet its way (AckedParsing.cpp).
  UninspectedHttp* queued = defer_inspection_ && !m.http2 ? &state.queueMessage(dir) : nullptr;
  if (queued != nullptr) {
    queued->tx_id = tx_id;
    if (file) {
      UninspectedHttpContext& context = state.contextOf(*queued);
      context.file = http_file_;
      context.has_file = true;
    }
  } else {
    inspectHttp(flow, dir, m, tx_id, m.request ? nullptr : answered, nullptr, file ? &http_file_ : nullptr, ts, doh);
  }
  if (metadata_) {
    if (m.request) {
      if (unanswered.size() >= 16) {  // a client far ahead of its responses: log it unanswered
        metadata_({AppMetadata::Kind::Http, &flow, dir, ts, &unanswered.front(), nullptr});
        unanswered.erase(unanswered.begin());
      }
    } else {
      metadata_({AppMetadata::Kind::Http, &flow, dir, ts, answered, &m});
      if (file) {
        AppMetadata record{AppMetadata::Kind::HttpFile, &flow, dir, ts, answered, &m};
        record.file = &http_file_;
        metadata_(record);
      }
    }
  }
  if (m.request) {
    if (!metadata_) return;
    if (queued != nullptr && !file) {  // summarized from the queued message when needed, not copied now
      state.summarizeWhenNeeded(keep_request_headers_);
      return;
    }
    unanswered.push_back(m.summary(keep_request_headers_ || m.http2));  // HTTP/2 records list every header
    unanswered.back().tx_id = tx_id;
    if (file) {  // a PUT's file: logged now, its exchange when the response comes
      AppMetadata record{AppMetadata::Kind::HttpFile, &flow, dir, ts, &unanswered.back(), nullptr};
      record.file = &http_file_;
      metadata_(record);
    }
    return;
  }
  if (answered == nullptr) return;
  if (queued != nullptr) {  // the response's alerts will need its request
    UninspectedHttpContext& context = state.contextOf(*queued);
    context.answers = true;
    context.request = std::move(*request);
  }
  unanswered.erase(request);
}

void AppLayer::inspectHttp(Flow& flow, FlowDirection dir, const HttpMessage& m, std::uint64_t tx_id, const HttpMessage* request,
                           const HttpMessage* response, const HttpFile* file, std::int64_t ts, const DnsMessage* doh) {
  tx_.buffers.clear();
  fillHttpBuffers(m, scratch_, tx_.buffers);
  if (doh != nullptr) addDnsBuffers(*doh, tx_.buffers);
  if (file != nullptr) {
    if (file->content_offset != 0 || file->content_length < m.body.size()) {  // a multipart upload's part
      tx_.buffers.set(BufferId::FileData, file->contentIn(m.body));
    }
    tx_.buffers.add(BufferId::FileName, file->name);
    if (!file->md5.empty()) tx_.buffers.add(BufferId::FileMd5, file->md5);
    if (!file->sha256.empty()) tx_.buffers.add(BufferId::FileSha256, file->sha256);
    if (!file->truncated) tx_.buffers.add(BufferId::FileSizeNumber, fileSizeBuffer(file->size));
  }
  // Alerts on the transaction see its request (EVE's xff), and its response once parsed.
  AppMetadata record{AppMetadata::Kind::Http, &flow, dir, ts, m.request ? &m : request, m.request ? response : &m, doh};
  record.tx_id = static_cast<std::int64_t>(tx_id);
  tx_record_ = &record;
  tx_.meta.facts.tx_id = tx_id;  // pairs a request with its response for transactional rules
  emit(flow, dir);
  tx_.meta.facts.tx_id = 0;
  tx_record_ = nullptr;
}

const DnsMessage* AppLayer::onDoh(Flow& flow, FlowDirection dir, const HttpMessage& m, std::int64_t ts) {
  const DohPayload payload = dohPayload(m, doh_bytes_);
  if (payload.kind == DohPayload::Kind::TooLong) {
    flow.app_layer.state->events.set(m.request ? signatures::AnomalyEvent::Http2DnsRequestTooLong
                                         : signatures::AnomalyEvent::Http2DnsResponseTooLong);
    return nullptr;
  }
  if (payload.kind != DohPayload::Kind::Dns || !parseDnsMessage(payload.bytes, doh_dns_)) return nullptr;
  if (flow.app == AppProto::Http2) {  // Suricata's protocol change: the flow is doh2 from here
    flow.app = AppProto::Doh2;
    flow.app_layer.upgraded_from = AppProto::Http2;
  }
  ++(doh_dns_.response ? counters_.dns_responses : counters_.dns_queries);
  // Suricata logs a DoH transaction's dns record once, when it completes: here its response.
  if (metadata_ && !m.request) metadata_({AppMetadata::Kind::Dns, &flow, dir, ts, nullptr, nullptr, &doh_dns_});
  return &doh_dns_;
}

void AppLayer::openTunnel(Flow& flow, std::int64_t ts) {
  auto& http = static_cast<HttpState&>(*flow.app_layer.state);
  std::string held[2] = {std::move(http.tunnelBytes(FlowDirection::ToServer)), std::move(http.tunnelBytes(FlowDirection::ToClient))};
  http.tunnelBytes(FlowDirection::ToServer).clear();
  http.tunnelBytes(FlowDirection::ToClient).clear();
  for (std::string& bytes : held) {  // empty lines after the exchange are HTTP's (libhtp skips them)
    bytes.erase(0, std::min(bytes.size(), bytes.find_first_not_of("\r\n")));
  }
  if (metadata_) {  // requests no answer will come to, as at the flow's end
    for (const HttpMessage& request : http.unanswered()) {
      metadata_({AppMetadata::Kind::Http, &flow, FlowDirection::ToServer, ts, &request, nullptr});
    }
  }
  http.unanswered().clear();
  datagram_events_.merge(http.events);  // taken with the next events: they outlive the state
  releaseState(flow);
  flow.app = AppProto::None;
  flow.app_layer.detection_done = false;
  flow.app_layer.upgraded_from = AppProto::Http;
  for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    const std::string& bytes = held[dir == FlowDirection::ToServer ? 0 : 1];
    if (!bytes.empty()) onStream(flow, dir, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, ts);
  }
}

void AppLayer::openWebsocket(Flow& flow, std::int64_t ts) {
  auto& http = static_cast<HttpState&>(*flow.app_layer.state);
  const bool deflate = http.websocketDeflate();
  std::string held[2] = {std::move(http.tunnelBytes(FlowDirection::ToServer)), std::move(http.tunnelBytes(FlowDirection::ToClient))};
  http.tunnelBytes(FlowDirection::ToServer).clear();
  http.tunnelBytes(FlowDirection::ToClient).clear();
  if (metadata_) {  // requests no answer will come to, as at the flow's end
    for (const HttpMessage& request : http.unanswered()) {
      metadata_({AppMetadata::Kind::Http, &flow, FlowDirection::ToServer, ts, &request, nullptr});
    }
  }
  http.unanswered().clear();
  datagram_events_.merge(http.events);  // taken with the next events: they outlive the state
  releaseState(flow);
  flow.app = AppProto::Websocket;
  flow.app_layer.detection_done = true;
  flow.app_layer.upgraded_from = AppProto::Http;
  flow.app_layer.state = websocket_states_.take([] { return std::make_unique<WebsocketState>(); });
  stateOf<WebsocketState>(flow).setDeflate(deflate);
  for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    const std::string& bytes = held[dir == FlowDirection::ToServer ? 0 : 1];
    if (!bytes.empty()) onStream(flow, dir, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, ts);
  }
}

void AppLayer::onWebsocket(Flow& flow, const WebsocketFrame& frame, std::int64_t ts) {
  tx_.buffers.clear();
  tx_.meta.facts = {};
  tx_.buffers.set(BufferId::WebsocketPayload, frame.payload);
  websocket_opcode_ = static_cast<char>(frame.header.opcode);
  websocket_flags_ = static_cast<char>(frame.header.flags);
  tx_.buffers.set(BufferId::WebsocketOpcodeNumber, {&websocket_opcode_, 1});
  tx_.buffers.set(BufferId::WebsocketFlagsNumber, {&websocket_flags_, 1});
  if (frame.header.masked) {
    for (std::size_t i = 0; i < 4; ++i) websocket_mask_[i] = static_cast<char>(frame.header.mask >> (24 - 8 * i));
    tx_.buffers.set(BufferId::WebsocketMaskNumber, {websocket_mask_.data(), 4});
  }
  AppMetadata record{AppMetadata::Kind::Websocket, &flow, frame.direction, ts};
  record.websocket = &frame;
  tx_record_ = &record;  // alerts carry the websocket object
  emit(flow, frame.direction);
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

void AppLayer::probeTunnel(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts) {
  if (!flow.app_layer.state) flow.app_layer.state = std::make_unique<TunnelProbe>();
  auto& probe = static_cast<TunnelProbe&>(*flow.app_layer.state);
  std::string& bytes = probe.held[dir == FlowDirection::ToServer ? 0 : 1];
  bytes.append(reinterpret_cast<const char*>(data.data()), data.size());
  identify(flow, dir, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  if (flow.app == AppProto::None) {
    if (flow.app_layer.detection_done) flow.app_layer.state.reset();  // given up: nothing more is parsed
    return;
  }
  std::string held[2] = {std::move(probe.held[0]), std::move(probe.held[1])};
  flow.app_layer.state.reset();
  // The identifying side first: the protocol's parser sees its opening bytes first.
  const FlowDirection other = dir == FlowDirection::ToServer ? FlowDirection::ToClient : FlowDirection::ToServer;
  for (const FlowDirection d : {dir, other}) {
    const std::string& b = held[d == FlowDirection::ToServer ? 0 : 1];
    if (!b.empty()) onStream(flow, d, {reinterpret_cast<const std::uint8_t*>(b.data()), b.size()}, ts);
  }
}

void AppLayer::onStream(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts) {
  const AppProto before = flow.app;
  parseStream(flow, dir, data, ts);
  // A protocol change inside the bytes (a tunnel, WebSocket) framed the new protocol's share itself.
  if (!framesWanted() || flow.app == AppProto::None || (before != AppProto::None && before != flow.app)) return;
  frame_flow_ = &flow;
  frame_ts_ = ts;
  frames(flow).onStream(flow.app, dir, data, frame_sink_);
}

void AppLayer::onDatagram(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> payload, signatures::BufferSet& buffers,
                          std::int64_t ts) {
  parseDatagram(flow, dir, payload, buffers, ts);
  if (!framesWanted() || flow.app == AppProto::None) return;
  frame_flow_ = &flow;
  frame_ts_ = ts;
  frames(flow).onDatagram(flow.app, dir, payload, frame_sink_);
}

FlowFrames& AppLayer::frames(Flow& flow) {
  if (!flow.app_layer.frames) flow.app_layer.frames = frame_states_.take([] { return std::make_unique<FlowFrames>(); });
  return static_cast<FlowFrames&>(*flow.app_layer.frames);
}

void AppLayer::onFrame(Flow& flow, const Frame& delimited, std::int64_t ts) {
  // The transaction the frame belongs to, where its parser knows it: alerts carry its object.
  Frame frame = delimited;
  AppMetadata tx_record{AppMetadata::Kind::Frame, &flow, frame.direction, ts};
  if (const auto* ssh = dynamic_cast<const SshState*>(flow.app_layer.state.get())) {
    frame.tx_id = 0;  // a session is one transaction
    tx_record.kind = AppMetadata::Kind::Ssh;
    tx_record.ssh = ssh;
  } else if (const auto* smtp = dynamic_cast<const SmtpState*>(flow.app_layer.state.get())) {
    frame.tx_id = static_cast<std::int64_t>(smtp->current().tx_id);
    tx_record.kind = AppMetadata::Kind::Smtp;
    tx_record.mail = &smtp->current();
  } else if (const auto* ws = dynamic_cast<const WebsocketState*>(flow.app_layer.state.get())) {
    if (const WebsocketFrame* last = ws->last(frame.direction)) {
      frame.tx_id = static_cast<std::int64_t>(last->tx_id);
      tx_record.kind = AppMetadata::Kind::Websocket;
      tx_record.websocket = last;
    }
  }
  if (frames_log_ && metadata_ && !frame.provisional) {
    AppMetadata record{AppMetadata::Kind::Frame, &flow, frame.direction, ts};
    record.frame = &frame;
    metadata_(record);
  }
  if (!frames_detect_) return;
  tx_.buffers.clear();
  tx_.buffers.set(frame.type, frame.bytes);
  tx_.meta.facts = {};
  current_frame_ = &frame;
  tx_record_ = tx_record.kind != AppMetadata::Kind::Frame ? &tx_record : nullptr;
  emit(flow, frame.direction);
  tx_record_ = nullptr;
  current_frame_ = nullptr;
}

void AppLayer::parseStream(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts) {
  if (!flow.app_layer.detection_done && flow.app == AppProto::None && flow.app_layer.upgraded_from == AppProto::Http) {
    probeTunnel(flow, dir, data, ts);
    return;
  }
  if (!flow.app_layer.detection_done && !claimFtpData(flow)) identify(flow, dir, data);
  else if (flow.app != AppProto::None && !flow.app_layer.probe_done[sideOf(dir)] && !data.empty()) probeOtherSide(flow, dir, data);
  const ParseErrorCount count(flow, counters_);
  switch (flow.app) {
    case AppProto::Http:
    case AppProto::Http2:
    case AppProto::Doh2: {
      if (!flow.app_layer.state) flow.app_layer.state = http_states_.take([this] { return std::make_unique<HttpState>(&http_messages_); });
      holdOrParse(flow, dir, data, ts);  // HTTP/1 as acknowledged, HTTP/2 on arrival (AckedParsing.cpp)
      break;
    }
    case AppProto::Dns:
      stateOf<DnsTcpState>(flow).feed(dir, data, dns_, [&](FlowDirection d, const DnsMessage& m) {
        ++(m.response ? counters_.dns_responses : counters_.dns_queries);
        const AppMetadata record{AppMetadata::Kind::Dns, &flow, d, ts, nullptr, nullptr, &m};
        if (metadata_) metadata_(record);
        addDnsMessageEvents(m, flow.app_layer.state->events);
        tx_.buffers.clear();
        addDnsBuffers(m, tx_.buffers);
        tx_record_ = &record;  // alerts carry the dns object
        emit(flow, d);
        tx_record_ = nullptr;
      });
      break;
    case AppProto::Tls: {
      if (!flow.app_layer.state) flow.app_layer.state = tls_states_.take([this] { return std::make_unique<TlsState>(tls_workspace_); });
      TlsState& tls = stateOf<TlsState>(flow);
      if (tls.append(dir, data) || parsesOnArrival(flow, dir)) parseTls(flow, tls, dir, ts);
      break;
    }
    case AppProto::Smtp: {
      if (!flow.app_layer.state) flow.app_layer.state = smtp_states_.take([this] { return std::make_unique<SmtpState>(smtp_); });
      holdOrParse(flow, dir, data, ts);  // as acknowledged (AckedParsing.cpp)
      break;
    }
    case AppProto::Ssh:
      if (!flow.app_layer.state) flow.app_layer.state = ssh_states_.take([] { return std::make_unique<SshState>(); });
      holdOrParse(flow, dir, data, ts);  // as acknowledged (AckedParsing.cpp)
      break;
    case AppProto::Smb: {
      if (!flow.app_layer.state) flow.app_layer.state = smb_states_.take([] { return std::make_unique<SmbState>(); });
      auto& smb = stateOf<SmbState>(flow);
      if (const std::uint64_t gaps = flow.streams[dir == FlowDirection::ToServer ? 0 : 1].counters().gaps;
          gaps != smb.gaps_seen[dir == FlowDirection::ToServer ? 0 : 1]) {
        smb.gaps_seen[dir == FlowDirection::ToServer ? 0 : 1] = gaps;
        parseSmb(flow, smb, dir, ts);  // what came before the hole, then resynchronise
        smb.gap(dir);
      }
      smb.pending(dir).append(data);
      if (parsesOnArrival(flow, dir)) {
        parseSmb(flow, smb, dir, ts);
        inspectSmb(flow, smb, dir, false);
        smb.pruneFinished();
      }
      break;
    }
    case AppProto::Dcerpc: {
      if (!flow.app_layer.state) flow.app_layer.state = dcerpc_states_.take([] { return std::make_unique<DcerpcState>(); });
      auto& dcerpc = stateOf<DcerpcState>(flow);
      if (const std::uint64_t gaps = flow.streams[dir == FlowDirection::ToServer ? 0 : 1].counters().gaps;
          gaps != dcerpc.gaps_seen[dir == FlowDirection::ToServer ? 0 : 1]) {
        dcerpc.gaps_seen[dir == FlowDirection::ToServer ? 0 : 1] = gaps;
        parseDcerpc(flow, dcerpc, dir, ts, false);  // what came before the hole, then resynchronise
        dcerpc.gap(dir);
      }
      dcerpc.pending(dir).append(data);
      if (parsesOnArrival(flow, dir)) {
        parseDcerpc(flow, dcerpc, dir, ts, false);
        inspectDce(flow, dcerpc.session(), dir, false);
        dcerpc.session().pruneFinished();
      }
      break;
    }
    case AppProto::Ftp:
      if (!flow.app_layer.state) {
        flow.app_layer.state = ftp_states_.take([] { return std::make_unique<FtpState>(); });
        static_cast<FtpState&>(*flow.app_layer.state).setMaxLineBytes(ftp_max_line_);
        static_cast<FtpState&>(*flow.app_layer.state).setMaxTx(ftp_max_tx_);
      }
      stateOf<FtpState>(flow).feed(dir, data, [&](const FtpTransaction& tx) { onFtp(flow, tx, ts); });
      expectFtpData(flow);
      break;
    case AppProto::FtpData:
      if (flow.app_layer.state) static_cast<FtpDataState&>(*flow.app_layer.state).feed(dir, data);
      break;
    case AppProto::Ldap: {
      if (!flow.app_layer.state) {
        flow.app_layer.state = ldap_states_.take([] { return std::make_unique<LdapState>(); });
        static_cast<LdapState&>(*flow.app_layer.state).setMaxTx(ldap_max_tx_);
      }
      auto& ldap = stateOf<LdapState>(flow);
      const std::size_t side = dir == FlowDirection::ToServer ? 0 : 1;
      if (const std::uint64_t gaps = flow.streams[side].counters().gaps; gaps != ldap.gaps_seen[side]) {
        ldap.gaps_seen[side] = gaps;
        parseLdap(flow, dir, ts);  // what came before the hole, then resynchronise
        if (flow.app != AppProto::Ldap) {  // StartTLS: these bytes are TLS's
          onStream(flow, dir, data, ts);
          break;
        }
        ldap.gap(dir);
      }
      ldap.pending(dir).append(data);
      if (parsesOnArrival(flow, dir)) parseLdap(flow, dir, ts);
      break;
    }
    case AppProto::Mqtt:
      if (!flow.app_layer.state) flow.app_layer.state = mqtt_states_.take([this] { return std::make_unique<MqttState>(mqtt_limits_); });
      stateOf<MqttState>(flow, mqtt_limits_).feed(dir, data, [&](FlowDirection d, const MqttTransaction& tx) { onMqtt(flow, d, tx, ts); });
      break;
    case AppProto::Websocket:
      if (!flow.app_layer.state) flow.app_layer.state = websocket_states_.take([] { return std::make_unique<WebsocketState>(); });
      stateOf<WebsocketState>(flow).feed(dir, data, [&](const WebsocketFrame& frame) { onWebsocket(flow, frame, ts); });
      break;
    case AppProto::Krb5:
      if (!flow.app_layer.state) flow.app_layer.state = krb5_states_.take([] { return std::make_unique<Krb5State>(); });
      stateOf<Krb5State>(flow).feed(dir, data, [&](FlowDirection d, const Krb5Message& m) {
        tx_.buffers.clear();
        onKrb5(flow, d, m, ts, tx_.buffers, true);
      });
      break;
    case AppProto::Enip:
    case AppProto::Modbus:
      onIcsStream(flow, dir, data, ts);
      break;
    case AppProto::Nfs:
      onNfsStream(flow, dir, data, ts);
      break;
    case AppProto::Dnp3: {
      if (!flow.app_layer.state) flow.app_layer.state = dnp3_states_.take([this] { return std::make_unique<Dnp3State>(dnp3_limits_); });
      auto& dnp3 = stateOf<Dnp3State>(flow, dnp3_limits_);
      dnp3.pending(dir).append(data);
      if (parsesOnArrival(flow, dir)) {
        parseDnp3(flow, dir, std::nullopt, ts);
        inspectDnp3(flow, dir, false);
        dnp3.prune();
      }
      break;
    }
    case AppProto::Sip:
      if (!flow.app_layer.state) flow.app_layer.state = sip_states_.take([] { return std::make_unique<SipState>(); });
      stateOf<SipState>(flow).feed(dir, data, [&](FlowDirection d, const SipMessage& m) {
        fillSipBuffers(m, tx_.buffers);
        onSip(flow, d, m, ts, true);
      });
      break;
    case AppProto::Pgsql: {
      if (!flow.app_layer.state) flow.app_layer.state = pgsql_states_.take([] { return std::make_unique<PgsqlState>(); });
      stateOf<PgsqlState>(flow).pending(dir).append(data);
      if (parsesOnArrival(flow, dir)) parsePgsql(flow, dir, ts);
      break;
    }
    case AppProto::Pop3: {
      if (!flow.app_layer.state) flow.app_layer.state = pop3_states_.take([] { return std::make_unique<Pop3State>(); });
      stateOf<Pop3State>(flow).pending(dir).append(data);
      if (parsesOnArrival(flow, dir)) parsePop3(flow, dir, ts);
      break;
    }
    case AppProto::Rfb: {
      if (!flow.app_layer.state) flow.app_layer.state = rfb_states_.take([] { return std::make_unique<RfbState>(); });
      stateOf<RfbState>(flow).pending(dir).append(data);
      if (parsesOnArrival(flow, dir)) parseRfb(flow, dir, ts);
      break;
    }
    case AppProto::Rdp:
      onRdpStream(flow, dir, data, ts);
      break;
    default:
      break;
  }
}

template <typename State, typename OnTransaction>
void AppLayer::handOverToTls(Flow& flow, AppProto from, OnTransaction on_tx, std::int64_t ts) {
  auto& state = static_cast<State&>(*flow.app_layer.state);
  std::string held[2];  // what either side sent after the exchange: the TLS handshake
  for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    held[dir == FlowDirection::ToServer ? 0 : 1] = state.pending(dir).held();
  }
  state.close(on_tx);
  releaseState(flow);
  flow.app = AppProto::Tls;
  flow.app_layer.upgraded_from = from;
  for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    const std::string& bytes = held[dir == FlowDirection::ToServer ? 0 : 1];
    if (!bytes.empty()) onStream(flow, dir, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, ts);
  }
}

void AppLayer::parsePgsql(Flow& flow, FlowDirection dir, std::int64_t ts, std::uint64_t unacked) {
  auto& pgsql = static_cast<PgsqlState&>(*flow.app_layer.state);
  pgsql.pending(dir).release(unacked);
  pgsql.parse(dir, [&](const PgsqlTransaction& tx) { onPgsql(flow, tx, ts); });
  if (pgsql.tlsAccepted()) {
    handOverToTls<PgsqlState>(flow, AppProto::Pgsql, [&](const PgsqlTransaction& tx) { onPgsql(flow, tx, ts); }, ts);
  }
}

void AppLayer::onPgsql(Flow& flow, const PgsqlTransaction& tx, std::int64_t ts) {
  AppMetadata record{AppMetadata::Kind::Pgsql, &flow, FlowDirection::ToServer, ts};
  record.pgsql = &tx;
  // Suricata inspects a pgsql transaction once it is complete, the request with its answer.
  tx_.buffers.clear();
  if (tx.request == PgsqlRequestKind::SimpleQuery) tx_.buffers.set(BufferId::PgsqlQuery, tx.payload);
  tx_record_ = &record;
  emit(flow, FlowDirection::ToServer);
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

void AppLayer::parsePop3(Flow& flow, FlowDirection dir, std::int64_t ts, std::uint64_t unacked) {
  auto& pop3 = static_cast<Pop3State&>(*flow.app_layer.state);
  pop3.pending(dir).release(unacked);
  pop3.parse(dir, [&](const Pop3Transaction& tx) { onPop3(flow, tx, ts); });
  if (pop3.startTls()) {
    handOverToTls<Pop3State>(flow, AppProto::Pop3, [&](const Pop3Transaction& tx) { onPop3(flow, tx, ts); }, ts);
  }
}

void AppLayer::onPop3(Flow& flow, const Pop3Transaction& tx, std::int64_t ts) {
  AppMetadata record{AppMetadata::Kind::Pop3, &flow, FlowDirection::ToServer, ts};
  record.pop3 = &tx;
  tx_record_ = &record;
  if (tx.has_request) {
    tx_.buffers.clear();
    tx_.buffers.set(BufferId::Pop3Command, tx.command);
    for (const std::string& arg : tx.args) tx_.buffers.add(BufferId::Pop3Args, arg);
    emit(flow, FlowDirection::ToServer);
  }
  if (tx.has_response) {
    tx_.buffers.clear();
    tx_.buffers.set(BufferId::Pop3Status, tx.status);
    tx_.buffers.add(BufferId::Pop3Response, tx.header);
    for (const std::string& line : tx.data) tx_.buffers.add(BufferId::Pop3Response, line);
    emit(flow, FlowDirection::ToClient);
  }
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

void AppLayer::parseRfb(Flow& flow, FlowDirection dir, std::int64_t ts, std::uint64_t unacked) {
  auto& rfb = static_cast<RfbState&>(*flow.app_layer.state);
  rfb.pending(dir).release(unacked);
  rfb.parse(dir, [&](FlowDirection, const RfbTransaction& tx) { onRfb(flow, tx, ts); });
}

void AppLayer::onRfb(Flow& flow, const RfbTransaction& tx, std::int64_t ts) {
  AppMetadata record{AppMetadata::Kind::Rfb, &flow, FlowDirection::ToServer, ts};
  record.rfb = &tx;
  tx_.buffers.clear();
  if (tx.has_server_init) tx_.buffers.set(BufferId::RfbName, tx.name);
  if (tx.has_security_type) tx_.buffers.set(BufferId::RfbSecTypeNumber, bigEndian32(tx.security_type, rfb_sectype_));
  if (tx.has_security_result) tx_.buffers.set(BufferId::RfbSecResultNumber, bigEndian32(tx.security_result, rfb_secresult_));
  tx_record_ = &record;
  emit(flow, FlowDirection::ToClient);
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

void AppLayer::fillSipBuffers(const SipMessage& m, signatures::BufferSet& buffers) {
  if (&buffers == &tx_.buffers) buffers.clear();
  if (m.request) {
    buffers.set(BufferId::SipMethod, m.method);
    buffers.set(BufferId::SipUri, m.uri);
    buffers.set(BufferId::SipRequestLine, m.line);
  } else {
    buffers.set(BufferId::SipStatCode, m.code);
    buffers.set(BufferId::SipStatMsg, m.reason);
    buffers.set(BufferId::SipResponseLine, m.line);
  }
  buffers.set(BufferId::SipProtocol, m.version);
  for (const SipHeader& h : m.headers) {
    static constexpr std::pair<std::string_view, BufferId> kHeaders[] = {
        {"From", BufferId::SipFrom}, {"To", BufferId::SipTo}, {"Via", BufferId::SipVia},
        {"User-Agent", BufferId::SipUserAgent}, {"Content-Type", BufferId::SipContentType},
        {"Content-Length", BufferId::SipContentLength}};
    for (const auto& [name, id] : kHeaders) {
      if (SipMessage::equalsIgnoreCase(h.name, name)) buffers.add(id, h.value);
    }
  }
  if (!m.has_sdp) return;
  const SdpMessage& sdp = m.sdp;
  buffers.set(BufferId::SdpOrigin, sdp.origin);
  buffers.set(BufferId::SdpSessionName, sdp.session_name);
  if (sdp.has_session_info) buffers.set(BufferId::SdpSessionInfo, sdp.session_info);
  if (sdp.has_uri) buffers.set(BufferId::SdpUri, sdp.uri);
  if (sdp.has_email) buffers.set(BufferId::SdpEmail, sdp.email);
  if (sdp.has_phone_number) buffers.set(BufferId::SdpPhoneNumber, sdp.phone_number);
  if (sdp.has_connection_data) buffers.set(BufferId::SdpConnectionData, sdp.connection_data);
  for (const std::string& b : sdp.bandwidths) buffers.add(BufferId::SdpBandwidth, b);
  for (const SdpTimeDescription& t : sdp.times) {
    buffers.add(BufferId::SdpTime, t.time);
    if (t.has_repeat) buffers.add(BufferId::SdpRepeatTime, t.repeat_time);
  }
  if (sdp.has_timezone) buffers.set(BufferId::SdpTimezone, sdp.timezone);
  if (sdp.has_encryption_key) buffers.set(BufferId::SdpEncryptionKey, sdp.encryption_key);
  for (const std::string& a : sdp.attributes) buffers.add(BufferId::SdpAttribute, a);
  for (const SdpMediaDescription& media : sdp.media) {
    buffers.add(BufferId::SdpMediaMedia, media.media);
    if (media.has_media_info) buffers.add(BufferId::SdpMediaMediaInfo, media.media_info);
    if (media.has_connection_data) buffers.add(BufferId::SdpMediaConnectionData, media.connection_data);
    if (media.has_encryption_key) buffers.add(BufferId::SdpMediaEncryptionKey, media.encryption_key);
    for (const std::string& b : media.bandwidths) buffers.add(BufferId::SdpMediaBandwidth, b);
    for (const std::string& a : media.attributes) buffers.add(BufferId::SdpMediaAttribute, a);
  }
}

void AppLayer::onQuic(Flow& flow, FlowDirection dir, const QuicTransaction& tx, std::int64_t ts) {
  tx_.buffers.clear();
  if (tx.long_header) {
    tx_.buffers.set(BufferId::QuicVersion, std::string_view(reinterpret_cast<const char*>(tx.version_bytes.data()), 4));
  }
  if (tx.has_sni) tx_.buffers.set(BufferId::QuicSni, tx.sni);
  if (tx.has_ua) tx_.buffers.set(BufferId::QuicUa, tx.ua);
  for (const QuicCyu& c : tx.cyu) {
    tx_.buffers.add(BufferId::QuicCyuHash, c.hash);
    tx_.buffers.add(BufferId::QuicCyuString, c.string);
  }
  if (tx.has_hello) {  // a client's JA3 and JA4 to the server, a server's JA3S to the client
    const bool to_server = dir == FlowDirection::ToServer;
    tx_.buffers.set(to_server ? BufferId::Ja3Hash : BufferId::Ja3sHash, tx.ja3_hash);
    tx_.buffers.set(to_server ? BufferId::Ja3String : BufferId::Ja3sString, tx.ja3);
    if (to_server && !tx.ja4.empty()) tx_.buffers.set(BufferId::Ja4Hash, tx.ja4);
  }
  AppMetadata record{AppMetadata::Kind::Quic, &flow, dir, ts};
  record.quic = &tx;
  tx_record_ = &record;
  emit(flow, dir);
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

void AppLayer::onSip(Flow& flow, FlowDirection dir, const SipMessage& m, std::int64_t ts, bool stream) {
  ++(stream ? counters_.sip_tcp_transactions : counters_.sip_udp_transactions);
  AppMetadata record{AppMetadata::Kind::Sip, &flow, dir, ts};
  record.sip = &m;
  if (stream) {  // over TCP a transaction of its own; over UDP the datagram's packet match reads the buffers
    tx_record_ = &record;
    emit(flow, dir);
    tx_record_ = nullptr;
  } else {
    datagram_record_ = record;
    has_datagram_record_ = true;
  }
  if (metadata_) metadata_(record);
}

namespace {
FlowDirection opposite(FlowDirection dir) { return dir == FlowDirection::ToServer ? FlowDirection::ToClient : FlowDirection::ToServer; }
}  // namespace

bool AppLayer::parsesOnArrival(const Flow& flow, FlowDirection dir) const {
  // The other side is never seen on this link (one-sided capture): nothing will acknowledge.
  const bool one_sided = flow.counters[dir == FlowDirection::ToServer ? Flow::kToClient : Flow::kToServer].packets == 0;
  return stream_inline_ || one_sided;
}

void AppLayer::parseDcerpc(Flow& flow, DcerpcState& state, FlowDirection dir, std::int64_t ts, bool all) {
  state.pending(dir).release();
  state.parse(dir);
  logDce(flow, state.session(), ts, all, AppMetadata::Kind::Dcerpc, nullptr);
}

void AppLayer::onDcerpcPacket(Flow& flow, FlowDirection dir, std::int64_t ts) {
  const ParseErrorCount count(flow, counters_);
  auto& dcerpc = static_cast<DcerpcState&>(*flow.app_layer.state);
  if (!stream_inline_) {
    parseDcerpc(flow, dcerpc, opposite(dir), ts, false);  // what this packet acknowledges
    inspectDce(flow, dcerpc.session(), dir, false);
  }
  dcerpc.session().pruneFinished();
}

void AppLayer::inspectDce(Flow& flow, DceSession& session, FlowDirection dir, bool all) {
  const bool to_server = dir == FlowDirection::ToServer;
  for (DceTransaction& tx : session.transactions()) {
    bool& inspected = to_server ? tx.inspected_ts : tx.inspected_tc;
    if (inspected || !(all || (to_server ? tx.request_done : tx.response_done))) continue;
    inspected = true;
    // Only calls (a REQUEST and its answer) have stub data and an operation for the keywords.
    if (tx.request_type != dce::kRequest || !(to_server ? tx.request_seen : tx.response_seen)) continue;
    tx_.buffers.clear();
    const std::string& stub = to_server ? tx.stub_ts : tx.stub_tc;
    const std::string& pdu = to_server ? tx.pdu_ts : tx.pdu_tc;
    if (!stub.empty()) tx_.buffers.set(BufferId::DceStubData, stub);
    if (!pdu.empty()) tx_.buffers.set(BufferId::Payload, pdu);
    const signatures::DceFacts facts = session.facts(tx);
    tx_.meta.facts.dce = &facts;
    const bool smb = flow.app == AppProto::Smb;
    if (smb) tx_.meta.facts.smb_version = tx.smb.version;
    AppMetadata record{smb ? AppMetadata::Kind::Smb : AppMetadata::Kind::Dcerpc, &flow, dir, flow.last_ns};
    record.dce = &tx;
    record.dce_session = &session;
    record.smb_state = smb ? static_cast<const SmbState*>(flow.app_layer.state.get()) : nullptr;
    tx_record_ = &record;
    emit(flow, dir);
    tx_.meta.facts = {};
    tx_record_ = nullptr;
  }
}

void AppLayer::logDce(Flow& flow, DceSession& session, std::int64_t ts, bool all, AppMetadata::Kind kind, const SmbState* smb) {
  for (DceTransaction& tx : session.transactions()) {
    if (tx.logged || !(all || tx.complete())) continue;
    tx.logged = true;
    if (!metadata_) continue;
    AppMetadata record{kind, &flow, FlowDirection::ToServer, ts};
    record.dce = &tx;
    record.dce_session = &session;
    record.smb_state = smb;
    metadata_(record);
  }
}

void AppLayer::onSmbPacket(Flow& flow, FlowDirection dir, std::int64_t ts) {
  const ParseErrorCount count(flow, counters_);
  auto& smb = static_cast<SmbState&>(*flow.app_layer.state);
  if (!stream_inline_) {
    parseSmb(flow, smb, opposite(dir), ts);  // what this packet acknowledges
    inspectSmb(flow, smb, dir, false);
  }
  smb.pruneFinished();
}

void AppLayer::parseSmb(Flow& flow, SmbState& state, FlowDirection dir, std::int64_t ts) {
  state.pending(dir).release();
  state.parse(dir);
  logSmb(flow, state, ts, false);
}

void AppLayer::inspectSmb(Flow& flow, SmbState& state, FlowDirection dir, bool all) {
  const bool to_server = dir == FlowDirection::ToServer;
  for (SmbTransaction& tx : state.transactions()) {
    bool& inspected = to_server ? tx.inspected_ts : tx.inspected_tc;
    if (inspected || !(all || (to_server ? tx.request_done : tx.response_done))) continue;
    inspected = true;
    tx_.buffers.clear();
    if (tx.type == SmbTransaction::Type::File) {
      // A file is inspected once, in the direction it went, when it is closed (or cut off).
      if (dir != tx.file_direction) continue;
      const SmbFile& file = tx.file;
      if (!file.data.empty()) tx_.buffers.set(BufferId::FileData, file.data);
      if (!file.name.empty()) tx_.buffers.set(BufferId::FileName, file.name);
      if (!file.md5.empty()) tx_.buffers.set(BufferId::FileMd5, file.md5);
      if (!file.sha256.empty()) tx_.buffers.set(BufferId::FileSha256, file.sha256);
      if (file.closed && !file.gaps) tx_.buffers.set(BufferId::FileSizeNumber, fileSizeBuffer(file.size));
    } else if (tx.type == SmbTransaction::Type::TreeConnect && to_server && !tx.share.empty()) {
      // As Suricata: the tree's name in requests, as a pipe's when the server said so.
      tx_.buffers.set(tx.is_pipe ? BufferId::SmbNamedPipe : BufferId::SmbShare, tx.share);
    } else if (tx.type == SmbTransaction::Type::SessionSetup && to_server && tx.has_ntlmssp) {
      tx_.buffers.set(BufferId::SmbNtlmsspUser, tx.ntlmssp.user);
      tx_.buffers.set(BufferId::SmbNtlmsspDomain, tx.ntlmssp.domain);
    }
    tx_.meta.facts.smb_version = tx.version;
    AppMetadata record{AppMetadata::Kind::Smb, &flow, dir, flow.last_ns};
    record.smb = &tx;
    record.smb_state = &state;
    tx_record_ = &record;
    emit(flow, dir);
    tx_.meta.facts = {};
    tx_record_ = nullptr;
  }
  inspectDce(flow, state.pipes(), dir, all);
}

void AppLayer::logSmb(Flow& flow, SmbState& state, std::int64_t ts, bool all) {
  for (SmbTransaction& tx : state.transactions()) {
    if (tx.logged || !(all || tx.complete())) continue;
    tx.logged = true;
    if (!metadata_) continue;
    AppMetadata record{AppMetadata::Kind::Smb, &flow, FlowDirection::ToServer, ts};
    record.smb = &tx;
    record.smb_state = &state;
    metadata_(record);
    if (tx.type == SmbTransaction::Type::File) {
      record.kind = AppMetadata::Kind::SmbFile;
      record.direction = tx.file_direction;
      metadata_(record);
    }
  }
  logDce(flow, state.pipes(), ts, all, AppMetadata::Kind::Smb, &state);
}

void AppLayer::onMqtt(Flow& flow, FlowDirection dir, const MqttTransaction& tx, std::int64_t ts) {
  const auto& mqtt = static_cast<const MqttState&>(*flow.app_layer.state);
  tx_.buffers.clear();
  // Suricata's mqtt keywords look at every packet of the transaction: the request's fields and
  // the reply's alike.
  for (const MqttMessage& m : tx.view()) {
    tx_.buffers.add(BufferId::MqttTypeNumber, mqttByteView(m.type));
    tx_.buffers.add(BufferId::MqttFlagsNumber, mqttByteView(m.flags));
    tx_.buffers.add(BufferId::MqttQosNumber, mqttByteView(m.qos_level));
    if (m.has_reason_code) tx_.buffers.add(BufferId::MqttReasonCodeNumber, mqttByteView(m.reason_code));
    for (const std::uint8_t& code : m.codes) tx_.buffers.add(BufferId::MqttReasonCodeNumber, mqttByteView(code));  // SUBACK, UNSUBACK
    if (m.truncated) continue;
    switch (m.type) {
      case MqttType::Connect:
        tx_.buffers.add(BufferId::MqttConnectFlagsNumber, mqttByteView(m.connect_flags));
        tx_.buffers.set(BufferId::MqttConnectProtocolString, m.protocol_string);
        tx_.buffers.set(BufferId::MqttConnectClientId, m.client_id);
        if (m.connect_flags & 0x80) tx_.buffers.set(BufferId::MqttConnectUsername, m.username);
        if (m.connect_flags & 0x40) tx_.buffers.set(BufferId::MqttConnectPassword, m.password);
        if (m.connect_flags & 0x04) {
          tx_.buffers.set(BufferId::MqttConnectWillTopic, m.will_topic);
          tx_.buffers.set(BufferId::MqttConnectWillMessage, m.will_message);
        }
        break;
      case MqttType::Connack:
        tx_.buffers.add(BufferId::MqttSessionPresentNumber, mqttByteView(m.session_present));
        break;
      case MqttType::Publish:
        tx_.buffers.set(BufferId::MqttPublishTopic, m.topic);
        tx_.buffers.set(BufferId::MqttPublishMessage, m.payload);
        break;
      case MqttType::Subscribe:
      case MqttType::Unsubscribe:
        for (const MqttTopic& t : m.topics) {
          tx_.buffers.add(m.type == MqttType::Subscribe ? BufferId::MqttSubscribeTopic : BufferId::MqttUnsubscribeTopic, t.name);
        }
        break;
      default:
        break;
    }
  }
  // The connection's version, as Suricata's mqtt.protocol_version reads it from the state.
  mqtt_version_byte_ = static_cast<char>(mqtt.protocolVersion());
  tx_.buffers.set(BufferId::MqttProtocolVersionNumber, std::string_view(&mqtt_version_byte_, 1));
  AppMetadata record{AppMetadata::Kind::Mqtt, &flow, dir, ts};
  record.mqtt = &tx;
  record.mqtt_version = mqtt.protocolVersion();
  tx_record_ = &record;
  emit(flow, dir);
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

void AppLayer::parseLdap(Flow& flow, FlowDirection dir, std::int64_t ts) {
  auto& ldap = static_cast<LdapState&>(*flow.app_layer.state);
  ldap.pending(dir).release();
  ldap.parse(dir, [&](FlowDirection d, LdapTransaction& tx) { onLdap(flow, d, tx, ts); });
  if (ldap.startTls()) upgradeLdapToTls(flow, ts);
}

void AppLayer::upgradeLdapToTls(Flow& flow, std::int64_t ts) {
  auto& ldap = static_cast<LdapState&>(*flow.app_layer.state);
  // What either side sent after the StartTLS exchange is the TLS handshake already.
  std::string held[2];
  for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    held[dir == FlowDirection::ToServer ? 0 : 1] = ldap.pending(dir).held();
  }
  ldap.close([&](FlowDirection d, LdapTransaction& tx) { onLdap(flow, d, tx, ts); });
  releaseState(flow);
  flow.app = AppProto::Tls;
  flow.app_layer.upgraded_from = AppProto::Ldap;
  for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
    const std::string& bytes = held[dir == FlowDirection::ToServer ? 0 : 1];
    if (!bytes.empty()) onStream(flow, dir, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()}, ts);
  }
}

void AppLayer::onLdap(Flow& flow, FlowDirection dir, LdapTransaction& tx, std::int64_t ts) {
  AppMetadata record{AppMetadata::Kind::Ldap, &flow, FlowDirection::ToServer, ts};
  record.ldap = &tx;
  if (dir == FlowDirection::Any) {
    if (metadata_) metadata_(record);
    return;
  }
  tx_.buffers.clear();
  if (dir == FlowDirection::ToServer) {
    const LdapMessage& m = tx.request;
    ldap_request_op_ = static_cast<char>(m.op);
    tx_.buffers.set(BufferId::LdapRequestOperationNumber, std::string_view(&ldap_request_op_, 1));
    switch (m.op) {
      case LdapOp::BindRequest: case LdapOp::AddRequest: case LdapOp::SearchRequest: case LdapOp::ModifyRequest:
      case LdapOp::DelRequest: case LdapOp::ModDnRequest: case LdapOp::CompareRequest:
        tx_.buffers.set(BufferId::LdapRequestDn, m.dn);
        break;
      default:
        break;
    }
    if (m.op == LdapOp::SearchRequest) {
      for (const std::string& a : m.names) tx_.buffers.add(BufferId::LdapRequestAttributeType, a);
    } else if (m.op == LdapOp::ModifyRequest) {
      for (const LdapChange& c : m.changes) tx_.buffers.add(BufferId::LdapRequestAttributeType, c.modification.type);
    } else if (m.op == LdapOp::AddRequest) {
      for (const LdapAttribute& a : m.attributes) tx_.buffers.add(BufferId::LdapRequestAttributeType, a.type);
    } else if (m.op == LdapOp::CompareRequest) {
      tx_.buffers.add(BufferId::LdapRequestAttributeType, m.assertion_description);
    }
  } else {
    // Every response so far: the index forms of the integer keywords count from the first.
    ldap_response_ops_.clear();
    ldap_result_codes_.clear();
    for (const LdapMessage& m : tx.responses) {
      ldap_response_ops_ += static_cast<char>(m.op);
      // No result (a search result entry...): 0xff, which no test accepts; codes past 254 as 254.
      ldap_result_codes_ += static_cast<char>(m.has_result ? std::min<std::uint32_t>(m.result_code, 254) : 255);
      if (m.op == LdapOp::SearchResultEntry) {
        tx_.buffers.add(BufferId::LdapResponsesDn, m.dn);
        for (const LdapAttribute& a : m.attributes) tx_.buffers.add(BufferId::LdapResponsesAttributeType, a.type);
      } else {
        tx_.buffers.add(BufferId::LdapResponsesDn, m.has_result ? std::string_view(m.matched_dn) : std::string_view());
      }
      tx_.buffers.add(BufferId::LdapResponsesMessage, m.has_result ? std::string_view(m.diagnostic_message) : std::string_view());
    }
    tx_.buffers.set(BufferId::LdapResponsesOperationNumber, ldap_response_ops_);
    tx_.buffers.set(BufferId::LdapResponsesResultCodeNumber, ldap_result_codes_);
    tx_.buffers.set(BufferId::LdapResponsesCountNumber, bigEndian32(static_cast<std::uint32_t>(tx.responses.size()), ldap_count_));
  }
  tx_.meta.facts.alerted_rules = &tx.alerted;
  tx_record_ = &record;
  emit(flow, dir);
  tx_record_ = nullptr;
  tx_.meta.facts = {};
}

void AppLayer::onFtp(Flow& flow, const FtpTransaction& tx, std::int64_t ts) {
  const auto byte = [](const std::uint8_t& field) { return std::string_view(reinterpret_cast<const char*>(&field), 1); };
  AppMetadata record{AppMetadata::Kind::Ftp, &flow, FlowDirection::ToServer, ts};
  record.ftp = &tx;
  tx_record_ = &record;
  // The command's side, once its reply says what it set up (the data port of PASV/EPSV).
  if (tx.has_command) {
    tx_.buffers.clear();
    tx_.buffers.set(BufferId::FtpCommand, tx.command);
    tx_.buffers.set(BufferId::FtpCommandData, tx.command_data);
    tx_.buffers.set(BufferId::FtpReplyReceivedNumber, byte(tx.reply_received_byte));
    if (tx.mode != FtpTransaction::Mode::None) tx_.buffers.set(BufferId::FtpModeNumber, byte(tx.mode_byte));
    if (tx.has_dynamic_port) tx_.buffers.set(BufferId::FtpDynamicPortNumber, std::string_view(tx.port_bytes, 2));
    if (tx.has_port_address) {
      // ftpbounce: a PORT that has the server connect to another host than the client (an
      // IPv4 client; the command names IPv4 addresses only).
      ftp_bounce_byte_ = flow.client.isV4() && flow.client.v4() != tx.port_address ? 1 : 0;
      tx_.buffers.set(BufferId::FtpBounceNumber, std::string_view(&ftp_bounce_byte_, 1));
    }
    emit(flow, FlowDirection::ToServer);
  }
  if (tx.reply_received) {
    tx_.buffers.clear();
    for (const std::string& r : tx.replies) tx_.buffers.add(BufferId::FtpReply, r);
    for (const std::string& c : tx.codes) tx_.buffers.add(BufferId::FtpCompletionCode, c);
    // What the exchange set up is the transaction's, seen from either side (Suricata matches
    // ftp.mode and ftp.dynamic_port in both directions).
    if (tx.mode != FtpTransaction::Mode::None) tx_.buffers.set(BufferId::FtpModeNumber, byte(tx.mode_byte));
    if (tx.has_dynamic_port) tx_.buffers.set(BufferId::FtpDynamicPortNumber, std::string_view(tx.port_bytes, 2));
    emit(flow, FlowDirection::ToClient);
  }
  tx_record_ = nullptr;
  if (metadata_) metadata_(record);
}

void AppLayer::onSsh(Flow& flow, FlowDirection dir, SshStage stage, std::int64_t ts) {
  auto& ssh = static_cast<SshState&>(*flow.app_layer.state);
  if (defer_inspection_) {  // parsed from acknowledged bytes: inspected at the next packet its way
    ssh.uninspected[dir == FlowDirection::ToServer ? 0 : 1] |= static_cast<std::uint8_t>(1U << static_cast<unsigned>(stage));
  } else {
    inspectSsh(flow, dir, stage, ts);
  }
  // Without hassh Suricata logs the session once both banners are parsed; with it, once both
  // sides are past the cleartext part (their KEXINITs hashed).
  if (ssh.finished() || (!ssh_hassh_ && ssh.client().banner_done && ssh.server().banner_done)) logSsh(flow, ssh, ts);
}

void AppLayer::inspectSsh(Flow& flow, FlowDirection dir, SshStage stage, std::int64_t ts) {
  auto& ssh = static_cast<SshState&>(*flow.app_layer.state);
  const bool client = dir == FlowDirection::ToServer;
  const SshEndpoint& side = client ? ssh.client() : ssh.server();
  tx_.buffers.clear();
  // Each buffer once per side, so a rule on it alerts once as Suricata's per-transaction
  // detection does: the versions with the banner, the fingerprint with the KEXINIT.
  if (stage == SshStage::Banner) {
    if (!side.proto_version.empty()) tx_.buffers.set(BufferId::SshProto, side.proto_version);
    if (!side.software_version.empty()) tx_.buffers.set(BufferId::SshSoftware, side.software_version);
  } else {
    tx_.buffers.set(client ? BufferId::SshHassh : BufferId::SshHasshServer, side.hassh);
    tx_.buffers.set(client ? BufferId::SshHasshString : BufferId::SshHasshServerString, side.hassh_string);
  }
  {
    // Alerts carry the session's ssh object; SSH is one transaction per connection.
    AppMetadata record{AppMetadata::Kind::Ssh, &flow, dir, ts};
    record.ssh = &ssh;
    record.tx_id = 0;
    tx_record_ = &record;
    emit(flow, dir);
    tx_record_ = nullptr;
  }
}

void AppLayer::logSsh(Flow& flow, SshState& ssh, std::int64_t ts) {
  if (ssh.logged || !metadata_ || !(ssh.client().banner_done || ssh.server().banner_done)) return;
  ssh.logged = true;
  AppMetadata record{AppMetadata::Kind::Ssh, &flow, FlowDirection::ToServer, ts};
  record.ssh = &ssh;
  metadata_(record);
}

void AppLayer::onMail(Flow& flow, const MailTransaction& m, MailStage stage, std::int64_t ts) {
  const AppMetadata record{AppMetadata::Kind::Smtp, &flow, FlowDirection::ToServer, ts, nullptr, nullptr, nullptr, nullptr, nullptr, &m};
  if (stage == MailStage::Complete) {
    if (metadata_) metadata_(record);
    return;
  }
  ++counters_.smtp_transactions;
  tx_.buffers.clear();
  auto set = [&](BufferId id, const std::string& v) {
    if (!v.empty()) tx_.buffers.set(id, v);
  };
  set(BufferId::SmtpHelo, m.helo);
  set(BufferId::SmtpMailFrom, m.mail_from);
  for (const std::string& r : m.rcpt_to) tx_.buffers.add(BufferId::SmtpRcptTo, r);
  set(BufferId::EmailFrom, m.from);
  set(BufferId::EmailSubject, m.subject);
  set(BufferId::EmailMessageId, m.message_id);
  set(BufferId::EmailDate, m.date);
  set(BufferId::EmailXMailer, m.x_mailer);
  for (const std::string& a : m.to) tx_.buffers.add(BufferId::EmailTo, a);
  for (const std::string& a : m.cc) tx_.buffers.add(BufferId::EmailCc, a);
  for (const std::string& r : m.received) tx_.buffers.add(BufferId::EmailReceived, r);
  for (const std::string& u : m.urls) tx_.buffers.add(BufferId::EmailUrl, u);
  for (const MailAttachment& a : m.attachments) {
    tx_.buffers.add(BufferId::EmailAttachmentName, a.name);
    tx_.buffers.add(BufferId::EmailAttachmentSha256, a.sha256);
    tx_.buffers.add(BufferId::FileName, a.name);
    tx_.buffers.add(BufferId::FileMd5, a.md5);
    tx_.buffers.add(BufferId::FileSha256, a.sha256);
    // The decoded content, from the worker's scratch the message was just parsed with.
    if (const std::string_view content = attachmentContent(smtp_.scratch, a); !content.empty()) {
      tx_.buffers.add(BufferId::FileData, content);
    }
  }
  tx_record_ = &record;  // alerts carry the smtp and email objects
  emit(flow, FlowDirection::ToServer);
  tx_record_ = nullptr;
}

void AppLayer::parseDatagram(Flow& flow, FlowDirection dir, std::span<const std::uint8_t> payload, signatures::BufferSet& buffers,
                             std::int64_t ts) {
  if (flow.app == AppProto::None && flow.app_layer.detection_done) return;
  if (flow.app == AppProto::Sip || (flow.app == AppProto::None && looksLikeSip(payload))) {
    if (flow.app != AppProto::Sip) ++counters_.sip_udp_flows;
    flow.app = AppProto::Sip;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
    if (!flow.app_layer.state) flow.app_layer.state = sip_states_.take([] { return std::make_unique<SipState>(); });
    auto& sip = stateOf<SipState>(flow);
    const std::uint64_t errors = sip.errors();
    // The message stays in the flow's state until its next datagram: the buffers may view it.
    sip.datagram(dir, payload, [&](FlowDirection d, const SipMessage& m) {
      fillSipBuffers(m, buffers);
      onSip(flow, d, m, ts, false);
    });
    counters_.countParseErrors(flow, sip.errors() - errors);
    return;
  }
  if (flow.app == AppProto::Krb5 || (flow.app == AppProto::None && isKrb5Port(flow) && looksLikeKrb5(payload, false))) {
    flow.app = AppProto::Krb5;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
    if (!flow.app_layer.state) flow.app_layer.state = krb5_states_.take([] { return std::make_unique<Krb5State>(); });
    auto& krb5 = stateOf<Krb5State>(flow);
    const std::uint64_t errors = krb5.errors();
    // The message stays in the flow's state until its next datagram: the buffers may view it.
    krb5.datagram(dir, payload, [&](FlowDirection d, const Krb5Message& m) { onKrb5(flow, d, m, ts, buffers, false); });
    counters_.parse_errors += krb5.errors() - errors;
    return;
  }
  if (parseNfsDatagram(flow, dir, payload, buffers, ts)) return;
  if (parseEnipDatagram(flow, dir, payload, buffers, ts)) return;
  if (parseUdpIcsDatagram(flow, dir, payload, buffers, ts)) return;  // SNMP, TFTP
  if (parseNtpDatagram(flow, dir, payload, buffers, ts)) return;
  if (parseBittorrentDhtDatagram(flow, dir, payload, ts)) return;
  if (flow.app == AppProto::Ike || (flow.app == AppProto::None && looksLikeIkeFlow(flow, payload))) {
    flow.app = AppProto::Ike;
    flow.app_layer.identified_by = dir;
    flow.app_layer.detection_done = true;
    if (!flow.app_layer.state) flow.app_layer.state = ike_states_.take([] { return std::make_unique<IkeState>(); });
    auto& ike = stateOf<IkeState>(flow);
    const std::uint64_t errors = ike.errors();
    // The message stays in the flow's state until its next datagram: the buffers may view it.
    ike.datagram(dir, payload, isIkeNatPort(flow),
                 [&](FlowDirection d, const IkeMessage& m) { onIke(flow, d, m, ike, ts, buffers); });
    counters_.countParseErrors(flow, ike.errors() - errors);
    return;
  }
  if (flow.app == AppProto::Dcerpc || (flow.app == AppProto::None && DcerpcUdpState::looksLikePdu(payload))) {
    onDcerpcDatagram(flow, payload, buffers, ts);
    return;
  }
  if (flow.app == AppProto::Quic || (flow.app == AppProto::None && looksLikeQuic(flow, payload))) {
    flow.app = AppProto::Quic;
    flow.app_layer.detection_done = true;
    if (!flow.app_layer.state) flow.app_layer.state = quic_states_.take([] { return std::make_unique<QuicState>(); });
    auto& quic = stateOf<QuicState>(flow);
    const std::uint64_t errors = quic.errors();
    quic.datagram(dir, payload, [&](FlowDirection d, const QuicTransaction& tx) { onQuic(flow, d, tx, ts); });
    counters_.countParseErrors(flow, quic.errors() - errors);
    if (quic.events.any()) {
      datagram_events_.merge(quic.events);
      quic.events.clear();
    }
    return;
  }
  if (flow.app == AppProto::Ldap ||
      (flow.app == AppProto::None && (flow.server_port == 389 || flow.client_port == 389) &&
       looksLikeLdap(payload, dir == FlowDirection::ToServer, true, ldap_probe_))) {
    // CLDAP: each datagram parsed as it comes; a request, or a server's responses.
    flow.app = AppProto::Ldap;
    flow.app_layer.detection_done = true;
    if (!flow.app_layer.state) {
      flow.app_layer.state = ldap_states_.take([] { return std::make_unique<LdapState>(); });
      static_cast<LdapState&>(*flow.app_layer.state).setMaxTx(ldap_max_tx_);
    }
    auto& ldap = stateOf<LdapState>(flow);
    const std::uint64_t errors = ldap.errors();
    ldap.onDatagram(dir, payload, [&](FlowDirection d, LdapTransaction& tx) { onLdap(flow, d, tx, ts); });
    counters_.countParseErrors(flow, ldap.errors() - errors);
    if (ldap.events.any()) {
      datagram_events_.merge(ldap.events);
      ldap.events.clear();
    }
    return;
  }
  DnsMessage& message = dns_;
  const bool dns_port = flow.server_port == 53 || flow.client_port == 53 || flow.server_port == 5353;
  if (!dns_port || !parseDnsMessage(payload, message)) {
    if (flow.app == AppProto::None && flow.counters[0].packets + flow.counters[1].packets > 4) flow.app_layer.detection_done = true;
    if (flow.app == AppProto::Dns || flow.app == AppProto::Mdns) {
      counters_.countParseErrors(flow, 1);
      datagram_events_.set(signatures::AnomalyEvent::DnsMalformedData);
    }
    return;
  }
  // Header checks of Suricata's DNS parser: a response sent to the server, a query sent to the
  // client, and the reserved Z bit (flags byte 3, 0x40), which covert channels use.
  // Directions count only where the server is known by its port (a capture may start mid-way).
  if (flow.server_port == 53 && dir == FlowDirection::ToServer && message.response) {
    datagram_events_.set(signatures::AnomalyEvent::DnsNotRequest);
  }
  if (flow.server_port == 53 && dir == FlowDirection::ToClient && !message.response) {
    datagram_events_.set(signatures::AnomalyEvent::DnsNotResponse);
  }
  addDnsMessageEvents(message, datagram_events_);
  // mDNS (port 5353, multicast): a protocol of its own since Suricata 8, the same messages.
  flow.app = flow.server_port == 53 || flow.client_port == 53 ? AppProto::Dns : AppProto::Mdns;
  flow.app_layer.detection_done = true;
  ++(message.response ? counters_.dns_responses : counters_.dns_queries);
  const AppMetadata record{AppMetadata::Kind::Dns, &flow, dir, ts, nullptr, nullptr, &message};
  if (metadata_) metadata_(record);
  // The names outlive the match: dns_ is parsed into again only for the next datagram. An alert
  // on the datagram carries the message's dns object, as Suricata's.
  addDnsBuffers(message, buffers);
  datagram_record_ = record;
  has_datagram_record_ = true;
}

void AppLayer::onDcerpcDatagram(Flow& flow, std::span<const std::uint8_t> payload, signatures::BufferSet& buffers, std::int64_t ts) {
  flow.app = AppProto::Dcerpc;
  flow.app_layer.detection_done = true;
  auto& state = stateOf<DcerpcUdpState>(flow);
  const std::uint64_t errors = state.errors();
  DceTransaction* tx = state.onDatagram(payload);
  counters_.countParseErrors(flow, state.errors() - errors);
  if (tx == nullptr) return;
  // The stub data this datagram completed, for the datagram's own detection input.
  const bool response = tx->response_seen && tx->response_done && !tx->logged;
  const std::string& stub = response ? tx->stub_tc : tx->stub_ts;
  if (!stub.empty() && (response || tx->request_done)) buffers.add(BufferId::DceStubData, stub);
  if (tx->complete() && !tx->logged) {
    tx->logged = true;
    if (metadata_) {
      AppMetadata record{AppMetadata::Kind::Dcerpc, &flow, FlowDirection::ToServer, ts};
      record.dce = tx;
      metadata_(record);
    }
  }
  state.pruneFinished();
}

namespace {
// Resets the flow's state and keeps it in `pool` when it is a State; false when it is not.
template <typename State>
bool giveState(Flow& flow, FreeList<std::unique_ptr<State>>& pool) {
  auto* state = dynamic_cast<State*>(flow.app_layer.state.get());
  if (state == nullptr) return false;
  state->reset();
  flow.app_layer.state.release();  // ownership moves to the unique_ptr below
  pool.give(std::unique_ptr<State>(state));
  return true;
}
}  // namespace

void AppLayer::releaseState(Flow& flow) {
  if (datagram_record_.flow == &flow) has_datagram_record_ = false;  // it views the state
  if (flow.app_layer.frames) {
    auto* frames = static_cast<FlowFrames*>(flow.app_layer.frames.release());  // ownership moves to the pool
    frames->reset();
    frame_states_.give(std::unique_ptr<FlowFrames>(frames));
  }
  if (giveState(flow, http_states_) || giveState(flow, tls_states_) || giveState(flow, smtp_states_) ||
      giveState(flow, ssh_states_) || giveState(flow, dcerpc_states_) || giveState(flow, smb_states_) ||
      giveState(flow, mqtt_states_) || giveState(flow, ftp_states_) || giveState(flow, sip_states_) ||
      giveState(flow, ldap_states_) || giveState(flow, quic_states_) || giveState(flow, websocket_states_) ||
      giveState(flow, pgsql_states_) || giveState(flow, rfb_states_) || giveState(flow, pop3_states_) ||
      giveState(flow, dnp3_states_) || giveState(flow, enip_states_) || giveState(flow, modbus_states_) || giveState(flow, krb5_states_) ||
      giveState(flow, snmp_states_) || giveState(flow, tftp_states_) || giveState(flow, dhcp_states_) ||
      giveState(flow, ike_states_) || giveState(flow, ftp_data_states_) || giveState(flow, ntp_states_) ||
      giveState(flow, bittorrent_dht_states_) || giveState(flow, rdp_states_)) {
    return;
  }
  flow.app_layer.state.reset();
}

void AppLayer::addPools(PoolTable& table) const {
  table.add("http_messages", http_messages_.counters());
  http_messages_.addBodyPools(table);
  table.add("http_states", http_states_.counters());
  table.add("tls_states", tls_states_.counters());
  tls_workspace_.buffers.addPools(table, "tls_buffers");
  http_messages_.buffers().addPools(table, "byte_buffers");
  table.add("smtp_states", smtp_states_.counters());
  table.add("smtp_messages", smtp_.messageCounters());
  table.add("ssh_states", ssh_states_.counters());
  table.add("dcerpc_states", dcerpc_states_.counters());
  table.add("smb_states", smb_states_.counters());
  table.add("mqtt_states", mqtt_states_.counters());
  table.add("ftp_states", ftp_states_.counters());
  table.add("ldap_states", ldap_states_.counters());
  table.add("sip_states", sip_states_.counters());
  table.add("quic_states", quic_states_.counters());
  table.add("frame_states", frame_states_.counters());
  table.add("websocket_states", websocket_states_.counters());
  table.add("pgsql_states", pgsql_states_.counters());
  table.add("rfb_states", rfb_states_.counters());
  table.add("pop3_states", pop3_states_.counters());
  table.add("dnp3_states", dnp3_states_.counters());
  table.add("enip_states", enip_states_.counters());
  table.add("modbus_states", modbus_states_.counters());
  table.add("krb5_states", krb5_states_.counters());
  table.add("snmp_states", snmp_states_.counters());
  table.add("tftp_states", tftp_states_.counters());
  table.add("dhcp_states", dhcp_states_.counters());
  table.add("ike_states", ike_states_.counters());
  table.add("ftp_data_states", ftp_data_states_.counters());
  table.add("ntp_states", ntp_states_.counters());
  table.add("bittorrent_dht_states", bittorrent_dht_states_.counters());
  table.add("rdp_states", rdp_states_.counters());
}

namespace {

// ssl_version's bit for a hello's version (SslVersionNumber); 0 for a version it does not name.
std::uint8_t sslVersionBit(std::uint16_t version) {
  if ((version >> 8) == 0x7f) return 32;  // a TLS 1.3 draft
  switch (version) {
    case 0x0200: return 1;
    case 0x0300: return 2;
    case 0x0301: return 4;
    case 0x0302: return 8;
    case 0x0303: return 16;
    case 0x0304: return 32;
    default: return 0;
  }
}

}  // namespace

void AppLayer::parseTls(Flow& flow, TlsState& tls, FlowDirection dir, std::int64_t ts) {
  tls.parse(dir, [&](FlowDirection d, const TlsHandshake& h) {
    tx_.buffers.clear();
    // An SSLv2 hello (no random: only its version read) is no session metadata of its own.
    const bool sslv2_hello = h.client_hello && !h.has_random;
    if (sslv2_hello) {
      if (const std::uint8_t bit = sslVersionBit(h.version); bit != 0) {
        tls_version_bit_ = static_cast<char>(bit);
        tx_.buffers.set(BufferId::SslVersionNumber, std::string_view(&tls_version_bit_, 1));
      }
      emit(flow, d);
      return;
    }
    if (h.client_hello) tls.keepClientHello(h);  // for the session record and later alerts
    // What is known of the session so far: the tls record, and the tls object of its alerts.
    AppMetadata record{AppMetadata::Kind::Tls, &flow, FlowDirection::ToServer, ts};
    record.client_hello = tls.clientHello();
    record.server = h.client_hello || h.client_certificate ? nullptr : &h;
    if (metadata_ && !h.client_hello && !h.client_certificate && !tls.logged) {
      tls.logged = true;
      metadata_(record);
    }
    if (h.has_random) {
      const std::string_view random(reinterpret_cast<const char*>(h.random.data()), h.random.size());
      tx_.buffers.set(BufferId::TlsRandom, random);
      tx_.buffers.set(BufferId::TlsRandomTime, random.substr(0, 4));
      tx_.buffers.set(BufferId::TlsRandomBytes, random.substr(4));
    }
    for (const std::string& alpn : h.alpns) tx_.buffers.add(BufferId::TlsAlpn, alpn);
    if (const std::uint8_t bit = sslVersionBit(h.version); bit != 0) {
      tls_version_bit_ = static_cast<char>(bit);
      tx_.buffers.set(BufferId::SslVersionNumber, std::string_view(&tls_version_bit_, 1));
    }
    if (h.client_hello) {
      ++counters_.tls_client_hellos;
      if (!h.sni.empty()) tx_.buffers.set(BufferId::TlsSni, h.sni);
      tx_.buffers.set(BufferId::Ja3String, h.ja3);
      tx_.buffers.set(BufferId::Ja3Hash, h.ja3_hash);
      tx_.buffers.set(BufferId::Ja4Hash, h.ja4);
    } else if (h.client_certificate) {
      // The client's certificate (client authentication): the tls.cert_* buffers to_server, as
      // Suricata 8 inspects them each way.
      if (!h.certificates.empty()) {
        const TlsCertificate& c = h.certificates.front();
        tx_.buffers.set(BufferId::TlsCertSubject, c.subject);
        tx_.buffers.set(BufferId::TlsCertIssuer, c.issuer);
        tx_.buffers.set(BufferId::TlsCertSerial, c.serial);
        tx_.buffers.set(BufferId::TlsCertFingerprint, c.fingerprint);
        for (const TlsCertificate& cert : h.certificates) tx_.buffers.add(BufferId::TlsCerts, cert.der);
      }
    } else {
      if (h.version != 0) flow.app_layer.tls_version = h.version;
      if (!h.ja3s.empty()) {
        tx_.buffers.set(BufferId::Ja3sString, h.ja3s);
        tx_.buffers.set(BufferId::Ja3sHash, h.ja3s_hash);
      }
      if (!h.certificates.empty()) {
        tx_.buffers.set(BufferId::TlsCertSubject, h.certificates.front().subject);
        tx_.buffers.set(BufferId::TlsCertIssuer, h.certificates.front().issuer);
        tx_.buffers.set(BufferId::TlsCertSerial, h.certificates.front().serial);
        tx_.buffers.set(BufferId::TlsCertFingerprint, h.certificates.front().fingerprint);
        for (const TlsCertificate& c : h.certificates) tx_.buffers.add(BufferId::TlsCerts, c.der);
        for (const std::string& name : h.certificates.front().dns_names) tx_.buffers.add(BufferId::TlsSubjectAltName, name);
        tx_.buffers.set(BufferId::TlsCertChainLenNumber,
                        bigEndian32(static_cast<std::uint32_t>(h.certificates.size()), tls_chain_len_));
      }
    }
    tx_record_ = &record;
    emit(flow, d);
    tx_record_ = nullptr;
  });
  // Detection stops inspecting the payload once it is ciphertext (encryption handling).
  flow.app_layer.encrypted = tls.encrypted();
}

void AppLayer::onPacket(Flow& flow, FlowDirection dir, std::uint64_t unacked) {
  if (flow.app == AppProto::Dnp3 && flow.ip_proto == 6 && flow.app_layer.state && !stream_inline_) {
    const ParseErrorCount count(flow, counters_);
    parseDnp3(flow, opposite(dir), unacked, flow.last_ns);  // what this packet acknowledges
    inspectDnp3(flow, dir, false);  // as Suricata, a fragment at the next packet its way
    static_cast<Dnp3State&>(*flow.app_layer.state).prune();
  }
  if (flow.app == AppProto::Dcerpc && flow.ip_proto == 6 && flow.app_layer.state) onDcerpcPacket(flow, dir, flow.last_ns);
  if (flow.app == AppProto::Nfs && flow.app_layer.state) onNfsPacket(flow, dir, unacked);
  if (flow.app == AppProto::Enip || flow.app == AppProto::Modbus) onIcsPacket(flow, dir, unacked);
  if (flow.app == AppProto::Smb && flow.app_layer.state) onSmbPacket(flow, dir, flow.last_ns);
  if (flow.app == AppProto::Ldap && flow.ip_proto == 6 && flow.app_layer.state && !stream_inline_) {
    const ParseErrorCount count(flow, counters_);
    parseLdap(flow, opposite(dir), flow.last_ns);  // what this packet acknowledges
  }
  if (flow.app == AppProto::Tls && flow.app_layer.state && !stream_inline_) {
    const ParseErrorCount count(flow, counters_);
    parseTls(flow, static_cast<TlsState&>(*flow.app_layer.state), opposite(dir), flow.last_ns);  // what this packet acknowledges
  }
  if ((flow.app == AppProto::Pgsql || flow.app == AppProto::Rfb || flow.app == AppProto::Pop3) && flow.app_layer.state && !stream_inline_) {
    const ParseErrorCount count(flow, counters_);
    if (flow.app == AppProto::Pgsql) parsePgsql(flow, opposite(dir), flow.last_ns, unacked);  // what this packet acknowledges
    else if (flow.app == AppProto::Pop3) parsePop3(flow, opposite(dir), flow.last_ns, unacked);
    else parseRfb(flow, opposite(dir), flow.last_ns, unacked);
  }
  if ((flow.app == AppProto::Http || flow.app == AppProto::Http2 || flow.app == AppProto::Doh2 || flow.app == AppProto::Smtp ||
       flow.app == AppProto::Ssh) && !stream_inline_) {
    const ParseErrorCount count(flow, counters_);
    onAckedPacket(flow, dir, unacked, flow.last_ns);
  }
  if (flow.app != AppProto::Smtp || dir != FlowDirection::ToServer || !flow.app_layer.state) return;
  static_cast<SmtpState&>(*flow.app_layer.state).clientPacket([&](const MailTransaction& m, MailStage stage) {
    onMail(flow, m, stage, flow.last_ns);
  });
}

void AppLayer::onFlowEnd(Flow& flow) {
  if (flow.app_layer.frames && framesWanted()) {
    frame_flow_ = &flow;
    frame_ts_ = flow.last_ns;
    frames(flow).onEnd(flow.app, frame_sink_);
  }
  if (!flow.app_layer.state) return;
  const ParseErrorCount count(flow, counters_);
  parseAllHeld(flow, flow.last_ns);  // HTTP/1, SMTP and SSH bytes no packet acknowledged
  if (!flow.app_layer.state) return;
  if (flow.app == AppProto::Http || flow.app == AppProto::Http2 || flow.app == AppProto::Doh2) {
    auto& http = static_cast<HttpState&>(*flow.app_layer.state);
    for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
      http.close(dir, [&](FlowDirection d, const HttpMessage& m) { onHttp(flow, d, m, flow.last_ns); });
    }
    if (metadata_) {
      for (const HttpMessage& request : http.unanswered()) {
        metadata_({AppMetadata::Kind::Http, &flow, FlowDirection::ToServer, flow.last_ns, &request, nullptr});
      }
    }
    http.unanswered().clear();
  } else if (flow.app == AppProto::Smtp) {
    static_cast<SmtpState&>(*flow.app_layer.state).close([&](const MailTransaction& m, MailStage stage) {
      onMail(flow, m, stage, flow.last_ns);
    });
  } else if (flow.app == AppProto::Ssh) {
    logSsh(flow, static_cast<SshState&>(*flow.app_layer.state), flow.last_ns);
  } else if (flow.app == AppProto::Dcerpc && flow.ip_proto == 17) {
    auto& udp = static_cast<DcerpcUdpState&>(*flow.app_layer.state);
    for (DceTransaction& tx : udp.transactions()) {
      if (tx.logged || !metadata_) continue;
      tx.logged = true;
      AppMetadata record{AppMetadata::Kind::Dcerpc, &flow, FlowDirection::ToServer, flow.last_ns};
      record.dce = &tx;
      metadata_(record);
    }
  } else if (flow.app == AppProto::Dcerpc) {
    // What is left: every byte parsed, every call inspected both ways and logged.
    auto& dcerpc = static_cast<DcerpcState&>(*flow.app_layer.state);
    for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) parseDcerpc(flow, dcerpc, dir, flow.last_ns, false);
    inspectDce(flow, dcerpc.session(), FlowDirection::ToServer, true);
    inspectDce(flow, dcerpc.session(), FlowDirection::ToClient, true);
    logDce(flow, dcerpc.session(), flow.last_ns, true, AppMetadata::Kind::Dcerpc, nullptr);
    dcerpc.session().pruneFinished();
  } else if (flow.app == AppProto::Smb) {
    auto& smb = static_cast<SmbState&>(*flow.app_layer.state);
    for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) parseSmb(flow, smb, dir, flow.last_ns);
    smb.close();
    inspectSmb(flow, smb, FlowDirection::ToServer, true);
    inspectSmb(flow, smb, FlowDirection::ToClient, true);
    logSmb(flow, smb, flow.last_ns, true);
    smb.pruneFinished();
  } else if (flow.app == AppProto::Nfs) {
    endNfs(flow);
  } else if (flow.app == AppProto::Ftp) {
    static_cast<FtpState&>(*flow.app_layer.state).close([&](const FtpTransaction& tx) { onFtp(flow, tx, flow.last_ns); });
  } else if (flow.app == AppProto::FtpData) {
    finishFtpData(flow);
  } else if (flow.app == AppProto::Ldap) {
    if (flow.ip_proto == 6) {
      for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
        if (flow.app == AppProto::Ldap) parseLdap(flow, dir, flow.last_ns);
      }
    }
    if (flow.app == AppProto::Ldap) {
      static_cast<LdapState&>(*flow.app_layer.state).close([&](FlowDirection d, LdapTransaction& tx) { onLdap(flow, d, tx, flow.last_ns); });
    }
  } else if (flow.app == AppProto::Pgsql) {
    for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
      if (flow.app == AppProto::Pgsql) parsePgsql(flow, dir, flow.last_ns);
    }
    if (flow.app == AppProto::Pgsql) {
      static_cast<PgsqlState&>(*flow.app_layer.state).close([&](const PgsqlTransaction& tx) { onPgsql(flow, tx, flow.last_ns); });
    }
  } else if (flow.app == AppProto::Pop3) {
    for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) {
      if (flow.app == AppProto::Pop3) parsePop3(flow, dir, flow.last_ns);
    }
    if (flow.app == AppProto::Pop3) {
      static_cast<Pop3State&>(*flow.app_layer.state).close([&](const Pop3Transaction& tx) { onPop3(flow, tx, flow.last_ns); });
    }
  } else if (flow.app == AppProto::Rfb) {
    for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) parseRfb(flow, dir, flow.last_ns);
    static_cast<RfbState&>(*flow.app_layer.state).close([&](FlowDirection, const RfbTransaction& tx) { onRfb(flow, tx, flow.last_ns); });
  } else if (flow.app == AppProto::Enip || flow.app == AppProto::Modbus) {
    endIcs(flow);
  } else if (flow.app == AppProto::Dnp3) {
    auto& dnp3 = static_cast<Dnp3State&>(*flow.app_layer.state);
    for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) parseDnp3(flow, dir, std::nullopt, flow.last_ns);
    dnp3.close();
    inspectDnp3(flow, FlowDirection::ToServer, true);
    inspectDnp3(flow, FlowDirection::ToClient, true);
    dnp3.prune();
  } else if (flow.app == AppProto::Mqtt) {
    static_cast<MqttState&>(*flow.app_layer.state).close([&](FlowDirection d, const MqttTransaction& tx) { onMqtt(flow, d, tx, flow.last_ns); });
  } else if (flow.app == AppProto::Tls) {
    auto& tls = static_cast<TlsState&>(*flow.app_layer.state);
    for (const FlowDirection dir : {FlowDirection::ToServer, FlowDirection::ToClient}) parseTls(flow, tls, dir, flow.last_ns);
    if (metadata_ && !tls.logged && tls.clientHello() != nullptr) {
      AppMetadata record{AppMetadata::Kind::Tls, &flow, FlowDirection::ToServer, flow.last_ns};
      record.client_hello = tls.clientHello();
      metadata_(record);
      tls.logged = true;
    }
  }
}

void AppLayer::parseDnp3(Flow& flow, FlowDirection dir, std::optional<std::uint64_t> unacked, std::int64_t ts) {
  auto& dnp3 = static_cast<Dnp3State&>(*flow.app_layer.state);
  AckedBytes& pending = dnp3.pending(dir);
  // Bytes delivered past what the other side acknowledged wait for a later ACK.
  if (unacked) pending.release(*unacked);
  else pending.release();
  dnp3.parse(dir, [&](Dnp3Transaction& tx) { onDnp3Record(flow, tx, ts); });
}

void AppLayer::onDnp3Record(Flow& flow, const Dnp3Transaction& tx, std::int64_t ts) {
  if (!metadata_) return;
  AppMetadata record{AppMetadata::Kind::Dnp3, &flow, tx.request ? FlowDirection::ToServer : FlowDirection::ToClient, ts};
  record.dnp3 = &tx;
  metadata_(record);
}

void AppLayer::inspectDnp3(Flow& flow, FlowDirection dir, bool all) {
  auto& dnp3 = static_cast<Dnp3State&>(*flow.app_layer.state);
  dnp3.forUninspected(dir, all, [&](const Dnp3Transaction& tx) {
    tx_.buffers.clear();
    tx_.buffers.set(BufferId::Dnp3Data, tx.data);
    dnp3_func_ = static_cast<char>(tx.function_code);
    tx_.buffers.set(BufferId::Dnp3FuncNumber, std::string_view(&dnp3_func_, 1));
    if (!tx.request) {
      dnp3_iin_ = {static_cast<char>(tx.iin >> 8), static_cast<char>(tx.iin & 0xff)};
      tx_.buffers.set(BufferId::Dnp3IndNumber, std::string_view(dnp3_iin_.data(), 2));
    }
    // Filled whole before the buffers view it.
    dnp3_objs_.clear();
    for (const Dnp3Object& o : tx.objects.objects) {
      dnp3_objs_ += static_cast<char>(o.group);
      dnp3_objs_ += static_cast<char>(o.variation);
    }
    for (std::size_t i = 0; i < dnp3_objs_.size(); i += 2) tx_.buffers.add(BufferId::Dnp3ObjNumber, std::string_view(dnp3_objs_).substr(i, 2));
    AppMetadata record{AppMetadata::Kind::Dnp3, &flow, dir, flow.last_ns};
    record.dnp3 = &tx;
    tx_record_ = &record;  // alerts carry the dnp3 object
    emit(flow, dir);
    tx_record_ = nullptr;
  });
}

void AppLayer::onKrb5(Flow& flow, FlowDirection dir, const Krb5Message& m, std::int64_t ts, signatures::BufferSet& buffers,
                      bool stream) {
  krb5_msg_type_ = static_cast<char>(m.msg_type);
  buffers.set(BufferId::Krb5MsgTypeNumber, std::string_view(&krb5_msg_type_, 1));
  if (m.error) buffers.set(BufferId::Krb5ErrCodeNumber, bigEndian32(static_cast<std::uint32_t>(m.error_code), krb5_err_code_));
  if (dir == FlowDirection::ToClient) {  // Suricata inspects krb5_cname and krb5_sname on the KDC's replies
    for (const std::string& part : m.cname.parts) buffers.add(BufferId::Krb5Cname, part);
    for (const std::string& part : m.sname.parts) buffers.add(BufferId::Krb5Sname, part);
  }
  if (m.ticket_etype) {
    buffers.set(BufferId::Krb5TicketEtypeNumber, bigEndian32(static_cast<std::uint32_t>(*m.ticket_etype), krb5_ticket_etype_));
    krb5_ticket_weak_ = krb5WeakEncryption(*m.ticket_etype) ? 1 : 0;
    buffers.set(BufferId::Krb5TicketWeakNumber, std::string_view(&krb5_ticket_weak_, 1));
  }
  AppMetadata record{AppMetadata::Kind::Krb5, &flow, dir, ts};
  record.krb5 = &m;
  if (stream) {  // over TCP a transaction of its own; over UDP the datagram's packet match reads the buffers
    tx_record_ = &record;
    emit(flow, dir);
    tx_record_ = nullptr;
  } else {
    datagram_record_ = record;
    has_datagram_record_ = true;
  }
  if (metadata_) metadata_(record);
}

void AppLayer::onIke(Flow& flow, FlowDirection dir, const IkeMessage& m, const IkeState& state, std::int64_t ts,
                     signatures::BufferSet& buffers) {
  // Suricata inspects init_spi and the vendor ids on the initiator's messages, resp_spi and the
  // chosen transform on the responder's, the rest both ways.
  const bool to_server = dir == FlowDirection::ToServer;
  if (to_server) {
    buffers.set(BufferId::IkeInitSpi, m.initSpi());
    if (m.version_major == 1) {
      for (const std::string& v : m.vendor_ids) buffers.add(BufferId::IkeVendor, v);
    }
  } else {
    buffers.set(BufferId::IkeRespSpi, m.respSpi());
    ike_chosen_.fill(0);
    bool any = false;
    const auto put = [&](std::uint16_t type, std::uint32_t value) {
      char* slot = ike_chosen_.data() + (type - 1u) * 5u;
      if (slot[0]) return;  // the first of a type counts
      slot[0] = 1;
      bigEndian32(value, ike_slot_);
      std::copy(ike_slot_.begin(), ike_slot_.end(), slot + 1);
      any = true;
    };
    if (m.version_major == 1 && m.transforms.size() != 0) {
      for (const IkeAttribute& a : m.transforms.transform(0)) {
        if (a.type >= 1 && a.type <= 16 && a.has_number) put(a.type, a.number);
      }
    } else if (m.version_major == 2) {
      for (const auto& [type, id] : m.v2_transforms) {
        // IKEv2 transform types onto the attribute slots: encryption, PRF, integrity (alg_auth), DH
        if (type == 1) put(1, id);
        else if (type == 2) put(13, id);
        else if (type == 3) put(3, id);
        else if (type == 4) put(4, id);
      }
    }
    if (any) buffers.set(BufferId::IkeChosenSaNumber, std::string_view(ike_chosen_.data(), ike_chosen_.size()));
  }
  ike_exch_type_ = static_cast<char>(m.exchange_type);
  buffers.set(BufferId::IkeExchTypeNumber, std::string_view(&ike_exch_type_, 1));
  if (m.version_major == 1 && !m.nonce.empty()) {
    buffers.set(BufferId::IkeNonce, m.nonce);
    buffers.set(BufferId::IkeNonceLengthNumber, bigEndian32(static_cast<std::uint32_t>(m.nonce.size()), ike_nonce_length_));
  }
  if (m.version_major == 1 && !m.key_exchange.empty()) {
    buffers.set(BufferId::IkeKeyExchange, m.key_exchange);
    buffers.set(BufferId::IkeKeyExchangeLengthNumber,
                bigEndian32(static_cast<std::uint32_t>(m.key_exchange.size()), ike_key_exchange_length_));
  }
  AppMetadata record{AppMetadata::Kind::Ike, &flow, dir, ts};
  record.ike = &m;
  record.ike_state = &state;
  publishDatagramRecord(record);
}

bool AppLayer::storeFile(std::string_view content, std::string_view sha256) {
  if (!file_store_ || content.empty()) return false;
  if (sha256.empty()) {
    file_hasher_.update(content).finishAndRestart(store_md5_, store_sha256_);
    sha256 = store_sha256_;
  }
  return file_store_->store(content, sha256);
}

std::string_view AppLayer::fileSizeBuffer(std::uint64_t size) {
  for (std::size_t i = file_size_bytes_.size(); i-- > 0; size >>= 8) file_size_bytes_[i] = static_cast<char>(size & 0xff);
  return {file_size_bytes_.data(), file_size_bytes_.size()};
}

}  // namespace gsoc::sensor

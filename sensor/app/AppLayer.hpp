#pragma once
// Application-layer protocol identification and parsing. For each flow it recognises HTTP/1.x,
// HTTP/2 in cleartext (h2c), TLS, DNS, SMTP, SSH, DCERPC, SMB, MQTT, SIP, FTP and LDAP from the
// first bytes each way, QUIC from a UDP flow's first datagram (a header on 443 or 80, or a long
// header of a known version elsewhere) (ports only as a tie-breaker), then
// feeds the flow's parser: TCP protocols with reassembled stream data, DNS, SIP, CLDAP and
// connectionless DCERPC over UDP with each datagram. Parsers fill the signature engine's named buffers (http.uri,
// dns.query, tls.sni, ssh.hassh, file.sha256...) and produce one input per transaction (TCP) or
// add to the datagram's input (UDP).

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/CounterTable.hpp"
#include "common/PoolTable.hpp"
#include "gsoc/signatures/MatchInput.hpp"
#include "sensor/app/AppMetadata.hpp"
#include "sensor/app/DcerpcParser.hpp"
#include "sensor/app/SmbParser.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/app/EnipParser.hpp"
#include "sensor/app/ModbusParser.hpp"
#include "sensor/app/FlowFrames.hpp"
#include "sensor/app/Dnp3Parser.hpp"
#include "sensor/app/Krb5Parser.hpp"
#include "sensor/app/FileStore.hpp"
#include "sensor/app/FtpData.hpp"
#include "sensor/app/FtpParser.hpp"
#include "sensor/app/HttpFile.hpp"
#include "sensor/app/HttpMessagePool.hpp"
#include "sensor/app/HttpParser.hpp"
#include "sensor/app/IkeParser.hpp"
#include "sensor/app/LdapParser.hpp"
#include "sensor/app/MqttParser.hpp"
#include "sensor/app/NfsParser.hpp"
#include "sensor/app/PgsqlParser.hpp"
#include "sensor/app/Pop3Parser.hpp"
#include "sensor/app/RfbParser.hpp"
#include "sensor/app/QuicParser.hpp"
#include "sensor/app/SipParser.hpp"
#include "sensor/app/SmtpParser.hpp"
#include "sensor/app/SmtpWorkspace.hpp"
#include "sensor/app/SnmpParser.hpp"
#include "sensor/app/DhcpParser.hpp"
#include "sensor/app/TftpParser.hpp"
#include "sensor/app/SshParser.hpp"
#include "sensor/app/TlsParser.hpp"
#include "sensor/app/WebsocketParser.hpp"
#include "sensor/app/NtpParser.hpp"
#include "sensor/app/RdpParser.hpp"
#include "sensor/app/BittorrentDhtParser.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct AppLayerCounters {
  std::uint64_t http_requests = 0;
  std::uint64_t http_responses = 0;
  std::uint64_t dns_queries = 0;
  std::uint64_t dns_responses = 0;
  std::uint64_t tls_client_hellos = 0;
  std::uint64_t smtp_transactions = 0;
  std::uint64_t parse_errors = 0;  // malformed DNS, HTTP (1 and 2) and TLS input, counted and skipped
  // The same per protocol and transport (Suricata's app_layer.error.<proto>.parser).
  std::array<std::uint64_t, signatures::kAppProtoCount> parse_errors_tcp{};
  std::array<std::uint64_t, signatures::kAppProtoCount> parse_errors_udp{};
  void countParseErrors(const Flow& flow, std::uint64_t n) {
    if (n == 0) return;
    parse_errors += n;
    (flow.ip_proto == 17 ? parse_errors_udp : parse_errors_tcp)[static_cast<std::size_t>(flow.app)] += n;
  }
  // SIP flows and transactions (messages) by transport, as Suricata's app_layer.flow.sip_tcp,
  // sip_udp and app_layer.tx.sip_tcp, sip_udp counters.
  std::uint64_t sip_tcp_flows = 0;
  std::uint64_t sip_udp_flows = 0;
  std::uint64_t sip_tcp_transactions = 0;
  std::uint64_t sip_udp_transactions = 0;
  // EtherNet/IP flows by transport (Suricata's app_layer.flow.enip_tcp, enip_udp).
  std::uint64_t enip_tcp_flows = 0;
  std::uint64_t enip_udp_flows = 0;

  static constexpr auto counterFields() {
    using F = gsoc::CounterField<AppLayerCounters>;
    constexpr auto kCounter = gsoc::CounterKind::Counter;
    return std::array{
        F{"http_requests", &AppLayerCounters::http_requests, kCounter, "HTTP requests parsed."},
        F{"http_responses", &AppLayerCounters::http_responses, kCounter, "HTTP responses parsed."},
        F{"dns_queries", &AppLayerCounters::dns_queries, kCounter, "DNS queries parsed."},
        F{"dns_responses", &AppLayerCounters::dns_responses, kCounter, "DNS responses parsed."},
        F{"tls_client_hellos", &AppLayerCounters::tls_client_hellos, kCounter, "TLS client hellos parsed."},
        F{"smtp_transactions", &AppLayerCounters::smtp_transactions, kCounter, "SMTP messages parsed."},
        F{"parse_errors", &AppLayerCounters::parse_errors, kCounter, "Malformed app-layer input, counted and skipped."},
        F{"sip_tcp_flows", &AppLayerCounters::sip_tcp_flows, kCounter, "SIP flows over TCP."},
        F{"sip_udp_flows", &AppLayerCounters::sip_udp_flows, kCounter, "SIP flows over UDP."},
        F{"sip_tcp_transactions", &AppLayerCounters::sip_tcp_transactions, kCounter, "SIP messages over TCP."},
        F{"sip_udp_transactions", &AppLayerCounters::sip_udp_transactions, kCounter, "SIP messages over UDP."},
        F{"enip_tcp_flows", &AppLayerCounters::enip_tcp_flows, kCounter, "EtherNet/IP flows over TCP."},
        F{"enip_udp_flows", &AppLayerCounters::enip_udp_flows, kCounter, "EtherNet/IP flows over UDP."},
    };
  }
  static constexpr auto counterArrays() {
    using A = gsoc::CounterArrayField<AppLayerCounters, signatures::kAppProtoCount>;
    constexpr auto proto_name = [](std::size_t i) { return signatures::appProtoName(static_cast<signatures::AppProto>(i)); };
    return std::array{
        A{"parse_errors_tcp", &AppLayerCounters::parse_errors_tcp, proto_name, gsoc::CounterKind::Counter,
          "Malformed app-layer input over TCP, by protocol."},
        A{"parse_errors_udp", &AppLayerCounters::parse_errors_udp, proto_name, gsoc::CounterKind::Counter,
          "Malformed app-layer input over UDP, by protocol."},
    };
  }
};
static_assert(gsoc::countersCoverStruct<AppLayerCounters>());

class AppLayer {
 public:
  // A transaction's buffers are ready: run detection on `input` (its meta is filled by the caller).
  using TransactionSink = std::function<void(Flow&, signatures::FlowDirection, signatures::MatchInput&)>;

  explicit AppLayer(TransactionSink sink) : sink_(std::move(sink)) {}
  // Records for EVE http/dns/tls/smtp/fileinfo and the event stream; none by default.
  void setMetadataSink(MetadataSink sink) { metadata_ = std::move(sink); }
  // Suricata's stream.inline: a server's reply completes its transaction as it arrives. Off
  // (IDS mode, Suricata's default), Suricata parses each side's data when the other side
  // acknowledges it, so a reply completes its transaction at the client's next packet.
  // Detection is the same either way; what moves is the record's packet (pcap_cnt).
  void setStreamInline(bool on) { stream_inline_ = on; }
  // Whether HTTP files get their MD5 and SHA-256 (on by default). Hashing every body costs up to
  // a fifth of the sensor's time on web-heavy traffic, so the detection stage turns it off when
  // no rule, indicator list or output needs the hashes. Mail attachments are always hashed:
  // their MD5 travels to the centre in gsoc.v1 events.
  void setFileHashing(bool on) { hash_files_ = on; }
  // Suricata's ssh hassh (on when a rule inspects a hassh buffer): the session's record waits for
  // both KEXINITs; off, it is written once both banners are parsed, as Suricata logs it then.
  void setSshHassh(bool on) { ssh_hassh_ = on; }
  // Suricata's file-store v2 with force-filestore: every HTTP and FTP file is written to `dir`
  // (FileStore.hpp) and its fileinfo record says stored: true. Files are then always hashed, for
  // their names. Off by default.
  // `stream_depth` (file-store stream-depth, 0: none) limits what of a stored FTP data
  // connection is taken (FtpDataState::limitToDepth).
  void setFileStore(const std::filesystem::path& dir, std::uint64_t stream_depth = 0) {
    file_store_.emplace(dir);
    file_store_depth_ = stream_depth;
  }
  [[nodiscard]] const FileStore* fileStore() const { return file_store_ ? &*file_store_ : nullptr; }
  // A request waiting for its response keeps all its header fields, not only those its record
  // needs (EVE's dump-all-headers).
  void setKeepRequestHeaders(bool on) { keep_request_headers_ = on; }
  // Suricata's app-layer.protocols.mqtt.max-msg-length and max-tx.
  void setMqttLimits(const MqttLimits& limits) { mqtt_limits_ = limits; }
  void setFtpMaxLineBytes(std::size_t bytes) { ftp_max_line_ = bytes; }  // Suricata's ftp max-line-length
  void setFtpMaxTx(std::size_t max_tx) { ftp_max_tx_ = max_tx; }  // Suricata's ftp max-tx
  // Suricata's app-layer.protocols.ldap.max-tx.
  void setLdapMaxTx(std::size_t max_tx) { ldap_max_tx_ = max_tx; }
  // Suricata's app-layer.protocols.dnp3 max-tx, max-points and max-objects.
  void setDnp3Limits(const Dnp3Limits& limits) { dnp3_limits_ = limits; }
  // Suricata's app-layer.protocols.<proto>.enabled: a protocol turned off is not identified; one
  // in detection-only is identified (the flow's app_proto) but not parsed. Full by default; the
  // small UDP/ICS protocols (SNMP, TFTP, DHCP) honour it, and NFS its being off, over one
  // transport (`transport`: Suricata's <proto>.tcp.enabled / udp.enabled) or both.
  enum class ProtocolMode : std::uint8_t { Full, DetectionOnly, Off };
  void setProtocolMode(signatures::AppProto proto, ProtocolMode mode, signatures::Transport transport = signatures::Transport::Any) {
    if (transport != signatures::Transport::Tcp) protocol_modes_[static_cast<std::size_t>(proto)] = mode;
    if (transport != signatures::Transport::Udp) tcp_modes_[static_cast<std::size_t>(proto)] = mode;
  }

  // HTTP messages kept for reuse at most, of each kind (requests, responses): past the cap,
  // messages are freed (counted). On the uplink profile about 750 are in use at once; with 256
  // kept, the flows after a wave of expiries drew new ones (allocations in steady state).
  static constexpr std::size_t kPooledHttpMessages = 1024;
  [[nodiscard]] FreeListCounters httpMessagePool() const { return http_messages_.counters(); }
  // HTTP, TLS, SMTP and SSH parser states kept for new flows at most, of each (with their buffers'
  // capacity).
  static constexpr std::size_t kPooledStates = 1024;
  [[nodiscard]] FreeListCounters httpStatePool() const { return http_states_.counters(); }
  [[nodiscard]] FreeListCounters tlsStatePool() const { return tls_states_.counters(); }
  [[nodiscard]] FreeListCounters smtpStatePool() const { return smtp_states_.counters(); }
  [[nodiscard]] FreeListCounters sshStatePool() const { return ssh_states_.counters(); }
  [[nodiscard]] FreeListCounters dcerpcStatePool() const { return dcerpc_states_.counters(); }
  [[nodiscard]] FreeListCounters smbStatePool() const { return smb_states_.counters(); }
  [[nodiscard]] FreeListCounters mqttStatePool() const { return mqtt_states_.counters(); }
  [[nodiscard]] FreeListCounters ftpStatePool() const { return ftp_states_.counters(); }
  [[nodiscard]] FreeListCounters ldapStatePool() const { return ldap_states_.counters(); }
  [[nodiscard]] FreeListCounters quicStatePool() const { return quic_states_.counters(); }
  [[nodiscard]] FreeListCounters smtpMessagePool() const { return smtp_.messageCounters(); }
  [[nodiscard]] FreeListCounters pgsqlStatePool() const { return pgsql_states_.counters(); }
  [[nodiscard]] FreeListCounters rfbStatePool() const { return rfb_states_.counters(); }
  [[nodiscard]] FreeListCounters pop3StatePool() const { return pop3_states_.counters(); }
  // Adds this layer's pools to `table` (the worker's stats).
  void addPools(PoolTable& table) const;

  // Frames (issue 15): delimit them for detection (`frame:` rules) and for EVE frame records
  // (through the metadata sink). Both off by default: delimiting costs a second pass.
  void setFrames(bool detect, bool log) {
    frames_detect_ = detect;
    frames_log_ = log;
  }
  // While a frame's detection runs (the sink): the frame, for its alerts; null otherwise.
  [[nodiscard]] const Frame* currentFrame() const { return current_frame_; }

  // Reassembled TCP data of one direction, seen at packet time `ts`.
  void onStream(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts);
  // A UDP datagram: parsed buffers are added to `buffers` (the datagram's own detection input).
  void onDatagram(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> payload,
                  signatures::BufferSet& buffers, std::int64_t ts);

  [[nodiscard]] FreeListCounters frameStatePool() const { return frame_states_.counters(); }

  // A packet of the flow (before its stream data): what it acknowledges may complete a
  // transaction (SMTP: the reply to a mail's end).
  // `unacked`: the bytes of the other direction delivered that this packet does not acknowledge
  // (PostgreSQL, RFB, POP3 and DNP3 release only what it does).
  void onPacket(Flow& flow, signatures::FlowDirection dir, std::uint64_t unacked = 0);
  // The flow ends: messages delimited by connection close are complete now.
  void onFlowEnd(Flow& flow);
  // The flow needs its parser state no more (it ended, or its connection closed): the state
  // goes back to this worker's pool where it has one (HTTP, TLS), else is freed.
  void releaseState(Flow& flow);

  [[nodiscard]] const AppLayerCounters& counters() const { return counters_; }
  // While a transaction's detection runs (the sink): its record, where the protocol's alerts
  // carry its object as Suricata's do (DCERPC, SMB, MQTT, FTP); null otherwise.
  [[nodiscard]] const AppMetadata* transactionRecord() const { return tx_record_; }
  // The SIP message the last datagram carried (an alert on that datagram carries its `sip`
  // object, as Suricata's); null when it carried none. Cleared for each UDP packet.
  [[nodiscard]] const AppMetadata* datagramRecord(const Flow& flow) const {
    return has_datagram_record_ && datagram_record_.flow == &flow ? &datagram_record_ : nullptr;
  }
  void clearDatagramRecord() { has_datagram_record_ = false; }
  // Moves the app-layer anomaly events raised since the last call (by the flow's parser, or
  // while parsing a datagram) into `into`.
  void takeEvents(Flow& flow, signatures::EventSet& into) {
    if (flow.app_layer.state && flow.app_layer.state->events.any()) {
      into.merge(flow.app_layer.state->events);
      flow.app_layer.state->events.clear();
    }
    if (datagram_events_.any()) {
      into.merge(datagram_events_);
      datagram_events_.clear();
    }
  }

 private:
  void parseStream(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts);
  void parseDatagram(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> payload,
                     signatures::BufferSet& buffers, std::int64_t ts);
  // Frames: the flow's delimiting state (taken from the pool), and one frame's detection and record.
  [[nodiscard]] bool framesWanted() const { return frames_detect_ || frames_log_; }
  FlowFrames& frames(Flow& flow);
  void onFrame(Flow& flow, const Frame& frame, std::int64_t ts);
  void identify(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data);
  void probeOtherSide(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data);
  // The protocol one direction's data looks like (no state changed), None when none.
  signatures::AppProto probe(const Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data);
  void emit(Flow& flow, signatures::FlowDirection dir);
  // A frame of HTTP/2's stream 0: a transaction of its own, with its frame buffers and record.
  void onHttp2Control(Flow& flow, signatures::FlowDirection dir, const HttpMessage& m, std::int64_t ts);
  void onHttp(Flow& flow, signatures::FlowDirection dir, const HttpMessage& message, std::int64_t ts);
  // Detection on an HTTP message; alerts carry `request` (a response's) or `response` (a
  // request's, when parsed by then).
  // `doh`: the DNS message the HTTP/2 message carries (DNS over HTTP/2), inspected with it.
  void inspectHttp(Flow& flow, signatures::FlowDirection dir, const HttpMessage& m, std::uint64_t tx_id, const HttpMessage* request,
                   const HttpMessage* response, const HttpFile* file, std::int64_t ts, const DnsMessage* doh = nullptr);
  // DNS over HTTP/2 (DnsOverHttp2.hpp): the DNS message an HTTP/2 message carries, parsed into
  // doh_dns_ and logged (the flow becomes doh2), or none; a body too long raises its event.
  const DnsMessage* onDoh(Flow& flow, signatures::FlowDirection dir, const HttpMessage& m, std::int64_t ts);
  // A mail received (detection) or complete (its record).
  void onMail(Flow& flow, const MailTransaction& mail, MailStage stage, std::int64_t ts);
  // A side's SSH banner or KEXINIT: detection on what it added; the session's record once
  // both sides are past their cleartext part.
  void onSsh(Flow& flow, signatures::FlowDirection dir, SshStage stage, std::int64_t ts);
  void inspectSsh(Flow& flow, signatures::FlowDirection dir, SshStage stage, std::int64_t ts);
  // The session's record, once (at the latest when the flow ends).
  void logSsh(Flow& flow, SshState& ssh, std::int64_t ts);
  // DCERPC over TCP. As Suricata in IDS mode, a side's bytes are parsed when the other side's
  // next packet acknowledges them (its calls are logged then) and a call is inspected at the
  // next packet of its own direction; with stream.inline, both as the bytes arrive.
  void onDcerpcPacket(Flow& flow, signatures::FlowDirection dir, std::int64_t ts);
  // Connectionless DCERPC: each datagram a PDU, a call logged when answered (or at the end).
  void onDcerpcDatagram(Flow& flow, std::span<const std::uint8_t> payload, signatures::BufferSet& buffers, std::int64_t ts);
  // stream.inline, or a side whose peer this sensor never sees: parse `dir`'s bytes as they come.
  [[nodiscard]] bool parsesOnArrival(const Flow& flow, signatures::FlowDirection dir) const;
  void parseDcerpc(Flow& flow, DcerpcState& state, signatures::FlowDirection dir, std::int64_t ts, bool all);
  // Detection on the calls of `session` whose side `dir` is complete and not inspected yet
  // (`all`: every one not inspected, the flow ends); `smb`: the session is an SMB connection's.
  void inspectDce(Flow& flow, DceSession& session, signatures::FlowDirection dir, bool all);
  // The records of the calls complete since (`all`: every one not logged yet).
  void logDce(Flow& flow, DceSession& session, std::int64_t ts, bool all, AppMetadata::Kind kind, const SmbState* smb);
  // SMB, acknowledged and inspected as DCERPC is; its named pipes' calls with it.
  void onSmbPacket(Flow& flow, signatures::FlowDirection dir, std::int64_t ts);
  void parseSmb(Flow& flow, SmbState& state, signatures::FlowDirection dir, std::int64_t ts);
  void inspectSmb(Flow& flow, SmbState& state, signatures::FlowDirection dir, bool all);
  void logSmb(Flow& flow, SmbState& state, std::int64_t ts, bool all);
  // TLS, acknowledged as DCERPC is: parses `dir`'s held records, inspects and logs what they complete.
  void parseTls(Flow& flow, TlsState& tls, signatures::FlowDirection dir, std::int64_t ts);
  // An MQTT transaction complete (or given up on): detection on all its packets, then its record.
  void onMqtt(Flow& flow, signatures::FlowDirection dir, const MqttTransaction& tx, std::int64_t ts);
  // LDAP over TCP: as DCERPC, a side's bytes are parsed once the other side acknowledges them
  // (IDS mode), or as they arrive (stream.inline, one-sided capture).
  void parseLdap(Flow& flow, signatures::FlowDirection dir, std::int64_t ts);
  // A transaction's request (ToServer), a response added (ToClient: detection on the responses
  // so far, each rule alerting once per transaction), or its completion (Any: its record).
  void onLdap(Flow& flow, signatures::FlowDirection dir, LdapTransaction& tx, std::int64_t ts);
  // A successful StartTLS: the flow is TLS from here, with the bytes the LDAP parser held.
  void upgradeLdapToTls(Flow& flow, std::int64_t ts);
  // An HTTP CONNECT answered 2xx: HTTP ends, and what the tunnel carries is identified anew
  // (Suricata's protocol change; EVE's app_proto_orig), starting with the bytes HTTP held.
  void openTunnel(Flow& flow, std::int64_t ts);
  // An Upgrade: websocket answered 101: HTTP ends and WebSocket parses the rest, starting with
  // the bytes HTTP held (EVE's app_proto_orig http).
  void openWebsocket(Flow& flow, std::int64_t ts);
  // A WebSocket frame (a transaction): detection on its payload and fields, then its record.
  void onWebsocket(Flow& flow, const WebsocketFrame& frame, std::int64_t ts);
  // A tunnel's bytes while its protocol is unknown: kept (TunnelProbe) and identified together.
  void probeTunnel(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts);
  // An FTP command with its replies: detection on the command (to_server) and on the replies
  // (to_client), then its record.
  void onFtp(Flow& flow, const FtpTransaction& tx, std::int64_t ts);
  // A SIP message (a transaction of its own): over TCP (`stream`) detection on its buffers,
  // then its record; over UDP the datagram's own input holds the buffers.
  void onSip(Flow& flow, signatures::FlowDirection dir, const SipMessage& m, std::int64_t ts, bool stream);
  // The sip.* and sdp.* buffers of `m` (viewing it), into `buffers` (cleared first when they are
  // the transaction input's).
  void fillSipBuffers(const SipMessage& m, signatures::BufferSet& buffers);
  // QUIC: each packet's transaction (a datagram may carry several), detection on its buffers
  // (alerts carry its `quic` object), then its record.
  void onQuic(Flow& flow, signatures::FlowDirection dir, const QuicTransaction& tx, std::int64_t ts);

  // PostgreSQL and RFB, acknowledged as LDAP is: a side's bytes are parsed once the other side
  // acknowledges them (IDS mode), or as they arrive (stream.inline, one-sided capture).
  // `unacked`: the last bytes held that stay unreleased (not acknowledged yet).
  void parsePgsql(Flow& flow, signatures::FlowDirection dir, std::int64_t ts, std::uint64_t unacked = 0);
  // A PostgreSQL transaction complete: detection on its query (alerts carry its pgsql object),
  // then its record.
  void onPgsql(Flow& flow, const PgsqlTransaction& tx, std::int64_t ts);
  void parseRfb(Flow& flow, signatures::FlowDirection dir, std::int64_t ts, std::uint64_t unacked = 0);
  // The RFB handshake complete (or the flow ended): detection on it, then its record.
  void onRfb(Flow& flow, const RfbTransaction& tx, std::int64_t ts);
  // POP3, acknowledged as PostgreSQL is; a transaction answered: detection on the command
  // (to_server) and on the answer (to_client), alerts carrying its pop3 object, then its record.
  void parsePop3(Flow& flow, signatures::FlowDirection dir, std::int64_t ts, std::uint64_t unacked = 0);
  void onPop3(Flow& flow, const Pop3Transaction& tx, std::int64_t ts);
  // A STARTTLS accepted (PostgreSQL's SSLRequest answered 'S', POP3's STLS answered +OK): the
  // state's open transactions are closed through on_tx, and the flow is TLS from here, fed the
  // bytes either side had sent after the exchange.
  template <typename State, typename OnTransaction>
  void handOverToTls(Flow& flow, signatures::AppProto from, OnTransaction on_tx, std::int64_t ts);

  TransactionSink sink_;
  MetadataSink metadata_;
  bool stream_inline_ = false;
  bool hash_files_ = true;
  bool ssh_hassh_ = true;
  bool keep_request_headers_ = false;
  signatures::MatchInput tx_;
  std::vector<std::string> scratch_;
  AppLayerCounters counters_;
  signatures::EventSet datagram_events_;  // DNS over UDP keeps no per-flow state
  // Every DNS message is parsed into this one (reused: no allocation per message); a datagram's
  // dns.query buffers view it until the next datagram.
  DnsMessage dns_;
  // DNS over HTTP/2: the message of the HTTP/2 message being handled, and a GET's decoded bytes.
  DnsMessage doh_dns_;
  std::string doh_bytes_;
  // HTTP messages being parsed, over all flows of this worker, come from here and return here.
  HttpMessagePool http_messages_{kPooledHttpMessages};
  // Parser states of flows that ended, reset, for the next flows of their protocol.
  FreeList<std::unique_ptr<HttpState>> http_states_{kPooledStates};
  TlsWorkspace tls_workspace_;  // before the states that borrow from it
  FreeList<std::unique_ptr<TlsState>> tls_states_{kPooledStates};
  // Message buffers and the MIME walk's scratch, shared by this worker's SMTP sessions.
  SmtpWorkspace smtp_;
  // The file of the HTTP message being handled, and the hasher for it (reused).
  HttpFile http_file_;
  FileHasher file_hasher_;
  [[nodiscard]] bool hashFiles() const { return hash_files_ || file_store_.has_value(); }
  // Writes a file to the file store, hashing it first when `sha256` is empty (a truncated
  // file's part); false when no store is set or the write failed.
  bool storeFile(std::string_view content, std::string_view sha256);
  // The filesize buffer of the file being inspected: its size in eight bytes, big-endian.
  std::string_view fileSizeBuffer(std::uint64_t size);
  std::array<char, 8> file_size_bytes_{};
  std::optional<FileStore> file_store_;
  std::uint64_t file_store_depth_ = 0;
  std::string store_md5_, store_sha256_;
  FreeList<std::unique_ptr<SmtpState>> smtp_states_{kPooledStates};
  FreeList<std::unique_ptr<SshState>> ssh_states_{kPooledStates};
  FreeList<std::unique_ptr<DcerpcState>> dcerpc_states_{kPooledStates};
  FreeList<std::unique_ptr<SmbState>> smb_states_{kPooledStates};
  MqttLimits mqtt_limits_;
  char mqtt_version_byte_ = 0;
  FreeList<std::unique_ptr<FtpState>> ftp_states_{kPooledStates};
  char ftp_bounce_byte_ = 0;  // the ftpbounce buffer of the command being matched
  const AppMetadata* tx_record_ = nullptr;  // transactionRecord()
  FreeList<std::unique_ptr<MqttState>> mqtt_states_{kPooledStates};
  FreeList<std::unique_ptr<SipState>> sip_states_{kPooledStates};
  AppMetadata datagram_record_;  // datagramRecord()
  bool has_datagram_record_ = false;
  // A datagram's message (SNMP, DHCP, TFTP, IKE): kept for the datagram's packet match
  // (datagramRecord()) and handed to the record sink.
  void publishDatagramRecord(const AppMetadata& record) {
    datagram_record_ = record;
    has_datagram_record_ = true;
    if (metadata_) metadata_(record);
  }
  FreeList<std::unique_ptr<LdapState>> ldap_states_{kPooledStates};
  std::size_t ldap_max_tx_ = LdapState::kDefaultMaxTx;
  LdapMessage ldap_probe_;  // identification decodes into it
  // The LDAP integer keywords' buffers of the transaction being inspected (Buffer.hpp).
  char ldap_request_op_ = 0;
  std::string ldap_response_ops_;
  std::string ldap_result_codes_;
  std::array<char, 4> ldap_count_{};
  std::array<char, 4> tls_chain_len_{};  // tls.cert_chain_len's buffer
  FreeList<std::unique_ptr<QuicState>> quic_states_{kPooledStates};
  // Frames (issue 15).
  bool frames_detect_ = false;
  bool frames_log_ = false;
  const Frame* current_frame_ = nullptr;  // currentFrame()
  Flow* frame_flow_ = nullptr;            // the flow and time frame_sink_ hands frames of
  std::int64_t frame_ts_ = 0;
  FrameSink frame_sink_ = [this](const Frame& f) { onFrame(*frame_flow_, f, frame_ts_); };
  FreeList<std::unique_ptr<FlowFrames>> frame_states_{kPooledStates};
  // WebSocket (issue 15): pooled states, and the integer keywords' buffers of the frame inspected.
  FreeList<std::unique_ptr<WebsocketState>> websocket_states_{kPooledStates};
  char websocket_opcode_ = 0;
  char websocket_flags_ = 0;
  std::array<char, 4> websocket_mask_{};
  // PostgreSQL and RFB
  FreeList<std::unique_ptr<PgsqlState>> pgsql_states_{kPooledStates};
  FreeList<std::unique_ptr<RfbState>> rfb_states_{kPooledStates};
  std::array<char, 4> rfb_sectype_{};    // rfb.sectype's buffer
  std::array<char, 4> rfb_secresult_{};  // rfb.secresult's buffer
  // POP3
  FreeList<std::unique_ptr<Pop3State>> pop3_states_{kPooledStates};
  // DNP3
  // Parses the bytes of `dir` the other side acknowledged (all but the last `unacked`; all of
  // them with `unacked` unset, the flow ends), logs the fragments they complete; then inspects `inspect_dir`'s fragments.
  void parseDnp3(Flow& flow, signatures::FlowDirection dir, std::optional<std::uint64_t> unacked, std::int64_t ts);
  void inspectDnp3(Flow& flow, signatures::FlowDirection dir, bool all);
  void onDnp3Record(Flow& flow, const Dnp3Transaction& tx, std::int64_t ts);
  Dnp3Limits dnp3_limits_;
  FreeList<std::unique_ptr<Dnp3State>> dnp3_states_{kPooledStates};
  char dnp3_func_ = 0;
  std::array<char, 2> dnp3_iin_{};
  std::string dnp3_objs_;  // two bytes per object: the dnp3.obj buffers view it
  // HTTP/1, SMTP and SSH held until acknowledged (AckedParsing.cpp; issue 15).
  // The flow's held bytes, when its protocol is one of them (over TCP).
  AckedSides* heldBytes(Flow& flow);
  // New bytes of `dir`: held until acknowledged, or parsed now (stream.inline, a one-sided
  // capture, HTTP/2, a gap), after all that was held.
  void holdOrParse(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts);
  void parseNow(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts);
  // Parses what of `dir`'s held bytes was released.
  void parseHeld(Flow& flow, signatures::FlowDirection dir, std::int64_t ts);
  // A packet of `dir`: releases what it acknowledges of the other side, parses `dir`'s bytes
  // acknowledged before (their transactions inspected with this packet), and an SMTP server's
  // replies it acknowledges.
  void onAckedPacket(Flow& flow, signatures::FlowDirection dir, std::uint64_t unacked, std::int64_t ts);
  // The flow ends: everything held is parsed, the client's bytes first.
  void parseAllHeld(Flow& flow, std::int64_t ts);
  // HTTP/1 messages and SSH stages parsed before, inspected with this packet of `dir`.
  void inspectQueued(Flow& flow, signatures::FlowDirection dir, std::int64_t ts);
  // While set, HTTP/1 messages and SSH stages parsed are queued for inspection, not inspected.
  bool defer_inspection_ = false;
  signatures::FlowDirection held_parsing_dir_ = signatures::FlowDirection::ToServer;
  std::size_t held_parsing_ = 0;  // bytes of held_parsing_dir_'s held being parsed (a tunnel skips them)
  // Kerberos 5
  // A message: its buffers into `buffers` (the transaction's over TCP, the datagram's over
  // UDP), detection over TCP, then its record.
  void onKrb5(Flow& flow, signatures::FlowDirection dir, const Krb5Message& m, std::int64_t ts, signatures::BufferSet& buffers,
              bool stream);
  FreeList<std::unique_ptr<Krb5State>> krb5_states_{kPooledStates};
  char krb5_msg_type_ = 0;
  char krb5_ticket_weak_ = 0;
  std::array<char, 4> krb5_err_code_{};
  std::array<char, 4> krb5_ticket_etype_{};
  // Small UDP/ICS protocols (AppLayerUdpIcs.cpp): SNMP, TFTP and DHCP, each datagram parsed as it
  // comes, a message's buffers into `buffers` (the datagram's input) and its record.
  // parseUdpIcsDatagram is false when the datagram is none of theirs.
  bool parseUdpIcsDatagram(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> payload,
                           signatures::BufferSet& buffers, std::int64_t ts);
  void onSnmp(Flow& flow, signatures::FlowDirection dir, const SnmpMessage& m, std::int64_t ts, signatures::BufferSet& buffers);
  void onTftp(Flow& flow, signatures::FlowDirection dir, const TftpTransaction& tx, std::int64_t ts, signatures::BufferSet& buffers);
  [[nodiscard]] ProtocolMode protocolMode(signatures::AppProto proto) const {
    return protocol_modes_[static_cast<std::size_t>(proto)];
  }
  std::array<ProtocolMode, signatures::kAppProtoCount> protocol_modes_{};  // over UDP
  std::array<ProtocolMode, signatures::kAppProtoCount> tcp_modes_{};       // over TCP
  // FTP data connections (AppLayerFtpData.cpp): the transfers control channels set up, a new
  // flow claiming one (it is ftp-data from its first byte), its bytes, and at its end its
  // inspection (both ways, the file the way it went) and its record.
  void expectFtpData(Flow& control);
  bool claimFtpData(Flow& flow);
  void finishFtpData(Flow& flow);
  FtpDataExpectations ftp_data_expected_;
  char tls_version_bit_ = 0;  // the ssl_version buffer of the handshake side being matched
  std::size_t ftp_max_line_ = FtpState::kMaxLineBytes;
  std::size_t ftp_max_tx_ = FtpState::kDefaultMaxTx;
  FtpTransfer ftp_transfer_;  // scratch: a transfer on its way into or out of the table
  FreeList<std::unique_ptr<FtpDataState>> ftp_data_states_{kPooledStates};
  FreeList<std::unique_ptr<SnmpState>> snmp_states_{kPooledStates};
  FreeList<std::unique_ptr<TftpState>> tftp_states_{kPooledStates};
  void onDhcp(Flow& flow, signatures::FlowDirection dir, const DhcpMessage& m, std::int64_t ts, signatures::BufferSet& buffers);
  FreeList<std::unique_ptr<DhcpState>> dhcp_states_{kPooledStates};
  std::array<std::array<char, 4>, 3> dhcp_times_{};  // dhcp.leasetime, rebinding_time, renewal_time buffers
  std::array<char, 4> snmp_version_{};   // snmp.version's buffer
  std::array<char, 4> snmp_pdu_type_{};  // snmp.pdu_type's buffer
  // IKE
  // A message: its buffers into the datagram's input, then its record (with the flow's state,
  // which EVE logs as it is after the message).
  void onIke(Flow& flow, signatures::FlowDirection dir, const IkeMessage& m, const IkeState& state, std::int64_t ts,
             signatures::BufferSet& buffers);
  FreeList<std::unique_ptr<IkeState>> ike_states_{kPooledStates};
  char ike_exch_type_ = 0;
  std::array<char, 4> ike_nonce_length_{};
  std::array<char, 4> ike_key_exchange_length_{};
  std::array<char, 4> ike_slot_{};
  std::array<char, 16 * 5> ike_chosen_{};  // ike.chosen_sa_attribute's buffer (Buffer.hpp)
  // NFS (AppLayerNfs.cpp). Over TCP a side's records are parsed once the other side
  // acknowledges them (IDS mode) or as they arrive (stream.inline, one-sided capture); over UDP
  // each datagram as it comes. Then afterNfs inspects the transactions made since (over TCP
  // each a transaction input; over UDP into `datagram`, the datagram's input) and logs those
  // complete (records in the direction `dir` of the packet at hand).
  void parseNfs(Flow& flow, signatures::FlowDirection data_dir, signatures::FlowDirection dir, std::int64_t ts,
                std::optional<std::uint64_t> unacked);
  void afterNfs(Flow& flow, NfsState& nfs, signatures::FlowDirection dir, std::int64_t ts, signatures::BufferSet* datagram, bool end);
  void logNfs(Flow& flow, NfsState& nfs, NfsTransaction& tx, signatures::FlowDirection dir, std::int64_t ts);
  // A UDP datagram of an NFS flow (or one that starts one): false when it is not NFS.
  bool parseNfsDatagram(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> payload,
                        signatures::BufferSet& buffers, std::int64_t ts);
  void onNfsPacket(Flow& flow, signatures::FlowDirection dir, std::uint64_t unacked);
  void onNfsStream(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts);
  void endNfs(Flow& flow);
  std::array<char, 4> nfs_procedure_{};  // nfs_procedure's buffer
  std::array<char, 4> nfs_version_{};    // nfs.version's buffer
  // EtherNet/IP and Modbus (AppLayerIcs.cpp). Over TCP, as DNP3: a side's bytes are parsed once
  // the other side acknowledges them (IDS mode) or as they arrive (stream.inline, one-sided
  // capture), a side of a transaction is inspected at the next packet its way, and a
  // transaction is logged once complete (all of them when the flow ends). EtherNet/IP over UDP:
  // each datagram a PDU, inspected with the datagram.
  void onIcsStream(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts);
  void onIcsPacket(Flow& flow, signatures::FlowDirection dir, std::uint64_t unacked);
  void endIcs(Flow& flow);
  void parseIcs(Flow& flow, signatures::FlowDirection dir, std::optional<std::uint64_t> unacked, std::int64_t ts);
  void inspectIcs(Flow& flow, signatures::FlowDirection dir, std::int64_t ts);
  void logIcs(Flow& flow, bool all, std::int64_t ts);
  bool parseEnipDatagram(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> payload,
                         signatures::BufferSet& buffers, std::int64_t ts);
  // The enip.* and cip_* buffers of one side of a transaction (viewing it and enip_numbers_).
  void fillEnipBuffers(const EnipPdu& pdu, bool request, signatures::BufferSet& buffers);
  void fillModbusBuffers(const ModbusMessage& request, signatures::BufferSet& buffers);
  FreeList<std::unique_ptr<EnipState>> enip_states_{kPooledStates};
  FreeList<std::unique_ptr<ModbusState>> modbus_states_{kPooledStates};
  std::string enip_numbers_;                // the integer keywords' bytes, reserved before the buffers view it
  std::array<char, 12> modbus_request_{};  // the modbus keyword's record (Buffer.hpp)
  // NTP and BitTorrent DHT (AppLayerNtp.cpp, AppLayerBittorrentDht.cpp): each datagram parsed
  // as it comes, a message's buffers into `buffers` (the datagram's input) and its record. The
  // parse functions are false when the datagram is not theirs.
  bool parseNtpDatagram(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> payload,
                        signatures::BufferSet& buffers, std::int64_t ts);
  bool parseBittorrentDhtDatagram(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> payload,
                                  std::int64_t ts);
  FreeList<std::unique_ptr<NtpState>> ntp_states_{kPooledStates};
  FreeList<std::unique_ptr<BittorrentDhtState>> bittorrent_dht_states_{kPooledStates};
  std::array<char, 3> ntp_numbers_{};  // ntp.version, ntp.stratum and ntp.mode buffers
  // RDP (AppLayerRdp.cpp): the setup PDUs as they arrive, each a transaction (detection, then
  // its record); once the negotiation switched to TLS the flow is TLS's.
  void onRdpStream(Flow& flow, signatures::FlowDirection dir, std::span<const std::uint8_t> data, std::int64_t ts);
  FreeList<std::unique_ptr<RdpState>> rdp_states_{kPooledStates};
};

}  // namespace gsoc::sensor

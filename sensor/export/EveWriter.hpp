#pragma once
// EVE JSON lines, with Suricata's field names where they overlap (timestamp, flow_id, event_type,
// src_ip, src_port, dest_ip, dest_port, proto, app_proto, community_id, flow{...}, stats{...}),
// so existing tooling reads gsoc output. One writer per worker (not thread-safe): it formats each
// record into its own buffer and hands the finished lines to an EveFile, which workers share.

#include <cstdint>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sensor/app/AppMetadata.hpp"
#include "sensor/app/DnsParser.hpp"
#include "sensor/detect/DetectionStage.hpp"
#include "sensor/export/DnsTransactionIds.hpp"
#include "sensor/export/EveFile.hpp"
#include "sensor/export/EveLine.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {
struct SipMessage;
struct Http2Frames;

// "2026-11-22T01:02:03.123456+0000", as EVE writes it, in a fixed buffer.
class EveTimestamp {
 public:
  explicit EveTimestamp(std::int64_t ns);
  [[nodiscard]] std::string_view view() const { return {text_.data(), size_}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)

 private:
  std::array<char, 40> text_{};
  std::size_t size_ = 0;
};
inline std::string eveTimestamp(std::int64_t ns) { return std::string(EveTimestamp(ns).view()); }
std::string protoName(std::uint8_t ip_proto);

// What the records carry beyond their fixed fields, as Suricata's eve-log options say.
struct EveOptions {
  std::uint16_t community_id_seed = 0;  // community-id-seed
  bool ethernet = false;                // ethernet: the ether object (MAC addresses)
  bool suricata_version = false;        // suricata-version: the version gsoc is compatible with
  bool netflow = false;                 // the netflow type: one record per flow direction
  bool alert_packet = false;            // alert packet: the frame, base64, with packet_info
  bool anomaly_packet = false;          // anomaly packethdr: the same in anomaly records
  bool alert_references = false;        // alert metadata rule reference: the rule's references as URLs
  bool dhcp_extended = false;           // dhcp extended: the addresses, times and options beyond the basics
  std::uint32_t mqtt_string_log_limit = 0;  // mqtt string-log-limit: bytes of topics and messages; 0 all
  // alert payload / payload-printable: the packet's payload (a datagram's, a packet rule's) in
  // base64 and printable, as Suricata's; payload_printable otherwise shows the matched buffer.
  bool alert_payload = false;
  bool alert_payload_printable = false;
};

// The Suricata version whose EVE output gsoc writes (EVE's suricata_version).
inline constexpr std::string_view kSuricataCompatVersion = "8.0.7";

class EveWriter {
 public:
  // Generator id of alerts raised by indicator lists rather than rules.
  static constexpr std::uint32_t kIndicatorGid = 9000;
  using OpenMode = EveFile::OpenMode;
  // A writer with a file of its own. Throws std::runtime_error when it cannot be created.
  explicit EveWriter(const std::string& path, OpenMode mode = OpenMode::truncate);
  // A writer into a file that other writers (other workers) share.
  explicit EveWriter(EveFile& file);
  EveWriter(const EveWriter&) = delete;
  EveWriter& operator=(const EveWriter&) = delete;
  // The file's EveFile::reopen() (SIGUSR1 after logrotate).
  void reopen() { file_->reopen(); }
  void setOptions(const EveOptions& options) { options_ = options; }
  // The flow's record, and with EveOptions::netflow its netflow records.
  void flowRecord(const Flow& flow, FlowEndReason reason);
  // `category`: the classtype's description from classification.config.
  void alertRecord(const AlertHit& hit, std::string_view category);
  // event_type "anomaly", as Suricata writes it: anomaly{type, event[, app_proto, layer]}.
  void anomalyRecord(const AnomalyHit& hit);
  // event_type "packet": a packet a rule's `tag` covers, as Suricata's alert tagged-packets
  // logs it (the packet's own addresses, the frame in base64 with its link type).
  void packetRecord(const DecodedPacket& packet, const Flow* flow);
  // event_type "arp": an ARP message (DecodedPacket::arp), as Suricata's arp logger writes it.
  void arpRecord(const DecodedPacket& packet);
  // event_type http, dns, tls, smtp, ssh, mqtt, ftp, fileinfo (an HTTP file; one per mail attachment after
  // its smtp record).
  void metadataRecord(const AppMetadata& record);
  // A finished JSON object body for event_type "stats" (the caller builds the counters).
  void statsRecord(std::int64_t timestamp_ns, const std::string& stats_json);
  // The shape of dns records: 3, Suricata 8's (default), or 2, Suricata's older one (a "query"
  // record per question, an "answer" record per response; eve-log dns `version: 2`).
  void setDnsVersion(int version) { dns_version_ = version; }
  // Which dns messages are logged, as Suricata's eve-log dns `requests`, `responses` and
  // `types`: a message is logged when its kind is on and, with types given, one of its
  // questions asks for one of them. Transaction ids still count every message.
  void setDnsFilter(bool requests, bool responses, std::vector<std::uint16_t> types) {
    dns_requests_ = requests;
    dns_responses_ = responses;
    dns_types_ = std::move(types);
  }
  // Which smb records are logged, as Suricata's eve-log smb `types` (the kind of transaction:
  // negotiate, session_setup, tree_connect, create, file, rename, set_file_path_info, ioctl,
  // dcerpc, generic); empty: all. An SMB file's fileinfo record is written either way.
  void setSmbTypes(std::vector<std::string> types) { smb_types_ = std::move(types); }
  // X-Forwarded-For (Suricata's eve-log xff): an alert on an HTTP transaction whose request
  // names a forwarded client carries its address, as alert.xff (extra-data) or in place of the
  // client's address (overwrite). `reverse`: the last address of the header's list (the one
  // the nearest proxy added), else the first.
  struct Xff {
    bool enabled = false;
    bool overwrite = false;
    bool reverse = true;
    std::string header = "X-Forwarded-For";
  };
  void setXff(Xff xff) { xff_ = std::move(xff); }
  // http records list the request's / the response's header fields (dump-all-headers).
  void setHttpHeaderDumps(bool request, bool response) {
    dump_request_headers_ = request;
    dump_response_headers_ = response;
  }
  static bool isSmbType(std::string_view name);
  void flush() { file_->flush(); }
  // Suricata's eve-log pgsql `passwords`: a client's password messages are logged (off: left out).
  void setPgsqlPasswords(bool on) { pgsql_passwords_ = on; }
  [[nodiscard]] std::uint64_t records() const { return records_; }

 private:
  // Opens a record: timestamp, flow_id, event_type, the 5-tuple seen in `direction`, ids; the
  // ether object from `packet` when given (a packet's record), else from the flow's addresses.
  // `client_ip`: written in place of the client's address (XFF overwrite mode) when not empty.
  void header(const Flow& flow, signatures::FlowDirection direction, std::int64_t ts, std::string_view event_type,
              const DecodedPacket* packet = nullptr, std::string_view client_ip = {});
  // Netflow: one direction of the flow as a one-way flow of its own.
  void netflowRecord(const Flow& flow, std::size_t side);
  // The fields every record with addresses shares: community_id, ip_v, vlan, the ICMP type and
  // code of an ICMP `packet`, the ESP flow's spi.
  void commonFields(const Flow& flow);
  void etherObject(const MacAddress& src, const MacAddress& dst, std::uint16_t ether_type);
  // Flow context: the MAC arrays, the client side's as src_macs unless `swapped`.
  void etherArrays(const Flow& flow, bool swapped);
  // ,"packet":"...","packet_info":{...}: the frame as captured (alert packet: yes).
  void packetObject(const DecodedPacket& packet);
  // An alert's payload and payload_printable fields, as the alert options ask.
  void alertPayload(std::string_view bytes);
  void tunnelObject(const DecodedPacket& packet);  // helper-decode: a tunnel's inner packet
  // The same for a packet that reached no flow: no flow_id, and the 5-tuple only as far as the
  // packet decoded (none at all when its IP header did not).
  void header(const DecodedPacket& packet, std::int64_t ts, std::string_view event_type);
  // ,"mqtt":{...} or ,"ftp":{...}: a transaction's object, in its record and in its alerts.
  void appObject(const AppMetadata& record);
  void tlsObject(const AppMetadata& record);
  void sipObject(const SipMessage& message);
  void ldapObject(const LdapTransaction& tx);
  void quicObject(const QuicTransaction& tx, bool client);
  // A frame's object (frame records, and alerts on a frame).
  void frameObject(const Frame& frame);
  void sshObject(const SshState& ssh);  // the session's "ssh" object
  std::string printable_;  // frameObject's payload_printable (reused)
  // PostgreSQL and RFB (EvePgsqlRfb.cpp): Suricata's pgsql and rfb objects.
  void pgsqlObject(const PgsqlTransaction& tx);
  void rfbObject(const RfbTransaction& tx);
  void pop3Object(const Pop3Transaction& tx);  // EvePop3.cpp
  // DNP3 (EveDnp3.cpp): a fragment's fields, as in its record; in an alert under "request" or
  // "response".
  void dnp3Fields(const Dnp3Transaction& tx);
  void dnp3AlertObject(const Dnp3Transaction& tx);
  // Kerberos 5 (EveKrb5.cpp): ,"krb5":{...}, in its record and in its alerts.
  void krb5Object(const Krb5Message& m);
  // Small UDP/ICS protocols (EveSnmp.cpp, EveTftp.cpp): ,"snmp":{...} and ,"tftp":{...}, in their
  // records and in their alerts.
  void snmpObject(const SnmpMessage& m);
  void tftpObject(const TftpTransaction& tx);
  void ftpDataObject(const FtpDataState& state);  // EveFtpData.cpp
  void ftpDataFileObject(const FtpDataState& state);  // EveFtpData.cpp
  void dhcpObject(const DhcpMessage& m);  // EveDhcp.cpp; options_.dhcp_extended adds the extended fields
  // IKE (EveIke.cpp): ,"ike":{...} of a message and its flow's state, in its record and alerts.
  void ikeObject(const IkeMessage& m, const IkeState& state);
  // NFS (EveNfs.cpp): ,"rpc":{...},"nfs":{...} of a transaction, in its record, its file's
  // record and its alerts; and ,"fileinfo":{...} of the file it transferred.
  void nfsObjects(const NfsTransaction& tx, const NfsState& state);
  void nfsFileObject(const NfsTransaction& tx);
  // EtherNet/IP and Modbus (EveEnip.cpp, EveModbus.cpp): ,"enip":{...} and ,"modbus":{...} of a
  // transaction, in its record and its alerts.
  void enipObject(const EnipTransaction& tx);
  void modbusObject(const ModbusTransaction& tx);
  // NTP, RDP, BitTorrent DHT (EveNtp.cpp, EveRdp.cpp, EveBittorrentDht.cpp): ,"ntp":{...},
  // ,"rdp":{...} and ,"bittorrent_dht":{...}, in their records and in their alerts.
  void ntpObject(const NtpMessage& m);
  void rdpObject(const RdpTransaction& tx);
  void bittorrentDhtObject(const BittorrentDhtMessage& m);
  void mailObjects(const MailTransaction& mail);
  // A JSON string literal for any bytes (JsonString.hpp).
  void string(std::string_view s);
  // ,"pcap_cnt":N,"pkt_src":"wire/pcap" after a header, when the record comes from a captured
  // packet (Suricata names the packet's source; gsoc's records come from captured packets).
  void captureIndex(std::uint64_t index) {
    if (index != 0) out_ << ",\"pcap_cnt\":" << index << ",\"pkt_src\":\"wire/pcap\"";
  }
  // ,"flow":{...} in an alert: the flow's counters so far, its start and its addresses as the
  // flow record has them (the client's side is the source), as Suricata 8's alerts.
  void alertFlowObject(const Flow& flow);
  [[nodiscard]] std::int64_t transactionId(const AppMetadata& record) const;
  // ,"http":{...}: the exchange's fields, from the request and the response as far as seen.
  void httpObject(const HttpMessage* request, const HttpMessage* response);
  void http2Frames(const Http2Frames& frames);
  static bool http2Loggable(const HttpMessage* request, const HttpMessage* response);
  // ,"fileinfo":{...} of an SMB file, or its object in an alert's "files" list (`name`: the key).
  void smbFileObject(const SmbTransaction& tx, bool in_alert);
  // ,"smb":{...}: an SMB transaction (r.smb, or r.dce in a named pipe) as Suricata logs it.
  void smbObject(const AppMetadata& r);
  // ,"dcerpc":{...}: one call as Suricata logs it over TCP (with the `session`'s interfaces), over
  // UDP (no session), or (`smb`) in an SMB record.
  void dcerpcObject(const DceTransaction& tx, const DceSession* session, bool smb);
  // Suricata's dns record(s) for one message, in version 3 or 2 (setDnsVersion).
  // False when the filter (setDnsFilter) leaves the message out: nothing was written.
  bool dnsRecord(const AppMetadata& r);
  void dnsObject(const DnsMessage& m, std::uint64_t tx_id, bool v2);
  void mdnsObject(const DnsMessage& m);
  void dnsRecordData(const DnsMessage::Answer& a, std::size_t txt_index);
  void dnsFieldsObject(const DnsMessage::Answer& a);

  // Opened by each public call: the lines it formatted go to the file when it returns.
  struct Commit {
    EveWriter& writer;
    ~Commit() {
      if (!writer.line_.empty()) writer.file_->write(writer.line_);
      writer.line_.clear();
    }
  };

  std::unique_ptr<EveFile> own_file_;  // with the path constructor
  EveFile* file_;
  std::string line_;  // this call's records, kept with its capacity
  EveLine out_{line_};
  std::string scratch_version_;  // a QUIC version's name
  std::string host_;     // an HTTP host name, lower-cased for its record
  std::string scratch_;  // reused by string(), so escaping allocates only while it grows
  std::string payload_scratch_;  // an alert's payload, base64 then printable
  std::uint64_t records_ = 0;
  DnsTransactionIds dns_tx_;
  int dns_version_ = 3;
  bool dns_requests_ = true;
  bool dns_responses_ = true;
  std::vector<std::uint16_t> dns_types_;  // empty: all
  std::vector<std::string> smb_types_;    // empty: all
  bool dump_request_headers_ = false, dump_response_headers_ = false;
  Xff xff_;
  EveOptions options_;
  bool pgsql_passwords_ = false;  // eve-log pgsql passwords
};

}  // namespace gsoc::sensor

#pragma once
// What the app-layer parsers report for the SOC's records, beside detection: one HTTP exchange
// (request and, when seen, its response), one DNS message, one TLS handshake summary, or one
// e-mail with its attachments, or one SSH session's banners and HASSH fingerprints, one DCERPC
// call, one SMB transaction or file, one MQTT transaction's packets, one FTP command with its
// replies, one SIP message, one LDAP request with its responses, or one QUIC packet. Views into parser state,
// valid during the callback only.

#include <cstdint>
#include <functional>

#include "gsoc/signatures/FlowDirection.hpp"

namespace gsoc::sensor {

class Flow;
struct HttpMessage;
struct DnsMessage;
struct TlsHandshake;
struct MailTransaction;
class SshState;
struct MqttTransaction;
struct FtpTransaction;
class FtpDataState;
struct SipMessage;
struct LdapTransaction;
struct QuicTransaction;
struct Frame;
struct WebsocketFrame;
struct PgsqlTransaction;
struct RfbTransaction;
struct Pop3Transaction;
struct Dnp3Transaction;
struct Krb5Message;
struct SnmpMessage;
struct TftpTransaction;
struct DhcpMessage;
struct IkeMessage;
class IkeState;
struct NfsTransaction;
class NfsState;
struct EnipTransaction;
struct ModbusTransaction;
struct HttpFile;
struct DceTransaction;
class DceSession;
struct SmbTransaction;
class SmbState;
struct NtpMessage;
struct RdpTransaction;
struct BittorrentDhtMessage;

struct AppMetadata {
  // HttpFile: the file of an HTTP exchange (request, response as far as seen, and `file`).
  // Dcerpc: a call over TCP (`dce` of `dce_session`). Smb: an SMB transaction of `smb_state`,
  // `smb` or, for DCERPC in a named pipe, `dce` (of `dce_session`). SmbFile: the file `smb` carried.
  enum class Kind : std::uint8_t { Http, Dns, Tls, Smtp, Ssh, HttpFile, Dcerpc, Smb, SmbFile, Mqtt, Ftp, Sip, Ldap, Quic,
                            Frame,  // a frame (`frame`), for EVE frame records
                            Websocket,  // a WebSocket frame (`websocket`)
                            Pgsql, Rfb, Pop3,  // PostgreSQL, RFB and POP3
                            Dnp3, Krb5,
                            Snmp, Tftp, Dhcp,  // small UDP/ICS protocols: one message / one request's transfer
                            Ike,  // IKE: one message (`ike`, with its flow's state)
                            Nfs, NfsFile,  // NFS: a transaction (`nfs` of `nfs_state`), or the file it transferred
                            FtpData,  // an FTP data connection's transfer (`ftp_data`)
                            Enip, Modbus,  // an EtherNet/IP or Modbus transaction (`enip`, `modbus`)
                            Ntp, Rdp, BittorrentDht };  // one NTP message, one RDP PDU, one DHT message
  Kind kind = Kind::Http;
  const Flow* flow = nullptr;
  signatures::FlowDirection direction = signatures::FlowDirection::ToServer;
  std::int64_t timestamp_ns = 0;
  const HttpMessage* request = nullptr;
  const HttpMessage* response = nullptr;
  const DnsMessage* dns = nullptr;
  const TlsHandshake* client_hello = nullptr;
  const TlsHandshake* server = nullptr;
  const MailTransaction* mail = nullptr;
  const SshState* ssh = nullptr;
  const HttpFile* file = nullptr;
  const DceTransaction* dce = nullptr;
  const DceSession* dce_session = nullptr;
  const SmbTransaction* smb = nullptr;
  const SmbState* smb_state = nullptr;
  const MqttTransaction* mqtt = nullptr;
  const FtpTransaction* ftp = nullptr;
  const SipMessage* sip = nullptr;
  const LdapTransaction* ldap = nullptr;
  const QuicTransaction* quic = nullptr;
  const Frame* frame = nullptr;
  const WebsocketFrame* websocket = nullptr;
  // PostgreSQL and RFB
  const PgsqlTransaction* pgsql = nullptr;
  const RfbTransaction* rfb = nullptr;
  const Pop3Transaction* pop3 = nullptr;
  const Dnp3Transaction* dnp3 = nullptr;  // Dnp3: one application fragment
  const Krb5Message* krb5 = nullptr;      // Krb5: one message
  const SnmpMessage* snmp = nullptr;      // Snmp: one message
  const TftpTransaction* tftp = nullptr;  // Tftp: a request and its transfer
  const DhcpMessage* dhcp = nullptr;      // Dhcp: one message
  const IkeMessage* ike = nullptr;        // Ike: one message, and the flow's state after it
  const IkeState* ike_state = nullptr;
  const NfsTransaction* nfs = nullptr;  // Nfs, NfsFile: a transaction, and its flow's state
  const NfsState* nfs_state = nullptr;
  const FtpDataState* ftp_data = nullptr;  // FtpData: the connection's one transaction
  const EnipTransaction* enip = nullptr;      // Enip: a request and its response
  const ModbusTransaction* modbus = nullptr;  // Modbus: a request and its response
  const NtpMessage* ntp = nullptr;                      // Ntp: one message
  const RdpTransaction* rdp = nullptr;                  // Rdp: one PDU of the connection's setup
  const BittorrentDhtMessage* bittorrent_dht = nullptr;  // BittorrentDht: one KRPC message
  std::uint8_t mqtt_version = 0;  // the connection's protocol version (its CONNECT's)
  // The transaction's id in its flow where the parser keeps it outside its record (HTTP, SSH);
  // -1 when the record's own object carries it or there is none.
  std::int64_t tx_id = -1;
  // The capture position of the packet being processed when the record was made (EVE's
  // pcap_cnt); the detection stage stamps it, 0 unknown.
  std::uint64_t capture_index = 0;
};

using MetadataSink = std::function<void(const AppMetadata&)>;

}  // namespace gsoc::sensor

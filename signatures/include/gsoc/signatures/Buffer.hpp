#pragma once
// The named buffers a rule can inspect. The sensor's parsers fill them (one packet, stream chunk
// or transaction at a time) and the detection engine scans them; a rule keyword such as
// `http.uri` (or its legacy spelling `http_uri`) selects one. Some buffers hold several instances
// per transaction (TLS certificates, SMTP recipients); a rule's inspection of such a buffer
// matches when any one instance matches.

#include <cstdint>
#include <optional>
#include <string_view>

namespace gsoc::signatures {

enum class BufferId : std::uint16_t {  // 16 bits: the protocols already name 248 buffers
  Payload,  // packet payload or reassembled stream data (pkt_data)
  HttpUri,
  HttpRawUri,
  HttpMethod,
  HttpProtocol,
  HttpRequestLine,
  HttpHost,
  HttpRawHost,
  HttpUserAgent,
  HttpHeader,
  HttpRawHeader,
  HttpHeaderNames,
  HttpCookie,
  HttpContentType,
  HttpContentLen,
  HttpReferer,
  HttpAccept,
  HttpAcceptEnc,
  HttpAcceptLang,
  HttpConnection,
  HttpStart,
  HttpStatCode,
  HttpStatMsg,
  HttpResponseLine,
  HttpLocation,
  HttpServer,
  FileData,
  FileName,
  FileSha256,
  FileMd5,
  DnsQuery,
  TlsSni,
  TlsCertSubject,
  TlsCertIssuer,
  TlsCertSerial,
  TlsCertFingerprint,
  TlsCerts,
  Ja3Hash,
  Ja3String,
  Ja3sHash,
  Ja3sString,
  SmtpHelo,
  SmtpMailFrom,
  SmtpRcptTo,
  EmailFrom,
  EmailSubject,
  EmailMessageId,
  EmailAttachmentName,
  EmailAttachmentSha256,
  Ja4Hash,  // the JA4 fingerprint itself (Suricata's ja4.hash)
  HttpRequestHeader,   // one instance per request header, "Name: value"
  HttpResponseHeader,  // the same for the response
  TlsSubjectAltName,   // one instance per DNS name in the server certificate's subjectAltName
  // Packet headers (packet inputs only): the IPv4 header with options, the IPv6 header with its
  // extension headers, the TCP header with options, the UDP and ICMP headers.
  Ipv4Hdr,
  Ipv6Hdr,
  TcpHdr,
  UdpHdr,
  Icmpv4Hdr,
  Icmpv6Hdr,
  // The packet's source and destination address, 4 or 16 network-order bytes (Suricata's ip.src
  // and ip.dst, made for `dataset` with type ipv4 or ip).
  IpSrc,
  IpDst,
  // The TLS hello's random of the input's direction (the client's in to_server inputs, the
  // server's in to_client ones): all 32 bytes, the first 4 (gmt_unix_time) and the last 28.
  TlsRandom,
  TlsRandomTime,
  TlsRandomBytes,
  // Suricata 8's DNS multi-buffers (sensor/app/DnsParser.hpp says what each holds).
  DnsQueriesRrname,
  DnsAnswersRrname,
  DnsAuthoritiesRrname,
  DnsAdditionalsRrname,
  DnsResponseRrname,
  // dns.rcode and dns.opcode (one byte, the message's header's) and dns.rrtype (two bytes,
  // big-endian, one instance per question of a request or answer of a response), for the rule
  // parser's byte tests.
  DnsRcodeNumber,
  DnsOpcodeNumber,
  DnsRrtypeNumber,
  // SSH, per direction: the banner's protocol and software versions (the sending side's), and
  // HASSH: the client's fingerprint and string in to_server inputs, the server's in to_client.
  SshProto,
  SshSoftware,
  SshHassh,
  SshHasshString,
  SshHasshServer,
  SshHasshServerString,
  // DCERPC (over TCP, or in SMB named pipes): the stub data of a request (to_server inputs) or
  // of its response (to_client), fragments joined. SMB: the tree a TREE_CONNECT names, as
  // smb.named_pipe when the server says it is the pipe share (IPC$), else as smb.share; the
  // user and domain of a SESSION_SETUP's NTLMSSP authentication.
  DceStubData,
  SmbNamedPipe,
  SmbShare,
  SmbNtlmsspUser,
  SmbNtlmsspDomain,
  // MQTT, per transaction (a request and its reply): the CONNECT's strings, the PUBLISH's topic
  // and message, each SUBSCRIBE and UNSUBSCRIBE topic. The Mqtt*Number buffers hold one byte
  // per packet of the transaction for the integer keywords (mqtt.type, mqtt.flags, mqtt.qos,
  // mqtt.reason_code, mqtt.connect.flags, mqtt.connack.session_present, mqtt.protocol_version),
  // which the rule parser turns into byte tests on them.
  MqttConnectClientId,
  MqttConnectUsername,
  MqttConnectPassword,
  MqttConnectWillTopic,
  MqttConnectWillMessage,
  MqttConnectProtocolString,
  MqttPublishTopic,
  MqttPublishMessage,
  MqttSubscribeTopic,
  MqttUnsubscribeTopic,
  MqttTypeNumber,
  MqttFlagsNumber,
  MqttQosNumber,
  MqttReasonCodeNumber,
  MqttConnectFlagsNumber,
  MqttSessionPresentNumber,
  MqttProtocolVersionNumber,
  // FTP, per command (to_server inputs: the command, its data and what the exchange set up)
  // and per reply (to_client inputs: each reply line's text and completion code). The *Number
  // buffers hold ftp.mode (1 active, 2 passive), ftp.reply_received (0, 1) and ftp.dynamic_port
  // (two bytes, big-endian) for the rule parser's byte tests.
  FtpCommand,
  FtpCommandData,
  FtpReply,
  FtpCompletionCode,
  FtpModeNumber,
  FtpReplyReceivedNumber,
  FtpDynamicPortNumber,
  FtpBounceNumber,  // PORT commands: 1 when the address is not the client's (ftpbounce)
  // SIP, per message (each is a transaction): the request line's parts (requests), the status
  // line's (responses), the version (both) and the values of each named header, one instance
  // per header line. The sdp.* buffers hold the message's SDP body's lines (one instance per
  // b=, a= or media description's line).
  SipMethod,
  SipUri,
  SipProtocol,
  SipRequestLine,
  SipResponseLine,
  SipStatCode,
  SipStatMsg,
  SipFrom,
  SipTo,
  SipVia,
  SipUserAgent,
  SipContentType,
  SipContentLength,
  SdpOrigin,
  SdpSessionName,
  SdpSessionInfo,
  SdpUri,
  SdpEmail,
  SdpPhoneNumber,
  SdpConnectionData,
  SdpBandwidth,
  SdpTime,
  SdpRepeatTime,
  SdpTimezone,
  SdpEncryptionKey,
  SdpAttribute,
  SdpMediaMedia,
  SdpMediaMediaInfo,
  SdpMediaConnectionData,
  SdpMediaEncryptionKey,
  SdpMediaBandwidth,
  SdpMediaAttribute,
  // LDAP, per transaction: the request's DN and attribute types (to_server inputs); each
  // response's DN (matched DN, or a search result entry's object name), diagnostic message and
  // attribute types (to_client inputs). The *Number buffers hold, for the integer keywords'
  // pcre and byte tests, the request's operation (one byte), each response's operation and
  // result code (one byte per response, in order; codes over 254 as 255), and the number of
  // responses (four bytes, big-endian).
  LdapRequestDn,
  LdapRequestAttributeType,
  LdapResponsesDn,
  LdapResponsesMessage,
  LdapResponsesAttributeType,
  LdapRequestOperationNumber,
  LdapResponsesOperationNumber,
  LdapResponsesResultCodeNumber,
  LdapResponsesCountNumber,
  // A mail's header fields and URLs (Suricata's email.* keywords): To, Cc, Received and the
  // URLs one instance each, Date and X-Mailer once.
  EmailTo,
  EmailCc,
  EmailDate,
  EmailXMailer,
  EmailReceived,
  EmailUrl,
  // TLS: the ALPN protocols of the input's direction (the client's offer in to_server inputs,
  // the server's choice in to_client ones), one instance each; the number of certificates in the
  // server's chain (four bytes, big-endian, for tls.cert_chain_len).
  TlsAlpn,
  TlsCertChainLenNumber,
  // QUIC, per packet (each a transaction): the long header's version (4 bytes as sent), the SNI
  // (the ClientHello's, or gQUIC's SNI tag), gQUIC's user agent (UAID tag) and its CYU
  // fingerprints (hash and string, one instance per CHLO). A QUIC hello's JA3, JA3S and JA4 fill
  // the Ja3*/Ja3s*/Ja4Hash buffers above.
  QuicVersion,
  QuicSni,
  QuicUa,
  QuicCyuHash,
  QuicCyuString,
  // Frames (Suricata 7's `frame:` keyword, issue 15): the bytes of one protocol data unit or
  // part of one, as its protocol's parser delimits it in the stream (or datagram). Each frame
  // is an input of its own; Frame.hpp names them.
  FrameHttp1Request,
  FrameHttp1Response,
  FrameSmtpCommandLine,
  FrameSmtpData,
  FrameSmtpResponseLine,
  FrameMqttPdu,
  FrameMqttHeader,
  FrameMqttData,
  FrameSshRecordHdr,
  FrameSshRecordData,
  FrameSshRecordPdu,
  FrameDcerpcPdu,
  FrameDcerpcHdr,
  FrameDcerpcData,
  FrameDnsPdu,
  FrameSipPdu,
  FrameSipRequestLine,
  FrameSipRequestHeaders,
  FrameSipRequestBody,
  FrameSipResponseLine,
  FrameSipResponseHeaders,
  FrameSipResponseBody,
  FrameNbssPdu,
  FrameNbssHdr,
  FrameSmb1Pdu,
  FrameSmb1Hdr,
  FrameSmb1Data,
  FrameSmb2Pdu,
  FrameSmb2Hdr,
  FrameSmb2Data,
  FrameSmb3Pdu,
  FrameSmb3Hdr,
  FrameSmb3Data,
  FrameLdapPdu,
  // WebSocket (issue 15): its frames' frames (pdu, header, data); per WebSocket frame (each a
  // transaction), its payload (unmasked, a fragmented message's whole on its last frame,
  // inflated with permessage-deflate), and for the integer keywords its opcode (one byte), its
  // flags (the first header byte's FIN and RSV bits) and its mask key (four bytes, big-endian;
  // absent when unmasked).
  FrameWebsocketPdu,
  FrameWebsocketHeader,
  FrameWebsocketData,
  WebsocketPayload,
  WebsocketOpcodeNumber,
  WebsocketFlagsNumber,
  WebsocketMaskNumber,
  // PostgreSQL: a transaction's simple query (pgsql.query). RFB: the desktop name (rfb.name),
  // the chosen security type and the security result (four bytes, big-endian, for rfb.sectype
  // and rfb.secresult).
  PgsqlQuery,
  RfbName,
  RfbSecTypeNumber,
  RfbSecResultNumber,
  // POP3, per transaction: the command (to_server), its arguments (one instance each), the
  // answer's status line text and body lines (to_client, one instance each), and its status
  // ("OK" or "ERR").
  Pop3Command,
  Pop3Args,
  Pop3Response,
  Pop3Status,
  // DNP3, per application fragment (a transaction): its data without CRCs (dnp3.data), and for
  // the integer keywords' byte tests its function code (one byte), a response's internal
  // indications (two bytes, IIN1 first) and each object's group and variation (two bytes each).
  Dnp3Data,
  Dnp3FuncNumber,
  Dnp3IndNumber,
  Dnp3ObjNumber,
  // Kerberos 5, per message: the client's and the service's principal name components (one
  // instance each), and for the integer keywords' byte tests the message type (one byte; a
  // KRB-ERROR's is the request it answers), an error's code and the ticket's encryption type
  // (four bytes, big-endian) and whether that type is weak (one byte).
  Krb5Cname,
  Krb5Sname,
  Krb5MsgTypeNumber,
  Krb5ErrCodeNumber,
  Krb5TicketEtypeNumber,
  Krb5TicketWeakNumber,
  // HTTP/2: the frames of a transaction's direction (a stream's, or one frame of stream 0). The
  // Http2*Number buffers are big-endian numbers, one instance per value: a frame type (1 byte),
  // an error code (4), a priority weight (1), a window increment (4), an HPACK table size
  // update (4), a setting (its id, 2 bytes, then its value, 4). http2.header_name and
  // http2.header: one instance per header field (pseudo-headers included), "name: value".
  Http2FrameTypeNumber,
  Http2ErrorCodeNumber,
  Http2PriorityNumber,
  Http2WindowNumber,
  Http2SizeUpdateNumber,
  Http2SettingNumber,
  Http2HeaderName,
  Http2Header,
  // Small UDP/ICS protocols. SNMP, per message: the community (v1, v2c), the USM user name (v3),
  // a v1 trap's enterprise OID and agent address (dotted), and for the integer keywords' byte
  // tests the version (1, 2 or 3) and the PDU type (four bytes each, big-endian).
  SnmpCommunity,
  SnmpUsm,
  SnmpTrapOid,
  SnmpTrapAddress,
  SnmpVersionNumber,
  SnmpPduTypeNumber,
  // TFTP, per request: the file name.
  TftpFileName,
  // DHCP, per message: the lease, rebinding and renewal times (options 51, 59, 58; four bytes
  // each, big-endian) for the integer keywords' byte tests.
  DhcpLeaseTimeNumber,
  DhcpRebindingTimeNumber,
  DhcpRenewalTimeNumber,
  // IKE, per message: the SPIs (16 hex digits; init_spi on the initiator's messages, resp_spi on
  // the responder's, as Suricata inspects them), an IKEv1 message's nonce and key exchange data,
  // its vendor ids (hex, one instance each, the initiator's), and for the integer keywords'
  // byte tests the exchange type (one byte), the nonce and key exchange lengths (four bytes)
  // and the responder's chosen transform: 16 slots of five bytes, one per attribute type
  // (present, then the value, big-endian).
  IkeInitSpi,
  IkeRespSpi,
  IkeNonce,
  IkeKeyExchange,
  IkeVendor,
  IkeExchTypeNumber,
  IkeNonceLengthNumber,
  IkeKeyExchangeLengthNumber,
  IkeChosenSaNumber,
  // NFS, per transaction, for the integer keywords' byte tests (four bytes, big-endian): its
  // procedure (one instance, and one per further procedure of a file transfer: a WRITE's
  // COMMIT) and its version.
  NfsProcedureNumber,
  NfsVersionNumber,
  // FTP data connections (ftp-data): the command that opened the transfer, one byte for
  // ftpdata_command's byte test (1 RETR, 2 STOR).
  FtpDataCommandNumber,
  // TLS, per handshake side: the version the side announced (the client's hello, the server's
  // hello) as one bit for ssl_version's test: 1 SSLv2, 2 SSLv3, 4 TLS 1.0, 8 TLS 1.1, 16 TLS 1.2,
  // 32 TLS 1.3; absent for another version.
  SslVersionNumber,
  // A file's size (filesize): eight bytes, big-endian, set where a whole file is inspected (a
  // closed file; a truncated one's size is not its file's).
  FileSizeNumber,
  // EtherNet/IP, per encapsulation PDU (a side of a transaction), for the integer keywords' byte
  // tests (big-endian): the command (two bytes) and status (four bytes) of the header; the
  // protocol version of a RegisterSession, ListServices or ListIdentity (two bytes); one
  // instance per CIP service (the first data item's, and each of a Multiple Service Packet's):
  // the service, then a class and an attribute of its request path (four bytes each, 0xffffffff
  // none; one instance per pair); a request's class, instance and attribute segments (and the
  // attributes a Get/Set Attribute List names), four bytes each, one instance each; a response's
  // CIP status (one byte) and extended status (two bytes); a ListIdentity reply's revision
  // (major << 8 | minor), identity status, state (one byte), serial (four), product code, device
  // type and vendor id, and a ListServices reply's capabilities (two bytes each); the sticky
  // buffers enip.product_name and enip.service_name.
  EnipCommandNumber,
  EnipStatusNumber,
  EnipProtocolVersionNumber,
  EnipCipServiceNumber,
  EnipCipClassNumber,
  EnipCipInstanceNumber,
  EnipCipAttributeNumber,
  EnipCipStatusNumber,
  EnipCipExtendedStatusNumber,
  EnipRevisionNumber,
  EnipIdentityStatusNumber,
  EnipStateNumber,
  EnipSerialNumber,
  EnipProductCodeNumber,
  EnipDeviceTypeNumber,
  EnipVendorIdNumber,
  EnipCapabilitiesNumber,
  EnipProductName,
  EnipServiceName,
  // Modbus, per request: one record of 12 bytes for the modbus keyword's tests: unit id,
  // function code (the raw code without its exception bit, 44 for an unknown one), access type
  // and category bits (Suricata's), whether it is a diagnostic with its sub-function (1 + 2
  // bytes), whether it names an address range, and its first and last address (two bytes each,
  // counted from 1).
  ModbusRequestNumber,
  // NTP, per message: the reference id (four bytes), and for the integer keywords' byte tests
  // the version, the stratum and the mode (one byte each).
  NtpReferenceId,
  NtpVersionNumber,
  NtpStratumNumber,
  NtpModeNumber,
  Count_
};

inline constexpr std::size_t kBufferCount = static_cast<std::size_t>(BufferId::Count_);

inline constexpr std::size_t index(BufferId id) { return static_cast<std::size_t>(id); }

// Canonical (Suricata 7 style) name, e.g. "http.uri".
std::string_view bufferName(BufferId id);

// The packet-header buffers: a rule inspecting one is evaluated on packets, payload included.
constexpr bool isPacketHeaderBuffer(BufferId id) { return id >= BufferId::Ipv4Hdr && id <= BufferId::IpDst; }

// How a keyword selects a buffer. Sticky keywords (`http.uri;`) apply to the options that follow;
// content modifiers (`http_uri;`) move the content just before them.
enum class BufferKeywordKind : std::uint8_t { Sticky, ContentModifier };

struct BufferKeyword {
  BufferId buffer;
  BufferKeywordKind kind;
};

// Looks up any spelling: canonical, legacy sticky, or legacy content modifier.
std::optional<BufferKeyword> findBufferKeyword(std::string_view keyword);

}  // namespace gsoc::signatures

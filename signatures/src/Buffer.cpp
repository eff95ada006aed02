#include "gsoc/signatures/Buffer.hpp"

#include <array>
#include <utility>

namespace gsoc::signatures {
namespace {

constexpr std::array<std::string_view, kBufferCount> kNames = {
    "payload",          "http.uri",          "http.uri.raw",        "http.method",
    "http.protocol",    "http.request_line", "http.host",           "http.host.raw",
    "http.user_agent",  "http.header",       "http.header.raw",     "http.header_names",
    "http.cookie",      "http.content_type", "http.content_len",    "http.referer",
    "http.accept",      "http.accept_enc",   "http.accept_lang",    "http.connection",
    "http.start",       "http.stat_code",    "http.stat_msg",
    "http.response_line", "http.location",   "http.server",
    "file.data",        "file.name",         "file.sha256",         "file.md5",
    "dns.query",        "tls.sni",           "tls.cert_subject",    "tls.cert_issuer",
    "tls.cert_serial",  "tls.cert_fingerprint", "tls.certs",        "ja3.hash",
    "ja3.string",       "ja3s.hash",         "ja3s.string",         "smtp.helo",
    "smtp.mail_from",   "smtp.rcpt_to",      "email.from",          "email.subject",
    "email.message_id", "email.attachment.name", "email.attachment.sha256",
    "ja4.hash",         "http.request_header", "http.response_header", "tls.subjectaltname",
    "ipv4.hdr",         "ipv6.hdr",          "tcp.hdr",             "udp.hdr",
    "icmpv4.hdr",       "icmpv6.hdr",        "ip.src",              "ip.dst",
    "tls.random",       "tls.random_time",   "tls.random_bytes",
    "dns.queries.rrname", "dns.answers.rrname", "dns.authorities.rrname", "dns.additionals.rrname",
    "dns.response.rrname", "dns.rcode number", "dns.opcode number", "dns.rrtype number",
    "ssh.proto",        "ssh.software",      "ssh.hassh",           "ssh.hassh.string",
    "ssh.hassh.server", "ssh.hassh.server.string",
    "dcerpc.stub_data", "smb.named_pipe",    "smb.share",           "smb.ntlmssp_user",
    "smb.ntlmssp_domain",
    "mqtt.connect.clientid", "mqtt.connect.username", "mqtt.connect.password", "mqtt.connect.willtopic",
    "mqtt.connect.willmessage", "mqtt.connect.protocol_string", "mqtt.publish.topic", "mqtt.publish.message",
    "mqtt.subscribe.topic", "mqtt.unsubscribe.topic",
    // Not keywords (the names hold a space): the integer keywords' byte tests inspect them.
    "mqtt.type number", "mqtt.flags number", "mqtt.qos number", "mqtt.reason_code number",
    "mqtt.connect.flags number", "mqtt.connack.session_present number", "mqtt.protocol_version number",
    "ftp.command",      "ftp.command_data",  "ftp.reply",           "ftp.completion_code",
    "ftp.mode number",  "ftp.reply_received number", "ftp.dynamic_port number",
    "ftpbounce number",
    "sip.method",       "sip.uri",           "sip.protocol",        "sip.request_line",
    "sip.response_line", "sip.stat_code",    "sip.stat_msg",        "sip.from",
    "sip.to",           "sip.via",           "sip.user_agent",      "sip.content_type",
    "sip.content_length",
    "sdp.origin",       "sdp.session_name",  "sdp.session_info",    "sdp.uri",
    "sdp.email",        "sdp.phone_number",  "sdp.connection_data", "sdp.bandwidth",
    "sdp.time",         "sdp.repeat_time",   "sdp.timezone",        "sdp.encryption_key",
    "sdp.attribute",    "sdp.media.media",   "sdp.media.media_info", "sdp.media.connection_data",
    "sdp.media.encryption_key", "sdp.media.bandwidth", "sdp.media.attribute",
    "ldap.request.dn",  "ldap.request.attribute_type", "ldap.responses.dn", "ldap.responses.message",
    "ldap.responses.attribute_type",
    "ldap.request.operation number", "ldap.responses.operation number", "ldap.responses.result_code number",
    "ldap.responses.count number",
    "email.to",         "email.cc",          "email.date",          "email.x_mailer",
    "email.received",   "email.url",
    "tls.alpn",         "tls.cert_chain_len number",
    "quic.version",     "quic.sni",          "quic.ua",             "quic.cyu.hash",
    "quic.cyu.string",
    // Frames: not keywords (the names hold a space); `frame:` selects them (Frame.hpp).
    "frame http1.request", "frame http1.response", "frame smtp.command_line", "frame smtp.data",
    "frame smtp.response_line", "frame mqtt.pdu", "frame mqtt.header", "frame mqtt.data",
    "frame ssh.record.hdr", "frame ssh.record.data", "frame ssh.record.pdu", "frame dcerpc.pdu",
    "frame dcerpc.hdr", "frame dcerpc.data", "frame dns.pdu", "frame sip.pdu",
    "frame sip.request.line", "frame sip.request.headers", "frame sip.request.body", "frame sip.response.line",
    "frame sip.response.headers", "frame sip.response.body", "frame smb.nbss.pdu", "frame smb.nbss.hdr",
    "frame smb.smb1.pdu", "frame smb.smb1.hdr", "frame smb.smb1.data", "frame smb.smb2.pdu",
    "frame smb.smb2.hdr", "frame smb.smb2.data", "frame smb.smb3.pdu", "frame smb.smb3.hdr",
    "frame smb.smb3.data", "frame ldap.pdu",
    "frame websocket.pdu", "frame websocket.header", "frame websocket.data", "websocket.payload",
    "websocket.opcode number", "websocket.flags number", "websocket.mask number",
    // PostgreSQL and RFB
    "pgsql.query",      "rfb.name",          "rfb.sectype number",  "rfb.secresult number",
    // POP3
    "pop3.command",     "pop3.args",         "pop3.response",       "pop3.status",
    // DNP3
    "dnp3.data", "dnp3.func number", "dnp3.ind number", "dnp3.obj number",
    // Kerberos 5
    "krb5.cname", "krb5.sname", "krb5.msg_type number", "krb5.err_code number", "krb5.ticket_encryption number",
    "krb5.ticket_weak number",
    // HTTP/2
    "http2.frametype number", "http2.errorcode number", "http2.priority number", "http2.window number",
    "http2.size_update number", "http2.settings number", "http2.header_name", "http2.header",
    // Small UDP/ICS protocols: SNMP, TFTP
    "snmp.community", "snmp.usm", "snmp.trap_oid", "snmp.trap_address", "snmp.version number", "snmp.pdu_type number",
    "tftp.file_name",
    // DHCP
    "dhcp.leasetime number", "dhcp.rebinding_time number", "dhcp.renewal_time number",
    // IKE
    "ike.init_spi", "ike.resp_spi", "ike.nonce_payload", "ike.key_exchange_payload", "ike.vendor",
    "ike.exchtype number", "ike.nonce_payload_length number", "ike.key_exchange_payload_length number",
    "ike.chosen_sa_attribute number",
    // NFS
    "nfs_procedure number", "nfs.version number",
    // FTP data connections
    "ftpdata_command number",
    // TLS
    "ssl_version number",
    // files
    "filesize number",
    // EtherNet/IP
    "enip.command number", "enip.status number", "enip.protocol_version number", "cip_service number",
    "enip.cip_class number", "enip.cip_instance number", "enip.cip_attribute number", "enip.cip_status number",
    "enip.cip_extendedstatus number", "enip.revision number", "enip.identity_status number", "enip.state number",
    "enip.serial number", "enip.product_code number", "enip.device_type number", "enip.vendor_id number",
    "enip.capabilities number", "enip.product_name", "enip.service_name",
    // Modbus
    "modbus number",
    // NTP
    "ntp.reference_id", "ntp.version number", "ntp.stratum number", "ntp.mode number",
};

using K = BufferKeywordKind;
struct Alias {
  std::string_view keyword;
  BufferId buffer;
  K kind;
};

// Legacy and alternative spellings accepted by Suricata 4-7 and Snort 2.
constexpr Alias kAliases[] = {
    {"pkt_data", BufferId::Payload, K::Sticky},
    {"http_uri", BufferId::HttpUri, K::ContentModifier},
    {"http_raw_uri", BufferId::HttpRawUri, K::ContentModifier},
    {"http.uri.raw", BufferId::HttpRawUri, K::Sticky},
    {"http.raw_uri", BufferId::HttpRawUri, K::Sticky},
    {"http_method", BufferId::HttpMethod, K::ContentModifier},
    {"http_protocol", BufferId::HttpProtocol, K::Sticky},
    {"http_request_line", BufferId::HttpRequestLine, K::Sticky},
    {"http_host", BufferId::HttpHost, K::ContentModifier},
    {"http_raw_host", BufferId::HttpRawHost, K::ContentModifier},
    {"http_user_agent", BufferId::HttpUserAgent, K::ContentModifier},
    {"http.useragent", BufferId::HttpUserAgent, K::Sticky},
    {"http_header", BufferId::HttpHeader, K::ContentModifier},
    {"http_raw_header", BufferId::HttpRawHeader, K::ContentModifier},
    {"http_header_names", BufferId::HttpHeaderNames, K::Sticky},
    {"http_cookie", BufferId::HttpCookie, K::ContentModifier},
    {"http_content_type", BufferId::HttpContentType, K::Sticky},
    {"http_content_len", BufferId::HttpContentLen, K::Sticky},
    {"http_referer", BufferId::HttpReferer, K::Sticky},
    {"http_accept", BufferId::HttpAccept, K::Sticky},
    {"http_accept_enc", BufferId::HttpAcceptEnc, K::Sticky},
    {"http_accept_lang", BufferId::HttpAcceptLang, K::Sticky},
    {"http_connection", BufferId::HttpConnection, K::Sticky},
    {"http_start", BufferId::HttpStart, K::Sticky},
    // HTTP bodies are one buffer: request and response bodies are inspected once, as file.data
    // (Suricata keeps them apart; scanning the same bytes twice costs a quarter of the sensor).
    {"http_client_body", BufferId::FileData, K::ContentModifier},
    {"http.request_body", BufferId::FileData, K::Sticky},
    {"http_stat_code", BufferId::HttpStatCode, K::ContentModifier},
    {"http_stat_msg", BufferId::HttpStatMsg, K::ContentModifier},
    {"http_response_line", BufferId::HttpResponseLine, K::Sticky},
    {"http_server_body", BufferId::FileData, K::ContentModifier},
    {"http.server_body", BufferId::FileData, K::Sticky},
    {"http.response_body", BufferId::FileData, K::Sticky},
    {"file_data", BufferId::FileData, K::Sticky},
    {"file.name", BufferId::FileName, K::Sticky},
    {"dns_query", BufferId::DnsQuery, K::Sticky},
    {"tls_sni", BufferId::TlsSni, K::Sticky},
    {"tls_cert_subject", BufferId::TlsCertSubject, K::Sticky},
    {"tls_cert_issuer", BufferId::TlsCertIssuer, K::Sticky},
    {"tls_cert_serial", BufferId::TlsCertSerial, K::Sticky},
    {"tls_cert_fingerprint", BufferId::TlsCertFingerprint, K::Sticky},
    {"ja3_hash", BufferId::Ja3Hash, K::Sticky},
    {"ja3_string", BufferId::Ja3String, K::Sticky},
    {"ja3s_hash", BufferId::Ja3sHash, K::Sticky},
    {"ja3s_string", BufferId::Ja3sString, K::Sticky},
    {"smtp.mail_from", BufferId::SmtpMailFrom, K::Sticky},
    {"ssh_proto", BufferId::SshProto, K::Sticky},
    {"ssh_software", BufferId::SshSoftware, K::Sticky},
    {"dce_stub_data", BufferId::DceStubData, K::Sticky},
    {"smb_named_pipe", BufferId::SmbNamedPipe, K::Sticky},
    {"smb_share", BufferId::SmbShare, K::Sticky},
    // mDNS (Suricata 8): DNS's record-name buffers; the keyword binds the rule to mdns.
    {"mdns.queries.rrname", BufferId::DnsQueriesRrname, K::Sticky},
    {"mdns.answers.rrname", BufferId::DnsAnswersRrname, K::Sticky},
    {"mdns.authorities.rrname", BufferId::DnsAuthoritiesRrname, K::Sticky},
    {"mdns.additionals.rrname", BufferId::DnsAdditionalsRrname, K::Sticky},
    {"mdns.response.rrname", BufferId::DnsResponseRrname, K::Sticky},
    // DNP3
    {"dnp3_data", BufferId::Dnp3Data, K::Sticky},
    // Kerberos 5
    {"krb5_cname", BufferId::Krb5Cname, K::Sticky},
    {"krb5_sname", BufferId::Krb5Sname, K::Sticky},
};

}  // namespace

std::string_view bufferName(BufferId id) { return kNames[index(id)]; }

std::optional<BufferKeyword> findBufferKeyword(std::string_view keyword) {
  for (const Alias& alias : kAliases) {
    if (alias.keyword == keyword) return BufferKeyword{alias.buffer, alias.kind};
  }
  for (std::size_t i = 1; i < kBufferCount; ++i) {  // "payload" itself is not a keyword
    if (kNames[i] == keyword) return BufferKeyword{static_cast<BufferId>(i), K::Sticky};
  }
  return std::nullopt;
}

}  // namespace gsoc::signatures

#pragma once
// Anomaly events: what the decoder, the fragment and stream reassemblers and the app-layer
// parsers noticed about malformed or evasive traffic, with Suricata's names, so the
// `decode-event`, `stream-event` and `app-layer-event` keywords of Suricata's events rules
// match and EVE `anomaly` records read as Suricata's do.
//
// The table lists only the events gsoc raises. A rule may name any other event (Suricata knows
// some 400, most for decoders and protocols gsoc does not have): it loads, never matches, and
// the rule parser says so in a warning (docs/rule-language.md).

#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>

namespace gsoc::signatures {

enum class AppProto : std::uint8_t;  // Rule.hpp

enum class EventKind : std::uint8_t { Decode, Stream, AppLayer };
std::string_view eventKindName(EventKind kind);  // "decode", "stream", "applayer" (EVE anomaly.type)

// X(id, kind, app protocol, keyword name): the keyword name is what the rule writes after
// `decode-event:`, `stream-event:` or `app-layer-event:` (app-layer names carry the protocol).
#define GSOC_ANOMALY_EVENTS(X)                                                        \
  X(EthernetPktTooSmall, Decode, None, "ethernet.pkt_too_small")                      \
  X(EthernetUnknownEthertype, Decode, None, "ethernet.unknown_ethertype")            \
  X(SllPktTooSmall, Decode, None, "sll.pkt_too_small")                                \
  X(LtnullPktTooSmall, Decode, None, "ltnull.pkt_too_small")                          \
  X(LtnullUnsupportedType, Decode, None, "ltnull.unsupported_type")                   \
  X(ChdlcPktTooSmall, Decode, None, "chdlc.pkt_too_small")                            \
  X(PppPktTooSmall, Decode, None, "ppp.pkt_too_small")                                \
  X(VlanHeaderTooSmall, Decode, None, "vlan.header_too_small")                        \
  X(VlanTooManyLayers, Decode, None, "vlan.too_many_layers")                          \
  X(IprawInvalidIpVersion, Decode, None, "ipraw.invalid_ip_version")                  \
  X(Ipv4PktTooSmall, Decode, None, "ipv4.pkt_too_small")                              \
  X(Ipv4HlenTooSmall, Decode, None, "ipv4.hlen_too_small")                            \
  X(Ipv4IplenSmallerThanHlen, Decode, None, "ipv4.iplen_smaller_than_hlen")          \
  X(Ipv4TruncPkt, Decode, None, "ipv4.trunc_pkt")                                     \
  X(Ipv4WrongIpVersion, Decode, None, "ipv4.wrong_ip_version")                        \
  X(Ipv4OptInvalidLen, Decode, None, "ipv4.opt_invalid_len")                          \
  X(Ipv4OptEolRequired, Decode, None, "ipv4.opt_eol_required")                        \
  X(Ipv4OptDuplicate, Decode, None, "ipv4.opt_duplicate")                             \
  X(Ipv4OptUnknown, Decode, None, "ipv4.opt_unknown")                                 \
  X(Ipv4FragPktTooLarge, Decode, None, "ipv4.frag_pkt_too_large")                     \
  X(Ipv4FragOverlap, Decode, None, "ipv4.frag_overlap")                               \
  X(Ipv6PktTooSmall, Decode, None, "ipv6.pkt_too_small")                              \
  X(Ipv6TruncPkt, Decode, None, "ipv6.trunc_pkt")                                     \
  X(Ipv6TruncExthdr, Decode, None, "ipv6.trunc_exthdr")                               \
  X(Ipv6WrongIpVersion, Decode, None, "ipv6.wrong_ip_version")                        \
  X(Ipv6ExthdrDuplFh, Decode, None, "ipv6.exthdr_dupl_fh")                            \
  X(Ipv6ExthdrUselessFh, Decode, None, "ipv6.exthdr_useless_fh")                      \
  X(Ipv6ExthdrDuplRh, Decode, None, "ipv6.exthdr_dupl_rh")                            \
  X(Ipv6ExthdrDuplHh, Decode, None, "ipv6.exthdr_dupl_hh")                            \
  X(Ipv6ExthdrDuplDh, Decode, None, "ipv6.exthdr_dupl_dh")                            \
  X(Ipv6ExthdrDuplAh, Decode, None, "ipv6.exthdr_dupl_ah")                            \
  X(Ipv6ExthdrInvalidOptlen, Decode, None, "ipv6.exthdr_invalid_optlen")              \
  X(Ipv6HopoptsUnknownOpt, Decode, None, "ipv6.hopopts_unknown_opt")                  \
  X(Ipv6HopoptsOnlyPadding, Decode, None, "ipv6.hopopts_only_padding")                \
  X(Ipv6DstoptsUnknownOpt, Decode, None, "ipv6.dstopts_unknown_opt")                  \
  X(Ipv6DstoptsOnlyPadding, Decode, None, "ipv6.dstopts_only_padding")                \
  X(Ipv6RhType0, Decode, None, "ipv6.rh_type_0")                                      \
  X(Ipv6FhNonZeroReservedField, Decode, None, "ipv6.fh_non_zero_reserved_field")      \
  X(Ipv6DataAfterNoneHeader, Decode, None, "ipv6.data_after_none_header")             \
  X(Ipv6FragPktTooLarge, Decode, None, "ipv6.frag_pkt_too_large")                     \
  X(Ipv6FragOverlap, Decode, None, "ipv6.frag_overlap")                               \
  X(Ipv6FragInvalidLength, Decode, None, "ipv6.frag_invalid_length")                  \
  X(TcpPktTooSmall, Decode, None, "tcp.pkt_too_small")                                \
  X(TcpHlenTooSmall, Decode, None, "tcp.hlen_too_small")                              \
  X(TcpInvalidOptlen, Decode, None, "tcp.invalid_optlen")                             \
  X(TcpOptInvalidLen, Decode, None, "tcp.opt_invalid_len")                            \
  X(TcpOptDuplicate, Decode, None, "tcp.opt_duplicate")                               \
  X(UdpPktTooSmall, Decode, None, "udp.pkt_too_small")                                \
  X(UdpHlenTooSmall, Decode, None, "udp.hlen_too_small")                              \
  X(UdpLenInvalid, Decode, None, "udp.len_invalid")                                   \
  X(Icmpv4PktTooSmall, Decode, None, "icmpv4.pkt_too_small")                          \
  X(Icmpv4UnknownType, Decode, None, "icmpv4.unknown_type")                          \
  X(Icmpv4UnknownCode, Decode, None, "icmpv4.unknown_code")                          \
  X(Icmpv6PktTooSmall, Decode, None, "icmpv6.pkt_too_small")                          \
  X(SctpPktTooSmall, Decode, None, "sctp.pkt_too_small")                              \
  X(StreamReassemblySeqGap, Stream, None, "reassembly_seq_gap")                       \
  X(HttpRequestFieldMissingColon, AppLayer, Http, "http.request_field_missing_colon") \
  X(HttpResponseFieldMissingColon, AppLayer, Http, "http.response_field_missing_colon") \
  X(HttpInvalidRequestChunkLen, AppLayer, Http, "http.invalid_request_chunk_len")     \
  X(HttpInvalidResponseChunkLen, AppLayer, Http, "http.invalid_response_chunk_len")   \
  X(HttpInvalidContentLengthInRequest, AppLayer, Http, "http.invalid_content_length_field_in_request") \
  X(HttpInvalidContentLengthInResponse, AppLayer, Http, "http.invalid_content_length_field_in_response") \
  X(HttpDuplicateContentLengthInRequest, AppLayer, Http, "http.duplicate_content_length_field_in_request") \
  X(HttpDuplicateContentLengthInResponse, AppLayer, Http, "http.duplicate_content_length_field_in_response") \
  X(HttpMissingHostHeader, AppLayer, Http, "http.missing_host_header")                \
  X(HttpRequestLineLeadingWhitespace, AppLayer, Http, "http.request_line_leading_whitespace") \
  X(HttpRequestLineMissingProtocol, AppLayer, Http, "http.request_line_missing_protocol") \
  X(HttpRequestLineInvalid, AppLayer, Http, "http.request_line_invalid")              \
  X(HttpResponseInvalidProtocol, AppLayer, Http, "http.response_invalid_protocol")    \
  X(HttpGzipDecompressionFailed, AppLayer, Http, "http.gzip_decompression_failed")    \
  X(DnsMalformedData, AppLayer, Dns, "dns.malformed_data")                            \
  X(DnsNotRequest, AppLayer, Dns, "dns.not_request")                                  \
  X(DnsNotResponse, AppLayer, Dns, "dns.not_response")                                \
  X(DnsZFlagSet, AppLayer, Dns, "dns.z_flag_set")                                     \
  X(DnsInvalidOpcode, AppLayer, Dns, "dns.invalid_opcode")                             \
  X(DnsInvalidAdditionals, AppLayer, Dns, "dns.invalid_additionals")                   \
  X(DnsInvalidAuthorities, AppLayer, Dns, "dns.invalid_authorities")                   \
  X(TlsInvalidRecordType, AppLayer, Tls, "tls.invalid_record_type")                  \
  X(TlsInvalidRecordVersion, AppLayer, Tls, "tls.invalid_record_version")            \
  X(TlsInvalidHandshakeMessage, AppLayer, Tls, "tls.invalid_handshake_message")     \
  X(TlsInvalidCertificate, AppLayer, Tls, "tls.invalid_certificate")                \
  X(TlsCertificateInvalidLength, AppLayer, Tls, "tls.certificate_invalid_length")  \
  X(MqttMissingConnect, AppLayer, Mqtt, "mqtt.missing_connect")                      \
  X(MqttMissingPublish, AppLayer, Mqtt, "mqtt.missing_publish")                      \
  X(MqttMissingSubscribe, AppLayer, Mqtt, "mqtt.missing_subscribe")                  \
  X(MqttMissingUnsubscribe, AppLayer, Mqtt, "mqtt.missing_unsubscribe")              \
  X(MqttDoubleConnect, AppLayer, Mqtt, "mqtt.double_connect")                        \
  X(MqttUnintroducedMessage, AppLayer, Mqtt, "mqtt.unintroduced_message")            \
  X(MqttInvalidQosLevel, AppLayer, Mqtt, "mqtt.invalid_qos_level")                   \
  X(MqttMissingMsgId, AppLayer, Mqtt, "mqtt.missing_msg_id")                         \
  X(MqttUnassignedMsgType, AppLayer, Mqtt, "mqtt.unassigned_msg_type")               \
  X(MqttTooManyTransactions, AppLayer, Mqtt, "mqtt.too_many_transactions")           \
  X(MqttMalformedTraffic, AppLayer, Mqtt, "mqtt.malformed_traffic")                  \
  X(FtpRequestCommandTooLong, AppLayer, Ftp, "ftp.request_command_too_long")         \
  X(FtpResponseCommandTooLong, AppLayer, Ftp, "ftp.response_command_too_long")       \
  X(LdapTooManyTransactions, AppLayer, Ldap, "ldap.too_many_transactions")           \
  X(LdapInvalidData, AppLayer, Ldap, "ldap.invalid_data")                           \
  X(LdapRequestNotFound, AppLayer, Ldap, "ldap.request_not_found")                  \
  X(LdapIncompleteData, AppLayer, Ldap, "ldap.incomplete_data")  \
  X(QuicFailedDecrypt, AppLayer, Quic, "quic.failed_decrypt")                       \
  X(QuicErrorOnData, AppLayer, Quic, "quic.error_on_data")                           \
  X(QuicErrorOnHeader, AppLayer, Quic, "quic.error_on_header")                       \
  X(QuicCryptoFragTooLong, AppLayer, Quic, "quic.crypto_frag_too_long")              \
  X(SmtpInvalidReply, AppLayer, Smtp, "smtp.invalid_reply")                                       \
  X(SmtpUnableToMatchReplyWithRequest, AppLayer, Smtp, "smtp.unable_to_match_reply_with_request") \
  X(SmtpMaxCommandLineLenExceeded, AppLayer, Smtp, "smtp.max_command_line_len_exceeded")          \
  X(SmtpMaxReplyLineLenExceeded, AppLayer, Smtp, "smtp.max_reply_line_len_exceeded")              \
  X(SmtpInvalidPipelinedSequence, AppLayer, Smtp, "smtp.invalid_pipelined_sequence")              \
  X(SmtpBdatChunkLenExceeded, AppLayer, Smtp, "smtp.bdat_chunk_len_exceeded")                     \
  X(SmtpNoServerWelcomeMessage, AppLayer, Smtp, "smtp.no_server_welcome_message")                 \
  X(SmtpTlsRejected, AppLayer, Smtp, "smtp.tls_rejected")                                         \
  X(SmtpDataCommandRejected, AppLayer, Smtp, "smtp.data_command_rejected")                        \
  X(SmtpMimeLongFilename, AppLayer, Smtp, "smtp.mime_long_filename")                              \
  X(SmtpDuplicateFields, AppLayer, Smtp, "smtp.duplicate_fields")                                 \
  X(SmtpUnparsableContent, AppLayer, Smtp, "smtp.unparsable_content")                             \
  X(SmtpFailedProtocolChange, AppLayer, Smtp, "smtp.failed_protocol_change")                      \
  X(SmtpTruncatedLine, AppLayer, Smtp, "smtp.truncated_line")                                     \
  X(SmtpInvalidBdat, AppLayer, Smtp, "smtp.invalid_bdat")                                         \
  /* RFB */                                                                                       \
  X(RfbUnimplementedSecurityType, AppLayer, Rfb, "rfb.unimplemented_security_type")               \
  X(RfbUnknownSecurityResult, AppLayer, Rfb, "rfb.unknown_security_result")                       \
  X(RfbMalformedMessage, AppLayer, Rfb, "rfb.malformed_message")                                  \
  X(RfbConfusedState, AppLayer, Rfb, "rfb.confused_state")                                       \
  /* POP3 */                                                                                      \
  X(Pop3TooManyTransactions, AppLayer, Pop3, "pop3.too_many_transactions")                        \
  X(Pop3RequestTooLong, AppLayer, Pop3, "pop3.request_too_long")                                  \
  X(Pop3ResponseTooLong, AppLayer, Pop3, "pop3.response_too_long")                                \
  X(Pop3IncorrectArgumentCount, AppLayer, Pop3, "pop3.incorrect_argument_count")                  \
  X(Pop3UnknownCommand, AppLayer, Pop3, "pop3.unknown_command")                                  \
  /* DNP3 */                                                                                      \
  X(Dnp3Flooded, AppLayer, Dnp3, "dnp3.flooded")                                                  \
  X(Dnp3LenTooSmall, AppLayer, Dnp3, "dnp3.len_too_small")                                        \
  X(Dnp3BadLinkCrc, AppLayer, Dnp3, "dnp3.bad_link_crc")                                          \
  X(Dnp3BadTransportCrc, AppLayer, Dnp3, "dnp3.bad_transport_crc")                                \
  X(Dnp3Malformed, AppLayer, Dnp3, "dnp3.malformed")                                              \
  X(Dnp3UnknownObject, AppLayer, Dnp3, "dnp3.unknown_object")                                     \
  X(Dnp3TooManyPoints, AppLayer, Dnp3, "dnp3.too_many_points")                                    \
  X(Dnp3TooManyObjects, AppLayer, Dnp3, "dnp3.too_many_objects")                                  \
  X(Dnp3TooLongReassembly, AppLayer, Dnp3, "dnp3.too_long_reassembly")                              \
  /* HTTP/2 */                                                                                    \
  X(Http2InvalidFrameHeader, AppLayer, Http2, "http2.invalid_frame_header")                       \
  X(Http2InvalidClientMagic, AppLayer, Http2, "http2.invalid_client_magic")                       \
  X(Http2InvalidFrameData, AppLayer, Http2, "http2.invalid_frame_data")                           \
  X(Http2InvalidHeader, AppLayer, Http2, "http2.invalid_header")                                  \
  X(Http2InvalidFrameLength, AppLayer, Http2, "http2.invalid_frame_length")                       \
  X(Http2FailedDecompression, AppLayer, Http2, "http2.failed_decompression")                      \
  X(Http2TooManyStreams, AppLayer, Http2, "http2.too_many_streams")                               \
  X(Http2AuthorityHostMismatch, AppLayer, Http2, "http2.authority_host_mismatch")                 \
  X(Http2UserinfoInUri, AppLayer, Http2, "http2.userinfo_in_uri")                                \
  /* Decoder: NSH and GRE (helper-decode) */                                                      \
  X(NshHeaderTooSmall, Decode, None, "nsh.header_too_small")                                      \
  X(NshUnsupportedVersion, Decode, None, "nsh.unsupported_version")                               \
  X(NshBadHeaderLength, Decode, None, "nsh.bad_header_length")                                    \
  X(NshUnsupportedType, Decode, None, "nsh.unsupported_type")                                     \
  X(NshUnknownPayload, Decode, None, "nsh.unknown_payload")                                       \
  X(GrePktTooSmall, Decode, None, "gre.pkt_too_small")                                             \
  /* Small UDP/ICS protocols: DHCP */                                                             \
  X(DhcpMalformedOptions, AppLayer, Dhcp, "dhcp.malformed_options")                               \
  X(DhcpTruncatedOptions, AppLayer, Dhcp, "dhcp.truncated_options")                              \
  /* IKE */                                                                                       \
  X(IkeMalformedData, AppLayer, Ike, "ike.malformed_data")                                        \
  X(IkeNoEncryption, AppLayer, Ike, "ike.no_encryption")                                          \
  X(IkeWeakCryptoEnc, AppLayer, Ike, "ike.weak_crypto_enc")                                       \
  X(IkeWeakCryptoPrf, AppLayer, Ike, "ike.weak_crypto_prf")                                       \
  X(IkeWeakCryptoDh, AppLayer, Ike, "ike.weak_crypto_dh")                                         \
  X(IkeWeakCryptoAuth, AppLayer, Ike, "ike.weak_crypto_auth")                                     \
  X(IkeWeakCryptoNoDh, AppLayer, Ike, "ike.weak_crypto_no_dh")                                    \
  X(IkeWeakCryptoNoAuth, AppLayer, Ike, "ike.weak_crypto_no_auth")                                \
  X(IkeInvalidProposal, AppLayer, Ike, "ike.invalid_proposal")                                    \
  X(IkeUnknownProposal, AppLayer, Ike, "ike.unknown_proposal")                                    \
  X(IkePayloadExtraData, AppLayer, Ike, "ike.payload_extra_data")                                 \
  X(IkeMultipleServerProposal, AppLayer, Ike, "ike.multiple_server_proposal")                      \
  /* NFS */                                                                                       \
  X(NfsMalformedData, AppLayer, Nfs, "nfs.malformed_data")                                        \
  X(NfsNonExistingVersion, AppLayer, Nfs, "nfs.non_existing_version")                             \
  X(NfsUnsupportedVersion, AppLayer, Nfs, "nfs.unsupported_version")                               \
  /* HTTP/1 and HTTP/2 (helper-http) */                                                           \
  X(HttpRequestChunkExtension, AppLayer, Http, "http.request_chunk_extension")                    \
  X(HttpRequestBodyUnexpected, AppLayer, Http, "http.request_body_unexpected")                    \
  X(HttpTooManyEncodingLayers, AppLayer, Http, "http.too_many_encoding_layers")                   \
  X(Http2DnsRequestTooLong, AppLayer, Http2, "http2.dns_request_too_long")                        \
  X(Http2DnsResponseTooLong, AppLayer, Http2, "http2.dns_response_too_long")                      \
  X(StreamSuspectedRstInject, Stream, None, "suspected_rst_inject")                                \
  /* FTP: more commands awaiting their replies than max-tx; a RETR or STOR before any data port */ \
  X(FtpTooManyTransactions, AppLayer, Ftp, "ftp.too_many_transactions")                           \
  X(FtpFileBeforePort, AppLayer, Ftp, "ftp.file_before_port")                                     \
  /* protocol detection: each direction's data detected as a different protocol */                \
  X(ApplayerMismatchProtocolBothDirections, AppLayer, None, "applayer_mismatch_protocol_both_directions") \
  /* NTP, BitTorrent DHT (helper-udp3): a datagram that does not parse */                          \
  X(NtpMalformedData, AppLayer, Ntp, "ntp.malformed_data")                                        \
  X(BittorrentDhtMalformedPacket, AppLayer, BittorrentDht, "bittorrent-dht.malformed_packet")

enum class AnomalyEvent : std::uint16_t {  // room for every protocol's events
#define GSOC_EVENT_ENUM(id, kind, app, name) id,
  GSOC_ANOMALY_EVENTS(GSOC_EVENT_ENUM)
#undef GSOC_EVENT_ENUM
      Count_
};
inline constexpr std::size_t kAnomalyEventCount = static_cast<std::size_t>(AnomalyEvent::Count_);

struct AnomalyEventInfo {
  EventKind kind;
  AppProto app;             // app-layer events: the protocol; None otherwise
  std::string_view name;    // the keyword's name ("ipv4.trunc_pkt", "reassembly_seq_gap", "http.missing_host_header")
};
const AnomalyEventInfo& anomalyEventInfo(AnomalyEvent event);
// The event a keyword of `kind` names, if gsoc raises it.
std::optional<AnomalyEvent> findAnomalyEvent(EventKind kind, std::string_view name);

// The events one packet, stream chunk or transaction carries. A fixed bitset: setting, testing
// and clearing never allocate.
class EventSet {
 public:
  void set(AnomalyEvent e) { bits_.set(static_cast<std::size_t>(e)); }
  [[nodiscard]] bool test(AnomalyEvent e) const { return bits_.test(static_cast<std::size_t>(e)); }
  [[nodiscard]] bool any() const { return bits_.any(); }
  void clear() { bits_.reset(); }
  void merge(const EventSet& o) { bits_ |= o.bits_; }
  // Calls f(AnomalyEvent) for each event set, in table order.
  template <typename F>
  void forEach(F&& f) const {
    if (!bits_.any()) return;
    for (std::size_t i = 0; i < kAnomalyEventCount; ++i) {
      if (bits_.test(i)) f(static_cast<AnomalyEvent>(i));
    }
  }

 private:
  std::bitset<kAnomalyEventCount> bits_;
};

}  // namespace gsoc::signatures

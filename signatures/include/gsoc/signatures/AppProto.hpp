#pragma once
// Application protocols as rules name them and the sensor identifies them on flows, and which
// rule protocol applies to which flow protocol (Suricata's AppProtoEquals). Shared by the rule
// language and the sensor's app layer, so neither needs the other's headers for it.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace gsoc::signatures {

// Application protocol a rule is bound to (`alert http ...`); None means "any traffic".
// Mdns: DNS on UDP port 5353, a protocol of its own since Suricata 8 (mdns rules, EVE mdns).
enum class AppProto : std::uint8_t { None, Http, Dns, Tls, Smtp, Ftp, FtpData, Smb, Ssh, Dcerpc, Mqtt, Sip, Ldap, Quic, Mdns,
                                     Websocket,  // WebSocket (issue 15)
                                      // PostgreSQL, RFB, POP3 and IMAP (issue 15)
                                      Pgsql, Rfb, Pop3, Imap,
                                      Dnp3,  // DNP3
                                      Krb5,  // Kerberos 5
                                     // HTTP/2: a flow speaking it, DNS over it (doh2), and the rule-only http1
                                     // (Suricata's http is any version, http1 HTTP/1.x only; HTTP/1.x flows are Http).
                                     Http2, Doh2, Http1,
                                     // Small UDP/ICS protocols (issue 15)
                                     Snmp, Tftp, Dhcp,
                                     Ike,  // IKE (IKEv1 and IKEv2; Suricata's ike, alias ikev2)
                                     Nfs,  // NFS over ONC RPC (v2, v3, v4), TCP and UDP
                                     Enip, Modbus,  // EtherNet/IP with CIP (TCP and UDP), Modbus/TCP
                                     Ntp, Rdp, BittorrentDht,  // NTP, RDP, BitTorrent DHT (helper-udp3)
                                     Count_ };
inline constexpr std::size_t kAppProtoCount = static_cast<std::size_t>(AppProto::Count_);
std::string_view appProtoName(AppProto proto);


// Whether a rule bound to `rule` applies to a flow of `flow`: the same protocol, or, as
// Suricata's AppProtoEquals, a dcerpc rule on an SMB flow (DCERPC over SMB named pipes), an http
// rule on HTTP/2 (http1 only on HTTP/1.x), an http2 rule on DNS over HTTP/2, a doh2 rule on
// HTTP/2 and a dns rule on DNS over HTTP/2.
constexpr bool appProtoMatches(AppProto rule, AppProto flow) {
  if (rule == flow) return true;
  switch (rule) {
    case AppProto::Dcerpc: return flow == AppProto::Smb;
    case AppProto::Http: return flow == AppProto::Http2 || flow == AppProto::Doh2;
    case AppProto::Http1: return flow == AppProto::Http;
    case AppProto::Http2: return flow == AppProto::Doh2;
    case AppProto::Doh2: return flow == AppProto::Http2;
    case AppProto::Dns: return flow == AppProto::Doh2;
    default: return false;
  }
}
// The rule protocols other than `flow` itself whose rules apply to a flow of `flow` (at most 3).
struct AlsoMatchingApps {
  AppProto apps[3]{};
  std::size_t count = 0;
};
// A table built at compile time: the detector asks for every input it matches.
inline constexpr std::array<AlsoMatchingApps, kAppProtoCount> kAlsoMatchingApps = [] {
  std::array<AlsoMatchingApps, kAppProtoCount> table{};
  for (std::size_t f = 0; f < kAppProtoCount; ++f) {
    AlsoMatchingApps& out = table[f];
    for (std::size_t a = 1; a < kAppProtoCount; ++a) {
      const auto rule = static_cast<AppProto>(a);
      const auto flow = static_cast<AppProto>(f);
      if (rule != flow && appProtoMatches(rule, flow) && out.count < 3) out.apps[out.count++] = rule;
    }
  }
  return table;
}();
constexpr const AlsoMatchingApps& alsoMatchingApps(AppProto flow) { return kAlsoMatchingApps[static_cast<std::size_t>(flow)]; }

}  // namespace gsoc::signatures

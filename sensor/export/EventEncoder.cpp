#include "sensor/export/EventEncoder.hpp"

#include "sensor/app/HttpParser.hpp"

namespace gsoc::sensor {

std::string_view EventEncoder::alert(const AlertHit& hit, std::string_view classtype_description) {
  gsoc::v1::Event& event = events_[kAlert];
  builder_.alert(hit, classtype_description, event);
  return serialized(event);
}

std::string_view EventEncoder::flow(const Flow& flow, FlowEndReason reason) {
  gsoc::v1::Event& event = events_[kFlow];
  builder_.flow(flow, reason, event);
  return serialized(event);
}

std::string_view EventEncoder::metadata(const AppMetadata& record) {
  Body body = kHttp;
  switch (record.kind) {
    case AppMetadata::Kind::Http:
      if ((record.request != nullptr && record.request->http2ConnectionFrame()) ||
          (record.response != nullptr && record.response->http2ConnectionFrame())) {
        return {};
      }
      body = kHttp;
      break;
    case AppMetadata::Kind::Dns: body = kDns; break;
    case AppMetadata::Kind::Tls: body = kTls; break;
    case AppMetadata::Kind::Smtp: body = kSmtp; break;
    case AppMetadata::Kind::Ssh:       // EVE only: gsoc.v1 has no SSH record yet
    case AppMetadata::Kind::Mqtt:      // nor an MQTT one
    case AppMetadata::Kind::Ftp:       // nor an FTP one
    case AppMetadata::Kind::Sip:       // nor a SIP one
    case AppMetadata::Kind::Ldap:      // nor an LDAP one
    case AppMetadata::Kind::Quic:      // nor a QUIC one
    case AppMetadata::Kind::Frame:     // nor frames
    case AppMetadata::Kind::Websocket: // nor WebSocket
    case AppMetadata::Kind::Pgsql:     // nor a PostgreSQL or RFB one
    case AppMetadata::Kind::Rfb:
    case AppMetadata::Kind::Pop3:
    case AppMetadata::Kind::Dnp3:      // nor a DNP3 one
    case AppMetadata::Kind::Krb5:      // nor a Kerberos one
    case AppMetadata::Kind::Snmp:      // nor the small UDP/ICS protocols' ones
    case AppMetadata::Kind::Tftp:
    case AppMetadata::Kind::FtpData:   // nor an ftp-data one
    case AppMetadata::Kind::Dhcp:
    case AppMetadata::Kind::Ike:       // nor an IKE one
    case AppMetadata::Kind::Nfs:       // nor an NFS one
    case AppMetadata::Kind::Enip:      // nor an EtherNet/IP or Modbus one
    case AppMetadata::Kind::Modbus:
    case AppMetadata::Kind::NfsFile:
    case AppMetadata::Kind::Ntp:       // nor NTP, RDP or BitTorrent DHT ones
    case AppMetadata::Kind::Rdp:
    case AppMetadata::Kind::BittorrentDht:
    case AppMetadata::Kind::HttpFile:  // EVE only until the centre's rules expect file events
    case AppMetadata::Kind::Dcerpc:    // EVE only: gsoc.v1 has no DCERPC or SMB record yet
    case AppMetadata::Kind::Smb:
    case AppMetadata::Kind::SmbFile:
      return {};
  }
  gsoc::v1::Event& event = events_[body];
  if (!builder_.metadata(record, event)) return {};
  return serialized(event);
}

std::string_view EventEncoder::serialized(const gsoc::v1::Event& event) {
  bytes_.clear();  // keeps its capacity
  event.AppendToString(&bytes_);
  return bytes_;
}

}  // namespace gsoc::sensor

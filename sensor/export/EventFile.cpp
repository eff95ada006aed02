#include "sensor/export/EventFile.hpp"

#include <google/protobuf/io/coded_stream.h>

#include <stdexcept>

#include "gsoc/v1/event.pb.h"
#include "sensor/app/DnsParser.hpp"
#include "sensor/app/HttpParser.hpp"
#include "sensor/app/SmtpParser.hpp"
#include "sensor/app/TlsParser.hpp"
#include "sensor/export/CommunityId.hpp"

namespace gsoc::sensor {
namespace {

// Network order, 4 or 16 bytes, into a reused string (16 bytes do not fit the small-string buffer).
void assignAddress(const IpAddress& a, std::string& out) {
  const int n = a.isV4() ? 4 : 16;
  out.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>(a.value() >> (8 * (n - 1 - i)));
}

gsoc::v1::Severity severityOf(std::uint8_t priority) {
  switch (priority) {
    case 1: return gsoc::v1::SEVERITY_HIGH;
    case 2: return gsoc::v1::SEVERITY_MEDIUM;
    default: return gsoc::v1::SEVERITY_LOW;
  }
}

gsoc::v1::Indicator::Kind kindOf(signatures::IndicatorType type) {
  switch (type) {
    case signatures::IndicatorType::Ip: return gsoc::v1::Indicator::KIND_IP;
    case signatures::IndicatorType::Domain: return gsoc::v1::Indicator::KIND_DOMAIN;
    case signatures::IndicatorType::Url: return gsoc::v1::Indicator::KIND_URL;
    case signatures::IndicatorType::Hash: return gsoc::v1::Indicator::KIND_FILE_HASH;
    case signatures::IndicatorType::Email: return gsoc::v1::Indicator::KIND_EMAIL_SENDER;
  }
  return gsoc::v1::Indicator::KIND_UNSPECIFIED;
}

void fillHttp(const HttpMessage* q, const HttpMessage* a, gsoc::v1::HttpRecord& out) {
  if (q != nullptr) {
    out.set_method(q->method);
    out.set_uri(q->raw_uri);
    out.set_protocol(q->protocol);
    if (const std::string* h = q->hostHeader()) out.set_host(*h);
    if (const std::string* h = q->header("User-Agent")) out.set_user_agent(*h);
    if (const std::string* h = q->header("Referer")) out.set_referer(*h);
    out.set_request_body_len(q->body_length);
  }
  if (a != nullptr) {
    out.set_status(static_cast<std::uint32_t>(std::atoi(a->status_code.c_str())));
    if (const std::string* h = a->header("Content-Type")) out.set_content_type(*h);
    out.set_response_body_len(a->body_length);
  }
}

}  // namespace

EventBuilder::EventBuilder(std::string sensor_id, std::string agency_id, std::string ruleset_version)
    : sensor_id_(std::move(sensor_id)), agency_id_(std::move(agency_id)), ruleset_version_(std::move(ruleset_version)) {}

void EventBuilder::envelope(const Flow& flow, signatures::FlowDirection dir, std::int64_t ts, gsoc::v1::Event& out) {
  // Every envelope field is written (assign keeps a reused Event's string capacity); the event id
  // is EventSink's.
  out.clear_event_id();
  out.mutable_sensor_id()->assign(sensor_id_);
  out.mutable_agency_id()->assign(agency_id_);
  out.set_timestamp_ns(ts);
  out.set_flow_id(flow.id);
  out.mutable_community_id()->assign(communityId(flow.client, flow.server, flow.ip_proto, flow.client_port, flow.server_port).view());
  const bool to_server = dir == signatures::FlowDirection::ToServer;
  auto* t = out.mutable_tuple();
  assignAddress(to_server ? flow.client : flow.server, *t->mutable_src_ip());
  assignAddress(to_server ? flow.server : flow.client, *t->mutable_dst_ip());
  t->set_src_port(to_server ? flow.client_port : flow.server_port);
  t->set_dst_port(to_server ? flow.server_port : flow.client_port);
  t->set_ip_proto(flow.ip_proto);
  out.mutable_app_proto()->assign(signatures::appProtoName(flow.app));
  out.set_direction(to_server ? gsoc::v1::DIRECTION_TO_SERVER : gsoc::v1::DIRECTION_TO_CLIENT);
  out.set_vlan_id(flow.vlan_count ? flow.vlan[0] : 0);
  if (home_) {
    const bool client_home = home_->contains(flow.client.value());
    const bool server_home = home_->contains(flow.server.value());
    out.set_locality(client_home ? (server_home ? gsoc::v1::LOCALITY_INTERNAL : gsoc::v1::LOCALITY_OUTBOUND)
                                 : (server_home ? gsoc::v1::LOCALITY_INBOUND : gsoc::v1::LOCALITY_EXTERNAL));
  } else {
    out.set_locality(gsoc::v1::LOCALITY_UNSPECIFIED);
  }
}

void EventBuilder::alert(const AlertHit& hit, std::string_view category, gsoc::v1::Event& out) {
  if (hit.flow != nullptr) {
    envelope(*hit.flow, hit.direction, hit.timestamp_ns, out);
  } else {
    // A packet that reached no flow (an anomaly event's): its own addresses, flow id 0. Rare
    // enough that a stand-in flow per alert costs nothing.
    const Flow stand_in(0, FlowKey::of(*hit.packet), *hit.packet, 0);
    envelope(stand_in, hit.direction, hit.timestamp_ns, out);
  }
  auto* a = out.mutable_alert();
  a->Clear();
  a->set_action(gsoc::v1::Alert::ACTION_ALERT);
  a->set_ruleset_version(ruleset_version_);
  a->set_buffer(std::string(signatures::bufferName(hit.buffer)));
  a->set_excerpt(std::string(hit.excerpt.substr(0, 256)));
  if (hit.indicator != nullptr) {
    const signatures::Indicator& ioc = *hit.indicator;
    a->set_gid(9000);
    a->set_msg("GSOC IOC " + std::string(signatures::indicatorTypeName(ioc.type)) + " " + ioc.value);
    a->set_classtype("indicator-match");
    a->set_priority(1);
    a->set_severity(gsoc::v1::SEVERITY_HIGH);
    auto* i = a->mutable_indicator();
    i->set_kind(kindOf(ioc.type));
    i->set_value(ioc.value);
    i->set_id(ioc.id);
    i->set_description(ioc.description);
    return;
  }
  const signatures::Rule& r = *hit.rule;
  a->set_gid(r.gid);
  a->set_sid(r.sid);
  a->set_rev(r.rev);
  a->set_msg(r.msg);
  a->set_classtype(r.classtype.empty() ? std::string(category) : r.classtype);
  a->set_priority(r.priority);
  a->set_severity(severityOf(r.priority));
  a->set_target(r.target);
  for (const auto& ref : r.references) a->add_references(ref);
  for (const auto& [key, value] : r.metadata) (*a->mutable_metadata())[key] = value;
}

void EventBuilder::flow(const Flow& f, FlowEndReason reason, gsoc::v1::Event& out) {
  envelope(f, signatures::FlowDirection::ToServer, f.last_ns, out);
  auto* r = out.mutable_flow();
  r->Clear();
  r->set_packets_to_server(f.counters[Flow::kToServer].packets);
  r->set_packets_to_client(f.counters[Flow::kToClient].packets);
  r->set_bytes_to_server(f.counters[Flow::kToServer].bytes);
  r->set_bytes_to_client(f.counters[Flow::kToClient].bytes);
  r->set_start_ns(f.first_ns);
  r->set_end_ns(f.last_ns);
  if (f.ip_proto == 6) r->set_tcp_state(std::string(tcpStateName(f.tcp_state)));
  r->set_end_reason(std::string(flowEndReasonName(reason)));
}

bool EventBuilder::metadata(const AppMetadata& m, gsoc::v1::Event& out) {
  switch (m.kind) {
    case AppMetadata::Kind::Http:
      if ((m.request != nullptr && m.request->http2ConnectionFrame()) || (m.response != nullptr && m.response->http2ConnectionFrame())) {
        return false;  // HTTP/2's stream 0: no exchange to record
      }
      envelope(*m.flow, signatures::FlowDirection::ToServer, m.timestamp_ns, out);
      out.mutable_http()->Clear();
      fillHttp(m.request, m.response, *out.mutable_http());
      return true;
    case AppMetadata::Kind::Dns: {
      envelope(*m.flow, m.direction, m.timestamp_ns, out);
      auto* d = out.mutable_dns();
      d->Clear();
      d->set_id(m.dns->id);
      d->set_response(m.dns->response);
      d->set_rcode(std::to_string(m.dns->rcode));
      if (!m.dns->queries.empty()) {
        d->mutable_query()->assign(m.dns->queries.front().view());
        d->set_qtype(std::to_string(m.dns->query_types.front()));
      }
      for (const auto& a : m.dns->answers) {
        auto* ans = d->add_answers();
        ans->mutable_name()->assign(a.name.view());
        ans->set_type(std::to_string(a.type));
        ans->mutable_data()->assign(a.data.view());
        ans->set_ttl(a.ttl);
      }
      return true;
    }
    case AppMetadata::Kind::Tls: {
      envelope(*m.flow, signatures::FlowDirection::ToServer, m.timestamp_ns, out);
      auto* t = out.mutable_tls();
      t->Clear();
      if (m.client_hello != nullptr) {
        t->set_sni(m.client_hello->sni);
        t->set_ja3(m.client_hello->ja3_hash);
        t->set_ja4(m.client_hello->ja4);
      }
      if (m.server != nullptr) {
        t->set_version(std::to_string(m.server->version));
        t->set_ja3s(m.server->ja3s_hash);
        if (!m.server->certificates.empty()) {
          t->set_cert_subject(m.server->certificates.front().subject);
          t->set_cert_issuer(m.server->certificates.front().issuer);
          t->set_cert_serial(m.server->certificates.front().serial);
        }
      }
      return true;
    }
    case AppMetadata::Kind::Smtp: {
      envelope(*m.flow, signatures::FlowDirection::ToServer, m.timestamp_ns, out);
      auto* s = out.mutable_smtp();
      s->Clear();
      s->set_helo(m.mail->helo);
      // gsoc.v1 keeps bare addresses (what indicators and correlation compare), not the
      // commands' "<...>" arguments.
      s->set_mail_from(std::string(mailboxAddress(m.mail->mail_from)));
      for (const auto& r : m.mail->rcpt_to) s->add_rcpt_to(std::string(mailboxAddress(r)));
      s->set_subject(m.mail->subject);
      s->set_message_id(m.mail->message_id);
      s->set_header_from(m.mail->from);
      for (const auto& a : m.mail->attachments) {
        auto* f = s->add_attachments();
        f->set_filename(a.name);
        f->set_size(a.size);
        f->set_sha256(a.sha256);
        f->set_md5(a.md5);
        f->set_mime_type(a.content_type);
      }
      return true;
    }
    case AppMetadata::Kind::Ssh:
      return false;  // gsoc.v1 has no SSH record yet: the session is in the EVE output only
    case AppMetadata::Kind::Mqtt:
    case AppMetadata::Kind::Ftp:
    case AppMetadata::Kind::Sip:
    case AppMetadata::Kind::Ldap:
    case AppMetadata::Kind::Quic:
    case AppMetadata::Kind::Frame:
    case AppMetadata::Kind::Websocket:
    case AppMetadata::Kind::Pgsql:
    case AppMetadata::Kind::Rfb:
    case AppMetadata::Kind::Pop3:
    case AppMetadata::Kind::Dnp3:
    case AppMetadata::Kind::Krb5:
    case AppMetadata::Kind::Snmp:
    case AppMetadata::Kind::Tftp:
    case AppMetadata::Kind::FtpData:
    case AppMetadata::Kind::Dhcp:
    case AppMetadata::Kind::Ike:
    case AppMetadata::Kind::Nfs:
    case AppMetadata::Kind::Enip:
    case AppMetadata::Kind::Modbus:
    case AppMetadata::Kind::NfsFile:
    case AppMetadata::Kind::Ntp:       // nor NTP, RDP or BitTorrent DHT ones
    case AppMetadata::Kind::Rdp:
    case AppMetadata::Kind::BittorrentDht:
      return false;  // nor an MQTT, FTP, SIP, LDAP or QUIC one: their transactions are in the EVE output only
    case AppMetadata::Kind::HttpFile:
      // Not in gsoc.v1 yet: the centre's correlation rules select by app_proto, and an HTTP
      // file event beside each exchange would change what they count; EVE has them.
      return false;
    case AppMetadata::Kind::Dcerpc:
    case AppMetadata::Kind::Smb:
    case AppMetadata::Kind::SmbFile:
      return false;  // gsoc.v1 has no DCERPC or SMB record yet: EVE has them
  }
  return false;
}

EventFileWriter::EventFileWriter(const std::string& path) : buffer_(std::make_unique<char[]>(1 << 20)) {
  out_.rdbuf()->pubsetbuf(buffer_.get(), 1 << 20);  // before open, as the standard library needs
  out_.open(path, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error(path + ": cannot create event file");
}

void EventFileWriter::write(const gsoc::v1::Event& event) {
  scratch_.clear();
  event.AppendToString(&scratch_);
  write(std::string_view(scratch_));
}

void EventFileWriter::write(std::string_view record) {
  std::uint8_t prefix[5];  // the delimited format's length: a varint32, 5 bytes at most
  const std::uint8_t* end = google::protobuf::io::CodedOutputStream::WriteVarint32ToArray(static_cast<std::uint32_t>(record.size()), prefix);
  out_.write(reinterpret_cast<const char*>(prefix), end - prefix);
  out_.write(record.data(), static_cast<std::streamsize>(record.size()));
  ++events_;
}

}  // namespace gsoc::sensor

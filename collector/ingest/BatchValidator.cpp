#include "collector/ingest/BatchValidator.hpp"

#include "gsoc/v1/ingest.pb.h"

namespace gsoc::collector {
namespace {

Validation invalid(std::string reason) { return Validation{Validation::Verdict::Invalid, std::move(reason)}; }
Validation forbidden(std::string reason) { return Validation{Validation::Verdict::Forbidden, std::move(reason)}; }

// The longest text field of the event's body, for the oversize check.
std::size_t longestText(const gsoc::v1::Event& e) {
  std::size_t n = std::max({e.event_id().size(), e.community_id().size(), e.app_proto().size()});
  auto fold = [&n](const std::string& s) { n = std::max(n, s.size()); };
  switch (e.body_case()) {
    case gsoc::v1::Event::kAlert:
      fold(e.alert().msg());
      fold(e.alert().classtype());
      fold(e.alert().buffer());
      fold(e.alert().excerpt());
      fold(e.alert().indicator().value());
      for (const auto& r : e.alert().references()) fold(r);
      break;
    case gsoc::v1::Event::kHttp:
      fold(e.http().host());
      fold(e.http().uri());
      fold(e.http().user_agent());
      fold(e.http().referer());
      break;
    case gsoc::v1::Event::kDns:
      fold(e.dns().query());
      for (const auto& a : e.dns().answers()) fold(a.data());
      break;
    case gsoc::v1::Event::kTls:
      fold(e.tls().sni());
      fold(e.tls().cert_subject());
      fold(e.tls().cert_issuer());
      break;
    case gsoc::v1::Event::kSmtp:
      fold(e.smtp().subject());
      fold(e.smtp().mail_from());
      for (const auto& r : e.smtp().rcpt_to()) fold(r);
      break;
    case gsoc::v1::Event::kFile: fold(e.file().filename()); break;
    default: break;
  }
  return n;
}

std::string eventName(const gsoc::v1::EventBatch& batch, int i) {
  return "event " + std::to_string(i) + " (sequence " + std::to_string(batch.first_sequence() + static_cast<std::uint64_t>(i)) + ")";
}

}  // namespace

Validation validateBatch(const SensorIdentity& identity, const gsoc::v1::EventBatch& batch, std::int64_t now_ns,
                         const ValidationLimits& limits) {
  if (batch.sensor_id() != identity.sensor_id) {
    return forbidden("batch claims sensor '" + batch.sensor_id() + "' but the client certificate is sensor '" + identity.sensor_id +
                     "' of " + identity.agency_id);
  }
  if (batch.epoch() == 0) return invalid("epoch 0");
  if (batch.first_sequence() == 0) return invalid("first_sequence 0 (sequences start at 1)");
  if (batch.events_size() == 0) return invalid("empty batch");
  if (static_cast<std::uint32_t>(batch.events_size()) > limits.max_events) {
    return invalid(std::to_string(batch.events_size()) + " events, more than " + std::to_string(limits.max_events));
  }
  const std::string id_prefix = identity.sensor_id + ":" + std::to_string(batch.epoch()) + ":";
  for (int i = 0; i < batch.events_size(); ++i) {
    const gsoc::v1::Event& e = batch.events(i);
    if (!e.agency_id().empty() && e.agency_id() != identity.agency_id) {
      return forbidden(eventName(batch, i) + " claims agency '" + e.agency_id() + "' but the client certificate is of " + identity.agency_id);
    }
    if (!e.sensor_id().empty() && e.sensor_id() != identity.sensor_id) {
      return forbidden(eventName(batch, i) + " claims sensor '" + e.sensor_id() + "' but the client certificate is " + identity.sensor_id);
    }
    if (!e.event_id().empty() && e.event_id() != id_prefix + std::to_string(batch.first_sequence() + static_cast<std::uint64_t>(i))) {
      return invalid(eventName(batch, i) + ": event_id '" + e.event_id() + "' does not match its position");
    }
    if (e.timestamp_ns() < limits.min_timestamp_ns || e.timestamp_ns() > now_ns + limits.max_future_ns) {
      return invalid(eventName(batch, i) + ": timestamp_ns " + std::to_string(e.timestamp_ns()) + " out of range");
    }
    if (e.body_case() == gsoc::v1::Event::BODY_NOT_SET) return invalid(eventName(batch, i) + ": no body (alert, flow, http, ...)");
    if (!gsoc::v1::Direction_IsValid(e.direction())) return invalid(eventName(batch, i) + ": unknown direction " + std::to_string(e.direction()));
    const auto& t = e.tuple();
    for (const std::string* a : {&t.src_ip(), &t.dst_ip()}) {
      if (!a->empty() && a->size() != 4 && a->size() != 16) {
        return invalid(eventName(batch, i) + ": address of " + std::to_string(a->size()) + " bytes (4 or 16 expected)");
      }
    }
    if (t.src_port() > 65535 || t.dst_port() > 65535 || t.ip_proto() > 255) return invalid(eventName(batch, i) + ": port or protocol out of range");
    if (e.has_alert()) {
      const auto& a = e.alert();
      if (!gsoc::v1::Alert::Action_IsValid(a.action())) return invalid(eventName(batch, i) + ": unknown alert action " + std::to_string(a.action()));
      if (!gsoc::v1::Severity_IsValid(a.severity())) return invalid(eventName(batch, i) + ": unknown severity " + std::to_string(a.severity()));
      if (!gsoc::v1::Indicator::Kind_IsValid(a.indicator().kind())) {
        return invalid(eventName(batch, i) + ": unknown indicator kind " + std::to_string(a.indicator().kind()));
      }
    }
    if (e.ByteSizeLong() > limits.max_event_bytes) {
      return invalid(eventName(batch, i) + ": " + std::to_string(e.ByteSizeLong()) + " bytes, more than " + std::to_string(limits.max_event_bytes));
    }
    if (const std::size_t n = longestText(e); n > limits.max_string_bytes) {
      return invalid(eventName(batch, i) + ": a field of " + std::to_string(n) + " bytes, more than " + std::to_string(limits.max_string_bytes));
    }
  }
  return {};
}

}  // namespace gsoc::collector

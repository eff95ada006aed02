#include "collector/store/EventColumns.hpp"

#include <arpa/inet.h>

#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {

std::string addressText(const std::string& raw) {
  char text[INET6_ADDRSTRLEN] = {};
  if (raw.size() == 4) return inet_ntop(AF_INET, raw.data(), text, sizeof text) != nullptr ? text : "";
  if (raw.size() == 16) return inet_ntop(AF_INET6, raw.data(), text, sizeof text) != nullptr ? text : "";
  return {};
}

void deriveColumns(const gsoc::v1::Event& e, EventColumns& out) {
  out.sid = -1;
  out.severity = 0;
  out.indicator.clear();
  out.src_ip = addressText(e.tuple().src_ip());
  out.dst_ip = addressText(e.tuple().dst_ip());
  switch (e.body_case()) {
    case gsoc::v1::Event::kAlert:
      out.kind = "alert";
      out.sid = e.alert().sid();
      out.severity = e.alert().severity();
      if (e.alert().has_indicator()) out.indicator = e.alert().indicator().value();
      break;
    case gsoc::v1::Event::kFlow: out.kind = "flow"; break;
    case gsoc::v1::Event::kHttp:
      out.kind = "http";
      out.indicator = e.http().host();
      break;
    case gsoc::v1::Event::kDns:
      out.kind = "dns";
      out.indicator = e.dns().query();
      break;
    case gsoc::v1::Event::kTls:
      out.kind = "tls";
      out.indicator = e.tls().sni();
      break;
    case gsoc::v1::Event::kSmtp:
      out.kind = "smtp";
      out.indicator = e.smtp().mail_from();
      break;
    case gsoc::v1::Event::kFile:
      out.kind = "file";
      out.indicator = e.file().sha256();
      break;
    case gsoc::v1::Event::BODY_NOT_SET: out.kind = ""; break;
  }
}

bool eventCarries(const gsoc::v1::Event& e, const std::string& value) {
  if (addressText(e.tuple().src_ip()) == value || addressText(e.tuple().dst_ip()) == value) return true;
  auto file = [&value](const gsoc::v1::FileRecord& f) { return f.sha256() == value || f.md5() == value; };
  switch (e.body_case()) {
    case gsoc::v1::Event::kAlert: return e.alert().indicator().value() == value;
    case gsoc::v1::Event::kHttp: return e.http().host() == value;
    case gsoc::v1::Event::kDns: return e.dns().query() == value;
    case gsoc::v1::Event::kTls: return e.tls().sni() == value;
    case gsoc::v1::Event::kSmtp:
      if (e.smtp().mail_from() == value) return true;
      for (const auto& a : e.smtp().attachments()) {
        if (file(a)) return true;
      }
      return false;
    case gsoc::v1::Event::kFile: return file(e.file());
    default: return false;
  }
}

}  // namespace gsoc::collector

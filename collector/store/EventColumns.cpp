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

const char* kindName(const gsoc::v1::Event& e) {
  switch (e.body_case()) {
    case gsoc::v1::Event::kAlert: return "alert";
    case gsoc::v1::Event::kFlow: return "flow";
    case gsoc::v1::Event::kHttp: return "http";
    case gsoc::v1::Event::kDns: return "dns";
    case gsoc::v1::Event::kTls: return "tls";
    case gsoc::v1::Event::kSmtp: return "smtp";
    case gsoc::v1::Event::kFile: return "file";
    default: return "";
  }
}

const std::string* indicatorOf(const gsoc::v1::Event& e) {
  switch (e.body_case()) {
    case gsoc::v1::Event::kAlert: return e.alert().has_indicator() ? &e.alert().indicator().value() : nullptr;
    case gsoc::v1::Event::kHttp: return &e.http().host();
    case gsoc::v1::Event::kDns: return &e.dns().query();
    case gsoc::v1::Event::kTls: return &e.tls().sni();
    case gsoc::v1::Event::kSmtp: return &e.smtp().mail_from();
    case gsoc::v1::Event::kFile: return &e.file().sha256();
    default: return nullptr;
  }
}

void deriveColumns(const gsoc::v1::Event& e, EventColumns& out) {
  out.kind = kindName(e);
  out.sid = e.has_alert() ? static_cast<std::int64_t>(e.alert().sid()) : -1;  // not the uint32 -1
  out.severity = e.has_alert() ? e.alert().severity() : 0;
  const std::string* indicator = indicatorOf(e);
  out.indicator = indicator != nullptr ? *indicator : std::string();
  out.src_ip = addressText(e.tuple().src_ip());
  out.dst_ip = addressText(e.tuple().dst_ip());
}

void forEachObservable(const gsoc::v1::Event& e, const std::function<void(std::string_view)>& visit) {
  for (const std::string* raw : {&e.tuple().src_ip(), &e.tuple().dst_ip()}) {
    if (const std::string text = addressText(*raw); !text.empty()) visit(text);
  }
  auto file = [&visit](const gsoc::v1::FileRecord& f) {
    if (!f.sha256().empty()) visit(f.sha256());
    if (!f.md5().empty()) visit(f.md5());
  };
  switch (e.body_case()) {
    case gsoc::v1::Event::kAlert:
      if (e.alert().has_indicator()) visit(e.alert().indicator().value());
      break;
    case gsoc::v1::Event::kHttp: visit(e.http().host()); break;
    case gsoc::v1::Event::kDns: visit(e.dns().query()); break;
    case gsoc::v1::Event::kTls: visit(e.tls().sni()); break;
    case gsoc::v1::Event::kSmtp:
      visit(e.smtp().mail_from());
      for (const auto& a : e.smtp().attachments()) file(a);
      break;
    case gsoc::v1::Event::kFile: file(e.file()); break;
    default: break;
  }
}

bool eventCarries(const gsoc::v1::Event& e, const std::string& value) {
  if (value.empty()) return false;
  bool found = false;
  forEachObservable(e, [&](std::string_view v) { found = found || v == value; });
  return found;
}

std::string eventSummary(const gsoc::v1::Event& e) {
  switch (e.body_case()) {
    case gsoc::v1::Event::kAlert: return "[" + std::to_string(e.alert().gid()) + ":" + std::to_string(e.alert().sid()) + "] " + e.alert().msg();
    case gsoc::v1::Event::kHttp: return e.http().method() + " " + e.http().host() + e.http().uri();
    case gsoc::v1::Event::kDns: return "query " + e.dns().query() + " " + e.dns().qtype();
    case gsoc::v1::Event::kTls: return "TLS to " + e.tls().sni();
    case gsoc::v1::Event::kSmtp: return "mail from " + e.smtp().mail_from() + ": " + e.smtp().subject();
    case gsoc::v1::Event::kFile: return "file " + e.file().filename() + " " + e.file().sha256();
    default: return "";
  }
}

}  // namespace gsoc::collector

#include "collector/correlate/EventField.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "collector/store/EventColumns.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

template <typename T>
void appendNumber(FieldValues& out, T v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void collect(const Message& m, const std::vector<const FieldDescriptor*>& steps, std::size_t i, FieldValues& out) {
  const FieldDescriptor* f = steps[i];
  const Reflection* r = m.GetReflection();
  const bool last = i + 1 == steps.size();
  const bool rep = f->is_repeated();
  const int n = rep ? r->FieldSize(m, f) : (f->has_presence() && !r->HasField(m, f) ? 0 : 1);
  for (int k = 0; k < n; ++k) {
    if (!last) {
      collect(rep ? r->GetRepeatedMessage(m, f, k) : r->GetMessage(m, f), steps, i + 1, out);
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string copy;  // used only by fields not stored as std::string (cords): stays empty
        const std::string& v = rep ? r->GetRepeatedStringReference(m, f, k, &copy) : r->GetStringReference(m, f, &copy);
        if (v.empty()) break;
        // Raw 4/16-byte addresses read as text, so rules compare "192.0.2.7".
        if (f->type() == FieldDescriptor::TYPE_BYTES && (f->name() == "src_ip" || f->name() == "dst_ip")) {
          std::string text = addressText(v);
          if (!text.empty()) out.append(text);
        } else {
          out.append(v);
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_INT32: appendNumber(out, rep ? r->GetRepeatedInt32(m, f, k) : r->GetInt32(m, f)); break;
      case FieldDescriptor::CPPTYPE_INT64: appendNumber(out, rep ? r->GetRepeatedInt64(m, f, k) : r->GetInt64(m, f)); break;
      case FieldDescriptor::CPPTYPE_UINT32: appendNumber(out, rep ? r->GetRepeatedUInt32(m, f, k) : r->GetUInt32(m, f)); break;
      case FieldDescriptor::CPPTYPE_UINT64: appendNumber(out, rep ? r->GetRepeatedUInt64(m, f, k) : r->GetUInt64(m, f)); break;
      case FieldDescriptor::CPPTYPE_BOOL: out.append((rep ? r->GetRepeatedBool(m, f, k) : r->GetBool(m, f)) ? "true" : "false"); break;
      case FieldDescriptor::CPPTYPE_ENUM: out.append((rep ? r->GetRepeatedEnum(m, f, k) : r->GetEnum(m, f))->name()); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: out.append(std::to_string(rep ? r->GetRepeatedDouble(m, f, k) : r->GetDouble(m, f))); break;
      case FieldDescriptor::CPPTYPE_FLOAT: out.append(std::to_string(rep ? r->GetRepeatedFloat(m, f, k) : r->GetFloat(m, f))); break;
      case FieldDescriptor::CPPTYPE_MESSAGE: break;  // a message is not a value; the parser refuses it
    }
  }
}

// An address as text into a reused string: IPv4 by hand (the common case, read for most events
// by rules grouping by host), IPv6 through inet_ntop.
void appendAddress(std::string& out, const std::string& raw) {
  if (raw.size() == 4) {
    for (std::size_t i = 0; i < 4; ++i) {
      if (i != 0) out.push_back('.');
      char octet[4];
      const auto end = std::to_chars(octet, octet + sizeof octet, static_cast<unsigned>(static_cast<unsigned char>(raw[i]))).ptr;
      out.append(octet, static_cast<std::size_t>(end - octet));
    }
  } else {
    out += addressText(raw);
  }
}

}  // namespace

EventField::EventField(std::string_view path) : path_(path) {
  // Paths nearly every rule groups by are read directly, not through reflection.
  if (path == "agency_id") special_ = Special::AgencyId;
  else if (path == "sensor_id") special_ = Special::SensorId;
  else if (path == "tuple.src_ip") special_ = Special::SrcIp;
  else if (path == "tuple.dst_ip") special_ = Special::DstIp;
  if (path == "kind") {
    special_ = Special::Kind;
    return;
  }
  if (path == "indicator") {
    special_ = Special::Indicator;
    return;
  }
  if (path == "destination") {
    special_ = Special::Destination;
    return;
  }
  const google::protobuf::Descriptor* d = gsoc::v1::Event::descriptor();
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string name(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (d == nullptr) throw std::invalid_argument("'" + path_ + "': '" + steps_.back()->name() + "' is not a message");
    const FieldDescriptor* f = d->FindFieldByName(name);
    if (f == nullptr) throw std::invalid_argument("'" + path_ + "': " + d->full_name() + " has no field '" + name + "'");
    steps_.push_back(f);
    d = f->message_type();
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (steps_.back()->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    throw std::invalid_argument("'" + path_ + "' is a message (" + steps_.back()->message_type()->full_name() + "), not a value");
  }
}

// A registered domain, roughly: the last two labels, or three under a second-level domain of a
// country (go.jp, co.uk). Enough to tell a new name of a known site from a new site.
std::string_view registeredDomain(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const auto last = name.rfind('.');
  if (last == std::string_view::npos || last == 0) return name;
  const auto second = name.rfind('.', last - 1);
  if (second == std::string_view::npos) return name;
  const std::string_view sld = name.substr(second + 1, last - second - 1);
  const bool country = name.size() - last - 1 == 2;
  static constexpr std::string_view kSecondLevel[] = {"co", "go", "ac", "or", "ne", "gr", "lg", "ed", "ad", "com", "net", "org", "gov", "edu"};
  if (country && std::find(std::begin(kSecondLevel), std::end(kSecondLevel), sld) != std::end(kSecondLevel)) {
    const auto third = second == 0 ? std::string_view::npos : name.rfind('.', second - 1);
    return third == std::string_view::npos ? name : name.substr(third + 1);
  }
  return name.substr(second + 1);
}

void FieldValues::sortUnique(std::size_t first) {
  const auto b = items_.begin() + static_cast<std::ptrdiff_t>(first);
  const auto e = items_.begin() + static_cast<std::ptrdiff_t>(size_);
  std::sort(b, e);
  size_ = static_cast<std::size_t>(std::unique(b, e) - items_.begin());
}

void EventField::values(const gsoc::v1::Event& event, FieldValues& out) const {
  // Read directly, not through deriveColumns(), which formats addresses too: this is called for
  // every event and rule.
  if (special_ == Special::Kind) {
    if (const char* k = kindName(event); *k != '\0') out.append(k);
    return;
  }
  if (special_ == Special::Indicator) {
    if (const std::string* v = indicatorOf(event); v != nullptr && !v->empty()) out.append(*v);
    return;
  }
  switch (special_) {
    case Special::Destination: destination(event, out); return;
    case Special::AgencyId:
      if (!event.agency_id().empty()) out.append(event.agency_id());
      return;
    case Special::SensorId:
      if (!event.sensor_id().empty()) out.append(event.sensor_id());
      return;
    case Special::SrcIp:
    case Special::DstIp: {
      const std::string& raw = special_ == Special::SrcIp ? event.tuple().src_ip() : event.tuple().dst_ip();
      if (raw.size() != 4 && raw.size() != 16) return;
      appendAddress(out.append(), raw);
      return;
    }
    default: break;
  }
  collect(event, steps_, 0, out);
}

// The name an implant calls home to, whatever the protocol: a TLS server name, an HTTP host
// (without its port), a DNS query's registered domain; for a flow of no recognised protocol (raw TCP or UDP)
// its address and port. A flow of HTTP or TLS has none: its record names the destination.
void EventField::destination(const gsoc::v1::Event& event, FieldValues& out) {
  auto lowered = [&](std::string_view v) {
    std::string& s = out.append();
    s.assign(v);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (s.empty()) out.truncate(out.size() - 1);
  };
  switch (event.body_case()) {
    case gsoc::v1::Event::kTls:
      if (!event.tls().sni().empty()) lowered(event.tls().sni());
      return;
    case gsoc::v1::Event::kHttp: {
      std::string_view host = event.http().host();
      if (host.starts_with('[')) {  // [v6]:port
        host = host.substr(0, host.find(']') + 1);
      } else if (const auto colon = host.find(':'); colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
        host = host.substr(0, colon);
      }
      if (!host.empty()) lowered(host);
      return;
    }
    case gsoc::v1::Event::kDns: {
      // The lookup names the destination; its answer (from the resolver, whose address is the
      // record's source) is the same lookup again and no contact of the resolver's.
      if (event.dns().response() || event.dns().query().empty()) return;
      // A tunnel or a DGA-style implant asks for a new first label each time (a9f3.c2.zone.example,
      // 77c1.c2.zone.example): the name less its first label, never shorter than its registered
      // domain, which a dynamic-DNS zone shares with every other customer's names.
      std::string_view name = event.dns().query();
      while (!name.empty() && name.back() == '.') name.remove_suffix(1);
      const std::string_view domain = registeredDomain(name);
      const auto dot = name.find('.');
      lowered(dot != std::string_view::npos && name.size() - dot - 1 > domain.size() ? name.substr(dot + 1) : domain);
      return;
    }
    case gsoc::v1::Event::kFlow: {
      if (!event.app_proto().empty()) return;
      const std::string& raw = event.tuple().dst_ip();
      if (raw.size() != 4 && raw.size() != 16) return;
      std::string& s = out.append();
      if (raw.size() == 16) s += '[';
      appendAddress(s, raw);
      if (raw.size() == 16) s += ']';
      char port[8];
      s += ':';
      s.append(port, static_cast<std::size_t>(std::to_chars(port, port + sizeof port, event.tuple().dst_port()).ptr - port));
      return;
    }
    default: return;
  }
}

}  // namespace gsoc::collector

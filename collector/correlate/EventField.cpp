#include "collector/correlate/EventField.hpp"

#include <stdexcept>

#include "collector/store/EventColumns.hpp"
#include "gsoc/v1/event.pb.h"

namespace gsoc::collector {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void collect(const Message& m, const std::vector<const FieldDescriptor*>& steps, std::size_t i, std::vector<std::string>& out) {
  const FieldDescriptor* f = steps[i];
  const Reflection* r = m.GetReflection();
  const bool last = i + 1 == steps.size();
  const int n = f->is_repeated() ? r->FieldSize(m, f) : (f->has_presence() && !r->HasField(m, f) ? 0 : 1);
  for (int k = 0; k < n; ++k) {
    const bool rep = f->is_repeated();
    if (!last) {
      collect(rep ? r->GetRepeatedMessage(m, f, k) : r->GetMessage(m, f), steps, i + 1, out);
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string v = rep ? r->GetRepeatedString(m, f, k) : r->GetString(m, f);
        // Raw 4/16-byte addresses read as text, so rules compare "192.0.2.7".
        if (f->type() == FieldDescriptor::TYPE_BYTES && (f->name() == "src_ip" || f->name() == "dst_ip")) v = addressText(v);
        if (!v.empty()) out.push_back(std::move(v));
        break;
      }
      case FieldDescriptor::CPPTYPE_INT32: out.push_back(std::to_string(rep ? r->GetRepeatedInt32(m, f, k) : r->GetInt32(m, f))); break;
      case FieldDescriptor::CPPTYPE_INT64: out.push_back(std::to_string(rep ? r->GetRepeatedInt64(m, f, k) : r->GetInt64(m, f))); break;
      case FieldDescriptor::CPPTYPE_UINT32: out.push_back(std::to_string(rep ? r->GetRepeatedUInt32(m, f, k) : r->GetUInt32(m, f))); break;
      case FieldDescriptor::CPPTYPE_UINT64: out.push_back(std::to_string(rep ? r->GetRepeatedUInt64(m, f, k) : r->GetUInt64(m, f))); break;
      case FieldDescriptor::CPPTYPE_BOOL: out.push_back((rep ? r->GetRepeatedBool(m, f, k) : r->GetBool(m, f)) ? "true" : "false"); break;
      case FieldDescriptor::CPPTYPE_ENUM: out.push_back((rep ? r->GetRepeatedEnum(m, f, k) : r->GetEnum(m, f))->name()); break;
      case FieldDescriptor::CPPTYPE_DOUBLE: out.push_back(std::to_string(rep ? r->GetRepeatedDouble(m, f, k) : r->GetDouble(m, f))); break;
      case FieldDescriptor::CPPTYPE_FLOAT: out.push_back(std::to_string(rep ? r->GetRepeatedFloat(m, f, k) : r->GetFloat(m, f))); break;
      case FieldDescriptor::CPPTYPE_MESSAGE: break;  // a message is not a value; the parser refuses it
    }
  }
}

}  // namespace

EventField::EventField(std::string_view path) : path_(path) {
  if (path == "kind") {
    special_ = Special::Kind;
    return;
  }
  if (path == "indicator") {
    special_ = Special::Indicator;
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

void EventField::values(const gsoc::v1::Event& event, std::vector<std::string>& out) const {
  // Read directly, not through deriveColumns(), which formats addresses too: this is called for
  // every event and rule.
  if (special_ == Special::Kind) {
    if (const char* k = kindName(event); *k != '\0') out.emplace_back(k);
    return;
  }
  if (special_ == Special::Indicator) {
    if (const std::string* v = indicatorOf(event); v != nullptr && !v->empty()) out.push_back(*v);
    return;
  }
  collect(event, steps_, 0, out);
}

}  // namespace gsoc::collector

#pragma once
// EventField: a dotted path into gsoc.v1.Event ("smtp.attachments.sha256", "alert.sid",
// "dns.query", "tuple.src_ip"), resolved once against the message descriptor and then read with
// protobuf reflection, so correlation rules can group by any field the schema has. Repeated
// fields give one value each; addresses (tuple.src_ip/dst_ip) read as text; enums by name.
// Two names are not in the schema: `kind` (alert, flow, http, dns, tls, smtp, file) and
// `indicator` (the record's main observable, as the store's indicator column).

#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class FieldDescriptor;
}
namespace gsoc::v1 {
class Event;
}

namespace gsoc::collector {

class EventField {
 public:
  // Throws std::invalid_argument naming the first unknown step, e.g. "'smtp.attachment':
  // gsoc.v1.SmtpRecord has no field 'attachment'".
  explicit EventField(std::string_view path);

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool isKind() const { return special_ == Special::Kind; }
  // Appends the field's values in `event` to out (none when unset).
  void values(const gsoc::v1::Event& event, std::vector<std::string>& out) const;

 private:
  enum class Special { None, Kind, Indicator };
  std::string path_;
  Special special_ = Special::None;
  std::vector<const google::protobuf::FieldDescriptor*> steps_;
};

}  // namespace gsoc::collector

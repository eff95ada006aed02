#pragma once
// EventField: a dotted path into gsoc.v1.Event ("smtp.attachments.sha256", "alert.sid",
// "dns.query", "tuple.src_ip"), resolved once against the message descriptor and then read with
// protobuf reflection, so correlation rules can group by any field the schema has. Repeated
// fields give one value each; addresses (tuple.src_ip/dst_ip) read as text; enums by name.
// Three names are not in the schema: `kind` (alert, flow, http, dns, tls, smtp, file),
// `indicator` (the record's main observable, as the store's indicator column) and `destination`
// (what a host contacts, whatever the protocol: TLS SNI, HTTP host, a DNS query's registered
// domain, or the address:port of a flow no parser recognised), for analytics such as beaconing.

#include <span>
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

// The values read from events, in strings that are reused: clear() keeps every string and its
// capacity, so reading the same fields event after event allocates nothing once warm.
class FieldValues {
 public:
  void clear() { size_ = 0; }
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  [[nodiscard]] const std::string& operator[](std::size_t i) const { return items_[i]; }
  std::string& operator[](std::size_t i) { return items_[i]; }
  // A new, empty value at the end.
  std::string& append() {
    if (size_ == items_.size()) items_.emplace_back();
    std::string& s = items_[size_++];
    s.clear();
    return s;
  }
  void append(std::string_view v) { append().assign(v); }
  // Drops the values from n on (n <= size()).
  void truncate(std::size_t n) { size_ = n; }
  [[nodiscard]] std::span<const std::string> range(std::size_t first, std::size_t count) const { return {items_.data() + first, count}; }
  // Sorts values [first, size()) and drops repeats among them.
  void sortUnique(std::size_t first);
  [[nodiscard]] auto begin() const { return items_.begin(); }
  [[nodiscard]] auto end() const { return items_.begin() + static_cast<std::ptrdiff_t>(size_); }

 private:
  std::vector<std::string> items_;
  std::size_t size_ = 0;
};

// A registered domain, roughly: the last two labels, or three under a second-level domain of a
// country (go.jp, co.uk). Enough to tell a new name of a known site from a new site.
std::string_view registeredDomain(std::string_view name);

class EventField {
 public:
  // Throws std::invalid_argument naming the first unknown step, e.g. "'smtp.attachment':
  // gsoc.v1.SmtpRecord has no field 'attachment'".
  explicit EventField(std::string_view path);

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool isKind() const { return special_ == Special::Kind; }
  // Appends the field's values in `event` to out (none when unset; empty strings are no value).
  void values(const gsoc::v1::Event& event, FieldValues& out) const;

 private:
  static void destination(const gsoc::v1::Event& event, FieldValues& out);
  enum class Special { None, Kind, Indicator, Destination, AgencyId, SensorId, SrcIp, DstIp };
  std::string path_;
  Special special_ = Special::None;
  std::vector<const google::protobuf::FieldDescriptor*> steps_;
};

}  // namespace gsoc::collector

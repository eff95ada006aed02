#pragma once
// A bounded reader of ASN.1 BER/DER elements (X.690): identifier octets (class, constructed
// bit, tag numbers up to 2^28), definite lengths of up to four octets, and the content as a view
// into the input. Indefinite lengths, lengths past the input and over-long tags fail the read;
// nothing is allocated. Kerberos (Krb5Parser) reads its messages with it.

#include <cstddef>
#include <cstdint>
#include <span>

namespace gsoc::sensor {

struct DerElement {
  enum class Class : std::uint8_t { Universal = 0, Application = 1, Context = 2, Private = 3 };
  Class cls = Class::Universal;
  bool constructed = false;
  std::uint32_t tag = 0;
  std::span<const std::uint8_t> content;
  std::size_t size = 0;  // identifier, length and content octets
  [[nodiscard]] bool is(Class c, std::uint32_t t) const { return cls == c && tag == t; }
};

// Reads the element at the start of `data`; false when it is not a whole, well-formed element.
inline bool readDer(std::span<const std::uint8_t> data, DerElement& out) {
  std::size_t at = 0;
  if (data.size() < 2) return false;
  const std::uint8_t id = data[at++];
  out.cls = static_cast<DerElement::Class>(id >> 6);
  out.constructed = (id & 0x20) != 0;
  out.tag = id & 0x1f;
  if (out.tag == 0x1f) {  // high tag number form: base-128 octets
    out.tag = 0;
    for (int n = 0;; ++n) {
      if (at >= data.size() || n == 4) return false;
      const std::uint8_t b = data[at++];
      out.tag = (out.tag << 7) | (b & 0x7f);
      if ((b & 0x80) == 0) break;
    }
  }
  if (at >= data.size()) return false;
  std::size_t length = data[at++];
  if (length & 0x80) {
    const std::size_t octets = length & 0x7f;
    if (octets == 0 || octets > 4 || data.size() - at < octets) return false;  // indefinite, or too long
    length = 0;
    for (std::size_t i = 0; i < octets; ++i) length = (length << 8) | data[at++];
  }
  if (data.size() - at < length) return false;
  out.content = data.subspan(at, length);
  out.size = at + length;
  return true;
}

// Walks the elements of a constructed element's content, one after the other.
class DerSequence {
 public:
  explicit DerSequence(std::span<const std::uint8_t> content) : rest_(content) {}
  // The next element; false at the end or on a malformed one (then `malformed()`).
  bool next(DerElement& out) {
    if (rest_.empty()) return false;
    if (!readDer(rest_, out)) {
      malformed_ = true;
      rest_ = {};
      return false;
    }
    rest_ = rest_.subspan(out.size);
    return true;
  }
  [[nodiscard]] bool malformed() const { return malformed_; }

 private:
  std::span<const std::uint8_t> rest_;
  bool malformed_ = false;
};

// A DER INTEGER's value (two's complement, at most 8 octets); false otherwise.
inline bool derInteger(const DerElement& e, std::int64_t& value) {
  if (!e.is(DerElement::Class::Universal, 2) || e.content.empty() || e.content.size() > 8) return false;
  std::uint64_t v = (e.content[0] & 0x80) ? ~std::uint64_t{0} : 0;
  for (const std::uint8_t b : e.content) v = (v << 8) | b;
  value = static_cast<std::int64_t>(v);
  return true;
}

}  // namespace gsoc::sensor

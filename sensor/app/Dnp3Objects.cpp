#include "sensor/app/Dnp3Objects.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace gsoc::sensor {

namespace {

// A bounded little-endian reader: every read fails (and leaves the position) past the end.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> d) : d_(d) {}
  [[nodiscard]] std::size_t left() const { return d_.size() - at_; }
  [[nodiscard]] std::size_t position() const { return at_; }
  bool uint(std::size_t bytes, std::uint64_t& v) {
    if (left() < bytes) return false;
    v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(d_[at_ + i]) << (8 * i);
    at_ += bytes;
    return true;
  }
  bool bytes(std::size_t n, std::span<const std::uint8_t>& out) {
    if (left() < n) return false;
    out = d_.subspan(at_, n);
    at_ += n;
    return true;
  }

 private:
  std::span<const std::uint8_t> d_;
  std::size_t at_ = 0;
};

// Field layouts, as space-separated "type:name" tokens. Types: bN (N bits of the current octet,
// least significant first; an octet is read when its first bit field starts), u8 u16 u32 u48
// (little-endian; u48 is DNP3's time), i16 i32, f32 f64. "@name" expands a shared flags octet.
struct Macro {
  std::string_view name, spec;
};
constexpr Macro kMacros[] = {
    {"@binary", "b1:online b1:restart b1:comm_lost b1:remote_forced b1:local_forced b1:chatter_filter b1:reserved b1:state"},
    {"@dbit", "b1:online b1:restart b1:comm_lost b1:remote_forced b1:local_forced b1:chatter_filter b2:state"},
    {"@output", "b1:online b1:restart b1:comm_lost b1:remote_forced b1:local_forced b1:reserved0 b1:reserved1 b1:state"},
    {"@counter", "b1:online b1:restart b1:comm_lost b1:remote_forced b1:local_forced b1:rollover b1:discontinuity b1:reserved0"},
    {"@counterr", "b1:online b1:restart b1:comm_lost b1:remote_forced b1:local_forced b1:rollover b1:reserved0 b1:reserved1"},
    {"@counterd", "b1:online b1:restart b1:comm_lost b1:remote_forced b1:local_forced b1:rollover b1:discontinuity b1:reserved1"},
    {"@analog", "b1:online b1:restart b1:comm_lost b1:remote_forced b1:local_forced b1:over_range b1:reference_err b1:reserved0"},
};

enum class Form : std::uint8_t { Fields, Packed1, Packed2, G70V3, G70V4, G70V5 };

struct Layout {
  std::uint8_t group, variation;
  Form form;
  std::string_view spec;  // Fields: the layout; packed: the field's name
};

// Suricata's dnp3-objects list (the groups and variations it decodes), by group.
constexpr Layout kLayouts[] = {
    {1, 1, Form::Packed1, "state"},
    {1, 2, Form::Fields, "@binary"},
    {2, 1, Form::Fields, "u8:state"},
    {2, 2, Form::Fields, "@binary u48:timestamp"},
    {2, 3, Form::Fields, "@binary u16:timestamp"},
    {3, 1, Form::Packed2, "state"},
    {3, 2, Form::Fields, "@dbit"},
    {4, 1, Form::Fields, "@dbit"},
    {4, 2, Form::Fields, "@dbit u48:timestamp"},
    {4, 3, Form::Fields, "@dbit u16:relative_time_ms"},
    {10, 1, Form::Packed1, "state"},
    {10, 2, Form::Fields, "@output"},
    {11, 1, Form::Fields, "@output"},
    {11, 2, Form::Fields, "@output u48:timestamp"},
    {12, 1, Form::Fields, "b4:op_type b1:qu b1:cr b2:tcc u8:count u32:ontime u32:offtime b7:status_code b1:reserved"},
    {12, 2, Form::Fields, "b4:op_type b1:qu b1:cr b2:tcc u8:count u32:ontime u32:offtime b7:status_code b1:reserved"},
    {12, 3, Form::Packed1, "point"},
    {13, 1, Form::Fields, "b7:status_code b1:commanded_state"},
    {13, 2, Form::Fields, "b7:status_code b1:commanded_state u48:timestamp"},
    {20, 1, Form::Fields, "@counter u32:count"},
    {20, 2, Form::Fields, "@counter u16:count"},
    {20, 3, Form::Fields, "@counterr u32:count"},
    {20, 4, Form::Fields, "@counterr u16:count"},
    {20, 5, Form::Fields, "u32:count"},
    {20, 6, Form::Fields, "u16:count"},
    {20, 7, Form::Fields, "u32:count"},
    {20, 8, Form::Fields, "u16:count"},
    {21, 1, Form::Fields, "@counter u32:count"},
    {21, 2, Form::Fields, "@counter u16:count"},
    {21, 3, Form::Fields, "@counterr u32:count"},
    {21, 4, Form::Fields, "@counterr u16:count"},
    {21, 5, Form::Fields, "@counterd u32:count u48:timestamp"},
    {21, 6, Form::Fields, "@counterd u16:count u48:timestamp"},
    {21, 7, Form::Fields, "@counterr u32:count u48:timestamp"},
    {21, 8, Form::Fields, "@counterr u16:count u48:timestamp"},
    {21, 9, Form::Fields, "u32:count"},
    {21, 10, Form::Fields, "u16:count"},
    {21, 11, Form::Fields, "u32:count"},
    {21, 12, Form::Fields, "u16:count"},
    {22, 1, Form::Fields, "@counter u32:count"},
    {22, 2, Form::Fields, "@counter u16:count"},
    {22, 3, Form::Fields, "@counterr u32:count"},
    {22, 4, Form::Fields, "@counterr u16:count"},
    {22, 5, Form::Fields, "@counterr u32:count u48:timestamp"},
    {22, 6, Form::Fields, "@counter u16:count u48:timestamp"},
    {22, 7, Form::Fields, "@counterr u32:count u48:timestamp"},
    {22, 8, Form::Fields, "@counterr u16:count u48:timestamp"},
    {23, 1, Form::Fields, "@counter u32:count"},
    {23, 2, Form::Fields, "@counterr u16:count"},
    {23, 3, Form::Fields, "@counterr u32:count"},
    {23, 4, Form::Fields, "@counterr u16:count"},
    {23, 5, Form::Fields, "@counter u32:count u48:timestamp"},
    {23, 6, Form::Fields, "@counter u16:count u48:timestamp"},
    {23, 7, Form::Fields, "@counterr u32:count u48:timestamp"},
    {23, 8, Form::Fields, "@counterr u16:count u48:timestamp"},
    {30, 1, Form::Fields, "@analog i32:value"},
    {30, 2, Form::Fields, "@analog i16:value"},
    {30, 3, Form::Fields, "i32:value"},
    {30, 4, Form::Fields, "i16:value"},
    {30, 5, Form::Fields, "@analog f32:value"},
    {30, 6, Form::Fields, "@analog f64:value"},
    {31, 1, Form::Fields, "@analog i32:value"},
    {31, 2, Form::Fields, "@analog i16:value"},
    {31, 3, Form::Fields, "@analog i32:value u48:timestamp"},
    {31, 4, Form::Fields, "@analog i16:value u48:timestamp"},
    {31, 5, Form::Fields, "i32:value"},
    {31, 6, Form::Fields, "i16:value"},
    {31, 7, Form::Fields, "@analog f32:value"},
    {31, 8, Form::Fields, "@analog f64:value"},
    {32, 1, Form::Fields, "@analog i32:value"},
    {32, 2, Form::Fields, "@analog i16:value"},
    {32, 3, Form::Fields, "@analog i32:value u48:timestamp"},
    {32, 4, Form::Fields, "@analog i16:value u48:timestamp"},
    {32, 5, Form::Fields, "@analog f32:value"},
    {32, 6, Form::Fields, "@analog f64:value"},
    {32, 7, Form::Fields, "@analog f32:value u48:timestamp"},
    {32, 8, Form::Fields, "@analog f64:value u48:timestamp"},
    {33, 1, Form::Fields, "@analog i32:value"},
    {33, 2, Form::Fields, "@analog i16:value"},
    {33, 3, Form::Fields, "@analog i32:value u48:timestamp"},
    {33, 4, Form::Fields, "@analog i16:value u48:timestamp"},
    {33, 5, Form::Fields, "@analog f32:value"},
    {33, 6, Form::Fields, "@analog f64:value"},
    {33, 7, Form::Fields, "@analog f32:value u48:timestamp"},
    {33, 8, Form::Fields, "@analog f64:value u48:timestamp"},
    {34, 1, Form::Fields, "u16:deadband_value"},
    {34, 2, Form::Fields, "u32:deadband_value"},
    {34, 3, Form::Fields, "f32:deadband_value"},
    {40, 1, Form::Fields, "@analog i32:value"},
    {40, 2, Form::Fields, "@analog i16:value"},
    {40, 3, Form::Fields, "@analog f32:value"},
    {40, 4, Form::Fields, "@analog f64:value"},
    {41, 1, Form::Fields, "i32:value u8:control_status"},
    {41, 2, Form::Fields, "i16:value u8:control_status"},
    {41, 3, Form::Fields, "f32:value u8:control_status"},
    {41, 4, Form::Fields, "f64:value u8:control_status"},
    {42, 1, Form::Fields, "@analog i32:value"},
    {42, 2, Form::Fields, "@analog i16:value"},
    {42, 3, Form::Fields, "@analog i32:value u48:timestamp"},
    {42, 4, Form::Fields, "@analog i16:value u48:timestamp"},
    {42, 5, Form::Fields, "@analog f32:value"},
    {42, 6, Form::Fields, "@analog f64:value"},
    {42, 7, Form::Fields, "@analog f32:value u48:timestamp"},
    {42, 8, Form::Fields, "@analog f64:value u48:timestamp"},
    {43, 1, Form::Fields, "b7:status_code b1:reserved0 i32:commanded_value"},
    {43, 2, Form::Fields, "b7:status_code b1:reserved0 i16:commanded_value"},
    {43, 3, Form::Fields, "b7:status_code b1:reserved0 i32:commanded_value u48:timestamp"},
    {43, 4, Form::Fields, "b7:status_code b1:reserved0 i16:commanded_value u48:timestamp"},
    {43, 5, Form::Fields, "b7:status_code b1:reserved0 f32:commanded_value"},
    {43, 6, Form::Fields, "b7:status_code b1:reserved0 f64:commanded_value"},
    {43, 7, Form::Fields, "b7:status_code b1:reserved0 f32:commanded_value u48:timestamp"},
    {43, 8, Form::Fields, "b7:status_code b1:reserved0 f64:commanded_value u48:timestamp"},
    {50, 1, Form::Fields, "u48:timestamp"},
    {50, 2, Form::Fields, "u48:timestamp u32:interval"},
    {50, 3, Form::Fields, "u48:timestamp"},
    {50, 4, Form::Fields, "u48:timestamp u32:interval_count u8:interval_units"},
    {51, 1, Form::Fields, "u48:timestamp"},
    {51, 2, Form::Fields, "u48:timestamp"},
    {52, 1, Form::Fields, "u16:delay_secs"},
    {52, 2, Form::Fields, "u16:delay_ms"},
    {70, 3, Form::G70V3, ""},
    {70, 4, Form::G70V4, ""},
    {70, 5, Form::G70V5, ""},
    {80, 1, Form::Packed1, "state"},
    {81, 1, Form::Fields, "b7:fill_percentage b1:overflow_state u8:group u8:variation"},
    {86, 2, Form::Fields, "b1:rd b1:wr b1:st b1:ev b1:df b1:padding0 b1:padding1 b1:padding2"},
    {102, 1, Form::Fields, "u8:value"},
    {120, 3, Form::Fields, "u32:csq u16:user_number"},
    {120, 4, Form::Fields, "u16:user_number"},
};

const Layout* findLayout(std::uint8_t group, std::uint8_t variation) {
  for (const Layout& l : kLayouts) {
    if (l.group == group && l.variation == variation) return &l;
  }
  return nullptr;
}

std::string_view macro(std::string_view name) {
  for (const Macro& m : kMacros) {
    if (m.name == name) return m.spec;
  }
  return {};
}

class Decoder {
 public:
  Decoder(Reader& r, Dnp3Objects& out) : r_(r), out_(out) {}

  // One point's fields per `spec`; false when the data ends first.
  bool fields(std::string_view spec) {
    while (!spec.empty()) {
      const std::size_t space = spec.find(' ');
      const std::string_view token = spec.substr(0, space);
      spec = space == std::string_view::npos ? std::string_view{} : spec.substr(space + 1);
      if (token.starts_with('@')) {
        if (!fields(macro(token))) return false;
        continue;
      }
      const std::size_t colon = token.find(':');
      if (!field(token.substr(0, colon), token.substr(colon + 1))) return false;
    }
    return true;
  }

  void addUnsigned(std::string_view name, std::uint64_t v) {
    Dnp3Field f;
    f.name = name;
    f.u = v;
    out_.fields.push_back(f);
  }
  void addText(std::string_view name, std::span<const std::uint8_t> bytes) {
    // Suricata keeps these in C strings: what follows a NUL is not logged.
    const auto* begin = reinterpret_cast<const char*>(bytes.data());
    const std::size_t n = std::find(begin, begin + bytes.size(), '\0') - begin;
    Dnp3Field f;
    f.name = name;
    f.type = Dnp3Field::Type::String;
    f.text_offset = static_cast<std::uint32_t>(out_.text.size());
    f.text_size = static_cast<std::uint32_t>(n);
    out_.text.append(begin, n);
    out_.fields.push_back(f);
  }

 private:
  bool field(std::string_view type, std::string_view name) {
    Dnp3Field f;
    f.name = name;
    std::uint64_t v = 0;
    if (type[0] == 'b') {
      const unsigned width = static_cast<unsigned>(type[1] - '0');
      if (bit_ == 0 || bit_ >= 8) {
        if (!r_.uint(1, v)) return false;
        octet_ = static_cast<std::uint8_t>(v);
        bit_ = 0;
      }
      f.u = (octet_ >> bit_) & ((1u << width) - 1);
      bit_ += width;
      if (bit_ >= 8) bit_ = 0;
      out_.fields.push_back(f);
      return true;
    }
    bit_ = 0;
    if (type == "u8" || type == "u16" || type == "u32" || type == "u48") {
      const std::size_t bytes = type == "u8" ? 1 : type == "u16" ? 2 : type == "u32" ? 4 : 6;
      if (!r_.uint(bytes, v)) return false;
      f.u = v;
    } else if (type == "i16" || type == "i32") {
      if (!r_.uint(type == "i16" ? 2 : 4, v)) return false;
      f.type = Dnp3Field::Type::Signed;
      f.i = type == "i16" ? static_cast<std::int16_t>(v) : static_cast<std::int32_t>(v);
    } else if (type == "f32") {
      if (!r_.uint(4, v)) return false;
      f.type = Dnp3Field::Type::Float;
      f.f = std::bit_cast<float>(static_cast<std::uint32_t>(v));
    } else {  // f64
      if (!r_.uint(8, v)) return false;
      f.type = Dnp3Field::Type::Float;
      f.f = std::bit_cast<double>(v);
    }
    out_.fields.push_back(f);
    return true;
  }

  Reader& r_;
  Dnp3Objects& out_;
  std::uint8_t octet_ = 0;
  unsigned bit_ = 0;
};

// The prefix before each point (IEEE 1815 table 4-5): none, an index of 1/2/4 octets (codes
// 1-3) or an object size of 1/2/4 octets (codes 4-6).
bool readPrefix(Reader& r, std::uint8_t prefix_code, std::uint32_t& prefix) {
  std::uint64_t v = 0;
  switch (prefix_code) {
    case 0: prefix = 0; return true;
    case 1: case 4: if (!r.uint(1, v)) return false; break;
    case 2: case 5: if (!r.uint(2, v)) return false; break;
    case 3: case 6: if (!r.uint(4, v)) return false; break;
    default: return false;
  }
  prefix = static_cast<std::uint32_t>(v);
  return true;
}

Dnp3Point& addPoint(Dnp3Objects& out, std::uint32_t index, std::uint8_t prefix_code, std::uint32_t prefix) {
  Dnp3Point& p = out.points.emplace_back();
  p.index = index;
  p.prefix = prefix;
  if (prefix_code >= 1 && prefix_code <= 3) p.index = prefix;
  if (prefix_code >= 4 && prefix_code <= 6) {
    p.size = prefix;
    p.has_size = true;
  }
  p.first_field = static_cast<std::uint32_t>(out.fields.size());
  return p;
}

// The points of one object; false when they are malformed (the data ends inside one).
bool decodePoints(const Layout& layout, Reader& r, Dnp3Object& o, Dnp3Objects& out) {
  o.first_point = static_cast<std::uint32_t>(out.points.size());
  Decoder decoder(r, out);
  std::uint32_t index = o.start;
  if (layout.form == Form::Packed1 || layout.form == Form::Packed2) {
    const unsigned width = layout.form == Form::Packed1 ? 1 : 2;
    std::uint32_t left = o.count;
    while (left > 0) {
      std::uint64_t octet = 0;
      if (!r.uint(1, octet)) return false;
      for (unsigned bit = 0; bit < 8 && left > 0; bit += width, --left) {
        Dnp3Point& p = addPoint(out, index++, o.prefix_code, 0);
        decoder.addUnsigned(layout.spec, (octet >> bit) & ((1u << width) - 1));
        p.field_count = 1;
      }
    }
    o.point_count = static_cast<std::uint32_t>(out.points.size()) - o.first_point;
    return true;
  }
  for (std::uint32_t n = 0; n < o.count; ++n) {
    std::uint32_t prefix = 0;
    if (!readPrefix(r, o.prefix_code, prefix)) return false;
    const std::size_t point_at = out.points.size();
    addPoint(out, index++, o.prefix_code, prefix);
    const std::size_t body = r.position();
    std::uint64_t a = 0, b = 0, c = 0, d = 0, e = 0;
    std::span<const std::uint8_t> bytes;
    switch (layout.form) {
      case Form::Fields:
        if (!decoder.fields(layout.spec)) return false;
        break;
      case Form::G70V3: {
        // File command: fixed fields, then the file name of filename_size octets.
        if (!decoder.fields("u16:filename_offset u16:filename_size u48:created u16:permissions u32:authentication_key "
                            "u32:file_size u16:operational_mode u16:maximum_block_size u16:request_id")) {
          return false;
        }
        const std::uint64_t name_size = out.fields[out.points[point_at].first_field + 1].u;
        if (!r.bytes(name_size, bytes)) return false;
        decoder.addText("filename", bytes);
        break;
      }
      case Form::G70V4:
      case Form::G70V5: {
        // File command status and file transport: what the object's size leaves after the
        // fixed fields is text or data (Suricata's one-octet length: the difference wraps).
        const bool status = layout.form == Form::G70V4;
        if (status) {
          if (!r.uint(4, a) || !r.uint(4, b) || !r.uint(2, c) || !r.uint(2, d) || !r.uint(1, e)) return false;
          decoder.addUnsigned("file_handle", a);
          decoder.addUnsigned("file_size", b);
          decoder.addUnsigned("maximum_block_size", c);
          decoder.addUnsigned("request_id", d);
          decoder.addUnsigned("status_code", e);
        } else {
          if (!r.uint(4, a) || !r.uint(4, b)) return false;
          decoder.addUnsigned("file_handle", a);
          decoder.addUnsigned("block_number", b);
        }
        const auto text_len = static_cast<std::uint8_t>(prefix - static_cast<std::uint32_t>(r.position() - body));
        if (!r.bytes(text_len, bytes)) return false;
        decoder.addText(status ? "optional_text" : "file_data", bytes);
        break;
      }
      case Form::Packed1:
      case Form::Packed2:
        break;
    }
    Dnp3Point& p = out.points[point_at];
    p.field_count = static_cast<std::uint32_t>(out.fields.size()) - p.first_field;
  }
  o.point_count = static_cast<std::uint32_t>(out.points.size()) - o.first_point;
  return true;
}

}  // namespace

bool dnp3ObjectKnown(std::uint8_t group, std::uint8_t variation) { return findLayout(group, variation) != nullptr; }

Dnp3ObjectsResult decodeDnp3Objects(std::span<const std::uint8_t> data, const Dnp3ObjectLimits& limits, Dnp3Objects& out) {
  out.clear();
  Reader r(data);
  std::uint64_t points = 0;
  while (r.left() > 0) {
    std::uint64_t group = 0, variation = 0, qualifier = 0;
    if (r.left() < 3) return Dnp3ObjectsResult::Truncated;
    r.uint(1, group);
    r.uint(1, variation);
    r.uint(1, qualifier);
    if (limits.max_objects != 0 && out.objects.size() >= limits.max_objects) return Dnp3ObjectsResult::TooManyObjects;
    Dnp3Object& o = out.objects.emplace_back();
    o.group = static_cast<std::uint8_t>(group);
    o.variation = static_cast<std::uint8_t>(variation);
    o.qualifier = static_cast<std::uint8_t>(qualifier);
    o.prefix_code = (o.qualifier >> 4) & 7;
    o.range_code = o.qualifier & 0x0f;
    o.first_point = static_cast<std::uint32_t>(out.points.size());
    std::uint64_t a = 0, b = 0;
    switch (o.range_code) {
      case 0: case 3:  // start and stop indexes (or virtual addresses) of 1, 2 or 4 octets
      case 1: case 4:
      case 2: case 5: {
        const std::size_t width = o.range_code % 3 == 0 ? 1 : o.range_code % 3 == 1 ? 2 : 4;
        if (!r.uint(width, a) || !r.uint(width, b)) return Dnp3ObjectsResult::Truncated;
        o.start = static_cast<std::uint32_t>(a);
        o.stop = static_cast<std::uint32_t>(b);
        o.count = o.stop - o.start + 1;
        break;
      }
      case 6:  // all points: no range field
        o.count = 0;
        break;
      case 7: case 0x0b:  // a count of 1 octet (0x0b: variable-format objects)
        if (!r.uint(1, a)) return Dnp3ObjectsResult::Truncated;
        o.count = static_cast<std::uint32_t>(a);
        break;
      case 8:
        if (!r.uint(2, a)) return Dnp3ObjectsResult::Truncated;
        o.count = static_cast<std::uint32_t>(a);
        break;
      case 9:
        if (!r.uint(4, a)) return Dnp3ObjectsResult::Truncated;
        o.count = static_cast<std::uint32_t>(a);
        break;
      default:  // reserved
        return Dnp3ObjectsResult::Truncated;
    }
    points += o.count;
    if (limits.max_points != 0 && points > limits.max_points) return Dnp3ObjectsResult::TooManyPoints;
    if (o.variation == 0 || o.count == 0) continue;
    const Layout* layout = findLayout(o.group, o.variation);
    if (layout == nullptr) return Dnp3ObjectsResult::UnknownObject;
    // Copy: decodePoints adds to `out.objects`' neighbours, not to the vector itself.
    Dnp3Object decoded = o;
    if (!decodePoints(*layout, r, decoded, out)) {
      out.objects.back() = decoded;
      return Dnp3ObjectsResult::Malformed;
    }
    out.objects.back() = decoded;
  }
  return Dnp3ObjectsResult::Complete;
}

}  // namespace gsoc::sensor

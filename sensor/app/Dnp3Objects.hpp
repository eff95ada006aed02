#pragma once
// DNP3 (IEEE 1815) application-layer objects: the object headers of a request or response
// (group, variation, qualifier with its prefix and range codes) and the points each carries,
// decoded field by field as Suricata's EVE dnp3 records name them (its generated dnp3-objects
// list: flags bit by bit, counters, analog values, timestamps, file-transfer objects...). A
// group/variation outside the table stops the decoding with an unknown-object result, as
// Suricata's does; limits on points and objects per message stop it too. Everything decodes into
// caller-owned vectors that are reused between messages (no allocation in steady state).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gsoc::sensor {

// One decoded field of a point: its EVE key (static storage) and its value.
struct Dnp3Field {
  enum class Type : std::uint8_t { Unsigned, Signed, Float, String };
  std::string_view name;
  Type type = Type::Unsigned;
  std::uint64_t u = 0;
  std::int64_t i = 0;
  double f = 0;
  std::uint32_t text_offset = 0, text_size = 0;  // String: a range of Dnp3Objects::text
};

struct Dnp3Point {
  std::uint32_t index = 0;
  std::uint32_t prefix = 0;
  std::uint32_t size = 0;
  bool has_size = false;  // prefix codes 4-6: the prefix is the object's size, not its index
  std::uint32_t first_field = 0, field_count = 0;
};

struct Dnp3Object {
  std::uint8_t group = 0, variation = 0, qualifier = 0, prefix_code = 0, range_code = 0;
  std::uint32_t start = 0, stop = 0, count = 0;
  std::uint32_t first_point = 0, point_count = 0;
};

// The objects of one message, flattened: points and fields index into the vectors after them.
struct Dnp3Objects {
  std::vector<Dnp3Object> objects;
  std::vector<Dnp3Point> points;
  std::vector<Dnp3Field> fields;
  std::string text;
  void clear() {
    objects.clear();
    points.clear();
    fields.clear();
    text.clear();
  }
  [[nodiscard]] std::span<const Dnp3Point> pointsOf(const Dnp3Object& o) const { return {points.data() + o.first_point, o.point_count}; }
  [[nodiscard]] std::span<const Dnp3Field> fieldsOf(const Dnp3Point& p) const { return {fields.data() + p.first_field, p.field_count}; }
  [[nodiscard]] std::string_view textOf(const Dnp3Field& f) const { return std::string_view(text).substr(f.text_offset, f.text_size); }
};

struct Dnp3ObjectLimits {
  std::uint32_t max_points = 16384;  // Suricata's app-layer.protocols.dnp3.max-points (per message)
  std::uint32_t max_objects = 2048;  // its max-objects (object headers per message)
};

enum class Dnp3ObjectsResult : std::uint8_t {
  Complete,        // every object header and point decoded
  Truncated,       // the data ended inside an object header or its points (or a reserved range code)
  UnknownObject,   // a group/variation the table lacks: decoding stopped there
  Malformed,       // the data ended inside an object's points
  TooManyPoints,   // more points than max_points
  TooManyObjects,  // more object headers than max_objects
};

// Decodes the objects after an application header (and a response's IIN) into `out` (cleared).
Dnp3ObjectsResult decodeDnp3Objects(std::span<const std::uint8_t> data, const Dnp3ObjectLimits& limits, Dnp3Objects& out);

// Whether the table knows how to decode points of group/variation.
bool dnp3ObjectKnown(std::uint8_t group, std::uint8_t variation);

}  // namespace gsoc::sensor

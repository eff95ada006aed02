// EVE dnp3 objects, as Suricata's output-json-dnp3 writes them: the link header's control and
// addresses, the application header, each object header with its decoded points, and a
// response's internal indications by name.

#include <charconv>
#include <cmath>

#include "gsoc/signatures/Dnp3Names.hpp"
#include "sensor/app/Dnp3Parser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

namespace {

const char* boolean(bool b) { return b ? "true" : "false"; }

}  // namespace

void EveWriter::dnp3Fields(const Dnp3Transaction& tx) {
  const std::uint8_t lc = tx.link_control;
  out_ << "\"type\":\"" << tx.typeName() << "\",\"control\":{\"dir\":" << boolean(lc & 0x80) << ",\"pri\":" << boolean(lc & 0x40)
       << ",\"fcb\":" << boolean(lc & 0x20) << ",\"fcv\":" << boolean(lc & 0x10)
       << ",\"function_code\":" << static_cast<unsigned>(lc & 0x0f) << "},\"src\":" << tx.src << ",\"dst\":" << tx.dst;
  const std::uint8_t ac = tx.app_control;
  out_ << ",\"application\":{\"control\":{\"fir\":" << boolean(ac & 0x80) << ",\"fin\":" << boolean(ac & 0x40)
       << ",\"con\":" << boolean(ac & 0x20) << ",\"uns\":" << boolean(ac & 0x10) << ",\"sequence\":" << static_cast<unsigned>(ac & 0x0f)
       << "},\"function_code\":" << static_cast<unsigned>(tx.function_code);
  const Dnp3Objects& objects = tx.objects;
  if (!objects.objects.empty()) {
    out_ << ",\"objects\":[";
    const char* osep = "";
    for (const Dnp3Object& o : objects.objects) {
      out_ << osep << "{\"group\":" << static_cast<unsigned>(o.group) << ",\"variation\":" << static_cast<unsigned>(o.variation)
           << ",\"qualifier\":" << static_cast<unsigned>(o.qualifier) << ",\"prefix_code\":" << static_cast<unsigned>(o.prefix_code)
           << ",\"range_code\":" << static_cast<unsigned>(o.range_code) << ",\"start\":" << o.start << ",\"stop\":" << o.stop
           << ",\"count\":" << o.count;
      osep = ",";
      if (o.point_count > 0) {
        out_ << ",\"points\":[";
        const char* psep = "";
        for (const Dnp3Point& p : objects.pointsOf(o)) {
          out_ << psep << "{\"prefix\":" << p.prefix << ",\"index\":" << p.index;
          psep = ",";
          if (p.has_size) out_ << ",\"size\":" << p.size;
          for (const Dnp3Field& f : objects.fieldsOf(p)) {
            out_ << ",\"" << f.name << "\":";
            switch (f.type) {
              case Dnp3Field::Type::Unsigned: out_ << f.u; break;
              case Dnp3Field::Type::Signed: out_ << f.i; break;
              case Dnp3Field::Type::Float: {
                if (!std::isfinite(f.f)) {
                  out_ << "null";
                  break;
                }
                char buf[64];
                const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f.f);
                std::string_view number(buf, static_cast<std::size_t>(end - buf));
                out_ << number;
                if (ec == std::errc() && number.find_first_of(".e") == std::string_view::npos) out_ << ".0";
                break;
              }
              case Dnp3Field::Type::String: string(objects.textOf(f)); break;
            }
          }
          out_ << "}";
        }
        out_ << "]";
      }
      out_ << "}";
    }
    out_ << "]";
  }
  out_ << ",\"complete\":" << boolean(tx.complete) << "}";
  if (!tx.request) {
    out_ << ",\"iin\":{";
    if (tx.iin != 0) {
      out_ << "\"indicators\":[";
      const char* sep = "";
      for (const signatures::Dnp3Indicator& i : signatures::dnp3Indicators()) {
        if ((tx.iin & i.bit) == 0) continue;
        out_ << sep << "\"" << i.name << "\"";
        sep = ",";
      }
      out_ << "]";
    }
    out_ << "}";
  }
}

void EveWriter::dnp3AlertObject(const Dnp3Transaction& tx) {
  out_ << ",\"dnp3\":{\"" << (tx.request ? "request" : "response") << "\":{";
  dnp3Fields(tx);
  out_ << "}}";
}

}  // namespace gsoc::sensor

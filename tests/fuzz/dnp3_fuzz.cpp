// DNP3 (sensor/app/Dnp3Parser, Dnp3Objects: link frames and their CRCs, transport reassembly,
// application headers, objects and points) over both directions, split where the input's
// records say (AppStream.hpp), each side's bytes released at once, with small limits so
// flooding and the point and object caps are reached. Invariants: a transaction is handed over
// once and done; its objects' points and fields stay within the flattened vectors; the error
// count never goes down.
#include <cstdint>
#include <set>

#include "sensor/app/Dnp3Parser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Dnp3Limits limits;
  limits.max_tx = 4;
  limits.objects.max_points = 64;
  limits.objects.max_objects = 8;
  Dnp3State dnp3(limits);
  std::uint64_t errors = 0;
  std::set<std::uint64_t> seen;
  const auto onTx = [&](Dnp3Transaction& tx) {
    check(seen.insert(tx.tx_id).second, "transaction handed over twice");
    check(tx.done, "transaction handed over before it is done");
    const Dnp3Objects& o = tx.objects;
    check(o.objects.size() <= limits.objects.max_objects, "more objects than the limit");
    for (const Dnp3Object& object : o.objects) {
      check(object.first_point + object.point_count <= o.points.size(), "points out of range");
      for (const Dnp3Point& p : o.pointsOf(object)) {
        check(p.first_field + p.field_count <= o.fields.size(), "fields out of range");
        for (const Dnp3Field& f : o.fieldsOf(p)) {
          if (f.type == Dnp3Field::Type::String) check(f.text_offset + f.text_size <= o.text.size(), "text out of range");
        }
      }
    }
  };
  const Dnp3State::TransactionSink sink = onTx;
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        dnp3.pending(dir).append(bytes);
        dnp3.pending(dir).release();
        dnp3.parse(dir, sink);
        dnp3.forUninspected(dir, false, [](const Dnp3Transaction&) {});
        dnp3.prune();
        check(dnp3.errors() >= errors, "error count went down");
        errors = dnp3.errors();
      },
      [](FlowDirection) {});
  dnp3.close();
  dnp3.reset();
  return 0;
}

// Modbus/TCP (sensor/app/ModbusParser: MBAP headers, every function's requests and responses,
// exceptions, lengths out of range) over both directions, split where the input's records say
// (AppStream.hpp), each side's bytes released at once. Invariants: a transaction is logged once;
// an address range runs forward; the error count never goes down.
#include <cstdint>
#include <set>

#include "sensor/app/ModbusParser.hpp"
#include "tests/fuzz/AppStream.hpp"

namespace {

using gsoc::fuzz::check;
using gsoc::signatures::FlowDirection;
using namespace gsoc::sensor;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ModbusState modbus;
  std::uint64_t errors = 0;
  std::set<std::uint64_t> seen;
  const auto onTx = [&](const ModbusTransaction& tx) {
    check(seen.insert(tx.tx_id).second, "transaction logged twice");
    std::uint16_t first = 0, last = 0;
    if (tx.has_request && tx.request.addressRange(first, last)) check(first <= last, "address range backwards");
    (void)modbusAccessNames(tx.request.access);
  };
  gsoc::fuzz::replayStream(
      data, size,
      [&](FlowDirection dir, std::span<const std::uint8_t> bytes) {
        modbus.pending(dir).append(bytes);
        modbus.pending(dir).release();
        modbus.parse(dir);
        modbus.forUninspected([](const ModbusTransaction&) {});
        modbus.forUnlogged(false, onTx);
        modbus.prune();
        check(modbus.errors() >= errors, "error count went down");
        errors = modbus.errors();
      },
      [](FlowDirection) {});
  modbus.forUnlogged(true, onTx);
  modbus.reset();
  return 0;
}

#pragma once
// Modbus/TCP (port 502), as Suricata 8 reads it (with its sawp-modbus parser): each message is
// an MBAP header (transaction id, protocol id, length, unit id) and a PDU: a function code (the
// exception bit set in an exception response) and its data, decoded by function: reads (an
// address and a quantity; a reply's byte count and values), writes (single, multiple, mask),
// read/write multiple registers, diagnostics (a sub-function), encapsulated interface
// transport (MEI type), exceptions, and anything else as bytes. What does not fit sets the
// message's error flags (data value, data length, exception code, function code, protocol id)
// instead of dropping it. A response pairs with the open request of the same transaction id,
// unit, function and access, as Suricata's; one without a request is a transaction of its own.
// Transactions and their byte strings are reused: steady state allocates nothing.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// Suricata's (sawp-modbus') access type, category and error flag bits.
namespace modbus {
inline constexpr std::uint8_t kRead = 1, kWrite = 2, kDiscretes = 4, kCoils = 8, kInput = 16, kHolding = 32, kSingle = 64,
                              kMultiple = 128;
inline constexpr std::uint8_t kPublicAssigned = 1, kPublicUnassigned = 2, kUserDefined = 4, kReserved = 8;
inline constexpr std::uint8_t kDataValue = 1, kDataLength = 2, kExcCode = 4, kFuncCode = 8, kProtoId = 16;
inline constexpr std::uint8_t kUnknownFunction = 44;  // sawp's FunctionCode::Unknown
}  // namespace modbus

struct ModbusMessage {
  enum class Data : std::uint8_t { Empty, Exception, Diagnostic, Mei, ReadRequest, ReadResponse, WriteMultiple, WriteMask,
                                   WriteOther, ReadWrite, Bytes };
  std::uint16_t transaction_id = 0, protocol_id = 0, length = 0;
  std::uint8_t unit_id = 0;
  std::uint8_t function_raw = 0;
  std::uint8_t function = 0;  // the raw code without the exception bit, kUnknownFunction when not a known one
  std::uint8_t access = 0, category = 0, error_flags = 0;
  Data data = Data::Empty;
  std::uint8_t exception = 0;     // Exception
  std::uint16_t subfunction = 0;  // Diagnostic
  std::uint8_t mei_type = 0;      // Mei
  // ReadRequest / ReadWrite: the read's address and quantity.
  std::uint16_t read_address = 0, read_quantity = 0;
  // WriteMultiple / ReadWrite: the write's address and quantity; WriteOther: address and value
  // (write_quantity); WriteMask: address and masks.
  std::uint16_t write_address = 0, write_quantity = 0, and_mask = 0, or_mask = 0;
  std::string bytes;  // Diagnostic, Mei, ReadResponse, WriteMultiple, ReadWrite and Bytes data
  void clear();
  // The first and last register or coil it names (counted from 1), when it names some.
  [[nodiscard]] bool addressRange(std::uint16_t& first, std::uint16_t& last) const;
};

// Decodes one message of `d` as a request or a response into `out`: the octets it took, 0 when
// `d` holds less than a whole message.
std::size_t parseModbusMessage(std::span<const std::uint8_t> d, bool request, ModbusMessage& out);
// Whether `d` starts with a message Suricata's probe recognises (whole, without error flags).
bool looksLikeModbus(std::span<const std::uint8_t> d);

// Names as Suricata logs them: "RdCoils", "IllegalDataAddr", "RetQueryData", "RdDevId".
std::string_view modbusFunctionName(std::uint8_t function);
std::string_view modbusExceptionName(std::uint8_t code);
std::string_view modbusDiagnosticName(std::uint16_t subfunction);
std::string_view modbusMeiName(std::uint8_t type);
// "READ | COILS", "PUBLIC_ASSIGNED", "NONE": the set bits by name, as sawp's flags print.
std::string modbusAccessNames(std::uint8_t access);
std::string modbusCategoryNames(std::uint8_t category);
std::string modbusErrorNames(std::uint8_t flags);

struct ModbusTransaction {
  std::uint64_t tx_id = 0;  // from 1, in the flow
  bool has_request = false, has_response = false;
  bool inspected = false, logged = false;
  ModbusMessage request, response;
};

class ModbusState final : public AppState {
 public:
  // Unanswered requests at most (Suricata's request flood): past it new messages are dropped.
  static constexpr std::size_t kMaxTx = 500;
  AckedBytes& pending(signatures::FlowDirection dir) { return sides_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  // Parses the released bytes of `dir` into transactions.
  void parse(signatures::FlowDirection dir);
  // Requests parsed and not yet inspected (the modbus keyword looks at requests only).
  template <typename F>
  void forUninspected(F&& f) {
    for (auto& tx : txs_) {
      if (tx->inspected || !tx->has_request) continue;
      tx->inspected = true;
      f(*tx);
    }
  }
  // Transactions answered (or all of them, the flow ends) and not logged yet.
  template <typename F>
  void forUnlogged(bool all, F&& f) {
    for (auto& tx : txs_) {
      if (tx->logged || !(all || tx->has_response)) continue;
      tx->logged = true;
      f(*tx);
    }
  }
  void prune();
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  void add(bool request);
  ModbusTransaction* open();

  AckedBytes sides_[2];
  bool failed_[2] = {false, false};
  ModbusMessage scratch_;
  std::vector<std::unique_ptr<ModbusTransaction>> txs_;
  std::vector<std::unique_ptr<ModbusTransaction>> spare_;
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor

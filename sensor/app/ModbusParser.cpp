#include "sensor/app/ModbusParser.hpp"

#include <array>
#include <utility>

namespace gsoc::sensor {

using signatures::FlowDirection;
using namespace modbus;

namespace {

constexpr std::size_t kHeaderSize = 6;  // transaction id, protocol id, length
constexpr std::uint16_t kMinLength = 2, kMaxLength = 254;
constexpr std::uint16_t kMaxBitQuantity = 2000, kMaxWordQuantity = 125;
constexpr std::uint8_t kExceptionBit = 0x80;

enum Function : std::uint8_t {
  kRdCoils = 1, kRdDiscreteInputs, kRdHoldRegs, kRdInputRegs, kWrSingleCoil, kWrSingleReg, kRdExcStatus, kDiagnostic,
  kGetCommEventCtr = 11, kGetCommEventLog = 12, kWrMultCoils = 15, kWrMultRegs, kReportServerId, kRdFileRec = 20,
  kWrFileRec, kMaskWrReg, kRdWrMultRegs, kRdFifoQueue, kMei = 0x2b
};

constexpr std::array<std::string_view, 25> kFunctionNames = {
    "", "RdCoils", "RdDiscreteInputs", "RdHoldRegs", "RdInputRegs", "WrSingleCoil", "WrSingleReg", "RdExcStatus",
    "Diagnostic", "Program484", "Poll484", "GetCommEventCtr", "GetCommEventLog", "ProgramController",
    "PollController", "WrMultCoils", "WrMultRegs", "ReportServerID", "Program884", "ResetCommLink", "RdFileRec",
    "WrFileRec", "MaskWrReg", "RdWrMultRegs", "RdFIFOQueue"};

std::uint8_t functionCode(std::uint8_t raw) {
  const std::uint8_t code = raw >= kExceptionBit ? static_cast<std::uint8_t>(raw ^ kExceptionBit) : raw;
  return (code >= 1 && code <= 24) || code == kMei ? code : kUnknownFunction;
}

std::uint8_t accessOf(std::uint8_t function) {
  switch (function) {
    case kRdCoils: return kCoils | kRead;
    case kRdDiscreteInputs: return kDiscretes | kRead;
    case kRdHoldRegs: return kHolding | kRead;
    case kRdInputRegs: return kInput | kRead;
    case kWrSingleCoil: return kCoils | kWrite | kSingle;
    case kWrSingleReg: return kHolding | kWrite | kSingle;
    case kWrMultCoils: return kCoils | kWrite | kMultiple;
    case kWrMultRegs: return kHolding | kWrite | kMultiple;
    case kMaskWrReg: return kHolding | kWrite;
    case kRdWrMultRegs: return kHolding | kRead | kWrite | kMultiple;
    default: return 0;
  }
}

std::uint8_t categoryOfRaw(std::uint8_t raw) {
  if (raw == 0 || raw >= 128) return 0;
  if (raw < 9) return kPublicUnassigned;
  if (raw < 15) return kReserved;
  if (raw < 41) return kPublicUnassigned;
  if (raw < 43) return kReserved;
  if (raw < 65) return kPublicUnassigned;
  if (raw < 73) return kUserDefined;
  if (raw < 90) return kPublicUnassigned;
  if (raw < 92) return kReserved;
  if (raw < 100) return kPublicUnassigned;
  if (raw < 111) return kUserDefined;
  if (raw < 125) return kPublicUnassigned;
  return kReserved;
}

bool diagnosticReserved(std::uint16_t sub) { return (sub >= 5 && sub <= 9) || sub > 0x15; }

std::uint8_t categoryOf(const ModbusMessage& m) {
  if (m.function == kDiagnostic) {
    if (m.data != ModbusMessage::Data::Diagnostic) return 0;
    return diagnosticReserved(m.subfunction) ? kReserved : kPublicAssigned;
  }
  if (m.function == kMei) {
    if (m.data != ModbusMessage::Data::Mei) return 0;
    return modbusMeiName(m.mei_type) == "Unknown" ? kReserved : kPublicAssigned;
  }
  if (m.function == kUnknownFunction) return categoryOfRaw(m.function_raw);
  return kPublicAssigned;
}

// Big-endian reads of a PDU's data; a read past its end is "incomplete" (sawp's): the message
// gets the data length flag.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> d) : d_(d) {}
  bool u8(std::uint8_t& v) {
    if (at_ + 1 > d_.size()) return false;
    v = d_[at_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (at_ + 2 > d_.size()) return false;
    v = static_cast<std::uint16_t>(d_[at_] << 8 | d_[at_ + 1]);
    at_ += 2;
    return true;
  }
  bool take(std::size_t n, std::string& out) {
    if (at_ + n > d_.size()) return false;
    out.assign(reinterpret_cast<const char*>(d_.data() + at_), n);
    at_ += n;
    return true;
  }
  [[nodiscard]] bool done() const { return at_ == d_.size(); }

 private:
  std::span<const std::uint8_t> d_;
  std::size_t at_ = 0;
};

// The decoding of a PDU's data by function (sawp-modbus' rules); false when it ran short.
class PduDecoder {
 public:
  PduDecoder(ModbusMessage& m, Reader& r) : m_(m), r_(r) {}
  [[nodiscard]] std::uint16_t dataLength() const { return static_cast<std::uint16_t>(m_.length - 2); }

  bool request() {
    switch (m_.function) {
      case kDiagnostic: {
        if (dataLength() != 4) m_.error_flags |= kDataLength;
        if (!diagnostic()) return false;
        if (m_.data == ModbusMessage::Data::Diagnostic && m_.bytes.size() == 2) {
          const auto b0 = static_cast<std::uint8_t>(m_.bytes[0]), b1 = static_cast<std::uint8_t>(m_.bytes[1]);
          const std::uint16_t sub = m_.subfunction;
          if (sub == 0 || sub == 4 || diagnosticReserved(sub)) {
          } else if (sub == 1) {
            if (b1 != 0 || (b0 != 0 && b0 != 0xff)) m_.error_flags |= kDataValue;
          } else if (sub == 3) {
            if (b1 != 0) m_.error_flags |= kDataValue;
          } else if (b0 != 0 || b1 != 0) {
            m_.error_flags |= kDataValue;
          }
        }
        return true;
      }
      case kMei: return mei();
      default: break;
    }
    const std::uint8_t f = m_.function;
    if ((f == kRdFileRec || f == kWrFileRec) && dataLength() == 0) {
      m_.error_flags |= kDataLength;
    } else if ((f == kRdExcStatus || f == kGetCommEventCtr || f == kGetCommEventLog || f == kReportServerId) &&
               dataLength() > 0) {
      m_.error_flags |= kDataLength;
    } else if (f == kRdFifoQueue && dataLength() != 2) {
      m_.error_flags |= kDataLength;
    } else {
      if (m_.function_raw == 0 || m_.function_raw >= kExceptionBit) m_.error_flags |= kFuncCode;
      if (m_.access & kRead) {
        if (!readRequest()) return false;
        return (m_.access & kWrite) ? writeRequest() : true;
      }
      if (m_.access & kWrite) return writeRequest();
    }
    return bytes();
  }

  bool response() {
    if (m_.function_raw >= kExceptionBit) return exception();
    if (m_.function == kDiagnostic) return diagnostic();
    if (m_.function == kMei) return mei();
    if (m_.function == kRdExcStatus && dataLength() != 1) {
      m_.error_flags |= kDataLength;
    } else if (m_.function == kGetCommEventCtr && dataLength() != 4) {
      m_.error_flags |= kDataLength;
    } else if (m_.access & kRead) {
      return readResponse();
    } else if (m_.access & kWrite) {
      return writeResponse();
    }
    return bytes();
  }

 private:
  bool exception() {
    if (!r_.u8(m_.exception)) return false;
    const bool known = (m_.exception >= 1 && m_.exception <= 8) || m_.exception == 0x0a || m_.exception == 0x0b;
    if (!known || (m_.exception == 8 && m_.function != kRdFileRec && m_.function != kWrFileRec)) m_.error_flags |= kExcCode;
    m_.data = ModbusMessage::Data::Exception;
    return true;
  }
  bool diagnostic() {
    if (dataLength() < 2) {
      m_.error_flags |= kDataLength;
      return true;
    }
    if (!r_.u16(m_.subfunction) || !r_.take(dataLength() - 2u, m_.bytes)) return false;
    m_.data = ModbusMessage::Data::Diagnostic;
    return true;
  }
  bool mei() {
    if (dataLength() < 1) {
      m_.error_flags |= kDataLength;
      return true;
    }
    if (!r_.u8(m_.mei_type) || !r_.take(dataLength() - 1u, m_.bytes)) return false;
    m_.data = ModbusMessage::Data::Mei;
    return true;
  }
  bool bytes() {
    if (!r_.take(dataLength(), m_.bytes)) return false;
    m_.data = ModbusMessage::Data::Bytes;
    return true;
  }
  bool readRequest() {
    if (!r_.u16(m_.read_address) || !r_.u16(m_.read_quantity)) return false;
    const std::uint16_t q = m_.read_quantity;
    if (q == 0) m_.error_flags |= kDataValue;
    if (m_.function != kRdWrMultRegs && dataLength() > 4) m_.error_flags |= kDataLength;
    if (q > ((m_.access & (kDiscretes | kCoils)) ? kMaxBitQuantity : kMaxWordQuantity)) m_.error_flags |= kDataValue;
    m_.data = ModbusMessage::Data::ReadRequest;
    return true;
  }
  bool readResponse() {
    if (dataLength() < 1) {
      m_.error_flags |= kDataLength;
      return true;
    }
    std::uint8_t count = 0;
    if (!r_.u8(count)) return false;
    if (count < 1 || count > 250 || dataLength() - 1 != count) m_.error_flags |= kDataValue;
    if (!r_.take(dataLength() - 1u, m_.bytes)) return false;
    m_.data = ModbusMessage::Data::ReadResponse;
    return true;
  }
  bool writeRequest() {
    if (!r_.u16(m_.write_address)) return false;
    if (m_.access & kSingle) {
      if (!r_.u16(m_.write_quantity)) return false;
      if ((m_.access & kCoils) && m_.write_quantity != 0 && m_.write_quantity != 0xff00) m_.error_flags |= kDataValue;
      m_.data = ModbusMessage::Data::WriteOther;
      return true;
    }
    if (m_.access & kMultiple) {
      std::uint8_t count = 0;
      if (!r_.u16(m_.write_quantity) || !r_.u8(count)) return false;
      const std::uint16_t q = m_.write_quantity;
      const std::uint16_t offset = m_.function == kRdWrMultRegs ? 11 : 7;
      const auto rest = static_cast<std::uint16_t>(m_.length - offset);  // wraps as sawp's
      if (q == 0 || rest != count) m_.error_flags |= kDataLength;
      if (m_.access & (kDiscretes | kCoils)) {
        if (q > kMaxBitQuantity || count != q / 8 + (q % 8 != 0 ? 1 : 0)) m_.error_flags |= kDataValue;
      } else if (q > kMaxWordQuantity || count != 2u * q) {
        m_.error_flags |= kDataValue;
      }
      if (!r_.take(rest, m_.bytes)) return false;
      m_.data = m_.data == ModbusMessage::Data::ReadRequest ? ModbusMessage::Data::ReadWrite : ModbusMessage::Data::WriteMultiple;
      return true;
    }
    if (!r_.u16(m_.and_mask) || !r_.u16(m_.or_mask)) return false;
    m_.data = ModbusMessage::Data::WriteMask;
    return true;
  }
  bool writeResponse() {
    if (!r_.u16(m_.write_address)) return false;
    if (m_.access & kSingle) {
      if (!r_.u16(m_.write_quantity)) return false;
      m_.data = ModbusMessage::Data::WriteOther;
      return true;
    }
    if (m_.access & kMultiple) {
      if (!r_.u16(m_.write_quantity)) return false;
      const std::uint16_t q = m_.write_quantity;
      if (q == 0) m_.error_flags |= kDataValue;
      if (q > ((m_.access & (kDiscretes | kCoils)) ? kMaxWordQuantity : kMaxBitQuantity)) m_.error_flags |= kDataValue;
      m_.data = ModbusMessage::Data::WriteOther;
      return true;
    }
    if (!r_.u16(m_.and_mask) || !r_.u16(m_.or_mask)) return false;
    m_.data = ModbusMessage::Data::WriteMask;
    return true;
  }

  ModbusMessage& m_;
  Reader& r_;
};

// Whether a response matches a request (sawp's Message::matches, from the response's side).
bool matches(const ModbusMessage& req, const ModbusMessage& resp) {
  return req.transaction_id == resp.transaction_id && req.unit_id == resp.unit_id && req.function == resp.function &&
         req.access == resp.access;
}

}  // namespace

void ModbusMessage::clear() {
  transaction_id = protocol_id = length = 0;
  unit_id = function_raw = access = category = error_flags = 0;
  function = kUnknownFunction;
  data = Data::Empty;
  exception = mei_type = 0;
  subfunction = read_address = read_quantity = write_address = write_quantity = and_mask = or_mask = 0;
  bytes.clear();
}

bool ModbusMessage::addressRange(std::uint16_t& first, std::uint16_t& last) const {
  switch (data) {
    case Data::WriteOther:
    case Data::WriteMask:
      first = last = static_cast<std::uint16_t>(write_address + 1);
      return true;
    case Data::ReadRequest:
    case Data::WriteMultiple:
    case Data::ReadWrite: {
      const std::uint16_t address = data == Data::ReadRequest ? read_address : write_address;
      const std::uint16_t quantity = data == Data::ReadRequest ? read_quantity : write_quantity;
      if (quantity == 0 || quantity > 0xffff - address) return false;
      first = static_cast<std::uint16_t>(address + 1);
      last = static_cast<std::uint16_t>(address + quantity);
      return true;
    }
    default: return false;
  }
}

std::size_t parseModbusMessage(std::span<const std::uint8_t> d, bool request, ModbusMessage& out) {
  out.clear();
  if (d.size() < kHeaderSize) return 0;
  out.transaction_id = static_cast<std::uint16_t>(d[0] << 8 | d[1]);
  out.protocol_id = static_cast<std::uint16_t>(d[2] << 8 | d[3]);
  out.length = static_cast<std::uint16_t>(d[4] << 8 | d[5]);
  out.function_raw = 0;
  if (out.protocol_id != 0) out.error_flags |= kProtoId;
  if (out.length < kMinLength || out.length > kMaxLength) {
    // Not a length a message can have: the message ends what the parser had (as sawp's).
    out.error_flags |= kDataLength;
    return d.size() - kHeaderSize > out.length ? kHeaderSize + out.length : d.size();
  }
  if (d.size() - kHeaderSize < out.length) return 0;
  const auto pdu = d.subspan(kHeaderSize, out.length);
  out.unit_id = pdu[0];
  out.function_raw = pdu[1];
  out.function = functionCode(out.function_raw);
  out.access = accessOf(out.function);
  const auto data = pdu.subspan(2);
  Reader r(data);
  PduDecoder decoder(out, r);
  if (!(request ? decoder.request() : decoder.response())) {
    out.error_flags |= kDataLength;
    if (out.data == ModbusMessage::Data::Empty) {
      out.data = ModbusMessage::Data::Bytes;
      out.bytes.assign(reinterpret_cast<const char*>(data.data()), data.size());
    }
  } else if (!r.done()) {
    out.error_flags |= kDataLength;
  }
  out.category = categoryOf(out);
  return kHeaderSize + out.length;
}

bool looksLikeModbus(std::span<const std::uint8_t> d) {
  if (d.size() < kHeaderSize + 2) return false;
  const std::uint16_t protocol = static_cast<std::uint16_t>(d[2] << 8 | d[3]);
  const std::uint16_t length = static_cast<std::uint16_t>(d[4] << 8 | d[5]);
  if (protocol != 0 || length < kMinLength || length > kMaxLength || d.size() - kHeaderSize < length) return false;
  // Suricata probes without a direction: an exception, a diagnostic or a MEI request decode by
  // their shape, anything else is bytes.
  const std::uint8_t raw = d[kHeaderSize + 1];
  const std::uint8_t function = functionCode(raw);
  const std::uint16_t data = static_cast<std::uint16_t>(length - 2);
  if (raw >= kExceptionBit) {
    if (data < 1) return false;
    const std::uint8_t code = d[kHeaderSize + 2];
    const bool known = (code >= 1 && code <= 8) || code == 0x0a || code == 0x0b;
    return known && !(code == 8 && function != kRdFileRec && function != kWrFileRec) && data == 1;
  }
  if (function == kDiagnostic) return data >= 2;
  if (function == kMei) return data >= 1;
  return true;
}

void ModbusState::parse(FlowDirection dir) {
  const std::size_t s = dir == FlowDirection::ToServer ? 0 : 1;
  AckedBytes& side = sides_[s];
  const std::string_view ready = side.ready();
  if (failed_[s]) {
    side.consume(ready.size());
    return;
  }
  const std::span<const std::uint8_t> d(reinterpret_cast<const std::uint8_t*>(ready.data()), ready.size());
  std::size_t at = 0;
  while (at < d.size()) {
    const std::size_t n = parseModbusMessage(d.subspan(at), s == 0, scratch_);
    if (n == 0) break;  // the rest of a message comes later
    if (scratch_.error_flags != 0) ++errors_;
    add(s == 0);
    at += n;
  }
  side.consume(at);
}

void ModbusState::add(bool request) {
  for (auto& tx : txs_) {
    // A request answers nothing; a response completes the first open request it matches (and
    // a request the response that came before it, as Suricata looks both ways).
    if (request ? (tx->has_response && !tx->has_request && matches(scratch_, tx->response))
                : (tx->has_request && !tx->has_response && matches(tx->request, scratch_))) {
      std::swap(request ? tx->request : tx->response, scratch_);
      (request ? tx->has_request : tx->has_response) = true;
      return;
    }
  }
  ModbusTransaction* tx = open();
  if (tx == nullptr) return;  // flooded: dropped
  std::swap(request ? tx->request : tx->response, scratch_);
  (request ? tx->has_request : tx->has_response) = true;
}

ModbusTransaction* ModbusState::open() {
  if (txs_.size() >= kMaxTx) return nullptr;
  std::unique_ptr<ModbusTransaction> tx;
  if (!spare_.empty()) {
    tx = std::move(spare_.back());
    spare_.pop_back();
  } else {
    tx = std::make_unique<ModbusTransaction>();
  }
  tx->tx_id = ++next_tx_id_;
  tx->has_request = tx->has_response = tx->inspected = tx->logged = false;
  txs_.push_back(std::move(tx));
  return txs_.back().get();
}

void ModbusState::prune() {
  for (auto it = txs_.begin(); it != txs_.end();) {
    const ModbusTransaction& tx = **it;
    if (tx.logged && (tx.inspected || !tx.has_request)) {
      spare_.push_back(std::move(*it));
      it = txs_.erase(it);
    } else {
      ++it;
    }
  }
}

void ModbusState::reset() {
  for (auto& tx : txs_) spare_.push_back(std::move(tx));
  txs_.clear();
  for (AckedBytes& s : sides_) s.clear();
  failed_[0] = failed_[1] = false;
  next_tx_id_ = 0;
  errors_ = 0;
  events.clear();
}

std::string_view modbusFunctionName(std::uint8_t function) {
  if (function < kFunctionNames.size() && function != 0) return kFunctionNames[function];
  return function == kMei ? "MEI" : "Unknown";
}

std::string_view modbusExceptionName(std::uint8_t code) {
  static constexpr std::array<std::string_view, 12> kNames = {
      "Unknown", "IllegalFunction", "IllegalDataAddr", "IllegalDataValue", "ServerDeviceFail", "Ack", "ServerDeviceBusy",
      "NegAck", "MemParityErr", "Unknown", "GatewayPathUnavailable", "GatewayTargetFailToResp"};
  return code < kNames.size() ? kNames[code] : "Unknown";
}

std::string_view modbusDiagnosticName(std::uint16_t sub) {
  static constexpr std::array<std::string_view, 22> kNames = {
      "RetQueryData", "RestartCommOpt", "RetDiagReg", "ChangeInputDelimiter", "ForceListenOnlyMode", "Reserved",
      "Reserved", "Reserved", "Reserved", "Reserved", "ClearCtrDiagReg", "RetBusMsgCount", "RetBusCommErrCount",
      "RetBusExcErrCount", "RetServerMsgCount", "RetServerNoRespCount", "RetServerNAKCount", "RetServerBusyCount",
      "RetBusCharOverrunCount", "RetOverrunErrCount", "ClearOverrunCounterFlag", "GetClearPlusStats"};
  return sub < kNames.size() ? kNames[sub] : "Reserved";
}

std::string_view modbusMeiName(std::uint8_t type) {
  if (type == 0x0d) return "CANOpenGenRefReqResp";
  if (type == 0x0e) return "RdDevId";
  return "Unknown";
}

namespace {

template <std::size_t N>
std::string flagNames(std::uint8_t bits, const std::pair<std::uint8_t, std::string_view> (&names)[N]) {
  std::string out;
  for (const auto& [mask, name] : names) {
    if ((bits & mask) != mask) continue;
    if (!out.empty()) out += " | ";
    out += name;
  }
  return out.empty() ? std::string("NONE") : out;
}

}  // namespace

std::string modbusAccessNames(std::uint8_t access) {
  static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
      {kRead, "READ"},         {kWrite, "WRITE"},   {kDiscretes, "DISCRETES"},
      {kCoils, "COILS"},       {kInput, "INPUT"},   {kHolding, "HOLDING"},
      {kSingle, "SINGLE"},     {kMultiple, "MULTIPLE"}, {kDiscretes | kCoils, "BIT_ACCESS_MASK"},
      {kDiscretes | kCoils | kInput | kHolding, "FUNC_MASK"}, {kWrite | kSingle, "WRITE_SINGLE"},
      {kWrite | kMultiple, "WRITE_MULTIPLE"}};
  return flagNames(access, kNames);
}

std::string modbusCategoryNames(std::uint8_t category) {
  static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
      {kPublicAssigned, "PUBLIC_ASSIGNED"}, {kPublicUnassigned, "PUBLIC_UNASSIGNED"}, {kUserDefined, "USER_DEFINED"},
      {kReserved, "RESERVED"}};
  return flagNames(category, kNames);
}

std::string modbusErrorNames(std::uint8_t flags) {
  static constexpr std::pair<std::uint8_t, std::string_view> kNames[] = {
      {kDataValue, "DATA_VALUE"}, {kDataLength, "DATA_LENGTH"}, {kExcCode, "EXC_CODE"}, {kFuncCode, "FUNC_CODE"},
      {kProtoId, "PROTO_ID"}};
  return flagNames(flags, kNames);
}

}  // namespace gsoc::sensor

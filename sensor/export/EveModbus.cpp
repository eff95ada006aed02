// EVE modbus objects, as Suricata's modbus logger writes them: the transaction's id, then its
// request and response: MBAP fields, function, access type, category and error flags by name,
// and what the function's data decoded to (exception, diagnostic, MEI, read, write, bytes).

#include "sensor/app/ModbusParser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

void EveWriter::modbusObject(const ModbusTransaction& tx) {
  using Data = ModbusMessage::Data;
  const auto message = [&](const ModbusMessage& m) {
    out_ << "{\"transaction_id\":" << m.transaction_id << ",\"protocol_id\":" << m.protocol_id
         << ",\"unit_id\":" << static_cast<unsigned>(m.unit_id) << ",\"function_raw\":" << static_cast<unsigned>(m.function_raw)
         << ",\"function_code\":\"" << modbusFunctionName(m.function) << "\",\"access_type\":\"" << modbusAccessNames(m.access)
         << "\",\"category\":\"" << modbusCategoryNames(m.category) << "\",\"error_flags\":\"" << modbusErrorNames(m.error_flags)
         << "\"";
    const auto write = [&]() {
      out_ << ",\"write\":{\"address\":" << m.write_address << ",\"quantity\":" << m.write_quantity << ",\"data\":";
      string(m.bytes);
      out_ << "}";
    };
    switch (m.data) {
      case Data::Exception:
        out_ << ",\"exception\":{\"raw\":" << static_cast<unsigned>(m.exception) << ",\"code\":\""
             << modbusExceptionName(m.exception) << "\"}";
        break;
      case Data::Diagnostic:
        out_ << ",\"diagnostic\":{\"raw\":" << m.subfunction << ",\"code\":\"" << modbusDiagnosticName(m.subfunction)
             << "\",\"data\":";
        string(m.bytes);
        out_ << "}";
        break;
      case Data::Mei:
        out_ << ",\"mei\":{\"raw\":" << static_cast<unsigned>(m.mei_type) << ",\"code\":\"" << modbusMeiName(m.mei_type)
             << "\",\"data\":";
        string(m.bytes);
        out_ << "}";
        break;
      case Data::ReadRequest:
        out_ << ",\"read\":{\"address\":" << m.read_address << ",\"quantity\":" << m.read_quantity << "}";
        break;
      case Data::ReadResponse:
        out_ << ",\"read\":{\"data\":";
        string(m.bytes);
        out_ << "}";
        break;
      case Data::WriteMultiple: write(); break;
      case Data::ReadWrite:
        out_ << ",\"read\":{\"address\":" << m.read_address << ",\"quantity\":" << m.read_quantity << "}";
        write();
        break;
      case Data::WriteMask:
        out_ << ",\"write\":{\"address\":" << m.write_address << ",\"and_mask\":" << m.and_mask << ",\"or_mask\":" << m.or_mask
             << "}";
        break;
      case Data::WriteOther:
        out_ << ",\"write\":{\"address\":" << m.write_address << ",\"data\":" << m.write_quantity << "}";
        break;
      case Data::Bytes:
        out_ << ",\"data\":";
        string(m.bytes);
        break;
      case Data::Empty: break;
    }
    out_ << "}";
  };
  out_ << ",\"modbus\":{\"id\":" << tx.tx_id;
  if (tx.has_request) {
    out_ << ",\"request\":";
    message(tx.request);
  }
  if (tx.has_response) {
    out_ << ",\"response\":";
    message(tx.response);
  }
  out_ << "}";
}

}  // namespace gsoc::sensor

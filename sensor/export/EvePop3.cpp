// EveWriter's pop3 object, as Suricata 8 writes it.

#include "sensor/app/Pop3Parser.hpp"
#include "sensor/export/EveWriter.hpp"

namespace gsoc::sensor {

// Suricata's pop3 object: the command and its arguments ("request"), the answer's status, its
// status line's text ("header") and a multi-line answer's lines ("data").
void EveWriter::pop3Object(const Pop3Transaction& tx) {
  out_ << ",\"pop3\":{";
  if (tx.has_request) {
    out_ << "\"request\":{\"command\":";
    string(tx.command);
    out_ << ",\"args\":[";
    for (std::size_t i = 0; i < tx.args.size(); ++i) {
      if (i) out_ << ",";
      string(tx.args[i]);
    }
    out_ << "]}";
  }
  if (tx.has_response) {
    out_ << (tx.has_request ? "," : "") << "\"response\":{\"success\":" << (tx.success ? "true" : "false") << ",\"status\":";
    string(tx.status);
    out_ << ",\"header\":";
    string(tx.header);
    if (tx.multiline) {
      out_ << ",\"data\":[";
      for (std::size_t i = 0; i < tx.data.size(); ++i) {
        if (i) out_ << ",";
        string(tx.data[i]);
      }
      out_ << "]";
    }
    out_ << "}";
  }
  out_ << "}";
}

}  // namespace gsoc::sensor

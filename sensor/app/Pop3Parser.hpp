#pragma once
// POP3 (RFC 1939, with CAPA, STLS and SASL AUTH), as Suricata 8's pop3 parser sees it: each
// client command line is a transaction with the server's answer (+OK / -ERR and its text, and
// for the commands that have one the multi-line body up to ".", dot-unstuffed); the greeting is
// a transaction of its own with no request. During an AUTH exchange the server's "+ " lines
// continue it and the client's lines are SASL data ("<SASL DATA>", not kept). A +OK to STLS
// hands the flow over to TLS. Lines wait in AckedBytes until the other side acknowledges them.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct Pop3Transaction {
  std::uint64_t tx_id = 0;
  bool has_request = false;
  std::string command;  // upper case, or "<SASL DATA>"
  ReusingVector<std::string> args;
  bool has_response = false;
  bool success = false;
  std::string status;  // "OK" or "ERR"
  std::string header;  // the status line's text
  ReusingVector<std::string> data;  // a multi-line answer's lines
  bool multiline = false;           // the answer has a body (still being read while !complete)
  bool complete = false;
  void clear();
};

class Pop3State final : public AppState {
 public:
  // A transaction is complete (answered, or given up at the flow's end).
  using TransactionSink = FunctionRef<void(const Pop3Transaction&)>;
  static constexpr std::size_t kMaxLine = 4096;     // longer lines raise request/response_too_long
  static constexpr std::size_t kMaxOpen = 256;      // unanswered commands kept at most
  static constexpr std::size_t kMaxDataLines = 4096;  // a body's lines kept at most (more are counted)

  AckedBytes& pending(signatures::FlowDirection dir) { return pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  void parse(signatures::FlowDirection dir, const TransactionSink& sink);
  void close(const TransactionSink& sink);
  // The server accepted STLS: the bytes after its +OK are TLS.
  [[nodiscard]] bool startTls() const { return start_tls_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  void request(std::string_view line, const TransactionSink& sink);
  void response(std::string_view line, const TransactionSink& sink);
  Pop3Transaction& open();
  void finish(const TransactionSink& sink);

  AckedBytes pending_[2];
  std::vector<std::unique_ptr<Pop3Transaction>> open_;   // oldest first
  std::vector<std::unique_ptr<Pop3Transaction>> spare_;
  std::uint64_t next_tx_id_ = 0;
  bool sasl_ = false;       // an AUTH exchange is under way
  bool start_tls_ = false;
  bool in_body_ = false;    // reading the oldest transaction's multi-line answer
  std::uint64_t errors_ = 0;
};

// A server's POP3 answer ("+OK", "-ERR"), or, on POP3's port (110), a client's POP3 command.
bool looksLikePop3(std::span<const std::uint8_t> data, bool to_server, bool pop3_port);

}  // namespace gsoc::sensor

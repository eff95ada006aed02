#pragma once
// PostgreSQL frontend/backend protocol v3, as Suricata 8's pgsql parser sees it: the untyped
// startup-phase messages (StartupMessage, SSLRequest, CancelRequest), the typed messages after
// them, the server's one-byte answer to an SSLRequest ('S': the rest of the flow is TLS), the
// authentication exchange (cleartext, MD5 and SASL), simple queries, COPY in and out, and the
// server's answers. A transaction is one client message with the server's messages up to the
// one that completes it (ReadyForQuery, an authentication request, an SSL answer, a COPY
// response); data rows and COPY data are counted, not kept. Each side's bytes wait in
// AckedBytes until the other side acknowledges them (Suricata's IDS mode). State, transaction
// and their strings are reused for the flow's life and pooled by the app layer.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct PgsqlParam {
  std::string name;  // as Suricata logs it (DateStyle: date_style)
  std::string value;
};

// What the client's message of a transaction was.
enum class PgsqlRequestKind : std::uint8_t {
  None, Startup, SslRequest, CancelRequest, Password, SaslInitial, SaslResponse, SimpleQuery, CopyDataIn, Terminate, Unknown
};

// One entry of the server's answer, in the order it came (EVE writes them so).
struct PgsqlResponseItem {
  enum class Kind : std::uint8_t {
    SslAnswer,       // number: accepted (1) or not
    Field,           // key: value (an error/notice field, command_completed, md5 salt, SASL final)
    Message,         // "message": text
    ParameterStatus, // key: the parameter's name, text its value
    BackendKey,      // process_id, secret_key
    FieldCount,      // field_count
    DataRows,        // data_rows, data_size
    CopyInResponse,  // copy_in_response.columns
    CopyOutResponse, // copy_out_response.columns
    CopyDataOut,     // copy_data_out.row_count, data_size
    Notification,    // pid, channel_name (key), payload (text)
  };
  Kind kind = Kind::Message;
  std::string key;
  std::string text;
  std::uint64_t a = 0;
  std::uint64_t b = 0;
};

struct PgsqlTransaction {
  std::uint64_t tx_id = 0;  // from 1, as Suricata's
  PgsqlRequestKind request = PgsqlRequestKind::None;
  std::string protocol_version;        // Startup: "3.0"
  std::string user;                    // Startup
  ReusingVector<PgsqlParam> params;    // Startup's optional parameters
  std::string payload;                 // query, password, SASL response or parameter
  std::string mechanism;               // SaslInitial: scram_SHA256 ...
  std::uint32_t cancel_pid = 0, cancel_key = 0;
  std::uint64_t copy_messages = 0, copy_bytes = 0;  // CopyDataIn
  bool copy_done = false;
  ReusingVector<PgsqlResponseItem> responses;
  bool complete = false;
  void clear(bool keep_responses = false);
};

class PgsqlState final : public AppState {
 public:
  // A transaction is complete (or, at the flow's end, given up on): its record and detection.
  using TransactionSink = FunctionRef<void(const PgsqlTransaction&)>;

  AckedBytes& pending(signatures::FlowDirection dir) { return pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  // Parses the released bytes of `dir`.
  void parse(signatures::FlowDirection dir, const TransactionSink& sink);
  // The flow ends: a transaction still open is handed over as it is.
  void close(const TransactionSink& sink);
  // The server accepted the SSLRequest: the bytes after its 'S' are TLS.
  [[nodiscard]] bool tlsAccepted() const { return tls_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();

 private:
  // One message of `dir` at the front of `data`: its length, 0 when incomplete; sets failed on garbage.
  std::size_t request(std::string_view data, const TransactionSink& sink);
  std::size_t response(std::string_view data, const TransactionSink& sink);
  PgsqlTransaction& open(PgsqlRequestKind kind, const TransactionSink& sink);
  void finish(const TransactionSink& sink);
  PgsqlResponseItem& item(PgsqlResponseItem::Kind kind);

  AckedBytes pending_[2];
  PgsqlTransaction tx_;
  PgsqlResponseItem* run_ = nullptr;  // the data rows or COPY data being counted (the last item)
  bool tx_open_ = false;
  bool unsolicited_ = false;  // tx_.responses holds what came between transactions
  bool failed_[2] = {false, false};
  bool tls_ = false;
  bool ssl_requested_ = false;   // the next server byte answers an SSLRequest
  std::uint32_t auth_ = 0;       // the server's last authentication request (10 SASL, 11 continue)
  bool copy_out_ = false;        // the server is sending COPY data
  std::uint64_t next_tx_id_ = 1;
  std::uint64_t errors_ = 0;
};

// Whether `data` opens a PostgreSQL conversation the way Suricata's probe takes it: a client's
// StartupMessage (protocol 3.x), SSLRequest, CancelRequest or GSSENCRequest; from the server on
// its port (5432), an authentication request or error, or the one-byte SSL answer.
bool looksLikePgsql(std::span<const std::uint8_t> data, bool to_server, bool pgsql_port);

}  // namespace gsoc::sensor

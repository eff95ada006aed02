#pragma once
// LDAPv3 (RFC 4511) over TCP and CLDAP over UDP: each BER-encoded LDAPMessage (message id, one
// protocol operation, controls) decoded into one reused record, every operation's fields kept
// (bind, unbind, search request / result entry / done / reference, modify, add, del, modify DN,
// compare, abandon, extended and intermediate). Messages are grouped into Suricata's
// transactions: a request and the responses with its message id; a response no request awaits
// is a transaction of its own. Every length is checked against what encloses it; a message that
// does not decode is counted, raises ldap.invalid_data and ends the parsing of that side. After
// a successful StartTLS the state says so and parses nothing more (the app layer hands the flow
// to TLS). Transactions, messages and their strings are reused: steady state allocates nothing.

#include <cstdint>
#include <array>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/LdapNames.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/app/AckedBytes.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// The protocolOp CHOICE's [APPLICATION n] tags; Unknown for any other.
enum class LdapOp : std::uint8_t {
  BindRequest = 0, BindResponse = 1, UnbindRequest = 2, SearchRequest = 3, SearchResultEntry = 4,
  SearchResultDone = 5, ModifyRequest = 6, ModifyResponse = 7, AddRequest = 8, AddResponse = 9,
  DelRequest = 10, DelResponse = 11, ModDnRequest = 12, ModDnResponse = 13, CompareRequest = 14,
  CompareResponse = 15, AbandonRequest = 16, SearchResultReference = 19, ExtendedRequest = 23,
  ExtendedResponse = 24, IntermediateResponse = 25, Unknown = 255,
};
// "search_request", "bind_response"... (Suricata's EVE names, LdapNames.hpp); "unknown" for Unknown.
std::string_view ldapOpName(LdapOp op);
bool ldapOpIsRequest(LdapOp op);

inline constexpr std::string_view kLdapStartTlsOid = "1.3.6.1.4.1.1466.20037";

struct LdapAttribute {
  std::string type;
  ReusingVector<std::string> values;
};

struct LdapChange {
  std::uint32_t operation = 0;  // 0 add, 1 delete, 2 replace
  LdapAttribute modification;
};

struct LdapControl {
  std::string type;
  bool criticality = false;
  bool has_value = false;
  std::string value;
};

// One LDAPMessage; the fields of its operation are set.
struct LdapMessage {
  std::uint32_t message_id = 0;
  LdapOp op = LdapOp::Unknown;
  // The DN the operation names: bind name, search base, entry of add/del/modify/modDN/compare,
  // object name of a search result entry.
  std::string dn;
  // LDAPResult of every response that has one.
  bool has_result = false;
  std::uint32_t result_code = 0;
  std::string matched_dn;
  std::string diagnostic_message;
  // BindRequest
  std::uint32_t version = 0;
  bool sasl = false;
  std::string sasl_mechanism;
  bool has_sasl_credentials = false;
  std::string sasl_credentials;
  // BindResponse
  bool has_server_sasl_creds = false;
  std::string server_sasl_creds;
  // SearchRequest
  std::uint32_t scope = 0;
  std::uint32_t deref_aliases = 0;
  std::uint32_t size_limit = 0;
  std::uint32_t time_limit = 0;
  bool types_only = false;
  bool filter_present = false;  // the filter is a present filter on `filter_attribute`
  std::string filter_attribute;
  // SearchRequest's attribute list; SearchResultReference's URIs.
  ReusingVector<std::string> names;
  // AddRequest's and SearchResultEntry's attributes.
  ReusingVector<LdapAttribute> attributes;
  // ModifyRequest
  ReusingVector<LdapChange> changes;
  // ModifyDNRequest
  std::string new_rdn;
  bool delete_old_rdn = false;
  bool has_new_superior = false;
  std::string new_superior;
  // CompareRequest
  std::string assertion_description;
  std::string assertion_value;
  // Extended request/response, intermediate response
  bool has_name = false;
  std::string name;
  bool has_value = false;
  std::string value;
  // AbandonRequest
  std::uint32_t abandon_id = 0;
  bool has_controls = false;
  ReusingVector<LdapControl> controls;
  void clear();
};

enum class LdapDecode : std::uint8_t { Ok, Incomplete, Invalid };
// Decodes the LDAPMessage at the front of `data` into `out`; `used` is its size with its header.
// Incomplete: `data` holds only its beginning. Invalid: not an LDAPMessage (or one whose
// operation is unknown).
LdapDecode decodeLdapMessage(std::span<const std::uint8_t> data, LdapMessage& out, std::size_t& used);

// A request and its responses (or responses no request awaited).
struct LdapTransaction {
  static constexpr std::size_t kMaxResponses = 1024;  // past it, more are counted, not kept
  std::uint64_t tx_id = 0;
  bool has_request = false;
  LdapMessage request;
  ReusingVector<LdapMessage> responses;
  std::uint64_t dropped_responses = 0;
  bool complete = false;
  // Rules (by index) that alerted on it: each alerts once per transaction, as in Suricata,
  // though the transaction is inspected again at each response.
  std::vector<std::uint32_t> alerted;
};

class LdapState final : public AppState {
 public:
  // A transaction changed: ToServer, its request arrived; ToClient, a response was added (the
  // last of its responses); Any, it is complete and changes no more (it is reused after).
  using TransactionSink = FunctionRef<void(signatures::FlowDirection, LdapTransaction&)>;
  static constexpr std::size_t kDefaultMaxTx = 256;  // Suricata's ldap max-tx
  // Transactions open (awaiting responses) at most: past it the oldest is given up on, with
  // ldap.too_many_transactions.
  void setMaxTx(std::size_t max_tx) { max_tx_ = max_tx; }

  AckedBytes& pending(signatures::FlowDirection dir) { return pending_[dir == signatures::FlowDirection::ToServer ? 0 : 1]; }
  // Decodes the released bytes of `dir` (TCP).
  void parse(signatures::FlowDirection dir, const TransactionSink& sink);
  // One CLDAP datagram: a request, or responses.
  void onDatagram(signatures::FlowDirection dir, std::span<const std::uint8_t> payload, const TransactionSink& sink);
  // The flow ends: transactions still open are handed over as they are.
  void close(const TransactionSink& sink);
  // A StartTLS request was answered with success: the rest of the flow is TLS.
  [[nodiscard]] bool startTls() const { return start_tls_; }
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  // A hole in a side's stream: what is held of it is dropped, and parsing resumes at the next
  // bytes that decode as a message.
  void gap(signatures::FlowDirection dir);
  std::array<std::uint64_t, 2> gaps_seen{};
  void reset();

 private:
  struct Side {
    bool failed = false;
    bool resync = false;  // after a gap: the next bytes must decode as a message
  };
  void handle(signatures::FlowDirection dir, const TransactionSink& sink);
  LdapTransaction& open(const TransactionSink& sink);
  void finish(LdapTransaction* tx, const TransactionSink& sink);
  void invalid(Side& side);

  AckedBytes pending_[2];
  Side sides_[2];
  LdapMessage message_;  // the message being handled
  std::vector<std::unique_ptr<LdapTransaction>> open_;
  std::vector<std::unique_ptr<LdapTransaction>> spare_;
  std::uint64_t next_tx_id_ = 0;
  std::size_t max_tx_ = kDefaultMaxTx;
  bool start_tls_ = false;
  bool start_tls_requested_ = false;
  std::uint32_t start_tls_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor

#pragma once
// Kerberos 5 (RFC 4120) on port 88, over UDP (a message per datagram) and TCP (each message
// after a four-octet record mark), as Suricata's krb5 parser reads it: AS-REQ, TGS-REQ and
// AP-REQ, AS-REP and TGS-REP, KRB-ERROR, each message a transaction with the client and service
// principals, the realm, the encryption types of the reply and its ticket, and an error's code.
// A KRB-ERROR carries the type of the request it answers (Suricata's failed_request). Messages are read with the bounded DER reader (DerReader.hpp); one that does not
// decode is counted and skipped, and a TCP side whose record mark is impossible is parsed no
// more. The message and its strings are reused: steady state allocates nothing.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/FunctionRef.hpp"
#include "common/ReusingVector.hpp"
#include "gsoc/signatures/FlowDirection.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

// A principal's name components ("krbtgt", "DOM.LOCAL"), joined with '/' in EVE.
struct Krb5Principal {
  bool present = false;
  ReusingVector<std::string> parts;
};

struct Krb5Message {
  std::uint64_t tx_id = 0;
  std::uint8_t msg_type = 0;  // 10 AS-REQ, 11 AS-REP, 12 TGS-REQ, 13 TGS-REP, 14 AP-REQ, 30 KRB-ERROR
  bool error = false;
  std::uint8_t failed_request = 0;  // an error's: the type of the last request before it, 0 none
  std::int32_t error_code = 0;
  Krb5Principal cname, sname;
  bool has_realm = false;
  std::string realm;
  std::optional<std::int32_t> etype;         // a reply's enc-part
  std::optional<std::int32_t> ticket_etype;  // its ticket's (or an AP-REQ's ticket)
  bool request = false;                      // sent by the client
  void clear();
};

// "KRB_AS_REQ"... (Suricata's names); "KRB_ERROR" for 30. An error's failed request: "KRB_AS_REQ",
// "KRB_TGS_REQ" or "UNKNOWN".
std::string_view krb5FailedRequestName(std::uint8_t type);
std::string_view krb5MessageTypeName(std::uint8_t type);
// "KDC_ERR_PREAUTH_REQUIRED"... ; empty for a code without a name.
std::string_view krb5ErrorName(std::int32_t code);
// Suricata's: all but the AES and Camellia types are weak.
bool krb5WeakEncryption(std::int32_t etype);

// Decodes one message (an [APPLICATION n] element); false when it is no Kerberos message.
// `out.msg_type` is the message's own type.
bool parseKrb5Message(std::span<const std::uint8_t> data, Krb5Message& out);
// Whether `data` starts like a Kerberos message (UDP) or a record mark and one (TCP).
bool looksLikeKrb5(std::span<const std::uint8_t> data, bool tcp);

class Krb5State final : public AppState {
 public:
  using MessageSink = FunctionRef<void(signatures::FlowDirection, const Krb5Message&)>;
  // Reassembled TCP data of one side.
  void feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink);
  // One UDP datagram.
  void datagram(signatures::FlowDirection dir, std::span<const std::uint8_t> payload, const MessageSink& sink);
  [[nodiscard]] std::uint64_t errors() const override { return errors_; }
  void reset();
  static constexpr std::size_t kMaxRecord = 1 << 20;  // a TCP record longer than this ends the side's parsing

 private:
  void message(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink);
  struct Side {
    std::string pending;
    bool failed = false;
  };
  Side sides_[2];
  Krb5Message message_;
  std::uint8_t request_type_ = 0;  // the last request's, for the error that answers it
  std::uint64_t next_tx_id_ = 0;
  std::uint64_t errors_ = 0;
};

}  // namespace gsoc::sensor

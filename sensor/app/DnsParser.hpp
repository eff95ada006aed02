#pragma once
// DNS messages over UDP (one per datagram) and TCP (two-byte length prefix): header, questions
// (with compression pointers, bounded), and answers for the metadata record. Query names feed
// the `dns.query` buffer of requests. Names are DnsName (inline, at most 255 bytes), so parsing
// into a message that is reused (the app layer keeps one per worker) allocates nothing once its
// vectors have grown to the largest message seen.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/FunctionRef.hpp"
#include "sensor/app/DnsName.hpp"
#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct DnsMessage {
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t rcode = 0;
  std::vector<DnsName> queries;
  std::vector<std::uint16_t> query_types;
  struct Answer {
    DnsName name;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    DnsName data;  // A/AAAA as text, names for CNAME/NS/PTR, else empty
  };
  std::vector<Answer> answers;

  // Empties the message, keeping the vectors' capacity.
  void clear();
};

// False when the bytes are not a well-formed DNS message (nothing is read out of bounds). `out`
// is cleared first and may be reused from message to message.
bool parseDnsMessage(std::span<const std::uint8_t> bytes, DnsMessage& out);

class DnsTcpState final : public AppState {
 public:
  using MessageSink = FunctionRef<void(signatures::FlowDirection, const DnsMessage&)>;
  // Returns false once the stream stopped looking like DNS. Each message is parsed into
  // `message` (the caller's, reused) before it reaches the sink.
  bool feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, DnsMessage& message, const MessageSink& sink);

 private:
  std::string pending_[2];  // a message's bytes until it is whole
  bool broken_ = false;
};

}  // namespace gsoc::sensor

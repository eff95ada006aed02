#pragma once
// DNS messages over UDP (one per datagram) and TCP (two-byte length prefix): header, questions
// (with compression pointers, bounded), and answers for the metadata record. Query names feed
// the `dns.query` buffer of requests.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "sensor/flow/Flow.hpp"

namespace gsoc::sensor {

struct DnsMessage {
  std::uint16_t id = 0;
  bool response = false;
  std::uint8_t rcode = 0;
  std::vector<std::string> queries;
  std::vector<std::uint16_t> query_types;
  struct Answer {
    std::string name;
    std::uint16_t type = 0;
    std::uint32_t ttl = 0;
    std::string data;  // A/AAAA as text, names for CNAME/NS/PTR, else empty
  };
  std::vector<Answer> answers;
};

// False when the bytes are not a well-formed DNS message (nothing is read out of bounds).
bool parseDnsMessage(std::span<const std::uint8_t> bytes, DnsMessage& out);

class DnsTcpState final : public AppState {
 public:
  using MessageSink = std::function<void(signatures::FlowDirection, const DnsMessage&)>;
  // Returns false once the stream stopped looking like DNS.
  bool feed(signatures::FlowDirection dir, std::span<const std::uint8_t> data, const MessageSink& sink);

 private:
  std::string pending_[2];
  bool broken_ = false;
};

}  // namespace gsoc::sensor

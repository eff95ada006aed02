// DNS (sensor/app/DnsParser): every record is parsed as a UDP datagram, and the same records,
// in both directions, are fed to the DNS-over-TCP state as the stream splits them. Invariants:
// a parsed message has at most 32 questions with a type each (none only in a response: mDNS
// announcements carry records alone), at most 64 answers, names of at most 255 bytes; the TCP state parses exactly what a datagram of the same bytes gives, and once broken
// it stays broken.
#include <cstdint>
#include <string>

#include "sensor/app/DnsParser.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

namespace {

using gsoc::fuzz::check;
using namespace gsoc::sensor;

void checkMessage(const DnsMessage& m) {
  check(m.queries.size() <= 32, "more than 32 questions");
  check(!m.queries.empty() || m.response, "a request without a question");
  check(m.queries.size() == m.query_types.size(), "a question without its type");
  check(m.answers.size() <= 64, "more than 64 answers kept");
  for (const auto& q : m.queries) check(q.size() <= 255, "question name over 255 bytes");
  for (const auto& a : m.answers) check(a.name.size() <= 255 && a.data.size() <= 255, "answer name over 255 bytes");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gsoc::fuzz::RecordReader reader(data, size);
  DnsTcpState tcp;
  DnsMessage udp;  // reused, as the app layer reuses its message
  DnsMessage message;
  bool broken = false;
  while (auto record = reader.next()) {
    const std::string copy(record->bytes.begin(), record->bytes.end());  // exact size for ASan
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(copy.data()), copy.size());
    if (parseDnsMessage(bytes, udp)) checkMessage(udp);

    const auto dir = (record->control & 1) ? gsoc::signatures::FlowDirection::ToClient
                                           : gsoc::signatures::FlowDirection::ToServer;
    const bool ok = tcp.feed(dir, bytes, message, [&](gsoc::signatures::FlowDirection d, const DnsMessage& m) {
      check(d == dir, "message handed over in the wrong direction");
      checkMessage(m);
    });
    check(!(broken && ok), "a broken DNS/TCP stream parsed again");
    broken = broken || !ok;
  }
  return 0;
}

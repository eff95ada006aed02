// Indicator lists (signatures/Indicators): byte 0 picks the list type (ip, domain, url, hash,
// email), the rest is the file. Loading never throws; malformed lines become errors, and every
// error is printable ASCII (values are escaped, so a hostile list cannot drive the terminal of
// whoever reads the errors, issue 16 item 6). Accepted entries are well-formed for their type,
// and the accepted set compiles into the sensor's matcher (Hyperscan literal databases).
#include <cstdint>
#include <string>
#include <string_view>

#include "gsoc/signatures/Indicators.hpp"
#include "tests/fuzz/FuzzRecords.hpp"

namespace {

using gsoc::fuzz::check;
using namespace gsoc::signatures;

bool lowerHex(std::string_view s) {
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const auto type = static_cast<IndicatorType>(data[0] % 5);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  IndicatorSet set;
  set.loadText(type, text, "fuzz.tsv");
  std::size_t lines = 1;
  for (const char c : text) lines += c == '\n';
  check(set.entries().size() + set.errors().size() <= lines, "more entries and errors than lines");
  for (const auto& error : set.errors()) {
    for (const char c : error) {
      check(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f, "an error message with a raw control or non-ASCII byte");
    }
  }
  for (const auto& e : set.entries()) {
    check(e.type == type && !e.id.empty() && !e.value.empty(), "an entry without id or value");
    if (type == IndicatorType::Hash) {
      check((e.value.size() == 32 || e.value.size() == 40 || e.value.size() == 64) && lowerHex(e.value),
            "a hash that is not a lower-case MD5, SHA-1 or SHA-256");
    }
    if (type == IndicatorType::Email) check(e.value.find('@') != std::string::npos, "a sender without '@'");
    if (type == IndicatorType::Url) check(!e.url_host.empty() && !e.url_path.empty(), "a URL without host or path");
  }
  // What the sensor does with the list next; any exception here escapes and is a finding.
  const IndicatorMatcher matcher(std::move(set));
  return 0;
}
